"""A datatrove executor that runs each task as a plain Ray task.

datatrove's `RayPipelineExecutor` creates a placement group, an actor and a process pool for every
task (about a second each, measured), and waits forever on a dependency that failed. Here a task is
one `ray.remote` call (milliseconds), Ray's worker processes stay warm between tasks (models load
once per worker), a crashed worker is retried by Ray, and application errors are collected and
reported when the other tasks have finished. Completions, stats and logs are datatrove's own
(`PipelineExecutor._run_for_rank`), so resuming works exactly as with datatrove's executors.
Tasks start largest first (a cost per rank, when the runner knows one) so that no big task is left for the
end while the other workers idle; each finished task is one `task finished` line of the run log
(`tools/ray_timeline.py` turns those into the run's timeline and its parallel-efficiency bound).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from datatrove.executor.base import DistributedEnvVars, PipelineExecutor
from datatrove.pipeline.base import PipelineStep

from eurocurate.pipelines.engine.remote_tasks import TaskSync

log = logging.getLogger(__name__)


class TaskFailures(RuntimeError):
    """Some tasks raised; the message lists the ranks and the first errors."""


@dataclass(frozen=True)
class TaskRun:
    """One finished task as its worker saw it: the run log's `task finished` line."""

    rank: int
    node: str  # Ray node id
    pid: int  # the worker process (a worker that ran a task before has its models loaded)
    started: float  # epoch seconds
    seconds: float  # wall
    cpu_s: float  # CPU seconds of the worker process during the task (all its threads)
    worker_cpu_s: float  # CPU seconds of the worker process so far: its first task's adds the worker's start-up


def _run_rank(executor: RayTaskExecutor, rank: int) -> TaskRun:
    """Run one task; where it ran and what it cost."""
    import ray

    started, t0, cpu0 = time.time(), time.perf_counter(), time.process_time()
    executor._run_for_rank(rank)
    return TaskRun(
        rank=rank,
        node=ray.get_runtime_context().get_node_id(),
        pid=os.getpid(),
        started=round(started, 3),
        seconds=round(time.perf_counter() - t0, 3),
        cpu_s=round(time.process_time() - cpu0, 3),
        worker_cpu_s=round(time.process_time(), 3),
    )


def _warm_up(steps: object) -> int:
    """Nothing: a worker imports what the run's tasks will unpickle by deserializing `steps`, its argument."""
    return os.getpid()


def warm_up_workers(steps: list[list[PipelineStep]], workers: int) -> None:
    """Make up to `workers` Ray workers import the modules of the run's steps now, side by side, instead of each at
    its first task: the first stage group may have fewer tasks than workers (a tokenizer barrier has one), and a
    worker that imports at its first task of the next group starts it about 0.5 s late (dev corpus, 2 workers).
    Fire and forget: a module that fails to import fails the run's own task with its error."""
    import ray

    _ship_plugins_by_value()  # as the tasks will: a worker need not have a plugin's module to unpickle its steps
    ref = ray.put(steps)
    remote = ray.remote(_warm_up)
    for _ in range(workers):
        remote.options(num_cpus=1, name="eurocurate:warm-up").remote(ref)


def largest_first(ranks: list[int], costs: Mapping[int, float] | None) -> list[int]:
    """`ranks` in the order to start them: the costliest first (ties and unknown costs in rank order), so
    that the last task to start is a small one and the workers finish together (longest-processing-time
    scheduling: within 4/3 of the best makespan, where rank order can leave one big task alone at the end)."""
    if not costs:
        return list(ranks)
    return sorted(ranks, key=lambda r: (-costs.get(r, 0.0), r))


def _ship_plugins_by_value() -> None:
    """Pickle the steps of plugin stages by value, so that a worker (on this node or another) runs them
    without the plugin module on its path, as datatrove ships steps with cloudpickle."""
    from ray import cloudpickle

    from eurocurate.registry import plugin_modules

    for module in plugin_modules():
        cloudpickle.register_pickle_by_value(sys.modules[module])


class RayTaskExecutor(PipelineExecutor):
    def __init__(
        self,
        pipeline: list[PipelineStep | Callable],
        tasks: int,
        workers: int,
        logging_dir: str,
        cpus_per_task: float = 1,
        memory_per_task_gb: float = 1.0,
        max_retries: int = 2,
        name: str = "eurocurate",
        task_sync: TaskSync | None = None,
        task_costs: Mapping[int, float] | None = None,
    ):
        super().__init__(pipeline, logging_dir, skip_completed=True)
        self.tasks = tasks
        self.workers = workers
        self.cpus_per_task = cpus_per_task
        self.memory_per_task_gb = memory_per_task_gb
        self.max_retries = max_retries
        self.name = name
        self.task_sync = task_sync  # an output on object storage: tasks work in scratch copies (remote_tasks)
        self.task_costs = dict(task_costs or {})  # rank → its input bytes, when known: largest first

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1):
        if self.task_sync is None:
            return super()._run_for_rank(rank, local_rank, node_rank)
        return self.task_sync.run(self, rank, lambda: super(RayTaskExecutor, self)._run_for_rank(rank, local_rank))

    @property
    def world_size(self) -> int:
        return self.tasks

    def get_distributed_env(self, node_rank: int = -1) -> DistributedEnvVars:
        return DistributedEnvVars(
            datatrove_node_ips="",
            datatrove_cpus_per_task=str(self.cpus_per_task),
            datatrove_mem_per_cpu=str(self.memory_per_task_gb / max(self.cpus_per_task, 1e-9)),
            datatrove_gpus_on_node="0",
            datatrove_executor="RAY",
        )

    def run(self) -> None:
        import ray

        queue = largest_first(self.get_incomplete_ranks(), self.task_costs)
        if not queue:
            return
        self.save_executor_as_json()
        _ship_plugins_by_value()
        remote = ray.remote(_run_rank)
        options = {
            "num_cpus": self.cpus_per_task,
            "memory": int(self.memory_per_task_gb * 2**30),
            "max_retries": self.max_retries,  # worker or node died: Ray runs the task again
            "retry_exceptions": False,  # an exception in our code would only repeat
        }
        executor_ref = ray.put(self)
        pending: dict = {}
        failures: list[tuple[int, BaseException]] = []
        per_node: Counter[str] = Counter()
        while queue or pending:
            while queue and len(pending) < self.workers:
                rank = queue.pop(0)
                ref = remote.options(name=f"{self.name}:{rank:05d}", **options).remote(executor_ref, rank)
                pending[ref] = rank
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                rank = pending.pop(ref)
                try:
                    task = ray.get(ref)
                    per_node[task.node] += 1
                    log.info("task finished", extra={"group": self.name, **asdict(task)})
                except Exception as e:  # noqa: BLE001 - reported with its rank once all tasks ended
                    failures.append((rank, e))
        log.info("stage group tasks per node", extra={"group": self.name, "tasks_per_node": dict(per_node)})
        if failures:
            first = "; ".join(f"rank {r}: {str(e).strip().splitlines()[-1][:300]}" for r, e in failures[:3])
            raise TaskFailures(f"{len(failures)} task(s) failed: {first}")
