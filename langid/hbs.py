"""Croatian, Bosnian or Serbian (Latin): splitting what heliport and lid.176 read as one language (`hbs`).

Owns the splitter: the standard-vocabulary tells (Croatian tko/tisuća/tjedan against ko/hiljada/sedmica), the
reflex of old ě (ijekavian rijeka/vrijeme in Croatian and Bosnian, ekavian reka/vreme in Serbian), and lingua
restricted to these three languages in low-accuracy mode (trigram models only: ~10 MB, loaded on the first call,
not 1 GB for all of Europe). Whether a text belongs to the group is `langid.identifier`'s decision.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Final

from eurocurate.langid.orthography import words

HBS: Final = ("hr", "bs", "sr")
LINGUA_CHARS: Final = 2000  # lingua reads at most the 2,000 characters Croatian-like pages get (`always_ask_chars`)

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

    lingua's view times exp(`word_weight` x tells) per language: Croatian-only words (tko, tisuća, postavke,
    preglednik...) against words Bosnian and Serbian share (ko, hiljada, podešavanja, pretraživač...); ekavian
    forms for sr against ijekavian ones for hr and bs; Bosnian-only words (historija, sedmica...) against Serbian.
    `prior_hr` multiplies Croatian (short texts, where lingua leans Bosnian).
    """
    tokens = words(flat)
    present = set(tokens)
    ekavian = sum(t in EKAVIAN_WORDS for t in tokens)
    ijekavian = sum(t in IJEKAVIAN_WORDS for t in tokens)
    shared = len(present & BOSNIAN_SERBIAN_ONLY | set(_BOSNIAN_SERBIAN_STEM.findall(flat.lower())))
    bosnian = len(present & BOSNIAN_WORDS)
    croatian = len(present & CROATIAN_ONLY_WORDS | set(_CROATIAN_STEM.findall(flat.lower())))
    tells = {
        "hr": croatian - shared + ijekavian - ekavian,
        "bs": bosnian + shared - croatian + ijekavian - ekavian,
        "sr": ekavian - ijekavian + shared - croatian - bosnian,
    }
    # lingua moves a language's weight by at most (1 + 0.01) / 0.01 = 101x, the prior by `prior_hr`: when the tells
    # put one language further ahead than that, lingua cannot change the winner and is not asked (4 in 10 of the
    # Croatian-like pages of eu24-dev; lingua was 11% of language ID's CPU)
    first, second = sorted((max(-6, min(6, t)) for t in tells.values()), reverse=True)[:2]
    if math.exp(word_weight * (first - second)) > 101 * max(prior_hr, 1 / prior_hr):
        lingua = dict.fromkeys(HBS, 1 / 3)
    else:
        lingua = lingua_hbs(flat[:LINGUA_CHARS]) or dict.fromkeys(HBS, 1 / 3)
    weighted = {
        lang: (lingua.get(lang, 0.0) + 0.01)
        * (prior_hr if lang == "hr" else 1.0)
        * math.exp(word_weight * max(-6, min(6, tells[lang])))
        for lang in HBS
    }
    total = sum(weighted.values())
    return {lang: w / total for lang, w in weighted.items()}
