"""A stage defined in one module outside the package runs in a spec through the `plugins:` key, with the
local executor and with Ray: its drops reach the ledger, its column reaches provenance, the run verifies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from eurocurate.files import read_tables
from tests.conftest import robots_of, write_spec

BIN = Path(sys.executable).parent
WORD = "the"

# The whole plugin: one module, nothing else in the tree changes.
TOY_STAGE = '''
"""A toy stage: drops documents containing a word, counts every document's words in provenance."""

from __future__ import annotations

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.stage import Drop, LedgerStage


class ToyWordFilter(LedgerStage):
    name = "toy_filter"

    def __init__(self, out_dir: str, word: str):
        super().__init__(out_dir)
        self.word = word

    def judge(self, doc):
        words = doc.text.lower().split()
        doc.metadata["toy_words"] = len(words)
        hits = words.count(self.word)
        return Drop("toy.has_word", f"{self.word!r} x{hits}") if hits else None


class ToyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str = Field("the", description="Documents containing this word are dropped.")


@register_stage(
    name="toy_filter",
    summary="Drop documents containing a word",
    role="map",
    params=ToyParams,
    provenance_columns=[("toy_words", pa.int64())],
    reasons={"toy.has_word": "the document contains the word"},
)
def build_toy_filter(p: ToyParams, ctx: BuildContext, key: str) -> StageParts:
    return StageParts(map_steps=[ToyWordFilter(ctx.out_dir, p.word.lower())])
'''


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "toy_stage.py").write_text(TOY_STAGE)
    return folder


def _spec_with_toy(path: Path, demo_inputs: Path, **execution) -> Path:
    write_spec(path, robots=robots_of(demo_inputs), **execution)
    spec = yaml.safe_load(path.read_text())
    at = [s["use"] for s in spec["stages"]].index("quality_filter") + 1  # between two built-in stages
    spec["stages"].insert(at, {"use": "toy_filter", "with": {"word": WORD}})
    spec["plugins"] = ["toy_stage"]
    path.write_text(yaml.safe_dump(spec))
    return path


def _eurocurate(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "eurocurate"), *args], env=env, capture_output=True, text=True, timeout=900)


def _assert_toy_run(out: Path) -> None:
    ledger = read_tables(sorted((out / "exclusions").glob("*.parquet")))
    toy = ledger.filter(ledger["stage"].to_numpy(zero_copy_only=False) == "toy_filter").to_pylist()
    assert toy and {r["reason"] for r in toy} == {"toy.has_word"}
    assert all(r["evidence"].startswith(f"{WORD!r} x") for r in toy)

    prov_files = sorted((out / "provenance").glob("*.parquet"))
    schema = pq.read_schema(prov_files[0])
    assert schema.field("toy_words").type == "int64"
    # the plugin's column sits after the built-in stages' columns, before the output positions
    assert schema.names.index("toy_words") == schema.names.index("text_shard") - 1
    words = read_tables(prov_files)["toy_words"].to_pylist()
    assert words and all(isinstance(n, int) and n > 0 for n in words)


def test_a_plugin_stage_runs_between_built_in_stages_and_its_drops_and_column_are_recorded(
    plugin_dir, demo_inputs, tmp_path
):
    spec = _spec_with_toy(tmp_path / "spec.yaml", demo_inputs, executor="local", workers=1)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(plugin_dir)}
    run = _eurocurate("run", str(spec), "--input", str(demo_inputs), "--output", str(out), env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    _assert_toy_run(out)

    verify = _eurocurate("verify", str(out), env=env)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    listed = _eurocurate("stages", "--plugin", "toy_stage", env=env)
    assert listed.returncode == 0 and "toy_filter" in listed.stdout
    assert "toy_filter" not in _eurocurate("stages", env=env).stdout

    # an erasure rewrites provenance keeping the plugin's column (and needs no plugin to do it)
    from eurocurate.manifests.audit.erasure import ErasureRequest, erase
    from eurocurate.manifests.audit.verify import verify_output

    before = read_tables(sorted((out / "provenance").glob("*.parquet")))
    url = next(u for u in before["url"].to_pylist() if u)
    erase(out, ErasureRequest(url=url, reason="test"), None)
    after = read_tables(sorted((out / "provenance").glob("*.parquet")))
    assert "toy_words" in after.column_names and after.num_rows < before.num_rows
    assert verify_output(out).ok


@pytest.mark.slow
def test_ray_workers_run_a_plugin_stage_the_driver_imported_from_its_own_path(plugin_dir, demo_inputs, tmp_path):
    # the plugin folder is on the driver's sys.path only (not PYTHONPATH): the steps travel to the Ray
    # workers by value, as they would to the nodes of a cluster that never saw the plugin file
    spec = _spec_with_toy(tmp_path / "spec.yaml", demo_inputs, executor="ray", workers=1)
    out = tmp_path / "out"
    driver = (
        f"import sys; sys.path.insert(0, {str(plugin_dir)!r}); from eurocurate.cli import main; "
        f"sys.exit(main(['run', {str(spec)!r}, '--input', {str(demo_inputs)!r}, '--output', {str(out)!r}]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-c", driver], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    _assert_toy_run(out)
    verify = _eurocurate("verify", str(out), env={**env, "PYTHONPATH": str(plugin_dir)})
    assert verify.returncode == 0, verify.stdout + verify.stderr
