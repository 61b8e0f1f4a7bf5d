"""`make bench`: end-to-end and per-stage throughput of a pipeline on the evaluation corpus.

Runs the pipeline as a user would (`eurocurate run` in a subprocess) once on the in-process local
executor with one worker and once on embedded Ray with two, `--repeat` times each, and reports
medians: documents/s end to end and per core, MB/s of input, per-stage documents/s (from the
stages' own timers), and peak RSS of the driver and the processes it waited for. Writes
OUT/bench.json and OUT/bench.md. The side-by-side with datatrove's reference steps is the
benchmark issue's work; this measures eurocurate alone.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

from eurocurate.manifests.run_manifest import environment
from eurocurate.tools.demo_corpus import build_demo_corpus

REPO = Path(__file__).resolve().parents[1]


def _inputs(out: Path) -> tuple[list[Path], Path | None, str]:
    corpus = os.environ.get("EUROCURATE_CORPUS")
    if corpus and (Path(corpus) / "warc").is_dir():
        files = sorted((Path(corpus) / "warc").glob("eu24-dev-0*.warc.gz"))
        if files:
            return files, Path(corpus) / "warc" / "eu24-dev-robotstxt.warc.gz", f"$EUROCURATE_CORPUS ({corpus})"
    folder = out / "input"
    files = sorted(folder.glob("*.warc.gz")) or build_demo_corpus(folder, pages_per_language=40)
    return files, out / "input-robots", "generated demo corpus (EUROCURATE_CORPUS not set)"


def _one_run(spec: Path, inputs: list[Path], robots: Path | None, out: Path, executor: str, workers: int) -> dict:
    args = [str(Path(sys.executable).parent / "eurocurate"), "run", str(spec), "--output", str(out)]
    if robots:
        args += ["--set", f"stages.optout.robots_warcs=[{robots}]"]
    args += ["--executor", executor, "--workers", str(workers)]
    for f in inputs:
        args += ["--input", str(f)]
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark run failed ({executor}, {workers} workers):\n{proc.stdout}\n{proc.stderr}")
    run = orjson.loads((out / "run.json").read_bytes())
    return {"wall_s": wall, "run": run}


def _tokenize_mb_per_s(run_out: Path) -> float | None:
    """MB/s of the tokenize step (bytes of text it encoded over its own timer), from the run's stats."""
    for stats_file in sorted((run_out / "stats").glob("*.json")):
        for step in orjson.loads(stats_file.read_bytes()):
            if step["name"].endswith(": tokenize"):
                counted = step["stats"].get("bytes_tokenized")
                total = counted.get("total") if isinstance(counted, dict) else counted
                seconds = step["time_stats"].get("total") if isinstance(step["time_stats"], dict) else None
                return total / seconds / 1e6 if total and seconds else None
    return None


def _table(rows: list[dict]) -> str:
    lines = [
        "| configuration | docs | wall s | docs/s | docs/s per core | MB/s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['config']} | {r['docs']:,} | {r['wall_s']:.1f} | {r['docs_per_s']:.1f} | "
            f"{r['docs_per_s_per_core']:.1f} | {r['mb_per_s']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def _stage_table(stages: dict[str, dict]) -> str:
    lines = ["| stage | docs/s (one core, stage timer) | share of the 1-worker run's time |", "|---|---:|---:|"]
    lines += [f"| {name} | {s['docs_per_s']:,.0f} | {s['share_of_run']:.1%} |" for name, s in stages.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", default="out/bench")
    parser.add_argument("--spec", default=str(REPO / "pipelines" / "demo.yaml"))
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration; medians are reported")
    args = parser.parse_args(argv)
    out = Path(args.output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    inputs, robots, origin = _inputs(out)
    input_mb = sum(f.stat().st_size for f in inputs) / 1e6
    print(f"bench: {len(inputs)} files, {input_mb:.1f} MB from {origin}")
    rows, stage_rates, tokenize_rate = [], {}, None
    for executor, workers in (("local", 1), ("ray", 2)):
        walls, last = [], None
        for i in range(args.repeat):
            run_out = out / "runs" / f"{executor}-{workers}-{i}"
            subprocess.run(["rm", "-rf", str(run_out)], check=True)
            last = _one_run(Path(args.spec), inputs, robots, run_out, executor, workers)
            walls.append(last["wall_s"])
        wall = statistics.median(walls)
        docs = last["run"]["totals"]["read"]
        rows.append(
            {
                "config": f"{executor}, {workers} worker(s)",
                "docs": docs,
                "wall_s": wall,
                "docs_per_s": docs / wall,
                "docs_per_s_per_core": docs / wall / workers,
                "mb_per_s": input_mb / wall,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "runs": walls,
            }
        )
        if executor == "local":
            tokenize_rate = _tokenize_mb_per_s(out / "runs" / f"{executor}-{workers}-{len(walls) - 1}")
            stage_rates = {
                st["stage"]: {"docs_per_s": st["in"] / st["seconds"], "share_of_run": st["seconds"] / wall}
                for st in last["run"]["stages"]
                if st["seconds"]
            }
    result = {"input": {"origin": origin, "files": len(inputs), "mb": input_mb}, "rows": rows,
              "stage_docs_per_s": stage_rates, "tokenize_mb_per_s": tokenize_rate, "environment": environment(), "cpus": os.cpu_count()}  # fmt: skip
    (out / "bench.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    md = f"{_table(rows)}\n\n{_stage_table(stage_rates)}\n"
    if tokenize_rate:
        md += f"\ntokenization: {tokenize_rate:.1f} MB/s of text on one core (tiktoken path, ids checked against tokenizers)\n"
    (out / "bench.md").write_text(md)
    print(md)
    print(f"results: {out / 'bench.json'}, {out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
