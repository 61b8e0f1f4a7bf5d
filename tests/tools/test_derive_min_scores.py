"""The derived per-language scores land in the spec's language_id stage, every other line untouched."""

from __future__ import annotations

import orjson
import pytest

from eurocurate.config import load_spec
from eurocurate.langid.step import LanguageIdParams
from eurocurate.schema import EU24
from eurocurate.tools.derive_min_scores import PIPELINES, SPECS, spec_min_score, write_min_scores

SPEC = """version: 1
name: t
stages:
  - use: warc_reader
  - use: language_id    # a comment that stays
    with: {min_score: 0.65}
  - use: quality_filter
"""


def test_min_scores_are_written_into_the_language_id_stage(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    write_min_scores(spec, {"ga": 0.35, "lt": 0.1})
    text = spec.read_text()
    assert "    with: {min_score: 0.65, min_scores: {ga: 0.35, lt: 0.1}}\n" in text
    assert "# a comment that stays" in text
    assert spec_min_score(spec) == 0.65
    params = LanguageIdParams.model_validate(load_spec(spec).stage("language_id").params)
    assert params.min_scores == {"ga": 0.35, "lt": 0.1}


def test_min_scores_already_in_a_spec_are_replaced_not_nested(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    write_min_scores(spec, {"ga": 0.35, "lt": 0.1, "ro": 0.1})
    write_min_scores(spec, {"ga": 0.1})
    assert "    with: {min_score: 0.65, min_scores: {ga: 0.1}}\n" in spec.read_text()
    params = LanguageIdParams.model_validate(load_spec(spec).stage("language_id").params)
    assert params.min_scores == {"ga": 0.1}


@pytest.mark.parametrize("name", SPECS)
def test_the_bundled_specs_carry_valid_min_scores_for_eu_languages_only(name):
    params = LanguageIdParams.model_validate(load_spec(PIPELINES / name).stage("language_id").params)
    assert params.min_scores and set(params.min_scores) <= set(EU24)
    assert all(0 < v <= params.min_score for v in params.min_scores.values())


def test_a_spec_without_a_one_line_language_id_stage_is_refused(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("    with: {min_score: 0.65}\n", "    with:\n      min_score: 0.65\n"))
    with pytest.raises(ValueError, match="one-line"):
        write_min_scores(spec, {"ga": 0.35})


def test_unwanted_texts_count_only_eu_labels_other_than_the_true_language(tmp_path):
    """The long-tail set names languages as `fra_Latn` with the EU-24 code in `eu24`: a French text labelled
    French is not unwanted, an Italian sentence given as a non-EU language is (under `it`)."""
    from eurocurate.langid.calibration import ScoredPages
    from eurocurate.tools.derive_min_scores import add_unwanted_texts

    french = "Le conseil municipal se réunira mardi prochain pour examiner le budget de la ville et les travaux."
    italian = "Il consiglio comunale si riunirà martedì prossimo per esaminare il bilancio della città e i lavori."
    rows = [
        {"text": french, "lang": "fra_Latn", "eu24": "fr"},
        {"text": italian, "lang": "cos_Latn", "eu24": None},
        {"text": italian, "lang": "it"},
    ]
    path = tmp_path / "unwanted.jsonl"
    path.write_text("".join(orjson.dumps(r).decode() + "\n" for r in rows))
    pages = ScoredPages()
    assert add_unwanted_texts(pages, path) == 1
    assert list(pages.unwanted) == ["it"] and not pages.wanted.get("fr")
