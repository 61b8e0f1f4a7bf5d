"""What the tasks of a run counted, summed: documents in/out/dropped per ledger stage and tokenizer fertility,
from datatrove's per-task stats files (`_work/<group>/stats/<rank>.json`), and the fertility report.

Owns reading and summing them; the runner decides when, and writes run.json.
"""

from __future__ import annotations

from pathlib import Path

import orjson
from datatrove.utils.stats import MetricStats, PipelineStats

from eurocurate.files import write_bytes_atomic
from eurocurate.layout import FERTILITY_JSON, FERTILITY_MD, OutputLayout
from eurocurate.manifests.audit.run_manifest import StageCount
from eurocurate.pipelines.engine.compiler import DagNode, PipelineDAG
from eurocurate.pipelines.output.tokenize import fertility_from_stats
from eurocurate.schema import Stat


def merged_stats(node: DagNode) -> PipelineStats:
    total = PipelineStats()
    for rank in range(node.tasks):
        path = Path(node.work_dir) / "stats" / f"{rank:05d}.json"
        total += PipelineStats.from_json(orjson.loads(path.read_bytes()))
    return total


def _total(value: MetricStats | dict | float) -> int:
    """A counter's total. datatrove keeps a stat read from one task's JSON in its serialised form (a number or
    a dict) until it is added to another, so a one-task group has raw values."""
    return int(value.total if isinstance(value, MetricStats) else MetricStats.from_dict(value).total)


def _step_totals(stats) -> dict[str, int]:
    return {k: _total(v) for k, v in stats.stats.items()}


def collect_stage_counts(dag: PipelineDAG, merged: dict[str, PipelineStats]) -> list[StageCount]:
    """Documents in/out/dropped per ledger stage, summed over tasks, in flow order."""
    counts = []
    for node in dag.nodes:
        for step, stats in zip(node.steps, merged[node.name].stats):
            if not getattr(step, "is_ledger_stage", False):
                continue
            values = _step_totals(stats)
            by_reason = {
                k[len(Stat.DROPPED_PREFIX) :]: v for k, v in sorted(values.items()) if k.startswith(Stat.DROPPED_PREFIX)
            }
            counts.append(
                StageCount(
                    stage=step.name,
                    group=node.name,
                    docs_in=values.get(Stat.TOTAL, 0),
                    docs_out=values.get(Stat.FORWARDED, 0),
                    dropped=values.get(Stat.DROPPED, 0),
                    dropped_by_reason=by_reason,
                    seconds=round(stats.time_stats.total, 3),
                )
            )
    return counts


def collect_fertility(dag: PipelineDAG, merged: dict[str, PipelineStats]) -> dict[str, dict[str, float]]:
    for node in dag.nodes:
        for step, stats in zip(node.steps, merged[node.name].stats):
            if step.name == "tokenize":
                return fertility_from_stats(_step_totals(stats))
    return {}


def write_fertility_report(out: Path, fertility: dict[str, dict[str, float]]) -> None:
    if not fertility:
        return
    lines = ["| lang | tokens/word | tokens/char | words | tokens |", "|---|---:|---:|---:|---:|"]
    for lang, f in sorted(fertility.items(), key=lambda kv: -kv[1]["tokens_per_word"]):
        lines.append(
            f"| {lang} | {f['tokens_per_word']:.3f} | {f['tokens_per_char']:.3f} | {f['words']:,} | {f['tokens']:,} |"
        )
    reports = OutputLayout(out).reports
    write_bytes_atomic(reports / FERTILITY_JSON, orjson.dumps(fertility, option=orjson.OPT_INDENT_2))
    write_bytes_atomic(
        reports / FERTILITY_MD, ("# Tokenizer fertility per language\n\n" + "\n".join(lines) + "\n").encode()
    )
