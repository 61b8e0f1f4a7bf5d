"""Where each CPU second of a run goes (tools/bench_phases), and the bench's stage rows read from it: the CPU
seconds by stage and by group of a real one-worker run add up within the run's own CPU time."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import yaml

from eurocurate.tools.bench import STAGE_MAP, _our_stage_seconds
from eurocurate.tools.bench_runs import run_pipeline_measured
from eurocurate.tools.demo_corpus import build_demo_corpus
from tests.conftest import REPO


def _spec(path: Path) -> Path:
    """The bench's pipeline with a tokenizer small enough to train on a few pages."""
    spec = yaml.safe_load((REPO / "pipelines" / "fineweb_equivalent.yaml").read_text())
    for stage in spec["stages"]:
        if stage["use"] == "tokenizer":
            stage["with"] = {"vocab_size": 600, "sample_chars_per_lang": 20000}
    path.write_text(yaml.safe_dump(spec))
    return path


@pytest.mark.slow
def test_cpu_by_stage_covers_every_stage_and_group_of_the_run_and_stays_within_its_cpu(tmp_path):
    # real WARC files: two of every EU language's pages with duplicates and junk, and one cut inside a record
    inputs = build_demo_corpus(tmp_path / "input", pages_per_language=2, files=2)
    out = tmp_path / "runs" / "equivalent"
    m = run_pipeline_measured(_spec(tmp_path / "spec.yaml"), inputs, out, executor="local", workers=1,
                              cpu_by_stage=True)  # fmt: skip
    phases = orjson.loads((out.parent / "equivalent.phases.json").read_bytes())
    assert phases["status"] == 0 and m.run.totals.read > 0

    steps, groups = phases["steps_thread_cpu_s"], phases["groups_cpu_s"]
    assert {s.stage for s in m.run.stages} <= set(steps)  # every document stage of the run has its CPU
    assert set(groups) == {t.group for t in m.run.timings}  # every stage group that ran
    assert min(steps.values()) >= 0 and min(groups.values()) >= 0
    # per group: its steps' timers less the imports and model loads inside them, plus every import and model load
    # while the group ran, is CPU the group's process spent, each second once (the clocks round to nanoseconds)
    in_steps, in_groups = phases["imports_and_loads_in_steps_cpu_s"], phases["imports_and_loads_in_groups_cpu_s"]
    assert set(phases["steps_by_group"]) == set(groups)
    for group, timers in phases["steps_by_group"].items():
        net = {step: s - in_steps.get(step, 0.0) for step, s in timers.items()}
        assert min(net.values()) >= -1e-6, (group, net)
        assert sum(net.values()) + in_groups.get(group, 0.0) <= groups[group] + 1e-6, group
    rows = {r["row"]: r["cpu_s"] for r in phases["rows"]}
    assert min(rows.values()) >= 0, rows  # nothing counted twice: what is left unaccounted is not negative
    # the process's own count can only be below what its parent reaped (the clocks round to microseconds)
    assert sum(rows.values()) == pytest.approx(phases["total_cpu_s"]) and phases["total_cpu_s"] <= m.cpu_s + 1e-3

    # the bench's stage rows come from the same figures: thread-CPU timers and group CPU, within the run's CPU
    assert m.step_seconds == steps and m.group_cpu_s == groups
    ours = _our_stage_seconds(m)
    assert set(ours) == set(STAGE_MAP) and min(ours.values()) >= 0, ours
    assert sum(ours.values()) <= phases["total_cpu_s"]


def test_cpu_by_stage_is_refused_for_a_run_whose_tasks_run_in_other_processes(tmp_path):
    with pytest.raises(ValueError, match="one-worker local run"):
        run_pipeline_measured(tmp_path / "spec.yaml", [], tmp_path / "out", executor="ray", workers=2,
                              cpu_by_stage=True)  # fmt: skip
