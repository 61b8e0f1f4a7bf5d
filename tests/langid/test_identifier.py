from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eurocurate.langid import orthography
from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.langid.languages import CYRILLIC, GREEK, LATIN, NO_SCRIPT, UNDETERMINED
from eurocurate.langid.orthography import maltese_evidence
from eurocurate.langid.script import dominant_script
from eurocurate.schema import EU24
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES


def test_the_sentences_cover_the_24_languages():
    assert set(EU24_SENTENCES) == set(EU24)


@pytest.mark.parametrize("lang", EU24)
def test_each_eu_language_is_identified_on_short_sentences(identifier, lang):
    for sentence in EU24_SENTENCES[lang]:
        guess = identifier.identify_text(sentence)
        assert guess.lang == lang, (sentence, guess)
        assert 0.3 <= guess.score <= 1.0


@pytest.mark.parametrize("lang", sorted(LOOKALIKE_SENTENCES))
def test_non_eu_lookalikes_are_not_labelled_as_an_eu_language(identifier, lang):
    guess = identifier.identify_text(LOOKALIKE_SENTENCES[lang])
    assert not guess.is_eu, guess


@pytest.mark.parametrize(
    "lang", ["bs", "sr", "nb", "nn", "ca", "gl", "mk", "ru", "uk", "is", "cy", "eu", "af", "la", "sq", "co", "gd"]
)
def test_a_known_non_eu_language_keeps_its_iso_code(identifier, lang):
    assert identifier.identify_text(LOOKALIKE_SENTENCES[lang]).lang == lang


def test_scripts_are_told_apart():
    assert dominant_script("Η βιβλιοθήκη θα μένει ανοιχτή") == GREEK
    assert dominant_script("Библиотеката ще бъде отворена") == CYRILLIC
    assert dominant_script("Knihovna bude v zimě otevřena") == LATIN
    assert dominant_script("2024 — 12:30 / 45 %") == NO_SCRIPT


def test_text_without_letters_is_undetermined(identifier):
    assert identifier.identify_text("12 345 678 — 90 %").lang == UNDETERMINED


def test_greek_script_is_greek_and_latin_text_is_never_bulgarian(identifier):
    assert identifier.identify_text("Καλημέρα σας, τι κάνετε σήμερα;").lang == "el"
    assert identifier.identify_text("Dobar den, kak ste dnes, blagodarya mnogo").lang != "bg"


def test_maltese_spelling_decides_where_fasttext_says_english_or_italian(identifier):
    text = "Il-Prim Ministru qal li l-gvern se jżid il-pensjonijiet għas-sena d-dieħla."
    n, words = maltese_evidence(text)
    assert n >= 3
    assert identifier.identify_text(text).lang == "mt"
    assert maltese_evidence("The well-known e-mail service is down.")[0] == 0


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from([*"il-ItTalFfsnxĦġċ _1é\u00a0", "il-", "Tal-", " fil-", "-"]), max_size=30).map("".join)
    | st.text(max_size=60)
    | st.integers(0, 40).map(lambda n: "a-" * n + " il-")  # past the hyphens looked at one by one: the regex
)
def test_the_maltese_hint_is_the_regex_it_replaces(text):
    assert orthography.maltese_hint(text) == (orthography._MALTESE_HINT.search(text) is not None)


def test_croatian_and_bosnian_are_told_apart_by_the_second_opinion(identifier):
    assert identifier.identify_text(EU24_SENTENCES["hr"][0]).path.startswith("group:hr")
    assert identifier.identify_text(LOOKALIKE_SENTENCES["bs"]).lang == "bs"


def test_the_fast_path_alone_decides_when_fasttext_is_sure(identifier):
    guess = identifier.identify_text(EU24_SENTENCES["de"][0])
    assert guess.path == "fast" and guess.score > 0.9


def test_without_second_opinion_only_fasttext_speaks():
    plain = EuLanguageIdentifier(second_opinion=False)
    assert plain.identify_text(EU24_SENTENCES["hr"][0]).path == "fast"


def test_per_language_thresholds_override_the_default():
    cfg = LangIdConfig(min_score=0.5, min_scores={"hr": 0.3}, sure_scores={"de": 0.99})
    assert cfg.min_score_for("hr") == 0.3 and cfg.min_score_for("de") == 0.5
    assert cfg.sure_score_for("de") == 0.99 and cfg.sure_score_for("nl") == cfg.sure_score


def test_unknown_configuration_fields_are_refused():
    with pytest.raises(ValueError):
        LangIdConfig(min_scor=0.4)  # type: ignore[call-arg]


def test_optional_stronger_model_is_only_loaded_from_a_given_path(tmp_path):
    from eurocurate.langid.fasttext_lid import ModelNotFound, normalize_label

    assert normalize_label("__label__hrv_Latn") == "hr" and normalize_label("__label__mlt_Latn") == "mt"
    assert normalize_label("__label__de") == "de" and normalize_label("__label__fur_Latn") == "fur"
    with pytest.raises(ModelNotFound):
        EuLanguageIdentifier(model_path=str(tmp_path / "glotlid.bin"))


def test_a_page_fasttext_is_sure_of_is_settled_without_a_second_opinion(identifier, monkeypatch):
    import eurocurate.langid.identifier as module

    monkeypatch.setattr(module, "lingua_probabilities", lambda *a: pytest.fail("lingua asked"))
    page = identifier.read_document([" ".join(EU24_SENTENCES["de"] * 2)], lambda n: "")
    assert page.decided is not None and page.decided.lang == "de" and page.decided.path == "document"


def test_a_page_of_a_confusable_group_gets_one_second_opinion_on_the_sample(identifier):
    page = identifier.read_document([" ".join(EU24_SENTENCES["sk"] * 2)], lambda n: "")
    assert page.decided is not None and page.decided.lang == "sk" and page.decided.path.startswith("document+group:cs")


def test_croatian_pages_are_read_at_length(identifier):
    asked: list[int] = []
    page = identifier.read_document(
        [" ".join(EU24_SENTENCES["hr"] * 2)], lambda n: asked.append(n) or " ".join(EU24_SENTENCES["hr"] * 3)
    )
    assert asked == [identifier.config.always_ask_chars] and page.decided.lang == "hr"


def test_the_group_opinion_reuses_a_wider_lingua_call_exactly(identifier):
    from eurocurate.langid.second_opinion import lingua_probabilities

    text = EU24_SENTENCES["sl"][0]
    ft = identifier.fasttext_top(text)
    wider = lingua_probabilities(text, ("bs", "cs", "de", "en", "hr", "pl", "sk", "sl", "sr"))
    assert identifier._group_opinion(text, ft, "hr", wider) == identifier._group_opinion(text, ft, "hr")
