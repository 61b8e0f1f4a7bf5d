"""Tasks of a run whose output is on object storage: each runs in a private local scratch copy on its node.

A task pulls what it reads from the store (its own rank's hand-over files, every rank's for a barrier, the
tokenizer and the barriers' decisions), runs with every path of its steps moved from the driver's copy into its
scratch folder, then pushes what it wrote and deleted, its completion marker last: a task is complete in the
store only once all its outputs are there, so a run resumes from the store alone and no node needs a shared disk.
Owns the scratch copies and the executors that use them; the store protocol is `eurocurate.remote_output`'s.
"""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, is_dataclass
from functools import partial
from pathlib import Path, PurePath
from queue import SimpleQueue

import multiprocess
from datatrove.executor.local import LocalPipelineExecutor
from datatrove.io import get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger
from datatrove.utils.stats import PipelineStats

from eurocurate.layout import (
    EXCLUSIONS,
    LOGS,
    PROVENANCE,
    REPORTS,
    RUN_MANIFEST,
    SHARDS,
    STATS,
    TEXT,
    WORK,
    WORK_BOOKKEEPING,
)
from eurocurate.pipelines.engine.task_logging import share_library_dirs
from eurocurate.remote_output import _NEVER_PULLED, RemoteOutput, changes, scratch_root, snapshot

share_library_dirs()  # every executor of a run (this module's and Ray's, which imports it) opens loggers per task

# What no task reads: the driver's files and the folders tasks only write.
_NOT_FOR_TASKS = (f"{LOGS}/", f"{STATS}/", f"{REPORTS}/", RUN_MANIFEST, f"{TEXT}/", f"{PROVENANCE}/", f"{EXCLUSIONS}/")
# What map sides write for their barrier and only the barrier reads (dedup signatures, URL keys, partition
# edges, spills): a map task never needs them, and signatures are the largest work files (grams for verification).
_BARRIER_INPUTS = frozenset({"sigs", "urls", "parts", "merge_spill", "buckets"})
_HAND_OVER = re.compile(r"(\d{5})\.parquet")  # intermediate_path(): one per map rank


def task_reads(rel: str, kind: str, rank: int, hand_over_from: str | None = None) -> bool:
    """Whether a task of a `kind` group ("map" or "barrier") with `rank` pulls the object `rel` of the output;
    `hand_over_from` names the map group whose hand-over files (`_work/<group>/data/NNNNN.parquet`) it reads."""
    if rel.startswith((*_NEVER_PULLED, *_NOT_FOR_TASKS)):
        return False
    if rel.startswith(f"{SHARDS}/"):
        return kind == "barrier"  # the shard packer re-cuts the map tasks' token shards
    if rel.startswith(f"{WORK}/"):
        parts = rel.split("/")
        # datatrove's per-task bookkeeping: the driver's to read, no task's
        if len(parts) < 3 or parts[2] in WORK_BOOKKEEPING or parts[-1] in {"executor.json", "stats.json"}:
            return False
        if len(parts) == 4 and parts[2] == "data" and (m := _HAND_OVER.fullmatch(parts[3])):
            # hand-over files (intermediate.py): of the group right before only; a map task its own rank's
            return parts[1] == hand_over_from and (kind == "barrier" or int(m[1]) == rank)
        if kind == "map" and _BARRIER_INPUTS.intersection(parts[2:-1]):
            return False
    return True


def driver_reads(rel: str) -> bool:
    """What the driver keeps in its copy: the outputs, and of _work/ only run state and task bookkeeping."""
    if rel.startswith(_NEVER_PULLED):
        return False
    if rel.startswith(f"{WORK}/"):
        parts = rel.split("/")
        return len(parts) == 2 or (len(parts) > 3 and parts[2] in {"completions", "stats", "logs"})
    return True


def _retarget(value: object, old: str, new: str, seen: set[int]) -> object:
    """`value` with every path string under `old` moved under `new`, in place inside step objects (any stage's,
    plugins' included) and the eurocurate objects and dataclasses they hold; other objects are left as they are."""
    if isinstance(value, str):
        return new + value[len(old) :] if value == old or value.startswith(old + "/") else value
    if isinstance(value, PurePath):
        moved = _retarget(str(value), old, new, seen)
        return type(value)(moved) if moved != str(value) else value
    if isinstance(value, list):
        return [_retarget(v, old, new, seen) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_retarget(v, old, new, seen) for v in value)
    if isinstance(value, dict):
        return {k: _retarget(v, old, new, seen) for k, v in value.items()}
    ours = isinstance(value, PipelineStep) or type(value).__module__.startswith("eurocurate") or is_dataclass(value)
    if ours and not isinstance(value, type) and id(value) not in seen:  # steps (plugins' too) and what they hold
        seen.add(id(value))
        attrs = vars(value) if hasattr(value, "__dict__") else {}
        slots = [s for c in type(value).__mro__ for s in getattr(c, "__slots__", ()) if hasattr(value, s)]
        for name in [*attrs, *slots]:
            if name.startswith("__"):
                continue
            current = getattr(value, name)
            moved = _retarget(current, old, new, seen)
            if moved is not current:
                object.__setattr__(value, name, moved)
    return value


def retarget_steps(pipeline: list[PipelineStep], old: str, new: str) -> list[PipelineStep]:
    """A copy of `pipeline` whose steps write under `new` where the driver's write under `old`."""
    from ray import cloudpickle

    copy = cloudpickle.loads(cloudpickle.dumps(pipeline))
    seen: set[int] = set()
    for step in copy:
        _retarget(step, old, new, seen)
    return copy


@dataclass(frozen=True)
class TaskSync:
    """How the tasks of one group reach the output on object storage (pickled into every task)."""

    url: str  # the output folder's URL
    driver_root: str  # the driver's local copy, where the compiled steps point
    group: str
    kind: str  # "map" or "barrier"
    hand_over_from: str | None = None  # the map group whose hand-over files its tasks read

    def run(self, executor, rank: int, run_rank) -> PipelineStats:
        """Run `run_rank()` (the executor's own task body) for `rank` in a fresh scratch copy, then publish."""
        remote = RemoteOutput(self.url)
        scratch = Path(tempfile.mkdtemp(prefix=f"eurocurate-task-{self.group}-{rank:05d}-", dir=scratch_root()))
        local = scratch / "out"
        local.mkdir()
        saved = executor.pipeline, executor.logging_dir
        try:
            remote.pull(local, lambda rel: task_reads(rel, self.kind, rank, self.hand_over_from))
            before = snapshot(local)
            executor.pipeline = retarget_steps(executor.pipeline, self.driver_root, str(local))
            executor.logging_dir = get_datafolder(str(local / WORK / self.group))
            try:
                stats = run_rank()
            finally:
                written, removed = changes(before, local)
                done = [r for r in written if r.startswith(f"{WORK}/{self.group}/completions/")]
                logs = [r for r in written if r.startswith(f"{WORK}/{self.group}/logs/")]
                completed = bool(done)
                # a failed task publishes only its log (for the error message); a completed one everything,
                # its completion marker last
                remote.push(local, [r for r in written if r not in done] if completed else logs)
                if completed:
                    remote.delete(removed)
                    remote.push(local, done)
            return stats
        finally:
            executor.pipeline, executor.logging_dir = saved
            shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """SIGINT ignored while processes are started, so that they start ignoring it: a spawned worker keeps the
    disposition through exec, and Python then installs no KeyboardInterrupt handler. (An initializer runs too late:
    a worker first imports the driver's main module, the `eurocurate` script, about a second; a blocked signal mask
    is not inherited, measured.) The driver's own Ctrl-C is lost only for the milliseconds of the forks."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread sets handlers, or gets SIGINT
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class SyncedLocalExecutor(LocalPipelineExecutor):
    """datatrove's local executor whose tasks, when `task_sync` is set, run in scratch copies of a remote output.

    With one worker no helper process: datatrove's manager, forked from a driver holding the language-ID and
    tokenizer models, doubled the run's resident memory (fineweb_equivalent.yaml on the dev corpus: process tree
    peak 2,656 MB with it, 1,410 MB without, measured by summing the RSS of the tree as `make bench` does).
    """

    def __init__(self, *args, task_sync: TaskSync | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_sync = task_sync

    def run(self) -> PipelineStats | None:
        """datatrove's `LocalPipelineExecutor.run` (0.10.1) with two changes. With one worker, the loop of tasks in
        this process, without the `multiprocess.Manager` datatrove starts for it anyway: a server process forked from
        a driver that may hold gigabytes of models, once per stage group, to serve a queue of one local rank (0.07
        CPU s and 0.2 s of wall each, measured). With more, the pool's workers ignore SIGINT: Ctrl-C reaches the
        whole process group, and the driver alone answers it (it terminates the pool as it leaves); each worker
        printed its own KeyboardInterrupt traceback."""
        if self.depends:
            return super().run()
        self._launched = True
        first, local = self.local_rank_offset, self.local_tasks
        if all(map(self.is_rank_completed, range(first, first + local))):
            logger.info(f"Not doing anything as all {local} tasks have already been completed.")
            return None
        self.save_executor_as_json()
        ranks = self.get_incomplete_ranks(range(first, first + local))
        if self.workers == 1:
            ranks_q: SimpleQueue[int] = SimpleQueue()
            ranks_q.put(0)
            pipeline, stats = self.pipeline, []
            for rank in ranks:
                self.pipeline = deepcopy(pipeline)  # each task starts from fresh steps (their stats are the task's)
                stats.append(self._launch_run_for_rank(rank, ranks_q))
        else:
            stats = self._run_in_pool(ranks, skipped=local - len(ranks))
        merged = sum(stats, start=PipelineStats())
        with self.logging_dir.open("stats.json", "wt") as statsfile:
            merged.save_to_disk(statsfile)
        logger.success(merged.get_repr(f"All {local} tasks"))
        return merged

    def _run_in_pool(self, ranks: list[int], skipped: int) -> list[PipelineStats]:
        manager = multiprocess.Manager()  # ignores SIGINT itself (multiprocess's managers do)
        try:
            ranks_q = manager.Queue()
            for i in range(self.workers):
                ranks_q.put(i)
            completed, completed_lock = manager.Value("i", skipped), manager.Lock()
            ctx = multiprocess.get_context(self.start_method)
            with _workers_ignore_sigint():
                # the initializer is for a worker the pool starts later, in place of one that died
                pool = ctx.Pool(self.workers, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
            with pool:
                run = partial(self._launch_run_for_rank, ranks_q=ranks_q, completed=completed,
                              completed_lock=completed_lock)  # fmt: skip
                return list(pool.imap_unordered(run, ranks))
        finally:
            manager.shutdown()

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1) -> PipelineStats:
        if self.task_sync is None:
            return super()._run_for_rank(rank, local_rank, node_rank)
        return self.task_sync.run(self, rank, lambda: super(SyncedLocalExecutor, self)._run_for_rank(rank, local_rank))
