from __future__ import annotations

import pytest
from datatrove.data import Document

from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import ROMANIZED as ROMANIZED_COUNT
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.langid.languages import OTHER
from eurocurate.langid.model_files import model_files
from eurocurate.langid.romanized import romanized_model, romanized_veto, typed_in_ascii
from eurocurate.langid.step import LanguageIdentifier
from eurocurate.schema import EU24, Meta, Reason
from tests.langid.sentences import EU24_SENTENCES

# Written for these tests (not from the long-tail set the model is trained on): everyday forum and chat text in
# Russian, Ukrainian, Bulgarian and Greek typed in Latin letters, which fastText and heliport read as Slovenian,
# Czech, Finnish or Portuguese.
TYPED_IN_LATIN = {
    "rus": "Vsem dobroe utro! Segodnya my poedem na more s moimi druzyami i budem kupatsya ves den.",
    "ukr": "Pryvit usim! Syohodni my yidemo do moria z druzyamy i budemo kupatysia tsilyi den.",
    "bul": "Zdraveite na vsichki! Dnes shte hodim na more s priyatelite si i shte se kapem tsyal den.",
    "ell": "Kalimera se olous! Simera tha pame sti thalassa me tous filous mou kai tha kolymbame oli mera.",
    "ell (8 for θ, h for η)": "Kalhmera se olous! Shmera 8a pame sth 8alassa me tous filous mou kai 8a kolymbame "
    "olh mera.",
}
RUSSIAN_PAGE = "\n".join(
    (
        "Vsem dobroe utro! Segodnya my poedem na more s moimi druzyami.",
        "Pogoda obeshchaet byt' khoroshey, solntse i nebol'shoy veter.",
        "Vecherom my khotim pozharit' shashlyk i posidet' u kostra.",
        "Zavtra vernemsya domoy, esli nichego ne sluchitsya.",
    )
)
# The same kind of text in EU-24 languages typed without their diacritics, as informal Slovenian, Croatian, Czech,
# Slovak and Polish often is: it keeps its label (whatever the identifier made of it before).
PLAIN_EU24 = {
    "sl": "Dobro jutro vsem! Danes gremo na morje s prijatelji in se bomo kopali ves dan, zvecer pa pecemo na zaru.",
    "hr": "Dobro jutro svima! Danas idemo na more s prijateljima i kupat cemo se cijeli dan, a navecer rostiljamo.",
    "cs": "Dobre rano vsem! Dnes jedeme k mori s kamarady a budeme se koupat cely den, vecer budeme grilovat.",
    "sk": "Dobre rano vsetkym! Dnes ideme k moru s kamaratmi a budeme sa kupat cely den, vecer budeme grilovat.",
    "pl": "Dzien dobry wszystkim! Dzisiaj jedziemy nad morze z przyjaciolmi i bedziemy sie kapac caly dzien.",
}


@pytest.fixture(scope="module")
def without_romanized() -> EuLanguageIdentifier:
    return EuLanguageIdentifier(romanized_veto=False)


@pytest.mark.parametrize("lang", sorted(TYPED_IN_LATIN))
def test_russian_ukrainian_bulgarian_and_greek_in_latin_letters_are_not_labelled_eu24(
    identifier, without_romanized, lang
):
    text = TYPED_IN_LATIN[lang]
    assert identify_document(without_romanized, text).lang in EU24  # what the identifier did before the model
    assert identify_document(identifier, text).lang == OTHER


def test_a_romanized_russian_page_is_dropped_as_not_eu24_by_the_web_langid_stage(tmp_path):
    assert identify_document(EuLanguageIdentifier(romanized_veto=False), RUSSIAN_PAGE).lang == "sl"  # before
    step = LanguageIdentifier(str(tmp_path), min_score=0.65, min_scores=dict.fromkeys(EU24, 0.1))
    doc = Document(text=RUSSIAN_PAGE, id="ru-latn")
    (verdict,) = step.judge_batch([doc])
    assert verdict is not None and verdict.reason == Reason.LANG_NOT_EU and doc.metadata[Meta.LANG] == OTHER


def test_the_identifier_counts_what_it_took_for_romanized_text():
    ident = EuLanguageIdentifier()
    before = ident.counts[ROMANIZED_COUNT]
    guess = ident.identify_text(TYPED_IN_LATIN["rus"])
    assert guess.lang == OTHER and guess.path == "romanized:rus_Latn"
    assert ident.counts[ROMANIZED_COUNT] == before + 1


@pytest.mark.parametrize("lang", sorted(PLAIN_EU24))
def test_informal_text_without_diacritics_keeps_the_label_it_had(identifier, without_romanized, lang):
    text = PLAIN_EU24[lang]
    assert romanized_veto(text) is None
    assert identify_document(identifier, text).lang == identify_document(without_romanized, text).lang != OTHER


def test_every_eu24_test_sentence_keeps_its_label(identifier, without_romanized):
    for lang, sentences in EU24_SENTENCES.items():
        for sentence in sentences:
            assert identifier.identify_text(sentence) == without_romanized.identify_text(sentence), (lang, sentence)


def test_text_with_letters_outside_ascii_is_not_asked_about():
    assert typed_in_ascii(TYPED_IN_LATIN["rus"]) and not typed_in_ascii(PLAIN_EU24["sl"].replace("zvecer", "zvečer"))
    assert not typed_in_ascii("12345 !!!")  # no letters: nothing to read
    assert romanized_veto(TYPED_IN_LATIN["rus"].replace("more", "morë morë")) is None


def test_the_packaged_model_has_its_threshold_and_a_run_lists_it():
    model = romanized_model()
    assert "min_lead" in model.calibration and {"rus_Latn", "ell_Latn", "sl", "hr"} <= set(model.labels)
    roles = [f["role"] for f in model_files(LangIdConfig())]
    assert "romanized" in roles and "romanized" not in [
        f["role"] for f in model_files(LangIdConfig(romanized_veto=False))
    ]
