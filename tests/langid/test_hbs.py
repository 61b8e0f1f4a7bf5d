from __future__ import annotations

import pytest

from eurocurate.langid.hbs import HBS, split_hbs
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES

# Written for these tests: the same two sentences in the three standards (Latin script).
CROATIAN = (
    "Tko je rekao da tijekom tjedna nema vremena za obitelj? Povijest grada seže tisuću godina unatrag, a rijeka "
    "teče kroz središte."
)
SERBIAN = (
    "Ko je rekao da tokom nedelje nema vremena za porodicu? Istorija grada seže hiljadu godina unazad, a reka teče "
    "kroz centar."
)
BOSNIAN = (
    "Ko je rekao da tokom sedmice nema vremena za porodicu? Historija grada seže hiljadu godina unazad, a rijeka "
    "teče kroz centar."
)


@pytest.mark.parametrize(("text", "lang"), [(CROATIAN, "hr"), (SERBIAN, "sr"), (BOSNIAN, "bs")])
def test_the_splitter_tells_the_three_standards_apart(text, lang):
    probs = split_hbs(text, word_weight=1.5)
    assert set(probs) == set(HBS)
    assert abs(sum(probs.values()) - 1) < 1e-9
    assert max(probs, key=probs.get) == lang


def test_ekavian_forms_make_serbian_and_ijekavian_ones_do_not():
    ekavian = split_hbs("Gde je reka? Uvek je lepo vreme kada deca pevaju pesme.", word_weight=1.5)
    ijekavian = split_hbs("Gdje je rijeka? Uvijek je lijepo vrijeme kada djeca pjevaju pjesme.", word_weight=1.5)
    assert ekavian["sr"] > 0.5
    assert ijekavian["sr"] < 0.2


def test_the_croatian_prior_helps_only_croatian():
    text = EU24_SENTENCES["hr"][0]
    assert split_hbs(text, 1.5, prior_hr=3.0)["hr"] >= split_hbs(text, 1.5)["hr"]


@pytest.mark.parametrize(("text", "lang"), [(CROATIAN, "hr"), (SERBIAN, "sr"), (BOSNIAN, "bs")])
def test_the_identifier_keeps_croatian_bosnian_and_serbian_apart(identifier, text, lang):
    assert identifier.identify_text(text).lang == lang


def test_bosnian_and_croatian_test_sentences_keep_their_labels(identifier):
    assert identifier.identify_text(LOOKALIKE_SENTENCES["bs"]).lang == "bs"
    for sentence in EU24_SENTENCES["hr"]:
        assert identifier.identify_text(sentence).lang == "hr"


def test_lingua_is_not_asked_when_the_vocabulary_already_decides(monkeypatch):
    from eurocurate.langid import hbs

    decided = CROATIAN + " Tijekom tjedna povijest obitelji, tisuću postavki preglednika i datoteka."
    with_lingua = split_hbs(decided, word_weight=3.0, prior_hr=8.0)
    monkeypatch.setattr(hbs, "lingua_hbs", lambda flat: pytest.fail("lingua asked"))
    without = split_hbs(decided, word_weight=3.0, prior_hr=8.0)
    assert max(without, key=without.get) == max(with_lingua, key=with_lingua.get) == "hr"
