"""run.json through its typed model: a finished run reads and writes back byte for byte, every bundled spec's
run reads, and a run.json with an unknown or missing field fails `eurocurate verify` with one line, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from eurocurate.cli import main
from eurocurate.manifests.audit.run_manifest import (
    SCHEMA_VERSION,
    RunManifest,
    RunManifestError,
    encode_run_manifest,
    parse_run_manifest,
    read_run_manifest,
    write_run_manifest,
)
from eurocurate.manifests.release.report import render_report
from tests.conftest import REPO, robots_of

EUROCURATE = Path(sys.executable).parent / "eurocurate"
# Bundled specs whose run output is read through the model by another test: demo.yaml is the `local_run` fixture
# (tests/conftest.py, the demo spec with a smaller tokenizer), public_sector.yaml needs a folder of publications
# (tests/pipelines/ingest/test_public_sector_pipeline.py). The others run below on the demo corpus.
READ_ELSEWHERE = {"demo.yaml", "public_sector.yaml"}
RUN_HERE = ("web.yaml", "fineweb_equivalent.yaml")


def _damaged(tmp_path: Path, local_run: Path, damage) -> Path:
    """An output folder whose run.json is the finished run's, changed by `damage(dict)`; verify stops at it."""
    raw = orjson.loads((local_run / "run.json").read_bytes())
    damage(raw)
    out = tmp_path / "damaged"
    out.mkdir()
    (out / "run.json").write_bytes(orjson.dumps(raw))
    return out


def _verify(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(EUROCURATE), "verify", str(out)], capture_output=True, text=True, timeout=120)


def test_a_finished_run_reads_into_the_model_and_writes_back_the_same_bytes(local_run, tmp_path):
    manifest = read_run_manifest(local_run)
    assert isinstance(manifest, RunManifest) and manifest.schema_version == SCHEMA_VERSION
    assert encode_run_manifest(manifest) == (local_run / "run.json").read_bytes()
    assert manifest.totals.kept == manifest.stages[-1].docs_out and manifest.stage("optout") is not None
    write_run_manifest(tmp_path, manifest)
    assert (tmp_path / "run.json").read_bytes() == (local_run / "run.json").read_bytes()


def test_a_run_json_written_before_schema_version_existed_reads_as_version_1(local_run):
    raw = orjson.loads((local_run / "run.json").read_bytes())
    del raw["schema_version"]
    manifest = parse_run_manifest(orjson.dumps(raw))
    assert manifest.schema_version == 1
    # optional keys the old file lacks (erasures, supersedes, rows of non-Parquet outputs) stay absent
    assert orjson.loads(encode_run_manifest(manifest)) == {"schema_version": 1, **raw}


def test_an_unknown_field_fails_verify_with_one_line_naming_it(local_run, tmp_path):
    out = _damaged(tmp_path, local_run, lambda raw: raw["stages"][3].update(foo=1))
    result = _verify(out)
    assert result.returncode == 1
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if "foo" in line]
    assert lines == ["FAIL run.json: unknown field 'foo' at stages.3; written by a newer eurocurate?"]


def test_a_missing_field_fails_verify_with_one_line_naming_it(local_run, tmp_path):
    out = _damaged(tmp_path, local_run, lambda raw: raw.pop("config_sha256"))
    result = _verify(out)
    assert result.returncode == 1
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    assert [line for line in text.splitlines() if "config_sha256" in line] == [
        "FAIL run.json: missing field 'config_sha256'"
    ]


def test_a_newer_schema_version_and_a_wrong_type_are_named_too(local_run, tmp_path):
    newer = _damaged(tmp_path, local_run, lambda raw: raw.update(schema_version=SCHEMA_VERSION + 1))
    with pytest.raises(
        RunManifestError, match=rf"schema_version {SCHEMA_VERSION + 1}, this eurocurate reads up to {SCHEMA_VERSION}"
    ):
        read_run_manifest(newer)
    wrong = orjson.loads((local_run / "run.json").read_bytes())
    wrong["totals"]["kept"] = "many"
    with pytest.raises(RunManifestError, match=r"^run.json: field 'totals.kept': .*integer.*'many'"):
        parse_run_manifest(orjson.dumps(wrong))


def test_other_readers_of_run_json_raise_the_same_clear_error(local_run, tmp_path):
    out = _damaged(tmp_path, local_run, lambda raw: raw["totals"].pop("kept"))
    with pytest.raises(RunManifestError, match=r"^run.json: missing field 'kept' at totals$"):
        render_report(out)


def test_every_bundled_spec_is_read_through_the_model_somewhere():
    bundled = {p.name for p in (REPO / "pipelines").glob("*.yaml")}
    assert bundled == READ_ELSEWHERE | set(RUN_HERE)


@pytest.mark.slow
@pytest.mark.parametrize("spec", RUN_HERE)
def test_the_run_of_a_bundled_spec_reads_through_the_model(spec, demo_inputs, tmp_path):
    out = tmp_path / "out"
    overrides = [
        "execution.executor=local", "execution.workers=1", "stages.tokenizer.vocab_size=600",
        "stages.tokenizer.sample_chars_per_lang=20000",
    ]  # fmt: skip
    if spec == "web.yaml":
        overrides.append(f"stages.optout.robots_warcs=[{robots_of(demo_inputs)}]")
    args = ["run", str(REPO / "pipelines" / spec), "--input", str(demo_inputs), "--output", str(out)]
    for item in overrides:
        args += ["--set", item]
    assert main(args) == 0
    manifest = read_run_manifest(out)
    assert manifest.spec_path.endswith(spec) and manifest.totals.read == manifest.stages[0].docs_in > 0
    assert encode_run_manifest(manifest) == (out / "run.json").read_bytes()
    assert main(["verify", str(out)]) == 0
