"""Croatian, Bosnian or Serbian (Latin): splitting what heliport and lid.176 read as one language (`hbs`).

Owns the splitter: the standard-vocabulary tells (Croatian tko/tisuća/tjedan against ko/hiljada/sedmica), the
reflex of old ě (ijekavian rijeka/vrijeme in Croatian and Bosnian, ekavian reka/vreme in Serbian), and lingua
restricted to these three languages in low-accuracy mode (trigram models only: ~10 MB, loaded on the first call,
not 1 GB for all of Europe). Whether a text belongs to the group is `langid.identifier`'s decision.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Final

from eurocurate.langid.orthography import croatian_balance, words

HBS: Final = ("hr", "bs", "sr")

# Serbian (ekavian) forms whose Croatian/Bosnian (ijekavian) counterparts differ: reka/rijeka, vreme/vrijeme...
EKAVIAN_WORDS: Final = frozenset(
    "gde ovde onde negde vreme dete deteta deca dece mesto mesta mestu svet sveta svetu "
    "svetski reč reči lep lepa lepo lepe mleko reka reke uvek pre pesma pesme telo tela leto leta vera cena cene "
    "belo beli bela bele devojka nedelja nedelje primer primera razumeti videti hteo hteli umetnost umetnosti "
    "istorija istorije opština opštine saradnja bezbednost obaveštenje sedište sedišta vek veka veku sledeći "
    "sledeće poslednji".split()
)
IJEKAVIAN_WORDS: Final = frozenset(
    "gdje ovdje ondje negdje svugdje vrijeme dijete djeteta djeca djece mjesto mjesta mjestu svijet "
    "svijeta svijetu svjetski riječ riječi lijep lijepa lijepo lijepe mlijeko rijeka rijeke uvijek prije pjesma "
    "pjesme tijelo tijela ljeto ljeta vjera cijena cijene bijelo bijeli bijela bijele djevojka nedjelja nedjelje "
    "primjer primjera razumjeti vidjeti htio htjeli umjetnost umjetnosti sjedište sjedišta vijek vijeka "
    "vijeku sljedeći sljedeće posljednji".split()
)
# Bosnian standard against Croatian (Bosnian keeps h: lahko, mehko; Ottoman-era words; shares ko/šta with Serbian)
BOSNIAN_WORDS: Final = frozenset(
    "historija historije historiji hiljada hiljade sedmica sedmice sedmici lahko mehko kahva hudovica "
    "univerzitet univerziteta porodica porodice ko šta".split()
)
CROATIAN_ONLY_WORDS: Final = frozenset(
    "tko netko nitko tisuća tisuće tjedan tjedna povijest povijesti obitelj obitelji znanost znanosti "
    "sveučilište kazalište glazba glazbe siječnja veljače ožujka travnja svibnja lipnja srpnja kolovoza rujna "
    "listopada studenoga prosinca zrakoplov vlak kruh tvrtka tvrtke".split()
)


@lru_cache(maxsize=1)
def _hbs_detector():  # -> lingua.LanguageDetector over hr, bs, sr (compiled extension, untyped)
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(Language.CROATIAN, Language.BOSNIAN, Language.SERBIAN)
        .with_low_accuracy_mode()
        .build()
    )


def lingua_hbs(flat: str) -> dict[str, float]:
    """lingua's confidence for hr, bs, sr on `flat` (low-accuracy mode: trigrams), summing to 1 or all 0."""
    detector = _hbs_detector()
    try:
        values = detector.compute_language_confidence_values(flat)
    except UnicodeEncodeError:
        values = detector.compute_language_confidence_values(flat.encode("utf-8", "replace").decode("utf-8"))
    code = {"CROATIAN": "hr", "BOSNIAN": "bs", "SERBIAN": "sr"}
    return {code[v.language.name]: float(v.value) for v in values}


def split_hbs(flat: str, word_weight: float, prior_hr: float = 1.0) -> dict[str, float]:
    """{hr, bs, sr: probability} of a Latin-script text in the Croatian-Bosnian-Serbian group.

    lingua's view times exp(`word_weight` x tells) per language: Croatian words (minus Bosnian/Serbian ones) for
    hr; ekavian forms for sr against ijekavian ones for hr and bs; Bosnian words (ko, šta, hiljada, historija...)
    for bs against Croatian-only words. `prior_hr` multiplies Croatian (short texts, where lingua leans Bosnian).
    """
    tokens = words(flat)
    present = set(tokens)
    ekavian = sum(t in EKAVIAN_WORDS for t in tokens)
    ijekavian = sum(t in IJEKAVIAN_WORDS for t in tokens)
    bosnian = len(present & BOSNIAN_WORDS)
    croatian = len(present & CROATIAN_ONLY_WORDS)
    lingua = lingua_hbs(flat) or dict.fromkeys(HBS, 1 / 3)
    tells = {
        "hr": croatian_balance(tokens) + ijekavian - ekavian,
        "bs": bosnian - croatian + ijekavian - ekavian,
        "sr": ekavian - ijekavian + min(bosnian, 1) - croatian,
    }
    weighted = {
        lang: (lingua.get(lang, 0.0) + 0.01)
        * (prior_hr if lang == "hr" else 1.0)
        * math.exp(word_weight * max(-6, min(6, tells[lang])))
        for lang in HBS
    }
    total = sum(weighted.values())
    return {lang: w / total for lang, w in weighted.items()}
