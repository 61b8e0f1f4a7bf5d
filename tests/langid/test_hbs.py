from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from eurocurate.langid import hbs
from eurocurate.langid.hbs import HBS, croatian_log_odds_needed, hbs_model, split_hbs
from eurocurate.langid.ngram_model import NgramModelError, load_model
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
# Real browser strings (Firefox l10n, MPL-2.0) of the kind the classifier was trained on, not in its training set:
# Croatian "postavke"/"preglednik", Bosnian and Serbian "podešavanja"/"pretraživač", Serbian ekavian "promene".
CROATIAN_UI = "Promijenite postavke preglednika kako biste zaštitili svoju privatnost tijekom pregledavanja."
BOSNIAN_UI = "Promijenite podešavanja pretraživača da biste zaštitili svoju privatnost tokom pretraživanja."
SERBIAN_UI = "Promenite podešavanja pretraživača da biste zaštitili svoju privatnost tokom pretraživanja."


@pytest.mark.parametrize(
    ("text", "lang"),
    [(CROATIAN, "hr"), (SERBIAN, "sr"), (BOSNIAN, "bs"), (CROATIAN_UI, "hr"), (BOSNIAN_UI, "bs"), (SERBIAN_UI, "sr")],
)
def test_the_splitter_tells_the_three_standards_apart(text, lang):
    probs = split_hbs(text)
    assert set(probs) == set(HBS)
    assert abs(sum(probs.values()) - 1) < 1e-9
    assert max(probs, key=probs.get) == lang


def test_ekavian_forms_make_serbian_and_ijekavian_ones_do_not():
    ekavian = split_hbs("Gde je reka? Uvek je lepo vreme kada deca pevaju pesme.")
    ijekavian = split_hbs("Gdje je rijeka? Uvijek je lijepo vrijeme kada djeca pjevaju pjesme.")
    assert ekavian["sr"] > 0.5
    assert ijekavian["sr"] < 0.2


def test_a_page_needs_less_croatian_evidence_than_a_paragraph():
    cal = hbs_model().calibration
    paragraph, page = croatian_log_odds_needed(80, cal), croatian_log_odds_needed(2000, cal)
    assert page < paragraph
    assert paragraph == cal["short_log_odds"] and page == cal["long_log_odds"]
    between = croatian_log_odds_needed(int((cal["short_chars"] + cal["long_chars"]) / 2), cal)
    assert page < between < paragraph


def test_a_lower_croatian_threshold_helps_only_croatian():
    text = EU24_SENTENCES["hr"][0]
    assert split_hbs(text, croatian_log_odds=-3.0)["hr"] > split_hbs(text, croatian_log_odds=3.0)["hr"]


def test_the_packaged_model_is_small_memory_mapped_and_says_how_it_was_made():
    model = hbs_model()
    assert hbs.HBS_MODEL_PATH.stat().st_size < 4 * 2**20
    assert isinstance(model.weights.base, np.memmap)
    assert "long-tail" in model.about and "MPL-2.0" in model.about


def test_a_missing_or_corrupt_packaged_model_is_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(hbs, "HBS_MODEL_PATH", tmp_path / "hbs.npz")
    hbs.hbs_model.cache_clear()
    try:
        with pytest.raises(NgramModelError, match="no n-gram model file"):
            split_hbs(CROATIAN)
        shutil.copyfile(Path(hbs.__file__).parent / "models" / "hbs.npz", tmp_path / "hbs.npz")
        data = (tmp_path / "hbs.npz").read_bytes()
        (tmp_path / "hbs.npz").write_bytes(data[: len(data) // 3])
        with pytest.raises(NgramModelError):
            split_hbs(CROATIAN)
    finally:
        hbs.hbs_model.cache_clear()
    assert load_model(Path(hbs.__file__).parent / "models" / "hbs.npz").labels == ("bs", "hr", "sr")


@pytest.mark.parametrize(("text", "lang"), [(CROATIAN, "hr"), (SERBIAN, "sr"), (BOSNIAN, "bs")])
def test_the_identifier_keeps_croatian_bosnian_and_serbian_apart(identifier, text, lang):
    assert identifier.identify_text(text).lang == lang


def test_bosnian_and_croatian_test_sentences_keep_their_labels(identifier):
    assert identifier.identify_text(LOOKALIKE_SENTENCES["bs"]).lang == "bs"
    for sentence in EU24_SENTENCES["hr"]:
        assert identifier.identify_text(sentence).lang == "hr"


def test_a_spec_can_override_the_calibrated_croatian_threshold():
    from eurocurate.langid.identifier import EuLanguageIdentifier

    lenient = EuLanguageIdentifier(hbs_croatian_log_odds=-50.0)
    strict = EuLanguageIdentifier(hbs_croatian_log_odds=50.0)
    assert lenient.identify_text(BOSNIAN_UI).lang == "hr"
    assert strict.identify_text(CROATIAN_UI).lang in ("bs", "sr")


def test_the_stem_tells_find_what_the_stem_regexes_find():
    # `stem_words` replaces two IGNORECASE regexes by prefix tests of a text's words: the same words on texts with
    # inflected stems, stems inside words, digits and underscores glued to words, and the case folds of the stems'
    # letters that survive lower-casing (dotless i, long s), which send a text back to the regexes
    texts = [
        CROATIAN_UI,
        BOSNIAN_UI,
        "Trenutačni sajtovi: 2sajt sajt_x _sajt nesajt računala računar-ima šifrirani dešifrovani, korisnički.",
        "ſajt ſajtovi podeſavanja i trenutačno",
        "računalı TVRTKA",
        *EU24_SENTENCES.get("hr", ())[:20],
    ]
    for text in texts:
        lower = text.lower()
        expected = (set(hbs._CROATIAN_STEM.findall(lower)), set(hbs._BOSNIAN_SERBIAN_STEM.findall(lower)))
        assert hbs.stem_words(lower) == expected, text


def test_every_letter_the_stem_regexes_equate_with_a_stem_letter_after_lower_casing_is_listed():
    letters = "".join(sorted(set("".join(hbs.CROATIAN_STEMS + hbs.BOSNIAN_SERBIAN_STEMS))))
    any_letter = re.compile(f"[{letters}]", re.IGNORECASE)
    folds = {
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if c not in letters and c.lower() == c and any_letter.fullmatch(c)
    }
    assert folds == set(hbs.STEM_CASE_FOLDS)


def test_the_packaged_bosnian_serbian_words_are_tells_and_never_croatian_ones():
    listed = hbs.dictionary_words()
    assert {"tačka", "prevod", "bezbednost"} <= listed
    assert not listed & (hbs.CROATIAN_ONLY_WORDS | hbs.IJEKAVIAN_WORDS)
    assert not {"zagreb", "točka", "prijevod", "sigurnost"} & listed
    with_word = hbs.hbs_tells("Objekat nema prevod na kraju teksta")
    without = hbs.hbs_tells("Objekat nema prevod na kraju teksta", frozenset())
    assert with_word["bs"] - without["bs"] == 2 and with_word["sr"] - without["sr"] == 2
    assert with_word["hr"] - without["hr"] == -2


def test_a_text_split_again_gets_the_split_it_got_first_and_the_kept_splits_are_bounded(monkeypatch):
    first = split_hbs(CROATIAN)
    first["hr"] = -1.0  # a caller's change to its answer is not kept
    assert split_hbs(CROATIAN) == split_hbs(CROATIAN[:1000] + CROATIAN[1000:]) != first
    assert split_hbs(CROATIAN, croatian_log_odds=-3.0) != split_hbs(CROATIAN, croatian_log_odds=3.0)
    monkeypatch.setattr(hbs, "CACHED_SPLITS", 2)
    hbs_model()._memo.clear()
    for text in (CROATIAN, "Gde je reka?", "Gdje je rijeka?", "Tko je to?"):
        split_hbs(text)
        assert len(hbs_model()._memo) <= 2
