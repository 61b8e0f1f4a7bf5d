"""One `eurocurate run` as a user starts it, measured from outside: wall time, CPU time of the process
(and the children it waits for), the peak resident memory of its whole process tree (Ray's raylet and
workers included), and the per-stage seconds and counts it reports in run.json and stats/.

Also the quality of eurocurate's side on the corpus truth, in the terms `bench_reference` uses for
datatrove's: extraction F1, language accuracy on EU-24 assembled pages, duplicate-pair recall.
"""

from __future__ import annotations

import contextlib
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import psutil

from eurocurate.files import read_tables
from eurocurate.layout import EXCLUSIONS, PROVENANCE, STATS
from eurocurate.manifests.audit.run_manifest import RunManifest, read_run_manifest
from eurocurate.tools import eval_metrics


@dataclass
class RunMeasure:
    wall_s: float
    cpu_s: float
    peak_tree_rss_mb: float
    run: RunManifest
    out: Path
    # step name -> its own timer: wall seconds, or the CPU seconds of the thread running it with `cpu_by_stage`
    step_seconds: dict[str, float] = field(default_factory=dict)
    group_seconds: dict[str, float] = field(default_factory=dict)  # map group / barrier -> wall
    step_stats: dict[str, dict[str, float]] = field(default_factory=dict)  # step name -> its counters (summed)
    group_cpu_s: dict[str, float] = field(default_factory=dict)  # with `cpu_by_stage`: group -> process CPU


class _TreeRss:
    """Samples the summed RSS of a process and its descendants every `period` seconds; keeps the peak."""

    def __init__(self, pid: int, period: float = 0.2):
        self.pid, self.period, self.peak = pid, period, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> _TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):  # a process that ended meanwhile holds nothing
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self.period)


@dataclass(frozen=True)
class StepStats:
    """One step of one stage group, as a finished run's stats/<group>.json has it (its tasks' stats merged)."""

    group: str
    step: str
    seconds: float  # its datatrove timer's total
    counters: dict[str, float]  # its stat_update counters' totals


def read_step_stats(out: Path) -> list[StepStats]:
    """Every step of every stage group of the finished run in `out`, group by group."""
    steps = []
    for stats_file in sorted((out / STATS).glob("*.json")):
        for step in orjson.loads(stats_file.read_bytes()):
            ts = step.get("time_stats")
            seconds = ts.get("total") if isinstance(ts, dict) else ts
            counters = {}
            for key, value in (step.get("stats") or {}).items():
                total = value.get("total") if isinstance(value, dict) else value
                if isinstance(total, (int, float)):
                    counters[key] = total
            name = step["name"].split(": ", 1)[-1]  # datatrove's "<type>: <name>"
            steps.append(StepStats(stats_file.stem, name, float(seconds or 0.0), counters))
    return steps


def run_pipeline_measured(
    spec: Path,
    inputs: list[Path],
    out: Path,
    *,
    executor: str,
    workers: int,
    sets: list[str] = (),
    cpu_by_stage: bool = False,
) -> RunMeasure:
    """`eurocurate run SPEC --input ... --output OUT --executor E --workers N [--set ...]`, measured.

    `cpu_by_stage` (one local worker): the run goes through `tools/bench_phases`, so that the steps' timers read
    the CPU clock of the thread running them and each stage group's process CPU is kept (`group_cpu_s`); its
    wrappers add a few milliseconds of the run's CPU (they time each import and each step call)."""
    shutil.rmtree(out, ignore_errors=True)
    phases = out.parent / f"{out.name}.phases.json"
    if cpu_by_stage:
        if executor != "local" or workers != 1:
            raise ValueError("cpu_by_stage measures a one-worker local run: the tasks run in the measured process")
        phases.unlink(missing_ok=True)
        args = [sys.executable, "-m", "eurocurate.tools.bench_phases", "--phases-json", str(phases)]
    else:
        args = [str(Path(sys.executable).parent / "eurocurate")]
    args += ["run", str(spec), "--output", str(out)]
    args += ["--executor", executor, "--workers", str(workers)]
    for s in sets:
        args += ["--set", s]
    for f in inputs:
        args += ["--input", str(f)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with _TreeRss(proc.pid) as rss:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark run failed ({executor}, {workers} workers):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    measure = RunMeasure(wall, cpu, rss.peak / 2**20, read_run_manifest(out), out)
    for step in read_step_stats(out):
        measure.step_seconds[step.step] = measure.step_seconds.get(step.step, 0.0) + step.seconds
        counters = measure.step_stats.setdefault(step.step, {})
        for key, total in step.counters.items():
            counters[key] = counters.get(key, 0) + total
    for t in measure.run.timings:
        measure.group_seconds[t.group] = t.seconds
    if cpu_by_stage:
        measure.group_cpu_s = orjson.loads(phases.read_bytes())["groups_cpu_s"]
    return measure


def dedup_quality(out: Path, truth: list[dict]) -> dict:
    """Duplicate-pair recall and precision of a finished run, as `bench_reference` computes datatrove's:
    documents that reached near-dedup are the kept ones plus those the dedup stages removed."""
    prov = read_tables(sorted((out / PROVENANCE).glob("*.parquet"))).to_pylist()
    excl = read_tables(sorted((out / EXCLUSIONS).glob("*.parquet"))).to_pylist()
    record_of = {r["doc_id"]: r["warc_record_id"] for r in prov + excl}
    cluster_of: dict[str, str] = {}
    present: set[str] = set()
    for r in prov:
        present.add(r["warc_record_id"])
        cluster_of[r["warc_record_id"]] = record_of.get(r.get("dedup_cluster_id") or r["doc_id"], r["warc_record_id"])
    for r in excl:
        if r["stage"] in ("minhash_dedup", "exact_dedup"):
            kept = dict(p.split("=", 1) for p in (r["evidence"] or "").split() if "=" in p).get("duplicate_of")
            present.add(r["warc_record_id"])
            cluster_of[r["warc_record_id"]] = record_of.get(kept, kept or r["warc_record_id"])
    return eval_metrics.truth_pair_scores(truth, cluster_of, present)


def extraction_and_language_quality(docs: list[dict], truth: list[dict]) -> dict:
    """Extraction F1 and language accuracy of eurocurate's extractor and identifier (`docs`: the corpus as
    `eurocurate extract` + `eurocurate langid` see it, with `warc_record_id`, `text`, `lang`)."""
    by_record = {d["warc_record_id"]: d for d in docs}
    return eval_metrics.extraction_and_language_scores(
        truth, lambda rid: (by_record.get(rid) or {}).get("text"), lambda rid: (by_record.get(rid) or {}).get("lang")
    )
