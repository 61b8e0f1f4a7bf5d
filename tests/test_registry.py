"""The stage registry: built-in stages found where they are defined, plugin modules named by a spec, one-line
errors for a plugin that does not import, defines no stage or takes a name already registered, and the
provenance columns and reason codes that stages declare."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from eurocurate import registry
from eurocurate.config import PipelineSpec, SpecError, load_spec
from eurocurate.files import read_tables
from eurocurate.manifests.audit.provenance import provenance_schema
from eurocurate.schema import Reason

REPO = Path(__file__).resolve().parents[1]

STAGE_NAMED = """
from pydantic import BaseModel
import pyarrow as pa
from eurocurate.registry import StageParts, register_stage


class P(BaseModel):
    pass


@register_stage(name={name!r}, summary="a test stage", role="map", params=P, provenance_columns=[{columns}])
def build(p, ctx, key):
    return StageParts()
"""


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """Factory: write a plugin module on sys.path; the registry and sys.modules are restored afterwards."""
    registry.all_stages()  # the built-in stages are registered before the snapshot
    monkeypatch.setattr(registry, "_STAGES", dict(registry._STAGES))
    monkeypatch.setattr(registry, "_PLUGINS", list(registry._PLUGINS))
    folder = tmp_path / "plugins"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    written: list[str] = []

    def write(module: str, source: str) -> str:
        (folder / f"{module}.py").write_text(source)
        written.append(module)
        return module

    yield write
    for module in written:
        sys.modules.pop(module, None)


def _stage_source(name: str, columns: Sequence[tuple[str, str]] = ()) -> str:
    """A plugin module registering stage `name` with provenance columns given as (name, pyarrow type name)."""
    return STAGE_NAMED.format(name=name, columns=", ".join(f"({c!r}, pa.{t}())" for c, t in columns))


def _spec_with_plugins(path: Path, plugins: list[str]) -> Path:
    tree = yaml.safe_load((REPO / "pipelines" / "demo.yaml").read_text())
    tree["plugins"] = plugins
    path.write_text(yaml.safe_dump(tree))
    return path


def test_every_built_in_stage_registers_itself_in_its_own_module():
    stages = registry.all_stages()
    assert list(stages)[:2] == ["warc_reader", "document_reader"]
    assert stages["optout"].module == "eurocurate.filters.optout.step"
    assert stages["minhash_dedup"].module == "eurocurate.dedup.minhash_stage"
    assert stages["token_shards"].requires == ("tokenizer",)
    assert all(s.module.startswith("eurocurate.") for s in stages.values())


def test_a_plugin_that_does_not_import_fails_the_spec_with_one_line(tmp_path, plugins, capsys):
    spec = _spec_with_plugins(tmp_path / "spec.yaml", ["no_such_plugin"])
    with pytest.raises(SpecError) as e:
        load_spec(spec)
    message = str(e.value)
    assert "\n" not in message
    assert "plugin 'no_such_plugin' does not import (ModuleNotFoundError" in message
    assert "PYTHONPATH" in message

    from eurocurate.cli import main

    assert main(["run", str(spec), "--input", ".", "--output", str(tmp_path / "o")]) == 2
    assert "does not import" in capsys.readouterr().err


def test_a_plugin_that_raises_on_import_names_the_exception(tmp_path, plugins):
    plugins("broken_plugin", "raise RuntimeError('missing model file')\n")
    with pytest.raises(SpecError, match=r"plugin 'broken_plugin' does not import \(RuntimeError: missing model file\)"):
        load_spec(_spec_with_plugins(tmp_path / "spec.yaml", ["broken_plugin"]))


def test_a_plugin_module_without_a_stage_is_refused(tmp_path, plugins):
    plugins("no_stage_here", "VALUE = 1\n")
    with pytest.raises(SpecError, match=r"plugin 'no_stage_here' defines no stage; decorate its build function"):
        load_spec(_spec_with_plugins(tmp_path / "spec.yaml", ["no_stage_here"]))


def test_a_stage_name_registered_twice_is_refused_with_both_modules(tmp_path, plugins):
    plugins("takes_optout", _stage_source("optout"))
    with pytest.raises(
        SpecError,
        match=r"stage 'optout' is registered twice: by eurocurate.filters.optout.step and by takes_optout",
    ):
        registry.load_plugins(["takes_optout"])

    plugins("first_toy", _stage_source("toy"))
    plugins("second_toy", _stage_source("toy"))
    registry.load_plugins(["first_toy"])
    with pytest.raises(SpecError, match=r"stage 'toy' is registered twice: by first_toy and by second_toy"):
        registry.load_plugins(["second_toy"])


def test_loading_a_plugin_twice_registers_it_once(plugins):
    plugins("toy_once", _stage_source("toy_once"))
    registry.load_plugins(["toy_once", "toy_once"])
    registry.load_plugins(["toy_once"])
    assert registry.plugin_modules().count("toy_once") == 1
    assert list(registry.all_stages())[-1] == "toy_once"  # plugin stages list after the built-in ones


def test_plugins_must_be_module_paths():
    with pytest.raises(ValueError, match="dotted module paths"):
        PipelineSpec.model_validate({"name": "x", "stages": [{"use": "warc_reader"}], "plugins": ["my pkg/toy.py"]})


def test_a_spec_without_plugins_dumps_and_hashes_as_before_the_key_existed():
    tree = {"name": "x", "stages": [{"use": "warc_reader"}]}
    spec = PipelineSpec.model_validate(tree)
    assert "plugins" not in spec.model_dump(mode="json", by_alias=True)
    assert spec.digest() == PipelineSpec.model_validate({**tree, "plugins": []}).digest()
    with_plugin = PipelineSpec.model_validate({**tree, "plugins": ["toy"]})
    assert with_plugin.model_dump()["plugins"] == ["toy"] and with_plugin.digest() != spec.digest()


def test_reason_codes_must_read_family_dot_what():
    from pydantic import BaseModel

    with pytest.raises(SpecError, match="reason codes must read"):
        registry.register_stage(name="bad", summary="", role="map", params=BaseModel, reasons={"Bad Code": "x"})(
            lambda p, ctx, key: registry.StageParts()
        )
    assert "bad" not in registry.all_stages()


# The provenance table of the built-in stages, as earlier releases wrote it, with `declared_format` (added by
# document_reader on 2026-12-05 for files whose bytes are not what their name says) and `pii_key_id` (the
# fingerprints' key id, for verify) added.
BUILT_IN_PROVENANCE = [
    "doc_id", "source_path", "source_offset", "warc_record_id", "url", "fetch_date", "content_type", "http_status",
    "charset", "charset_origin", "source_category", "licence", "publisher", "source_id", "declared_format", "title",
    "html_lang",
    "canonical_url",
    "licence_links", "published", "lang", "lang_score", "lang_shares", "quality", "optout", "pii_counts",
    "pii_candidates", "pii_fingerprints", "pii_key_id", "content_hash", "dedup_cluster_id", "dedup_cluster_size",
    "text_shard", "text_row", "token_shard", "token_row", "n_tokens",
]  # fmt: skip


def test_the_provenance_schema_of_built_in_stages_keeps_its_columns_and_order_whatever_the_spec_uses():
    assert provenance_schema().names == BUILT_IN_PROVENANCE
    assert provenance_schema(["warc_reader", "text_parquet"]) == provenance_schema(
        [s["use"] for s in yaml.safe_load((REPO / "pipelines" / "web.yaml").read_text())["stages"]]
    )
    assert provenance_schema().field("lang_score").type == pa.float32()
    assert provenance_schema().field("quality").type == pa.map_(pa.string(), pa.float64())


def test_a_plugin_stage_adds_its_provenance_columns_before_the_output_positions(plugins):
    plugins("toy_columns", _stage_source("toy_columns", [("toy_words", "int64")]))
    registry.load_plugins(["toy_columns"])
    names = provenance_schema(["warc_reader", "toy_columns"]).names
    assert names == [*BUILT_IN_PROVENANCE[:-5], "toy_words", *BUILT_IN_PROVENANCE[-5:]]

    plugins("steals_lang", _stage_source("steals_lang", [("lang", "string")]))
    registry.load_plugins(["steals_lang"])
    with pytest.raises(SpecError, match="stage 'steals_lang' declares provenance column 'lang', already declared by"):
        provenance_schema(["steals_lang"])


def test_every_reason_in_a_run_ledger_is_declared_by_a_registered_stage(local_run):
    declared = registry.declared_reasons()
    cross_cutting = {Reason.STAGE_ERROR, Reason.ERASURE_REQUEST}  # the engine's and erasure's, not a stage's
    ledger = read_tables(sorted((local_run / "exclusions").glob("*.parquet")))
    reasons = set(ledger["reason"].to_pylist())
    assert reasons
    assert [r for r in reasons if r not in cross_cutting and not registry.is_declared_reason(r, declared)] == []


def test_the_stage_catalogue_loads_without_the_pii_detectors_a_spec_may_not_use():
    # every run imports every built-in stage module to know its provenance columns; the PII detectors' tables
    # (phonenumbers, stdnum) load when a spec redacts, not for the catalogue
    code = (
        "import sys; from eurocurate import registry; stages = registry.all_stages(); "
        "print('pii' in stages, *(m in sys.modules for m in ('eurocurate.filters.pii.detectors', 'phonenumbers')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "False"]
