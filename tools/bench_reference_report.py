"""The reference run's figures: per-stage and end-to-end rows from the meters of its repeats
(`summarise`), and the Markdown table `make bench` prints (`format_table`). Runs nothing itself:
`bench_reference` runs the steps.
"""

from __future__ import annotations

import statistics

from eurocurate.tools.bench_meter import StageMeter


def summarise(
    runs: list[tuple[dict[str, StageMeter], float]],
    responses: int,
    input_mb: float,
    extractor_peak: float,
    quality: dict | None,
    config: dict[str, object],
) -> dict:
    """The result `bench_reference` writes as reference.json: `config` (the run's settings, with the
    repeats added), per-stage rows in the meters' order, the end-to-end row and `quality`. CPU seconds
    are medians over the repeats, peak RSS the maximum."""
    stages = {}
    for name in runs[0][0]:
        ms = [r[0][name] for r in runs]
        last = ms[-1]
        cpu = statistics.median(m.cpu_s + m.child_cpu_s for m in ms)
        stages[name] = {
            "phase": last.phase,
            "docs_in": last.docs_in,
            "docs_out": last.docs_out,
            "dropped": last.docs_in - last.docs_out,
            "cpu_s": cpu,
            "child_cpu_s": statistics.median(m.child_cpu_s for m in ms),
            "cpu_s_runs": [m.cpu_s + m.child_cpu_s for m in ms],
            "docs_per_s_per_core": last.docs_in / cpu if cpu else None,
            "input_mb_per_s": input_mb / cpu if cpu else None,
            "text_mchars_in": last.chars_in / 1e6,
            "text_mchars_per_s": last.chars_in / 1e6 / cpu if cpu else None,
            "peak_rss_mb": max(m.peak_rss_mb for m in ms),
            "datatrove_wall_s": statistics.median(m.datatrove_wall_s for m in ms),
            "datatrove_stats": last.datatrove_stats,
        }
    stage_sum = sum(s["cpu_s"] for s in stages.values())
    # each repeat's own sum of stage CPU, in run order (the bench pairs them with eurocurate's runs taken between)
    stage_sum_runs = [sum(m.cpu_s + m.child_cpu_s for m in meters.values()) for meters, _ in runs]
    measured = statistics.median(total for _, total in runs)
    return {
        "reference": "datatrove FineWeb pipeline (examples/fineweb.py), in-process, one task",
        "config": {**config, "repeats": len(runs)},
        "stages": stages,
        "end_to_end": {
            "docs_in": responses,
            "docs_out": stages["tokenize"]["docs_out"],
            "input_mb": input_mb,
            "cpu_s": stage_sum,
            "cpu_s_runs": stage_sum_runs,
            "docs_per_s_per_core": responses / stage_sum if stage_sum else None,
            "input_mb_per_s": input_mb / stage_sum if stage_sum else None,
            "peak_rss_mb": max(s["peak_rss_mb"] for s in stages.values()),
            "extractor_peak_rss_mb": extractor_peak,
            "harness_cpu_s": measured - stage_sum,
            "tokens": stages["tokenize"]["datatrove_stats"].get("tokens"),
        },
        "quality": quality,
    }


def format_table(result: dict) -> str:
    """Markdown: one row per stage and the end-to-end row, then the quality figures."""
    lines = [
        "| stage | docs in | out | dropped | CPU s | docs/s per core | input MB/s | own text Mchar/s | peak RSS MB "
        "| datatrove wall s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = list(result["stages"].items()) + [("**end to end**", result["end_to_end"])]
    for name, s in rows:
        rate, mb = (s.get(k) or 0.0 for k in ("docs_per_s_per_core", "input_mb_per_s"))
        text = f"{s['text_mchars_per_s'] or 0.0:,.2f}" if "text_mchars_per_s" in s else ""
        wall = f"{s['datatrove_wall_s']:.2f}" if "datatrove_wall_s" in s else ""
        lines.append(
            f"| {name} | {s['docs_in']:,} | {s['docs_out']:,} | {s['docs_in'] - s['docs_out']:,} | {s['cpu_s']:.2f} "
            f"| {rate:,.1f} | {mb:,.2f} | {text} | {s['peak_rss_mb']:.0f} | {wall} |"
        )
    for u in result.get("unreadable_files", []):
        lines.append(
            f"\n- datatrove read {u['responses_read']} of the {u['responses_in_file']} responses of {u['file']} "
            f"({u['error']}): the rest are the reader's drops"
        )
    q = result["quality"]
    if q:
        ext, snip = q["extraction_assembled"], q["extraction_trafilatura_eval"]
        lang, dup = q["language_eu24_assembled"], q["dedup_pairs"]
        lines += [
            "",
            f"- extraction, assembled pages ({ext['pages']}): F1 {ext['f1']:.4f} "
            f"(P {ext['precision']:.4f}, R {ext['recall']:.4f})",
            f"- extraction, trafilatura_eval snippets ({snip['pages']} pages): F1 {snip['f1']:.4f}",
            f"- language, EU-24 assembled pages ({lang['pages']}): accuracy {lang['accuracy']:.4f} "
            f"({lang['accuracy_labelled']:.4f} of the {lang['labelled']} labelled)",
            f"- dedup, pairs of a dup group that reached MinHash ({dup['pairs']}): recall {dup['recall']:.4f} "
            f"(near {dup['near_recall']:.4f} of {dup['near_pairs']}, exact {dup['exact_recall']:.4f} of "
            f"{dup['exact_pairs']}); {dup['pairs_lost_upstream']} pairs lost to earlier filters; "
            f"precision {dup['precision']:.4f} on pages with a main text",
        ]
    return "\n".join(lines)
