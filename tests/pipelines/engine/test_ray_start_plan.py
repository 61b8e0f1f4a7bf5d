"""Whether a command line will want an embedded Ray, and of how many workers, read before the spec is loaded."""

from __future__ import annotations

from pathlib import Path

from eurocurate.pipelines.engine.embedded_ray import planned_embedded_workers


def _spec(tmp_path: Path, execution: str = "") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(f"version: 1\nname: t\nstages:\n  - use: warc_reader\n{execution}")
    return path


def test_the_spec_and_the_flags_say_how_many_workers_the_embedded_ray_gets(tmp_path):
    spec = _spec(tmp_path, "execution:\n  executor: ray\n  workers: 3\n")
    assert planned_embedded_workers(spec) == 3
    assert planned_embedded_workers(spec, workers=5) == 5
    assert planned_embedded_workers(spec, ["execution.workers=4"]) == 4
    assert planned_embedded_workers(_spec(tmp_path)) == 2  # the spec's defaults: Ray, 2 workers


def test_no_embedded_ray_for_a_local_run_or_a_cluster_address(tmp_path):
    local = _spec(tmp_path, "execution:\n  executor: local\n")
    assert planned_embedded_workers(local) is None
    assert planned_embedded_workers(local, executor="ray") == 2
    assert planned_embedded_workers(_spec(tmp_path), ["execution.executor=local"]) is None
    assert planned_embedded_workers(_spec(tmp_path), executor="local") is None
    assert planned_embedded_workers(_spec(tmp_path), ray_address="127.0.0.1:6379") is None


def test_a_spec_that_cannot_tell_starts_nothing_early(tmp_path):
    assert planned_embedded_workers(tmp_path / "missing.yaml") is None
    broken = tmp_path / "broken.yaml"
    broken.write_text("execution: [unclosed\n")
    assert planned_embedded_workers(broken) is None
    assert planned_embedded_workers(_spec(tmp_path, "execution:\n  workers: 0\n")) is None  # invalid: load_spec says
    assert planned_embedded_workers(_spec(tmp_path, "execution:\n  executor: spark\n")) is None
    not_a_mapping = tmp_path / "list.yaml"
    not_a_mapping.write_text("- a\n- b\n")
    assert planned_embedded_workers(not_a_mapping) is None
