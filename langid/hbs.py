"""Croatian, Bosnian or Serbian (Latin): splitting what heliport and lid.176 read as one language (`hbs`).

Owns the splitter: a naive Bayes classifier over character n-grams and words (`langid/models/hbs.npz`, ~1.5 MB,
memory-mapped on the first Croatian-like text; trained by `tools/train_hbs.py` on the long-tail set's dev part,
which also derives its calibration), optionally weighed with the standard-vocabulary tells (Croatian
tko/tisuća/tjedan against ko/hiljada/sedmica, and the derived Bosnian/Serbian word list `models/hbs_words.txt`) and
the reflex of old ě (ijekavian rijeka/vrijeme in Croatian and Bosnian, ekavian reka/vreme in Serbian). Whether a
text belongs to the group is `langid.identifier`'s decision.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np

from eurocurate.langid.ngram_model import NgramModel, load_model
from eurocurate.langid.orthography import words

HBS_MODEL_PATH: Final = Path(__file__).resolve().parent / "models" / "hbs.npz"
# Bosnian/Serbian words that Croatian text and the Croatian hunspell dictionary lack (tačka, prevod, generisanog),
# derived by `tools/train_hbs.py --sources` from LibreOffice/Thunderbird catalogues and hunspell dictionaries
HBS_WORDS_PATH: Final = HBS_MODEL_PATH.with_name("hbs_words.txt")
MODEL_CHARS: Final = (
    2000  # the classifier reads at most the 2,000 characters Croatian-like pages get (`always_ask_chars`)
)
HBS: Final = ("hr", "bs", "sr")
# what `tools/train_hbs.py` derives and stores in the model file
CALIBRATION: Final = (
    *("temperature", "short_log_odds", "long_log_odds", "short_chars", "long_chars", "tell_weight", "lingua_weight"),
)

# Serbian (ekavian) forms whose Croatian/Bosnian (ijekavian) counterparts differ: reka/rijeka, vreme/vrijeme...
EKAVIAN_WORDS: Final = frozenset(
    "gde ovde onde negde vreme dete deteta deca dece mesto mesta mestu svet sveta svetu "
    "svetski reč reči lep lepa lepo lepe mleko reka reke uvek pre pesma pesme telo tela leto leta vera cena cene "
    "belo beli bela bele devojka nedelja nedelje primer primera primeri razumeti videti hteo hteli umetnost "
    "umetnosti istorija istorije opština opštine saradnja bezbednost bezbednosti bezbedno bezbednosnih obaveštenje "
    "obaveštenja sedište sedišta vek veka veku sledeći sledeću sledeće sledećih poslednji poslednja proverite "
    "proveri provera proveru proverom verovatno izmenite izmeni izmena izmene izmenu promena promene promenu "
    "promeni promenite promenili uneli uneti obeležite obeleži obeležili obeležen rešenje rešenja rešiti reši "
    "želeli videli smeju deo delovi delova celu celoj celi mere meri mera tekući preneti prenet pretnje".split()
)
IJEKAVIAN_WORDS: Final = frozenset(
    "gdje ovdje ondje negdje svugdje vrijeme dijete djeteta djeca djece mjesto mjesta mjestu svijet "
    "svijeta svijetu svjetski riječ riječi lijep lijepa lijepo lijepe mlijeko rijeka rijeke uvijek prije pjesma "
    "pjesme tijelo tijela ljeto ljeta vjera cijena cijene bijelo bijeli bijela bijele djevojka nedjelja nedjelje "
    "primjer primjera primjeri razumjeti vidjeti htio htjeli umjetnost umjetnosti sjedište sjedišta vijek vijeka "
    "vijeku sljedeći sljedeću sljedeće sljedećih posljednji posljednja provjerite provjeri provjera provjeru "
    "vjerovatno vjerojatno izmijenite izmijeni izmjena izmjene izmjenu promjena promjene promjenu promijeni "
    "promijenite unijeli unijeti obilježite obilježi obilježili rješenje rješenja riješiti dio dijelovi dijelova "
    "cijelu cijeloj cijeli mjere mjera prenijeti".split()
)
# Bosnian and Serbian against Croatian: standard vocabulary, and the loanwords Croatian replaces (podešavanja,
# fascikla, sajt, tab, ekstenzija, virtuelni against postavke, mapa, stranica, kartica, proširenje, popis,
# virtualni); the long-tail dev set's software catalogues added the last of them; lista, trenutno, dozvola and
# kvalitet were left out, Croatian pages of eu24-dev use them)
BOSNIAN_SERBIAN_ONLY: Final = frozenset(
    "ko neko niko šta hiljada hiljade porodica porodice nauka nauke hemija fudbal tačno tačka uticaj muzika "
    "pozorište univerzitet univerziteta januar januara februar februara mart marta april aprila jun juna jul jula "
    "avgust avgusta august augusta septembar septembra oktobar oktobra novembar novembra decembar decembra voz "
    "firma ponovo takođe podešavanja podešavanje podešavanjima podešavanju fascikla fasciklu fascikle fascikli "
    "folder foldera nalog naloga nalogu sajt sajta sajtu sajtove sajtovi sajtova pretraživač pretraživača "
    "pretraživaču meni menija fajl fajla fajlove fajlova računar računara kompjuter tab taba tabove tabova "
    "tabovima ekstenzija ekstenzije ekstenziju ekstenzijama obavještenja obavještenje obaveštenja obaveštenje "
    "virtuelne virtuelni virtuelna šifrovanje šifrovanja".split()
)
BOSNIAN_WORDS: Final = frozenset(
    "historija historije historiji sedmica sedmice sedmici lahko mehko kahva hudovica hljeb općina općine".split()
)
CROATIAN_ONLY_WORDS: Final = frozenset(
    "tko netko nitko tisuća tisuće tjedan tjedna povijest povijesti obitelj obitelji znanost znanosti "
    "sveučilište kazalište glazba glazbe siječnja veljače ožujka travnja svibnja lipnja srpnja kolovoza rujna "
    "listopada studenoga prosinca zrakoplov vlak kruh tvrtka tvrtke postavke postavki postavka mapa mapu mape "
    "mapi preglednik preglednika pregledniku izbornik izbornika izborniku datoteka datoteke datoteku datoteci "
    "zaporka zaporku računalo računala računalu popis popisa popisu kartica kartice kartici karticu "
    "proširenja proširenje proširenjima trenutačno tijekom dopustiti dopusti obavijest obavijesti virtualne "
    "virtualni virtualna kvaliteta tražilica tražilice tražilicu šifriranja šifriranje".split()
)


# Stems whose every inflection tells (trenutačni, trenutačnog...): Croatian against Bosnian/Serbian word formation
# (šifrirati/šifrovati, primatelj/primalac) and the loanwords Croatian replaces.
CROATIAN_STEMS: Final = (
    "trenutačn",
    "tjedn",
    "tisuć",
    "povijes",
    "obitelj",
    "znanost",
    "sveučiliš",
    "kazališ",
    "glazb",
    "zrakoplov",
    "tvrtk",
    "postavk",
    "preglednik",
    "izbornik",
    "datotek",
    "zapork",
    "računal",
    "kartic",
    "proširenj",
    "šifrir",
    "dešifrir",
    "primatelj",
    "pošiljatelj",
    "korisničk",
)
BOSNIAN_SERBIAN_STEMS: Final = (
    "šifrova",
    "dešifrova",
    "podešavanj",
    "fascikl",
    "sajt",
    "pretraživač",
    "ekstenzij",
    "virtueln",
    "primala",
    "pošiljala",
    "obavješten",
    "obavešten",
    "hiljad",
    "porodic",
    "univerzitet",
    "računar",
)
_CROATIAN_STEM = re.compile(r"\b(?:" + "|".join(CROATIAN_STEMS) + r")\w*", re.IGNORECASE)
_BOSNIAN_SERBIAN_STEM = re.compile(r"\b(?:" + "|".join(BOSNIAN_SERBIAN_STEMS) + r")\w*", re.IGNORECASE)
_RUN = re.compile(r"\w+")
# Lower-case letters that the stems' IGNORECASE regexes equate with a stem's letter (dotless i with i, long s with
# s): only a lower-cased text holding one needs the regexes; checked over all of Unicode by tests/langid/test_hbs.py
STEM_CASE_FOLDS: Final = "ıſ"


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


def hbs_evidence(
    flat: str, tell_weight: float, lingua_weight: float, croatian_handicap: float = 0.0
) -> dict[str, float]:
    """{hr, bs, sr: log-evidence} of the first `MODEL_CHARS` of `flat`: the classifier's scores times its calibrated
    temperature, plus `tell_weight` x the vocabulary tells (clipped to ±6), plus `lingua_weight` x the log of
    lingua's confidence (+0.01), minus `croatian_handicap` for Croatian. Only differences mean anything.

    lingua moves a language by at most `lingua_weight` x log(1.01 / 0.01) against another: when the leader is
    further ahead than that, lingua cannot change the winner and is not asked (it was a third of the split's CPU;
    the probabilities then differ a little from lingua's, the label does not).
    """
    model = hbs_model()
    text = flat[:MODEL_CHARS]
    z = model.log_scores(text).astype(np.float64) * model.calibration["temperature"]
    evidence = dict(zip(model.labels, z.tolist()))
    evidence["hr"] -= croatian_handicap
    if tell_weight:
        for lang, n in hbs_tells(text).items():
            evidence[lang] += tell_weight * max(-6, min(6, n))
    first, second = sorted(evidence.values(), reverse=True)[:2]
    if lingua_weight and first - second <= lingua_weight * _LINGUA_SPAN:
        LINGUA_CALLS[0] += 1
        lingua = lingua_hbs(text) or dict.fromkeys(HBS, 1 / 3)
        for lang in HBS:
            evidence[lang] += lingua_weight * math.log(lingua.get(lang, 0.0) + 0.01)
    return evidence


_LINGUA_SPAN: Final = math.log(1.01 / 0.01)
# lingua calls of the splits in this process (the language_id stage adds them to its `lingua_asked` stat)
LINGUA_CALLS: list[int] = [0]


@lru_cache(maxsize=1)
def hbs_model() -> NgramModel:
    """The packaged classifier (loaded once per process; its weight table is memory-mapped, shared between workers)."""
    model = load_model(HBS_MODEL_PATH)
    if set(model.labels) != set(HBS) or not set(CALIBRATION) <= set(model.calibration):
        raise ValueError(f"{HBS_MODEL_PATH} is not a Croatian/Bosnian/Serbian model (labels {model.labels})")
    return model


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """The packaged Bosnian/Serbian word list (`HBS_WORDS_PATH`; lines starting with # are comments)."""
    try:
        lines = HBS_WORDS_PATH.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise FileNotFoundError(f"{HBS_WORDS_PATH} is missing: it ships with the package (tools/train_hbs.py)") from e
    return frozenset(line for line in lines if line and not line.startswith("#"))


def hbs_tells(flat: str, bosnian_serbian_words: frozenset[str] | None = None) -> dict[str, int]:
    """{hr, bs, sr: vocabulary tells}: Croatian-only words (tko, tisuća, postavke, preglednik...) against words
    Bosnian and Serbian share (ko, hiljada, podešavanja, pretraživač..., and `bosnian_serbian_words`, by default the
    packaged `dictionary_words`); ekavian forms for sr against ijekavian ones for hr and bs; Bosnian-only words
    (historija, sedmica...) against Serbian."""
    tokens = words(flat)
    present = set(tokens)
    listed = dictionary_words() if bosnian_serbian_words is None else bosnian_serbian_words
    ekavian = sum(map(EKAVIAN_WORDS.__contains__, tokens))
    ijekavian = sum(map(IJEKAVIAN_WORDS.__contains__, tokens))
    croatian_stems, shared_stems = stem_words(flat.lower())
    shared = len(present & BOSNIAN_SERBIAN_ONLY | present & listed | shared_stems)
    bosnian = len(present & BOSNIAN_WORDS)
    croatian = len(present & CROATIAN_ONLY_WORDS | croatian_stems)
    return {
        "hr": croatian - shared + ijekavian - ekavian,
        "bs": bosnian + shared - croatian + ijekavian - ekavian,
        "sr": ekavian - ijekavian + shared - croatian - bosnian,
    }


def stem_words(lower: str) -> tuple[set[str], set[str]]:
    """The distinct words of a lower-cased text that start with a `CROATIAN_STEMS` stem, and those that start with a
    `BOSNIAN_SERBIAN_STEMS` one: what `\\b(?:stem|...)\\w*` finds (a match starts a run of \\w and takes all of
    it), ~2x faster than the regexes on a page as prefix tests of its distinct runs."""
    if any(c in lower for c in STEM_CASE_FOLDS):
        return set(_CROATIAN_STEM.findall(lower)), set(_BOSNIAN_SERBIAN_STEM.findall(lower))
    runs = set(_RUN.findall(lower))
    return {r for r in runs if r.startswith(CROATIAN_STEMS)}, {r for r in runs if r.startswith(BOSNIAN_SERBIAN_STEMS)}


def croatian_log_odds_needed(chars: int, calibration: Mapping[str, float]) -> float:
    """The log-odds over the likelier of Bosnian and Serbian a text of `chars` characters needs to be Croatian: the
    calibration's paragraph value up to `short_chars`, its page value from `long_chars`, linear in between."""
    short, long = calibration["short_log_odds"], calibration["long_log_odds"]
    lo, hi = calibration["short_chars"], calibration["long_chars"]
    if chars <= lo or hi <= lo:
        return short
    if chars >= hi:
        return long
    return short + (long - short) * (chars - lo) / (hi - lo)


def split_hbs(flat: str, croatian_log_odds: float | None = None, tell_weight: float | None = None) -> dict[str, float]:
    """{hr, bs, sr: probability} of a Latin-script text in the Croatian-Bosnian-Serbian group.

    `hbs_evidence` with Croatian lowered by the log-odds a text needs to be called Croatian (`croatian_log_odds`;
    default: `croatian_log_odds_needed` for the text's length). Croatian wins exactly when it leads the likelier
    of Bosnian and Serbian by that much. `tell_weight` defaults to the model's calibration, as lingua's weight does.
    """
    text = flat[:MODEL_CHARS]
    found = hbs_model().remember(
        ("split", text, croatian_log_odds, tell_weight),
        lambda: _split(text, croatian_log_odds, tell_weight),
        CACHED_SPLITS,
    )
    return dict(found)


# splits the model keeps (a text read again, a document read again, is not split again: the same answer; a split
# costs ~0.5 ms, a lookup ~1 µs): texts of at most `MODEL_CHARS` characters, 4-8 MB at most (2 or 4 bytes a character)
CACHED_SPLITS: Final = 1024


def _split(text: str, croatian_log_odds: float | None, tell_weight: float | None) -> dict[str, float]:
    cal = hbs_model().calibration
    needed = croatian_log_odds_needed(len(text), cal) if croatian_log_odds is None else croatian_log_odds
    weight = cal["tell_weight"] if tell_weight is None else tell_weight
    evidence = hbs_evidence(text, weight, cal["lingua_weight"], croatian_handicap=needed)
    top = max(evidence.values())
    weights = {lang: math.exp(v - top) for lang, v in evidence.items()}
    total = sum(weights.values())
    return {lang: weights[lang] / total for lang in HBS}
