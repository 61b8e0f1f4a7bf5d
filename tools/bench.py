"""`make bench`: eurocurate beside datatrove's own FineWeb pipeline, on the same input, per stage and end
to end, with scaling over Ray workers and input size.

1. The reference: datatrove's steps as FineWeb configures them (`bench_reference`), in one process, CPU
   seconds per stage, medians of `--repeat` runs; FineWeb's English stop-word rule is lifted (see
   docs/performance.md) so both pipelines carry the EU-24 text through every stage, and the run with
   FineWeb's exact settings is reported beside it.
2. eurocurate's counterpart (`pipelines/fineweb_equivalent.yaml`: read, extract, language ID, quality,
   near-dedup, text, tokenize with the reference's tokenizer), `eurocurate run` with one local worker under
   `bench_phases` (stage rows in CPU seconds: each step's timer on its thread's CPU clock, each stage group's
   process CPU), CPU seconds of the process, medians of `--repeat` runs, each run right after a reference run
   (the sides take turns, so a change in the machine's speed falls on both; the ratio of each pair is reported
   too); the full `web.yaml`-style pipeline once.
3. The quality figures of both next to each other (extraction F1, language accuracy, dup-pair recall).
4. The quality stack alone against datatrove's four filters on the same documents (docs/s, agreement),
   and the language identifier alone (docs/s on 1–5 KB documents).
5. Scaling: Ray with 1 and 2 workers (parallel efficiency, and the bound each run's own log allows:
   `ray_timeline`), on the input and on corpora `--scales` times larger (`bench_corpus`: re-sampled,
   perturbed; the first with 1 and 2 workers, the others with 2, or `--scale-workers`): time and memory
   against input size, and a linearity check per worker count (seconds per 1,000 documents at each size,
   the marginal rate between sizes, peak RSS). `--scaling-only` runs only these.
Writes OUT/bench.json and OUT/bench.md and prints the tables. Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import orjson

from eurocurate.manifests.audit.run_manifest import environment
from eurocurate.tools.bench_runs import (
    RunMeasure,
    dedup_quality,
    extraction_and_language_quality,
    run_pipeline_measured,
)
from eurocurate.tools.corpus_view import content_warcs, extracted_and_identified
from eurocurate.tools.demo_corpus import build_demo_corpus
from eurocurate.tools.ray_timeline import read_timeline
from eurocurate.tools.warc_subset import write_first_records

REPO = Path(__file__).resolve().parents[1]
EQUIVALENT = REPO / "pipelines" / "fineweb_equivalent.yaml"
FULL = REPO / "pipelines" / "demo.yaml"


class StageRow(NamedTuple):
    ours: str | None  # the eurocurate step whose timer and documents-in the row uses (None: composite)
    reference: tuple[str, ...]  # the reference stages doing the same work


DEDUP, WRITE = "near-dedup (MinHash-LSH)", "write text + tokenize"
STAGE_MAP: dict[str, StageRow] = {
    "read (WARC, HTTP, charset)": StageRow("warc_reader", ("warc_reader",)),
    "extract main text": StageRow("html_extractor", ("trafilatura",)),
    "identify language": StageRow("language_id", ("language_filter",)),
    "quality rules": StageRow("quality_filter", ("gopher_repetition", "gopher_quality", "c4_quality",
                                                 "fineweb_quality")),
    DEDUP: StageRow("minhash_dedup", ("jsonl_read_signatures", "minhash_signature", "minhash_buckets",
                                      "minhash_cluster", "jsonl_read_filter", "minhash_filter")),
    WRITE: StageRow(None, ("jsonl_write", "tokenize")),  # documents in: those near-dedup kept
}  # fmt: skip


def _inputs(out: Path) -> tuple[list[Path], Path | None, Path | None, str]:
    corpus = os.environ.get("EUROCURATE_CORPUS")
    if corpus and (Path(corpus) / "warc").is_dir():
        files = content_warcs(Path(corpus))
        if files:
            truth = Path(corpus) / "truth.jsonl"
            return (
                files,
                Path(corpus) / "warc" / "eu24-dev-robotstxt.warc.gz",
                truth if truth.is_file() else None,
                f"$EUROCURATE_CORPUS ({corpus})",
            )
    folder = out / "input"
    files = sorted(folder.glob("*.warc.gz")) or build_demo_corpus(folder, pages_per_language=40)
    return files, out / "input-robots", None, "generated demo corpus (EUROCURATE_CORPUS not set)"


def _our_stage_seconds(m: RunMeasure) -> dict[str, float]:
    """eurocurate's CPU seconds per row of STAGE_MAP (a run measured with `cpu_by_stage`): the steps' own timers
    (CPU of the thread running the step; the run's only other threads are the driver's progress display and
    the libraries' idle pools), plus the process CPU of the groups for the writers and barriers that keep no
    timer. Near-dedup: the signer's timer, the cluster barrier, the filter's timer. Write + tokenize: the groups
    after near-dedup less the dedup filter's own timer; with the reference's tokenizer given they are one map
    group (reading near-dedup's hand-over file, tokenizing, writing) and the tokenizer barrier that copies it; a
    trained tokenizer adds the hand-over file its barrier reads and the group after it (map2)."""
    s, g = m.step_seconds, m.group_cpu_s
    if not g:
        raise ValueError(f"{m.out}: measured without cpu_by_stage; the stage rows need its CPU seconds by group")
    seconds = {name: s.get(row.ours, 0.0) for name, row in STAGE_MAP.items() if row.ours}
    seconds[DEDUP] = s.get("minhash_signer", 0.0) + g.get("minhash_dedup", 0.0) + s.get("minhash_dedup", 0.0)
    seconds[WRITE] = g.get("map1", 0.0) + g.get("tokenizer", 0.0) + g.get("map2", 0.0) - s.get("minhash_dedup", 0.0)
    return seconds


def _median_measure(runs: list[RunMeasure]) -> RunMeasure:
    return sorted(runs, key=lambda m: m.cpu_s)[len(runs) // 2]


def _comparison(ref: dict, ours: RunMeasure, ours_runs: list[RunMeasure], input_mb: float) -> dict:
    rows = {}
    docs_in = ours.run.totals.read
    our_seconds = {name: statistics.median(_our_stage_seconds(m)[name] for m in ours_runs) for name in STAGE_MAP}
    for name, row in STAGE_MAP.items():
        ref_cpu = sum(ref["stages"][st]["cpu_s"] for st in row.reference)
        ref_in = ref["stages"][row.reference[0]]["docs_in"]
        our_in = _our_docs_in(ours, row)
        mine = our_seconds[name]
        rows[name] = {
            "datatrove_docs_in": ref_in, "datatrove_cpu_s": ref_cpu,
            "datatrove_docs_per_s": ref_in / ref_cpu if ref_cpu else None,
            "ours_docs_in": our_in, "ours_s": mine, "ours_docs_per_s": our_in / mine if mine else None,
        }  # fmt: skip
        rows[name]["ratio"] = (
            rows[name]["ours_docs_per_s"] / rows[name]["datatrove_docs_per_s"]
            if rows[name]["ours_docs_per_s"] and rows[name]["datatrove_docs_per_s"] else None
        )  # fmt: skip
    ref_e2e = ref["end_to_end"]
    cpu = statistics.median(m.cpu_s for m in ours_runs)
    rows["end to end"] = {
        "datatrove_docs_in": ref_e2e["docs_in"], "datatrove_cpu_s": ref_e2e["cpu_s"],
        "datatrove_docs_per_s": ref_e2e["docs_per_s_per_core"], "ours_docs_in": docs_in, "ours_s": cpu,
        "ours_docs_per_s": docs_in / cpu, "ratio": (docs_in / cpu) / ref_e2e["docs_per_s_per_core"],
        "datatrove_mb_per_s": input_mb / ref_e2e["cpu_s"], "ours_mb_per_s": input_mb / cpu,
        "datatrove_peak_rss_mb": ref_e2e["peak_rss_mb"], "ours_peak_rss_mb": max(m.peak_tree_rss_mb for m in ours_runs),
        # run i of each side, taken in turns (datatrove, eurocurate, datatrove, ...): the ratio within each pair
        "datatrove_cpu_s_runs": ref_e2e.get("cpu_s_runs", []), "ours_cpu_s_runs": [m.cpu_s for m in ours_runs],
        "paired_ratios": [(m.run.totals.read / m.cpu_s) / (ref_e2e["docs_in"] / r)
                          for r, m in zip(ref_e2e.get("cpu_s_runs", []), ours_runs)],
    }  # fmt: skip
    return rows


def _our_docs_in(m: RunMeasure, row: StageRow) -> int:
    stages = {s.stage: s for s in m.run.stages}
    return stages[row.ours].docs_in if row.ours else stages[STAGE_MAP[DEDUP].ours].docs_out


def _scaling_row(factor: int, workers: int, m: RunMeasure) -> dict:
    docs = m.run.totals.read
    # what the run's task sizes and serial parts allow, from its own log (tools/ray_timeline.py), in CPU seconds
    timeline = read_timeline(m.out)
    config = f"Ray, {workers} worker(s), {factor}× input"
    return {"config": config, "factor": factor, "workers": workers, "docs": docs, "wall_s": m.wall_s,
            "docs_per_s": docs / m.wall_s,
            "cpu_s": m.cpu_s, "peak_tree_rss_mb": m.peak_tree_rss_mb,
            "task_cpu_s": sum(g.cpu_s for g in timeline.groups),
            "efficiency_bound": timeline.efficiency_bound(workers),
            "efficiency_bound_without_ray_start": timeline.efficiency_bound(workers, with_ray_start=False)}  # fmt: skip


def _fmt(x: float | None, spec: str = ",.0f") -> str:
    return "–" if x is None else format(x, spec)


def _markdown(result: dict) -> str:
    cmp_rows = result["comparison"]
    lines = [
        f"Input: {result['input']['origin']}, {result['input']['files']} files, {result['input']['mb']:.1f} MB; "
        f"medians of {result['repeat']} run(s). docs/s per core: documents entering the stage over its CPU seconds "
        "(datatrove: process CPU while its step runs, exclusive of its upstream, reaped children included, in one "
        "process; eurocurate, a one-worker run: the step's timer on the CPU clock of the thread running it, and for "
        "near-dedup's barrier and the writers the process CPU of their stage groups; end to end: CPU seconds of the "
        "whole process for eurocurate, the sum of stage CPU for datatrove).",
        "",
        "| stage | datatrove docs/s per core | eurocurate docs/s per core | eurocurate / datatrove |",
        "|---|---:|---:|---:|",
    ]
    for name, r in cmp_rows.items():
        lines.append(f"| {name} | {_fmt(r['datatrove_docs_per_s'], ',.1f')} | {_fmt(r['ours_docs_per_s'], ',.1f')} | "
                     f"{_fmt(r['ratio'], '.2f')}× |")  # fmt: skip
    e2e = cmp_rows["end to end"]
    lines += [
        "",
        f"End to end: datatrove {e2e['datatrove_cpu_s']:.1f} CPU s ({e2e['datatrove_mb_per_s']:.2f} MB/s of WARC, "
        f"peak RSS {e2e['datatrove_peak_rss_mb']:.0f} MB), eurocurate {e2e['ours_s']:.1f} CPU s "
        f"({e2e['ours_mb_per_s']:.2f} MB/s, peak RSS of the process tree {e2e['ours_peak_rss_mb']:.0f} MB). "
        f"FineWeb's exact settings (English stop words, which drop most non-English pages before dedup): "
        f"datatrove {result['reference_fineweb_exact']['end_to_end']['docs_per_s_per_core']:.1f} docs/s per core.",
    ]  # fmt: skip
    if e2e.get("paired_ratios"):
        pairs = ", ".join(
            f"{r:.1f}/{o:.1f} s: {x:.2f}×"
            for r, o, x in zip(e2e["datatrove_cpu_s_runs"], e2e["ours_cpu_s_runs"], e2e["paired_ratios"])
        )
        lines.append(f"The two sides ran in turns (datatrove, eurocurate, datatrove, ...); end to end per pair, "
                     f"datatrove/eurocurate CPU: {pairs}.")  # fmt: skip
    load = result.get("langid_model_load_s")
    if load:
        lines.append(
            f"Language ID loads its models once per worker ({load:.1f} s here, in the end-to-end figure, "
            "not in the stage's row)."
        )
    full = result["full_pipeline"]
    lines.append(f"The full pipeline (demo.yaml: + opt-outs, PII, URL and exact dedup, shard packing, manifests): "
                 f"{full['docs_per_s_per_core']:.1f} docs/s per core ({full['cpu_s']:.1f} CPU s).")  # fmt: skip
    q = result.get("quality")
    if q:
        lines += ["", "| quality on the corpus truth | datatrove | eurocurate |", "|---|---:|---:|"]
        for label, key, field in (
            ("extraction F1, assembled pages", "extraction_assembled", "f1"),
            ("extraction F1, trafilatura_eval snippets", "extraction_trafilatura_eval", "f1"),
            ("language accuracy, EU-24 assembled pages", "language_eu24_assembled", "accuracy"),
            ("dup-pair recall (pairs that reached dedup)", "dedup_pairs", "recall"),
            ("dup-pair precision", "dedup_pairs", "precision"),
        ):
            lines.append(f"| {label} | {q['datatrove'][key][field]:.4f} | {q['eurocurate'][key][field]:.4f} |")
    qs = result.get("quality_stack")
    if qs:
        a = qs["all"]
        lines += ["", f"Quality stack alone ({a['docs']:,} corpus documents that reach it, warm): eurocurate "
                  f"{a['ours_docs_per_s']:,.0f} docs/s, datatrove's GopherRepetition+GopherQuality+C4Quality+"
                  f"FineWebQuality {a['datatrove_docs_per_s']:,.0f} docs/s: {a['speedup']:.1f}×; same keep/drop on "
                  f"{a['agreement']:.2%} ({a['agreement_line_rules_as_datatrove']:.2%} with the line rules as "
                  "datatrove has them: docs/quality.md).",
                  "", "| language | docs | eurocurate docs/s | datatrove docs/s | speed-up | agreement |",
                  "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for lang, r in qs["languages"].items():
            lines.append(f"| {lang} | {r['docs']} | {r['ours_docs_per_s']:,.0f} | {r['datatrove_docs_per_s']:,.0f} | "
                         f"{r['speedup']:.1f}× | {r['agreement']:.1%} |")  # fmt: skip
    li = result.get("langid")
    if li:
        a = li["all"]
        lines += ["", f"Language identifier alone, one worker process: {a['docs_per_s_per_core']:,.0f} documents/s per "
                  f"core on {a['docs']:,} documents of {a['kb_per_doc']:.1f} KB on average (CPU time, models loaded, "
                  f"fastest of {li['passes']} passes over the same documents; "
                  f"{a.get('first_docs_per_s_per_core', 0):,.0f} on their first reading); peak RSS of the worker "
                  f"{li['peak_rss_mb']:,.0f} MiB "
                  f"({li['loaded_rss_mb']:,.0f} MiB once its models are loaded)."]  # fmt: skip
    lines += _scaling_markdown(result["scaling"])
    return "\n".join(lines) + "\n"


def _scaling_markdown(sc: dict) -> list[str]:
    lines = [
        "",
        "| scaling (fineweb_equivalent.yaml) | docs | wall s | docs/s | peak RSS of the run MB | task CPU s "
        "| efficiency bound (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sc["rows"]:
        bound = f"{r['efficiency_bound']:.0%} ({r['efficiency_bound_without_ray_start']:.0%} w/o Ray start)"
        lines.append(
            f"| {r['config']} | {r['docs']:,} | {r['wall_s']:.1f} | {r['docs_per_s']:,.1f} "
            f"| {r['peak_tree_rss_mb']:,.0f} | {r['task_cpu_s']:,.1f} | {bound if r['workers'] > 1 else '–'} |"
        )
    if sc.get("parallel_efficiency") is not None:
        lines.append(f"\nRay parallel efficiency, 2 workers against 1: {sc['parallel_efficiency']:.0%} on the 1× input"
                     + (f", {sc['parallel_efficiency_scaled']:.0%} on the "
                        f"{sc.get('parallel_efficiency_scaled_factor', sc['growth']['factor'])}× input."
                        if sc.get("parallel_efficiency_scaled") is not None else "."))  # fmt: skip
    for g in sc.get("growths") or ([sc["growth"]] if sc.get("growth") else []):
        lines.append(
            f"{g['factor']}× the input: {g['time_factor']:.1f}× the time, {g['memory_factor']:.2f}× the peak memory."
        )
    if sc.get("rows_run"):
        lines.append(f"Rows run: {sc['rows_run']}.")
    lines += _linearity_markdown(sc["rows"])
    return lines


def _linearity(rows: list[dict]) -> dict[int, list[dict]]:
    """Per worker count, its rows by input size with the seconds and task CPU seconds per 1,000 documents, and the
    marginal wall seconds per 1,000 documents from the row before (linear time: the marginal rate stays put;
    the fixed costs of a run, Ray's start and the driver's, are what makes the plain rate fall)."""
    by_workers: dict[int, list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r["workers"], r["docs"])):
        runs = by_workers.setdefault(r["workers"], [])
        prev = runs[-1] if runs else None
        marginal = ((r["wall_s"] - prev["wall_s"]) / (r["docs"] - prev["docs"]) * 1000
                    if prev and r["docs"] > prev["docs"] else None)  # fmt: skip
        runs.append({"factor": r["factor"], "docs": r["docs"], "wall_s": r["wall_s"],
                     "wall_s_per_1000_docs": r["wall_s"] / r["docs"] * 1000,
                     "task_cpu_s_per_1000_docs": r["task_cpu_s"] / r["docs"] * 1000,
                     "marginal_wall_s_per_1000_docs": marginal, "peak_tree_rss_mb": r["peak_tree_rss_mb"]})  # fmt: skip
    return by_workers


def _linearity_markdown(rows: list[dict]) -> list[str]:
    lines = []
    for workers, runs in _linearity(rows).items():
        if len(runs) < 2:
            continue
        lines += ["", f"| linearity, Ray with {workers} worker(s) | docs | wall s | wall s per 1,000 docs "
                  "| marginal wall s per 1,000 docs | task CPU s per 1,000 docs | peak RSS of the run MB |",
                  "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for x in runs:
            lines.append(
                f"| {x['factor']}× input | {x['docs']:,} | {x['wall_s']:.1f} | {x['wall_s_per_1000_docs']:.2f} "
                f"| {_fmt(x['marginal_wall_s_per_1000_docs'], '.2f')} | {x['task_cpu_s_per_1000_docs']:.2f} "
                f"| {x['peak_tree_rss_mb']:,.0f} |"
            )
        first, last = runs[0], runs[-1]
        lines.append(
            f"\n{last['factor']}× against {first['factor']}× with {workers} worker(s): "
            f"{last['docs'] / first['docs']:.1f}× the documents, "
            f"{last['wall_s'] / first['wall_s']:.1f}× the wall time, "
            f"{last['task_cpu_s_per_1000_docs'] / first['task_cpu_s_per_1000_docs']:.2f}× the task CPU per document, "
            f"{last['peak_tree_rss_mb'] / first['peak_tree_rss_mb']:.2f}× the peak memory."
        )
    return lines


def _scaling(
    inputs: list[Path], out: Path, sets: list[str], factors: list[int], scale_workers: tuple[int, ...] | None = None
) -> dict:
    """Ray with 1 and 2 workers on the input; on the larger corpora the `scale_workers` (default: 1 and 2 on the
    first, for the efficiency, 2 on the others, for how time and memory grow)."""
    from eurocurate.tools.bench_corpus import build_scaled_corpus

    rows = []
    for workers in (1, 2):
        m = run_pipeline_measured(
            EQUIVALENT, inputs, out / "runs" / f"ray-{workers}", executor="ray", workers=workers, sets=sets
        )
        rows.append(_scaling_row(1, workers, m))
    scaling = {"rows": rows, "parallel_efficiency": rows[0]["wall_s"] / (2 * rows[1]["wall_s"])}
    base = {r["workers"]: r for r in rows}
    run = ["1× with 1 and 2 worker(s)"]
    for i, factor in enumerate(f for f in factors if f > 1):
        wanted = scale_workers or ((1, 2) if i == 0 else (2,))
        _check_disk(inputs, out, factor)
        print(f"scaling: building the {factor}× corpus ...", flush=True)
        t0 = time.perf_counter()
        scaled = build_scaled_corpus(
            inputs, out / f"scaled-input-x{factor}", factor, seed=20261125, jobs=os.cpu_count() or 1
        )
        built = {"seconds": time.perf_counter() - t0, "mb": sum(f.stat().st_size for f in scaled) / 1e6}
        print(f"scaling: {factor}× corpus, {built['mb']:,.0f} MB, built in {built['seconds']:.0f} s", flush=True)
        scaling.setdefault("corpora", {})[str(factor)] = built
        big = {}
        for workers in wanted:
            print(f"scaling: {factor}× with {workers} worker(s) ...", flush=True)
            m = run_pipeline_measured(
                EQUIVALENT,
                scaled,
                out / "runs" / f"ray-{workers}-x{factor}",
                executor="ray",
                workers=workers,
                sets=sets,
            )
            big[workers] = _scaling_row(factor, workers, m)
            rows.append(big[workers])
            shutil.rmtree(m.out, ignore_errors=True)
        shutil.rmtree(out / f"scaled-input-x{factor}", ignore_errors=True)  # 100× the input is ~2 GB
        run.append(f"{factor}× with {' and '.join(map(str, wanted))} worker(s)")
        if {1, 2} <= set(big) and "parallel_efficiency_scaled" not in scaling:
            scaling["parallel_efficiency_scaled"] = big[1]["wall_s"] / (2 * big[2]["wall_s"])
            scaling["parallel_efficiency_scaled_factor"] = factor
        top = max(big)  # against the 1× run with as many workers
        scaling.setdefault("growths", []).append(
            {
                "factor": factor,
                "workers": top,
                "time_factor": big[top]["wall_s"] / base[top]["wall_s"],
                "memory_factor": big[top]["peak_tree_rss_mb"] / base[top]["peak_tree_rss_mb"],
            }
        )
        scaling["growth"] = scaling["growths"][0]
    scaling["rows_run"] = "; ".join(run)
    scaling["linearity"] = {str(w): runs for w, runs in _linearity(rows).items()}
    return scaling


# Disk a scaled run needs per byte of input WARC: the corpus itself (1), the run's outputs (about 1: 20 MB for the
# 21.3 MB of the dev corpus; 1.6 with logs and stats for 2 of its files, 4.7 MB) and its hand-over files until the
# run ends, with room to spare.
_DISK_PER_INPUT_BYTE = 3.0


def _check_disk(inputs: list[Path], out: Path, factor: int) -> None:
    need = _DISK_PER_INPUT_BYTE * factor * sum(f.stat().st_size for f in inputs)
    free = shutil.disk_usage(out).free
    if free < need:
        raise SystemExit(
            f"the {factor}× corpus and its runs need about {need / 1e9:.1f} GB on {out}; {free / 1e9:.1f} GB are "
            "free: free some, choose another --output, or a smaller --scales"
        )


def _workers_list(text: str) -> tuple[int, ...]:
    try:
        workers = tuple(sorted({int(x) for x in text.split(",") if x.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected worker counts like 2 or 1,2; got {text!r}") from None
    if not workers or any(w < 1 for w in workers):
        raise argparse.ArgumentTypeError(f"worker counts are 1 or more; got {text!r}")
    return workers


def _factors(text: str) -> list[int]:
    try:
        factors = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected factors like 20,100; got {text!r}") from None
    if any(f < 0 for f in factors):
        raise argparse.ArgumentTypeError(f"factors are 0 or more; got {text!r}")
    return factors


def _scaling_only(inputs: list[Path], out: Path, factors: list[int], scale_workers: tuple[int, ...] | None) -> int:
    tokenizer = out / "reference" / "tokenizer.json"  # where run_reference trains it (bench_reference._run_once)
    if not tokenizer.is_file():
        raise SystemExit(
            f"--scaling-only needs the reference tokenizer {tokenizer}: run the whole bench into {out} once"
        )
    scaling = _scaling(inputs, out, [f"stages.tokenizer.tokenizer={tokenizer}"], factors, scale_workers)
    (out / "scaling.json").write_bytes(orjson.dumps(scaling, option=orjson.OPT_INDENT_2))
    md = "\n".join(_scaling_markdown(scaling)) + "\n"
    (out / "scaling.md").write_text(md)
    print(md)
    return 0


def main(argv: list[str] | None = None) -> int:
    from eurocurate.tools.bench_reference import ReferenceConfig, response_ids, run_reference

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", default="out/bench")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side of the comparison; medians are reported"
    )
    parser.add_argument(
        "--scales",
        type=_factors,
        default=[20],
        help="larger corpora, as factors of the input, comma-separated (e.g. 20,100; 0: none): the first is run "
        "with 1 and 2 Ray workers (parallel efficiency), the others with 2 (how time and memory grow)",
    )
    parser.add_argument("--scale", type=int, dest="scales_one", help="one larger corpus: --scales N")
    parser.add_argument(
        "--scale-workers",
        type=_workers_list,
        default=None,
        help="Ray workers of the runs on every larger corpus, comma-separated (e.g. 2, or 1,2); default: 1 and 2 on "
        "the first --scales, 2 on the others. The tables say which rows ran",
    )
    parser.add_argument(
        "--scaling-only",
        action="store_true",
        help="only the Ray scaling runs (with the reference tokenizer of an earlier bench in OUTPUT); "
        "writes scaling.json and scaling.md",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="only the first N response records of the input files, in file order (cut once into new WARC "
        "files both sides read; the quality rows use the truth of those records)",
    )
    args = parser.parse_args(argv)
    if args.scales_one is not None:
        args.scales = [args.scales_one]
    out = Path(args.output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    inputs, robots, truth_path, origin = _inputs(out)
    if args.limit is not None:
        inputs, taken = write_first_records(inputs, args.limit, out / f"input-first-{args.limit}")
        origin = f"the first {taken:,} response records of {origin}"
    input_mb = sum(f.stat().st_size for f in inputs) / 1e6
    # the truth rows of the records read (the corpus's broken/ copies are not benchmark input), for both sides
    read = set(response_ids(inputs))
    truth = (
        [t for x in truth_path.read_bytes().splitlines() if (t := orjson.loads(x))["record_id"] in read]
        if truth_path
        else []
    )
    print(f"bench: {len(inputs)} files, {input_mb:.1f} MB from {origin}", flush=True)
    if args.scaling_only:
        return _scaling_only(inputs, out, args.scales, args.scale_workers)

    print("datatrove reference (FineWeb's steps) and eurocurate (fineweb_equivalent.yaml, one local worker), "
          "taking turns ...", flush=True)  # fmt: skip
    ours_runs: list[RunMeasure] = []

    def our_turn(i: int, tokenizer: Path) -> None:  # after each reference run: both sides see the same machine
        ours_runs.append(
            run_pipeline_measured(
                EQUIVALENT,
                inputs,
                out / "runs" / f"equivalent-{i}",
                executor="local",
                workers=1,
                sets=[f"stages.tokenizer.tokenizer={tokenizer}"],
                cpu_by_stage=True,
            )
        )

    ref = run_reference(
        inputs,
        out / "reference",
        args.repeat,
        truth=truth_path,
        config=ReferenceConfig(english_stop_words=False),
        after_each=our_turn,
    )
    ref_exact = run_reference(inputs, out / "reference-fineweb-exact", 1, truth=truth_path, config=ReferenceConfig())
    tokenizer = ref["config"]["tokenizer"]
    sets = [f"stages.tokenizer.tokenizer={tokenizer}"]
    ours = _median_measure(ours_runs)
    full_sets = [f"stages.optout.robots_warcs=[{robots}]"] if robots else []
    full = run_pipeline_measured(FULL, inputs, out / "runs" / "full", executor="local", workers=1, sets=full_sets)

    result: dict = {
        "input": {"origin": origin, "files": len(inputs), "mb": input_mb},
        "repeat": args.repeat,
        "reference": ref,
        "reference_fineweb_exact": {k: ref_exact[k] for k in ("config", "end_to_end", "quality")},
        "comparison": _comparison(ref, ours, ours_runs, input_mb),
        "langid_model_load_s": ours.step_stats.get("language_id", {}).get("model_load_ms", 0) / 1000,
        "full_pipeline": {"cpu_s": full.cpu_s, "wall_s": full.wall_s, "docs": full.run.totals.read,
                          "docs_per_s_per_core": full.run.totals.read / full.cpu_s,
                          "peak_tree_rss_mb": full.peak_tree_rss_mb},
    }  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        print("quality figures, quality stack and language ID alone ...", flush=True)
        docs = extracted_and_identified(inputs, Path(tmp))
    if truth:
        result["quality"] = {
            "datatrove": ref["quality"],
            "eurocurate": {
                **extraction_and_language_quality(docs, truth),
                "dedup_pairs": dedup_quality(ours.out, truth),
            },
        }
    from eurocurate.tools.quality_reference import compare_stacks

    result["quality_stack"] = compare_stacks(docs)
    try:
        from eurocurate.tools.bench_langid import bench_workers, default_documents

        result["langid"] = bench_workers(default_documents(), {"this version": sys.executable})["this version"]
    except ImportError:
        result["langid"] = None

    print("scaling: Ray with 1 and 2 workers, and larger corpora ...", flush=True)
    scaling = _scaling(inputs, out, sets, args.scales, args.scale_workers)
    result["scaling"] = scaling
    result["environment"], result["cpus"] = environment().model_dump(mode="json", by_alias=True), os.cpu_count()
    result["bench_seconds"] = time.perf_counter() - t_start

    (out / "bench.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    md = _markdown(result)
    (out / "bench.md").write_text(md)
    print(md)
    print(f"results: {out / 'bench.json'}, {out / 'bench.md'} ({result['bench_seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
