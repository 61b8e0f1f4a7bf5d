"""Runs a compiled DAG with datatrove executors on Ray (embedded or `--ray-address`) or locally,
then writes the run manifest.

Owns: the run state that makes re-running the same command resume, executor
construction, progress polling, stage-count aggregation and clean-up. Steps know nothing of this.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson
from datatrove.utils.stats import PipelineStats
from rich.console import Console

from eurocurate import storage
from eurocurate.config import PipelineSpec
from eurocurate.files import write_bytes_atomic
from eurocurate.layout import STATE_FILE, WORK, WORK_DATA_NAMES, OutputLayout
from eurocurate.manifests.audit.erasure_log import log_head
from eurocurate.manifests.audit.language_counts import documents_by_language, excluded_non_eu24
from eurocurate.manifests.audit.run_manifest import (
    SCHEMA_VERSION,
    Execution,
    GroupTiming,
    Policies,
    RunManifest,
    TokenizerInfo,
    Totals,
    describe_inputs,
    describe_outputs,
    environment,
    now_iso,
    read_run_manifest,
    write_run_manifest,
)
from eurocurate.manifests.audit.shard_manifest import read_shard_manifest
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.pipelines.engine.compiler import DagNode, PipelineDAG, code_version
from eurocurate.pipelines.engine.embedded_ray import init_ray
from eurocurate.pipelines.engine.embedded_ray import stop_ray as stop_ray  # re-exported: docs/library.md
from eurocurate.pipelines.engine.intermediate import IntermediateReader, intermediate_path
from eurocurate.pipelines.engine.output_folder import check_ownership, clean_dead_temporaries, restart
from eurocurate.pipelines.engine.preflight import check_run
from eurocurate.pipelines.engine.progress import ProgressDisplay, read_progress
from eurocurate.pipelines.engine.ray_executor import RayTaskExecutor, warm_up_workers
from eurocurate.pipelines.engine.remote_tasks import SyncedLocalExecutor
from eurocurate.pipelines.engine.run_output import RunOutput
from eurocurate.pipelines.engine.run_stats import (
    collect_fertility,
    collect_stage_counts,
    merged_stats,
    write_fertility_report,
)

# re-exported: the CLI reports InputError as a user error; pipelines/__init__ offers resolve_inputs
from eurocurate.pipelines.ingest.inputs import InputError as InputError
from eurocurate.pipelines.ingest.inputs import InputList, describe_set_aside
from eurocurate.pipelines.ingest.inputs import resolve_inputs as resolve_inputs
from eurocurate.registry import InputSet

log = logging.getLogger(__name__)


class RunFailed(RuntimeError):
    """Some tasks of a stage did not complete; re-running the same command resumes from there."""


class OutputConflict(RuntimeError):
    """OUT holds a run of a different spec or inputs."""


@dataclass(frozen=True)
class RunOptions:
    inputs: list[str | InputList]
    output: str
    ray_address: str | None = None
    workers: int | None = None
    executor: str | None = None  # overrides spec.execution.executor
    live_progress: bool | None = None  # None: only on a TTY
    restart: bool = False  # remove a previous run's outputs from OUT first


def _read_state(out: Path) -> dict | None:
    state_path = OutputLayout(out).state
    return orjson.loads(state_path.read_bytes()) if state_path.is_file() else None


_STATE_LABELS = {
    "config_sha256": "config sha256 (spec or overrides)",
    "inputs": "set of input files",
    "input_root": "input root folder",
    "stage_groups": "plan of stage groups (started by another eurocurate version?)",
}


def _stage_groups(dag: PipelineDAG) -> list[str]:
    """The compiled plan as the run state records it: a task's completion marks its group done, so a folder
    resumes only under the plan that wrote it (another eurocurate version may fuse the stages otherwise)."""
    return [f"{n.name}: {', '.join(s.name for s in n.steps)}" for n in dag.nodes]


def _resume_state(out: Path, state: dict, spec: PipelineSpec, inputs: InputSet, dag: PipelineDAG) -> dict:
    wanted = {
        "config_sha256": spec.digest(),
        "inputs": inputs.files,
        "input_root": inputs.root,
        "stage_groups": _stage_groups(dag),
    }
    for key, value in wanted.items():
        if state.get(key) != value:
            what = _STATE_LABELS.get(key, key.replace("_", " "))
            raise OutputConflict(
                f"{out} holds a run with a different {what}; re-run with the same spec, "
                f"overrides and inputs to resume it, --restart to start the folder over, or choose a new --output"
            )
    return state


def check_resume(out: Path, spec: PipelineSpec, inputs: InputSet, dag: PipelineDAG) -> None:
    """Raise `OutputConflict` when `out` holds the state of a run of another spec, inputs or plan: what `run` would
    refuse, said by `check` before it is tried."""
    if (state := _read_state(out)) is not None:
        _resume_state(out, state, spec, inputs, dag)


def _new_state(out: Path, run_id: str, spec: PipelineSpec, inputs: InputSet, dag: PipelineDAG) -> dict:
    # an attempt that completed no task left nothing worth keeping in _work (check_ownership let only it through)
    shutil.rmtree(OutputLayout(out).work, ignore_errors=True)
    state = {
        "run_id": run_id,
        "started_at": now_iso(),
        "config_sha256": spec.digest(),
        "inputs": inputs.files,
        "input_root": inputs.root,
        "stage_groups": _stage_groups(dag),
    }
    write_bytes_atomic(OutputLayout(out).state, orjson.dumps(state, option=orjson.OPT_INDENT_2))
    return state


def _any_task_completed(dag: PipelineDAG) -> bool:
    return any(any((Path(n.work_dir) / "completions").glob("*")) for n in dag.nodes)


def task_costs(node: DagNode, inputs: InputSet) -> dict[int, float]:
    """Rank → bytes it reads, where the driver sees them (local inputs; hand-over files in a local OUT), for the
    executor to start the largest tasks first. Empty when unknown: the tasks then start in rank order."""
    if node.kind != "map" or not node.steps:
        return {}
    first = node.steps[0]
    if isinstance(first, IntermediateReader):
        sizes = {r: intermediate_path(first.data_dir, r) for r in range(node.tasks)}
        return {r: float(p.stat().st_size) for r, p in sizes.items() if p.is_file()}
    if node.name != "ingest" or not storage.locate(inputs.root).is_local:
        return {}
    size = {f: (Path(inputs.root) / f).stat().st_size for f in inputs.files if (Path(inputs.root) / f).is_file()}
    # the source stages read files[rank::tasks] (pipelines/ingest/base.py)
    return {r: float(sum(size.get(f, 0) for f in inputs.files[r :: node.tasks])) for r in range(node.tasks)}


def _executor(
    node: DagNode, dag: PipelineDAG, spec: PipelineSpec, kind: str, workers: int, place: RunOutput, inputs: InputSet
):
    common = {
        "pipeline": node.steps,
        "tasks": node.tasks,
        "workers": min(workers, node.tasks),
        "logging_dir": node.work_dir,
        "task_sync": place.task_sync(node, dag),
    }
    if kind == "ray":
        return RayTaskExecutor(
            **common,
            memory_per_task_gb=spec.execution.mem_per_task_gb,
            name=node.name,
            task_costs=task_costs(node, inputs),
        )
    return SyncedLocalExecutor(**common, start_method="spawn")


def _node_total(node: DagNode, dag: PipelineDAG, inputs: InputSet) -> tuple[float | None, str]:
    if node.name == "ingest":
        root = storage.locate(inputs.root)
        if not root.is_local:
            return None, "docs"  # one size request per remote input only to draw a progress bar: not worth it
        files = [Path(inputs.root) / f for f in inputs.files]
        return float(sum(f.stat().st_size for f in files if f.is_file())), "bytes"  # a listed file may be gone
    return None, "docs"


def _run_node(
    node: DagNode, executor, display: ProgressDisplay, total: float | None, unit: str, place: RunOutput
) -> float | None:
    """Seconds the group took, or None when it was already complete."""
    incomplete = executor.get_incomplete_ranks()
    display.start(node.name, node.kind, node.tasks, total, unit)
    if not incomplete:
        display.stop(read_progress(node.work_dir), skipped=True)
        return None
    # the group runs in this (the main) thread and the progress is polled beside it, so that Ctrl-C reaches the
    # executor: datatrove's process pool is then terminated by its own `with` and Ray's wait interrupted; run from a
    # worker thread, the interrupted driver waited for that thread, whose pool had lost its interrupted workers'
    # results, forever (the local executor with 2 workers, measured)
    ended = threading.Event()

    def poll() -> None:  # woken when the group ends, not at the next half-second tick (a sleep added up to 0.5 s)
        while not ended.wait(0.5):
            if display.due():
                display.poll(read_progress(node.work_dir))

    poller = threading.Thread(target=poll, name="eurocurate-progress", daemon=True)
    poller.start()
    error = ""
    try:
        executor.run()
    except Exception as e:  # noqa: BLE001 - a task's error becomes the run's error message below
        error = f": {str(e).strip().splitlines()[-1][:400]}" if str(e).strip() else f": {type(e).__name__}"
    except BaseException:  # Ctrl-C: the bar ends where it was, without a line of the group's totals
        ended.set()
        poller.join()
        display.abandon()
        raise
    ended.set()
    poller.join()
    elapsed = display.stop(read_progress(node.work_dir), skipped=False)
    place.refresh()  # completions that tasks published to an output on object storage
    still = executor.get_incomplete_ranks()
    if still:
        raise RunFailed(
            f"stage group {node.name!r}: {len(still)} of {node.tasks} task(s) did not complete (ranks {still[:10]})"
            f"{error}. Logs: {node.work_dir}/logs/ — fix the cause and re-run the same command to resume; a fix "
            f"in the spec or its --set overrides changes the run's configuration, which this folder cannot resume: "
            f"run the changed command with --restart (or into a new --output)"
        )
    return elapsed


def _write_stats_and_logs(dag: PipelineDAG, merged: dict[str, PipelineStats], out: Path) -> None:
    for node in dag.nodes:
        write_bytes_atomic(OutputLayout(out).stats / f"{node.name}.json", merged[node.name].to_json().encode())
        logs = Path(node.work_dir) / "logs"
        if logs.is_dir():
            shutil.copytree(logs, OutputLayout(out).logs / node.name, dirs_exist_ok=True)


def _tokens_by_language(out: Path) -> dict[str, int]:
    tokens: dict[str, int] = {}
    for m in sorted(OutputLayout(out).shards.rglob("*.manifest.json")):
        manifest = read_shard_manifest(m)
        lang = Path(manifest.path).parent.name
        tokens[lang] = tokens.get(lang, 0) + manifest.tokens
    return tokens


def run_pipeline(
    spec: PipelineSpec, spec_path: str, options: RunOptions, console: Console | None = None
) -> RunManifest:
    """Run (or resume) `spec` on the inputs; returns the run manifest written to OUT/run.json.

    Everything that can be checked before a document is read is (`preflight.check_run`), then OUT is locked
    for the run's life. A run that fails before its first task completes leaves the folder as a fresh one.
    Raises `SpecError`, `InputError`, `OutputLocked`, `FolderNotOurs`, `OutputConflict` or `RunFailed`.
    """
    console = console or Console(stderr=True)
    place = RunOutput(options.output)  # a URL's driver copy; the folder itself when local
    out = place.local
    inputs, dag = check_run(spec, options.inputs, out, str(options.output))
    out.mkdir(parents=True, exist_ok=True)
    try:
        previous = None if place.remote else _read_state(out)
    except (OSError, ValueError):
        previous = None
    lock = place.lock(previous["run_id"] if previous else str(uuid.uuid4())).acquire()
    try:
        for line in place.begin():
            console.print(f"  {line}")
        return _run_locked(spec, spec_path, options, console, place, inputs, dag, lock.run_id)
    finally:
        lock.release()


def _run_locked(
    spec: PipelineSpec,
    spec_path: str,
    options: RunOptions,
    console: Console,
    place: RunOutput,
    inputs: InputSet,
    dag: PipelineDAG,
    run_id: str,
) -> RunManifest:
    out = place.local
    if options.restart and (removed := restart(out)):
        place.forget(removed)
        console.print(f"  --restart: removed the previous run's {', '.join(removed)} from {place.url}")
    check_ownership(out)
    previous = _read_state(out)
    fresh = previous is None
    if fresh:
        place.forget([WORK])  # _new_state starts _work/ over
        state = _new_state(out, run_id, spec, inputs, dag)
        place.publish([f"{WORK}/{STATE_FILE}"])
    else:
        state = _resume_state(out, previous, spec, inputs, dag)
        if removed := clean_dead_temporaries(out):
            console.print(f"  removed {len(removed)} temporary file(s) left by interrupted tasks")
    log.info(
        "run started",
        extra={
            "run_id": state["run_id"],
            "inputs": len(inputs.files),
            "output": str(out),
            "driver_cpu_s": round(time.process_time(), 3),  # imports, spec compile and checks so far
        },
    )
    try:
        return _execute(spec, spec_path, options, console, place, inputs, dag, state)
    except BaseException:
        place.refresh()
        if fresh and not _any_task_completed(dag):
            # nothing of this attempt is worth resuming: a fixed spec may run here as into a new folder
            OutputLayout(out).state.unlink(missing_ok=True)
            place.forget([f"{WORK}/{STATE_FILE}", *restart(out, keep_work=True)])
        raise


def _execute(
    spec: PipelineSpec,
    spec_path: str,
    options: RunOptions,
    console: Console,
    place: RunOutput,
    inputs: InputSet,
    dag: PipelineDAG,
    state: dict,
) -> RunManifest:
    out = place.local
    kind = options.executor or spec.execution.executor
    workers = options.workers or spec.execution.workers
    console.print(
        f"[bold]eurocurate[/] {spec.name}: {len(inputs.files)} input file(s) → {place.url}  "
        f"({kind}{' @ ' + options.ray_address if options.ray_address else ''}, {workers} worker(s))"
    )
    if aside := describe_set_aside(inputs):
        console.print(f"  {aside}")
        log.info("inputs set aside", extra={"files": len(inputs.set_aside), "detail": aside})
    if kind == "ray":
        t0 = time.perf_counter()
        early = init_ray(options.ray_address, workers)
        ready = {"seconds": round(time.perf_counter() - t0, 3), "driver_cpu_s": round(time.process_time(), 3)}
        if early is not None:  # started beside the driver's imports and checks: `seconds` is what was left to wait
            ready["started_early_s"] = early
        log.info("ray ready", extra=ready | {"address": options.ray_address})
        warm_up_workers([node.steps for node in dag.nodes], workers)
    live = console.is_terminal if options.live_progress is None else options.live_progress
    display = ProgressDisplay(console, live=live)
    timings = []
    for node in dag.nodes:
        total, unit = _node_total(node, dag, inputs)
        started = {"group": node.name, "kind": node.kind, "tasks": node.tasks}
        log.info("stage group started", extra=started | {"driver_cpu_s": round(time.process_time(), 3)})
        executor = _executor(node, dag, spec, kind, workers, place, inputs)
        seconds = _run_node(node, executor, display, total, unit, place)
        if seconds is None:
            continue
        timings.append({"group": node.name, "kind": node.kind, "tasks": node.tasks, "seconds": round(seconds, 3)})
        finished = {"docs": read_progress(node.work_dir).docs, "driver_cpu_s": round(time.process_time(), 3)}
        log.info("stage group finished", extra=timings[-1] | finished)
    layout = OutputLayout(out)
    if not timings and layout.run_manifest.is_file():
        # a finished run (possibly erased from since): nothing ran, so its manifest stays as it is
        console.print(f"  nothing to do: every stage group is complete; {layout.run_manifest.name} is unchanged")
        _verify_or_fail(out)
        return read_run_manifest(out)
    place.mark()  # every task's outputs are in the copy; what the driver writes from here is committed at the end
    merged = {node.name: merged_stats(node) for node in dag.nodes}  # read every task's stats once
    stages = collect_stage_counts(dag, merged)
    _write_stats_and_logs(dag, merged, out)
    tokenizer_meta = layout.tokenizer_meta
    fertility = collect_fertility(dag, merged)
    manifest = RunManifest(
        schema_version=SCHEMA_VERSION,
        run_id=state["run_id"],
        pipeline=spec.name,
        spec_path=str(spec_path),
        config_sha256=spec.digest(),
        config=spec,
        code_version=code_version(),
        environment=environment(),
        execution=Execution(executor=kind, workers=workers, ray_address=options.ray_address),
        started_at=state["started_at"],
        finished_at=now_iso(),
        inputs=describe_inputs(inputs.root, inputs.files, {f: spec.source_for(f) for f in inputs.files}),
        inputs_set_aside=[storage.display(storage.locate(inputs.root).child(f).url) for f in inputs.set_aside],
        stages=stages,
        totals=Totals(
            read=stages[0].docs_in if stages else 0,
            kept=stages[-1].docs_out if stages else 0,
            dropped=sum(s.dropped for s in stages),
            tokens_by_language=_tokens_by_language(out),
            documents_by_language=documents_by_language(out),
            non_eu24_excluded=excluded_non_eu24(out),
        ),
        tokenizer=TokenizerInfo.model_validate_json(tokenizer_meta.read_bytes()) if tokenizer_meta.is_file() else None,
        fertility=fertility,
        policies=Policies.model_validate(
            {s.name: s.policy() for n in dag.nodes for s in n.steps if hasattr(s, "policy")}
        ),
        timings=[GroupTiming(**t) for t in timings],
        outputs=describe_outputs(out),
        erasure_log_head=log_head(out),  # the log of earlier erasures a --restart keeps, anchored as it is found
    )
    write_run_manifest(out, manifest)
    write_fertility_report(out, fertility)
    from eurocurate.manifests.release.domains import robots_coverage  # release reads the finished output

    if missing := robots_coverage(out, manifest).warning():  # hosts whose robots.txt could not be checked
        log.warning(missing)
    finished = {"run_id": state["run_id"], "driver_cpu_s": round(time.process_time(), 3)}
    log.info("run finished", extra=finished | manifest.totals.model_dump())
    if not spec.execution.keep_intermediate:  # the hand-overs and the dedup stages' working files: doc ids, URLs, text
        work_data = layout.work_data()
        for folder in work_data:
            shutil.rmtree(folder, ignore_errors=True)
        # a remote output's barrier folders may never have been in the driver's copy: forgotten by name too
        known = [f"{WORK}/{node.name}/{name}" for node in dag.nodes for name in WORK_DATA_NAMES]
        place.forget(known + [d.relative_to(out).as_posix() for d in work_data])
    place.commit()
    _verify_or_fail(out)
    log.info("run verified", extra={"driver_cpu_s": round(time.process_time(), 3)})
    return manifest


def _verify_or_fail(out: Path) -> None:
    """A run ends green only when `eurocurate verify` would: every file hashed, every count consistent."""
    report = verify_output(out)
    if not report.ok:
        raise RunFailed(
            f"the run finished but `eurocurate verify {out}` finds {len(report.problems)} problem(s), first: "
            f"{report.problems[0]}"
        )
