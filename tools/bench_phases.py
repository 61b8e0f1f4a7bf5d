"""Where each CPU second of one `eurocurate run` goes: start-up, imports, model loads, each stage, the run's end.

    python -m eurocurate.tools.bench_phases run pipelines/fineweb_equivalent.yaml --input ... --output OUT \\
        --executor local --workers 1 [--set ...]

runs the command in this process (so it measures a one-worker local run, the benchmark's way) and prints a
table of CPU seconds by phase and stage (docs/performance.md, "Where each CPU second goes"); with
`--phases-json PATH` it also writes the table, every step's and every stage group's CPU seconds to PATH (what
`tools/bench.py` reads for its stage rows). How: Python's import machinery is wrapped (CPU of the importing
thread, outermost imports only), the model loads and run phases are wrapped by name (process CPU, minus the
imports made inside them), and datatrove's step timers read the thread's CPU clock instead of the wall clock.
An import or model load made inside a step's timer (a model loaded on the first text that needs it, pandas on
pyarrow's first conversion) is counted once, in its own row: the step's row here is its timer less those (the
step's timer in stats/ keeps them, as datatrove's own rows in the bench keep theirs). What the stage groups spent
beyond their steps' timers, imports and model loads is the writers (which keep no timer) and the engine. A name
that is not found in this version of the code is left out of the table, not guessed.
"""

from __future__ import annotations

import functools
import importlib
import importlib._bootstrap as bootstrap
import resource
import sys
import threading
import time
import types
from collections import defaultdict
from pathlib import Path

_START_CPU = time.process_time()  # the interpreter and the packages above this module, before any hook
_cpu: dict[str, float] = defaultdict(float)
_depth = threading.local()  # .d: imports open on this thread; .steps: the steps whose timers are open on it
# Imports and model loads have rows of their own; where one happens inside a step's timer (a lazily loaded model,
# a module imported on the first batch) or inside a stage group, its CPU is noted here, so that the step's row and
# the writers' row (the groups less everything else) do not count it a second time.
_inside_step: dict[str, float] = defaultdict(float)  # step -> imports and loads inside its timer (thread CPU)
_inside_group: dict[str, float] = defaultdict(float)  # group -> imports and loads while it ran (any thread)
_group: list[str] = []  # the stage group running now (the runner runs one at a time)

# (module, function, row): what is wrapped; `function` may be missing in some versions of the code
MODEL_LOADS = (
    ("eurocurate.langid.identifier", "load_fasttext", "model load: fastText lid.176"),
    ("eurocurate.langid.identifier", "shared_heliport", "model load: heliport"),
    ("eurocurate.langid.long_tail", "shared_heliport", "model load: heliport"),
    ("eurocurate.langid.identifier", "preload", "model load: lingua"),
    ("eurocurate.langid.hbs", "_hbs_detector", "model load: lingua"),
    ("eurocurate.pipelines.output.tokenize", "fast_encoder", "model load: tokenizer"),
    ("eurocurate.pipelines.output.prepared_tokenizer", "_load", "model load: tokenizer"),
    ("eurocurate.pipelines.output.prepared_tokenizer", "fast_encoder", "model load: tokenizer"),
)
START = (
    ("eurocurate.config", "load_spec", "spec load, compile, preflight"),
    ("eurocurate.pipelines.engine.preflight", "check_run", "spec load, compile, preflight"),
    ("eurocurate.pipelines.engine.runner", "check_run", "spec load, compile, preflight"),
)
END = (
    ("eurocurate.pipelines.engine.runner", "merged_stats", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "collect_stage_counts", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "_write_stats_and_logs", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "collect_fertility", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "describe_inputs", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "describe_outputs", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "documents_by_language", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "excluded_non_eu24", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "_tokens_by_language", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "environment", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "write_run_manifest", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "write_fertility_report", "run end: run.json, stats, reports"),
    ("eurocurate.pipelines.engine.runner", "_verify_or_fail", "run end: verify"),
    ("eurocurate.pipelines.engine.launch", "stop_ray", "run end: stop Ray"),
    ("eurocurate.cli.run", "_print_summary", "run end: summary"),
)
# stage rows: the steps whose timers make them (as in tools/bench.py)
STAGES = {
    "read WARC": ("warc_reader",),
    "extract main text": ("html_extractor",),
    "language ID (documents)": ("language_id",),
    "quality rules": ("quality_filter",),
    "near-dedup (signatures, clusters, filter)": ("minhash_signer", "minhash_cluster_merger", "minhash_dedup"),
}
IMPORTS, TASK_IMPORTS = "imports, main thread (CLI, engine, stage modules)", "imports inside tasks"


def _find_and_load(original):
    def hooked(name, import_):
        depth = getattr(_depth, "d", 0)
        began = time.thread_time()
        _depth.d = depth + 1
        try:
            return original(name, import_)
        finally:
            _depth.d = depth
            if depth == 0:
                main = threading.current_thread() is threading.main_thread()
                spent = time.thread_time() - began
                _cpu[IMPORTS if main else TASK_IMPORTS] += spent
                _set_aside(spent, spent)

    return hooked


def _set_aside(cpu: float, thread_cpu: float) -> None:
    """Note an import's or a model load's CPU against the group running and the step timing this thread, if any."""
    if _group:
        _inside_group[_group[-1]] += cpu
    steps = getattr(_depth, "steps", None)
    if steps:
        _inside_step[steps[-1]] += thread_cpu


class _StepTimer:
    """A step's datatrove timer that also tells this thread which step is being timed."""

    def __init__(self, timer, step: str):
        self.timer, self.step = timer, step

    def __enter__(self):
        if not hasattr(_depth, "steps"):
            _depth.steps = []
        _depth.steps.append(self.step)
        return self.timer.__enter__()

    def __exit__(self, *exc):
        try:
            return self.timer.__exit__(*exc)
        finally:
            _depth.steps.pop()


def _wrap(module: str, name: str, row) -> bool:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    original = getattr(mod, name, None)
    if original is None or getattr(original, "_bench_phases", False):
        return False

    @functools.wraps(original)
    def wrapped(*args, **kwargs):
        label = row(args) if callable(row) else row
        group = label.startswith("group ")
        if group:
            _group.append(label.removeprefix("group "))
        began, imports, thread_began, aside = time.process_time(), _imports(), time.thread_time(), _aside()
        try:
            return original(*args, **kwargs)
        finally:
            if group:
                _group.pop()
                _cpu[label] += time.process_time() - began
            else:
                spent = time.process_time() - began - (_imports() - imports)
                _cpu[label] += spent
                # imports inside were set aside as they ended; the rest of the call now
                _set_aside(spent, time.thread_time() - thread_began - (_aside() - aside))

    wrapped._bench_phases = True
    setattr(mod, name, wrapped)
    return True


def _aside() -> float:
    steps = getattr(_depth, "steps", None)
    return _inside_step[steps[-1]] if steps else 0.0


def _imports() -> float:
    return _cpu[IMPORTS] + _cpu[TASK_IMPORTS]


def _steps_by_group(out: Path) -> dict[str, dict[str, float]]:
    """Stage group -> {step: its timer's total}, from the run's stats/<group>.json."""
    from eurocurate.tools.bench_runs import read_step_stats  # after the run: its imports are not the run's

    groups: dict[str, dict[str, float]] = {}
    for s in read_step_stats(out):
        timers = groups.setdefault(s.group, {})
        timers[s.step] = timers.get(s.step, 0.0) + s.seconds
    return groups


def _step_seconds(out: Path) -> dict[str, float]:
    seconds: dict[str, float] = defaultdict(float)
    for steps in _steps_by_group(out).values():
        for step, s in steps.items():
            seconds[step] += s
    return seconds


def group_seconds() -> dict[str, float]:
    """Stage group -> process CPU seconds while the runner ran it (its tasks, with one local worker, and what the
    driver did meanwhile: the progress display)."""
    return {k.removeprefix("group "): v for k, v in _cpu.items() if k.startswith("group ")}


def phase_table(out: Path, total: float) -> list[tuple[str, float]]:
    """(row, CPU s) in run order; `total` is the process's CPU time, reaped children included."""
    steps = _step_seconds(out)
    rows = [("interpreter start, packages above the import hook", _START_CPU), (IMPORTS, _cpu[IMPORTS])]
    rows.append((TASK_IMPORTS, _cpu[TASK_IMPORTS]))
    rows.append(("spec load, compile, preflight", _cpu["spec load, compile, preflight"]))
    loads = sorted(k for k in _cpu if k.startswith("model load: "))
    rows += [(k, _cpu[k]) for k in loads]
    staged = 0.0
    for row, names in STAGES.items():
        # the steps' timers less the imports and model loads inside them (they are in the rows above)
        seconds = sum(steps.get(n, 0.0) - _inside_step[n] for n in names)
        staged += seconds
        rows.append((row, seconds))
    groups = sum(v for k, v in _cpu.items() if k.startswith("group "))
    # imports and model loads inside the groups are rows of their own; the rest of the groups is writers + engine
    rows.append(
        (
            "writers (text, tokens, provenance, intermediate files) and engine",
            groups - staged - sum(_inside_group.values()),
        )
    )
    rows += [(k, _cpu[k]) for k in sorted({r for _, _, r in END}) if k in _cpu]
    accounted = sum(v for _, v in rows)
    rows.append(("not accounted above (main thread between phases)", total - accounted))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    phases_json = None
    if "--phases-json" in args[:-1]:
        at = args.index("--phases-json")
        phases_json = Path(args[at + 1])
        del args[at : at + 2]
    if not args or args[0] != "run" or "--output" not in args:
        print(__doc__, file=sys.stderr)
        return 2
    find_and_load = bootstrap._find_and_load
    bootstrap._find_and_load = _find_and_load(find_and_load)
    import datatrove.utils.stats as datatrove_stats
    from datatrove.pipeline.base import PipelineStep

    from eurocurate.cli import main as cli

    datatrove_stats.time = types.SimpleNamespace(perf_counter=time.thread_time)  # step timers: thread CPU
    track_time = PipelineStep.track_time
    PipelineStep.track_time = lambda step, unit=None: _StepTimer(track_time(step, unit), step.name)
    for module, name, row in START + MODEL_LOADS + END:
        _wrap(module, name, row)
    _wrap("eurocurate.pipelines.engine.runner", "_run_node", lambda a: f"group {a[0].name}")
    status = cli(args)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = time.process_time() + children.ru_utime + children.ru_stime
    bootstrap._find_and_load = find_and_load  # what this module imports from now on is not the run's
    out = Path(args[args.index("--output") + 1])
    table = phase_table(out, total)
    print("\n| phase or stage | CPU s | share |\n|---|---:|---:|")
    for row, seconds in table:
        print(f"| {row} | {seconds:.2f} | {seconds / total:.1%} |")
    print(f"| total (process and reaped children) | {total:.2f} | 100% |")
    if phases_json is not None:
        import orjson

        phases = {
            "status": status,
            "total_cpu_s": total,
            "rows": [{"row": row, "cpu_s": seconds} for row, seconds in table],
            "steps_thread_cpu_s": _step_seconds(out),  # every step of the run: its own timer, thread CPU
            "groups_cpu_s": group_seconds(),  # every stage group that ran: process CPU
            "steps_by_group": _steps_by_group(out),
            # imports and model loads inside a step's timer, and inside a group (its steps' included)
            "imports_and_loads_in_steps_cpu_s": dict(_inside_step),
            "imports_and_loads_in_groups_cpu_s": dict(_inside_group),
        }
        phases_json.parent.mkdir(parents=True, exist_ok=True)
        phases_json.write_bytes(orjson.dumps(phases, option=orjson.OPT_INDENT_2))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
