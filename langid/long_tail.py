"""Europe's languages beyond the EU-24: heliport's reading of a text, and the veto that keeps them out of EU-24.

Owns the one heliport identifier of a process (HPLT's HeLI-OTS port, ~220 languages, model inside the wheel,
loaded once and shared by every task of the worker), turning its raw scores into probabilities over a set of
languages, the spelling tells of the languages no bundled model knows (`LONG_TAIL_MARKERS`), and the veto: an
EU-24 label is replaced by a European non-EU-24 language when heliport (or the spelling) is confident of it.
When the identifier asks is `langid.identifier`'s decision; Croatian/Bosnian/Serbian is `langid.hbs`.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from eurocurate.langid.languages import iso639_3_code, iso639_language
from eurocurate.langid.orthography import words
from eurocurate.langid.regional import regional_glance, regional_knows, regional_veto
from eurocurate.schema import EU24

log = logging.getLogger(__name__)
_EU24 = frozenset(EU24)
VETO_HELIPORT_CHARS: Final = 250  # heliport reads this much of a text for the veto (its cost grows with the text)

# European languages that are not official EU languages, by the code used here: the regional and minority
# languages of the EU, the languages of Europe outside it, and the look-alikes of the EU-24. A confident reading
# as one of these vetoes an EU-24 label.
EUROPEAN_NON_EU24: Final = frozenset(
    # regional and minority languages (heliport, lid.176 or the spelling tells know them)
    "co fur wa rm hsb dsb sc ast gv oc lb br nds li fy gd vec nap scn lij lmo an ext mwl csb szl rue rom yi eo "
    "pms eml lad kw frr stq gsw bar ksh pfl vls sgs liv vot izh olo se sma smj smn sms sju sjd "
    "lld rgn frp pcd sco rup cnr wae "
    # constructed languages written in Europe
    "ia io ie vo "
    # Croatian's and Bosnian's neighbours, and the look-alikes of the EU-24 outside the EU
    "bs sr hbs ca eu gl nb nn is fo mk ru uk be cy sq la".split()
)


# Spelling tells of languages that heliport does not know and lid.176 knows badly or not at all: letters that
# their standard orthography writes and the EU neighbour never does, and frequent words the neighbour lacks.
# Silesian (Ślabikŏrz ŏ ō õ; Polish has none), Kashubian (ë ò ù), Friulian (circumflexes, cj gj), Ligurian (æ,
# l'é), Aragonese (-au participles), Asturian (-u endings), Romani, Scots, Aromanian (words), Ladino (k-spelling:
# kon, kada, komo). Lower/Upper Sorbian: `sorbian_tell`. The marker words are function words and frequent forms
# (the long-tail dev set's paragraphs, against those of the neighbours, chose among them).
@dataclass(frozen=True, slots=True)
class SpellingTell:
    letters: re.Pattern[str] | None
    markers: frozenset[str]
    neighbours: frozenset[str]  # the EU-24 languages the models read it as
    letters_alone: int = 0  # this many of `letters` are enough by themselves (0: never)
    words_alone: int = 0  # this many distinct `markers` are enough by themselves (0: the global `min_hits` + 1)
    sum_alone: int = 0  # this many distinct markers and letters together, one marker at least, are enough (0: never)


LONG_TAIL_MARKERS: Final[dict[str, SpellingTell]] = {
    "szl": SpellingTell(
        re.compile(r"[ŏŎōŌõÕ]"),
        frozenset(
            "niy ôd ôna ôn bōł jŏ mŏ tyż dŏ sōm nōm wōm przi coby możno bydzie tymu twojich twojigo dostymp "
            "przizwolić zainsztalować".split()
        ),
        frozenset({"pl"}),
        letters_alone=1,
        words_alone=2,
    ),
    "csb": SpellingTell(
        re.compile(r"[ëËòÒùÙ]"),
        frozenset("të mô òd òb bëło bëc bëlë zôs jaczi jaczé wszëtczé kaszëbsczi kaszëbsczé pòmòrsczi òstôł".split()),
        frozenset({"pl"}),
        letters_alone=2,
    ),
    "fur": SpellingTell(
        # words ending in a circumflex vowel (capitât, instalâ, vê, erôr...) and cj/gj; Romanian writes â and î
        # inside words, French -ût/-êt/-ît (goût, prêt, plaît), hence no French neighbour for the letters alone
        re.compile(r"\w[âêô]\b|\w[âêîôû](?:t|ts|l|ls|r|s)\b|\b[cg]j", re.IGNORECASE),
        frozenset(
            "ancje cun jo dut vuê chest cheste achì nol ju fâ plui cjase ducj jessi cussì nestri lis chel chê cul "
            "cuant parcè dome tiei".split()
        ),
        frozenset({"it", "ro", "es"}),  # not pt (ç ê ô: eu24-dev pages fell for it), not fr (prêt, goût)
        sum_alone=2,
        letters_alone=3,  # Romanian atât ... cât has two
    ),
    "lij": SpellingTell(
        re.compile(r"[æÆ]|\b(?:l|ch|gh)['’][éàoa]\b"),
        frozenset("l'é l'à ch'o gh'é ciù sciô mæ inte inti into inta quande atri quarche ascì".split()),
        frozenset({"it", "fr", "pt", "es"}),
        sum_alone=2,
    ),
    "an": SpellingTell(
        # participles in -au, -iu (certificau, denegau, ocurriu); d' and l' before a vowel (d'actualización,
        # l'uso), which Spanish and Portuguese never write; "u" for "or" before a word that does not start with o
        # (activar u desactivar; Spanish writes "u" only before o-). Long-tail dev set: the Aragonese tell fires on
        # 58% of Aragonese paragraphs (42% before) and on none of 1,712 Spanish and 1,634 Portuguese ones.
        re.compile(r"\b\w{3,}(?:au|iu)\b|\b[dlDL]['’](?=[aeiouáéíóúhAEIOUÁÉÍÓÚH])|\b[uU]\s+(?![oóOÓ]|[hH][oó])\w"),
        frozenset(
            "ye d'o d'a d'os d'as iste ista istos istas l'atro totz nomás ta talment calga lo dende garra pachina "
            "pachinas bell bella bellas belatro belatra yera".split()
        ),
        frozenset({"es", "pt"}),
        sum_alone=2,
    ),
    "ast": SpellingTell(
        re.compile(r"\b\w{3,}(?:iu|íu|su|ru|chu|llu|tu|du|nu|xu)\b"),  # sitiu, permisu, ficheru, drechu, fallu
        frozenset("esti ye pue nel tien tolos toles toa tamién equí mentanto darréu dalgunos nun".split()),
        frozenset({"es", "pt"}),
        sum_alone=2,
    ),
    "rom": SpellingTell(
        None,
        frozenset(
            "thaj ando ande anda andre sas manuš manušen manušes romane rromane rroma romano khere phenel dživel "
            "akana čačipe čačipa čačipen leskoro leskere lesqe bašo vaśa jekh jekhutno isi lengoro hakaj "
            "barabaripen sakone sarkas kheren".split()
        ),
        frozenset({"sk", "cs", "hu", "ro", "sl", "hr", "pl"}),
        words_alone=2,
    ),
    "sco": SpellingTell(
        None,
        frozenset(
            "anely cannae dinnae isnae wisnae hasnae willnae wullnae disnae couldnae tae fae frae wi yer ye're ony hae "
            "whit whaur mair sae nae airt yaise yaised yaiser yaisers wabsite wabsites settins ither oot aboot noo "
            "hame o fur micht anither richt richts mak makkit acause alloo gie wis hes siccar".split()
        ),
        frozenset({"en"}),
        words_alone=2,
    ),
    "li": SpellingTell(
        re.compile(r"[èöóò]"),
        frozenset(
            "waere weurt veur moot neet waor nao baove kèn zeen gebroek woemit bie hujige liene geuf det".split()
        ),
        frozenset({"nl", "de"}),
        sum_alone=2,
    ),
    "rup": SpellingTell(
        None,
        frozenset("shi tsi cafi cari elji ljei lji suntu tut unlui easti ditu dit vârnu iu cum".split()),
        frozenset({"ro"}),
        words_alone=2,
    ),
    "lad": SpellingTell(
        re.compile(r"\bk[aeiou]", re.IGNORECASE),
        frozenset("i kon kada komo ke kuando djente ansina kualo kualkera sigun syendo derecho derechos".split()),
        frozenset({"es", "pt"}),
    ),
}
_SORBIAN_POLISH = re.compile(r"[łŁśŚźŹ]")  # Polish letters Czech and Slovak lack (ć is Croatian too)
_SORBIAN_CZECH = re.compile(r"[ěĚšŠčČžŽřŘ]")  # Czech letters Polish lacks
_LOWER_SORBIAN = re.compile(r"[śŚźŹŕŔ]")  # Upper Sorbian writes none of these


def sorbian_tell(flat: str) -> str | None:
    """`dsb` or `hsb` when `flat` mixes letters of Polish and of Czech (ł ś ź with ě š č ž ř), as only Sorbian
    does among the languages read as Polish or Czech: on the long-tail dev set 89% of Lower and 87% of Upper
    Sorbian paragraphs, no Polish, Czech, Slovak or Slovenian one."""
    polish = len(_SORBIAN_POLISH.findall(flat))
    if not polish:
        return None
    czech = len(_SORBIAN_CZECH.findall(flat))
    if not czech or polish + czech < 3:
        return None
    return "dsb" if _LOWER_SORBIAN.search(flat) else "hsb"


_SORBIAN_NEIGHBOURS: Final = frozenset({"pl", "cs", "sk", "sl", "hr"})  # sl, hr: no ł ś ź either

# Regional languages lid.176 can name and heliport cannot, by the EU-24 language they pass for: where fastText
# names one of them beside that language, its name is taken (Croatian's neighbours are `langid.hbs`'s).
FASTTEXT_NAMES: Final[dict[str, frozenset[str]]] = {
    lang: frozenset(codes.split())
    for lang, codes in {
        "es": "an ast ext mwl lad", "pt": "mwl ext ast", "it": "vec nap lij lmo eml scn pms fur lld rgn",
        "fr": "frp pcd", "nl": "li nds", "de": "nds gsw bar ksh pfl frr stq", "en": "sco", "pl": "szl csb dsb rue",
        "cs": "dsb szl", "sk": "rue szl", "ro": "rup",
    }.items()
}  # fmt: skip


HELIPORT_MISSING: Final = (
    "second_opinion_model: heliport needs the heliport package (GPL-3.0, so not installed with eurocurate): "
    "pip install 'eurocurate[heliport]' (in a checkout: pip install '.[heliport]'), or set second_opinion_model: "
    "lingua (no long-tail veto; docs/langid.md)"
)


def require_heliport() -> None:
    """Raise the one-line answer when heliport cannot be imported (checked when a stage is built, before a run)."""
    try:
        import heliport  # noqa: F401
    except ImportError as e:
        raise ValueError(HELIPORT_MISSING) from e


@lru_cache(maxsize=1)
def shared_heliport():  # -> MappedHeliport, or heliport.Identifier when its tables cannot be built
    """The process's heliport: its model as memory-mapped tables (`langid.heliport_tables`: built once per node from
    the installed package, ~131 MB of page cache shared by every worker of the node, the same labels and scores as
    heliport's own binding), opened on the first call and shared by every caller in the process. When the tables
    cannot be built (a heliport whose model format this eurocurate does not know), heliport's own binding, with a
    warning: it decodes the whole model into each process (~840 MB resident)."""
    require_heliport()
    from eurocurate.langid.heliport_tables import HeliportTablesError, shared_tables

    try:
        return shared_tables()
    except HeliportTablesError as e:
        log.warning("heliport tables unavailable (%s); loading heliport's own model (~840 MB in this process)", e)
        import heliport

        return heliport.Identifier()


def heliport_code(label: str) -> str:
    return iso639_3_code(label)  # `hbs` stays: heliport merges Croatian, Bosnian and Serbian (`langid.hbs` splits it)


def heliport_scores(flat: str, k: int = 8) -> dict[str, float]:
    """heliport's top `k` {code: raw score} for a one-line text; lower is better (mean -log10 probability per
    word), and a margin of 0.3 on a 15-word paragraph is heliport sure of itself."""
    try:
        ranked = shared_heliport().identify_topk_with_score(flat, k)
    except UnicodeEncodeError:
        ranked = shared_heliport().identify_topk_with_score(flat.encode("utf-8", "replace").decode("utf-8"), k)
    return {heliport_code(lab): float(s) for lab, s in ranked if lab not in ("und", "zxx")}


def heliport_probabilities(
    raw: dict[str, float], codes: tuple[str, ...] | frozenset[str], sharpness: float
) -> dict[str, float]:
    """{code: probability} over `codes` from heliport's raw scores: exp(-sharpness * (score - best)), normalised.
    A code out of heliport's top `k` gets the worst score seen plus one (a language heliport ranks that low has
    no chance)."""
    if not raw:
        return dict.fromkeys(codes, 1.0 / len(codes)) if codes else {}
    best = min(raw.values())
    floor = max(raw.values()) + 1.0
    weights = {c: math.exp(-sharpness * (raw.get(c, floor) - best)) for c in codes}
    total = sum(weights.values())
    return {c: w / total for c, w in weights.items()}


def spelling_tell(tokens: list[str], flat: str, min_hits: int, eu_lang: str | None = None) -> str | None:
    """The language of `LONG_TAIL_MARKERS` whose spelling `flat` shows (read as `eu_lang`, one of its neighbours,
    when given): two distinct marker words and two of its letters, or its `letters_alone` letters, or its
    `words_alone` (else `min_hits` + 1) distinct marker words, or `sum_alone` of both together. None when no
    language's evidence is enough (long-tail dev set: no Spanish, Portuguese, Galician or Italian paragraph has
    the Aragonese or Asturian `sum_alone` of 2)."""
    present = set(tokens)
    best, best_evidence = None, 0
    for lang, tell in LONG_TAIL_MARKERS.items():
        if eu_lang is not None and eu_lang not in tell.neighbours:
            continue
        hits = len(present & tell.markers)
        if not hits and not tell.letters_alone:
            continue  # every other rule needs a marker word: no letters to count
        letters = len(tell.letters.findall(flat)) if tell.letters is not None else 0
        enough = (
            (hits >= 2 and letters >= 2)
            or (tell.letters_alone and letters >= tell.letters_alone)
            or hits >= (tell.words_alone or min_hits + 1)
            or (tell.sum_alone and hits >= 1 and hits + letters >= tell.sum_alone)
        )
        if enough and hits + letters > best_evidence:
            best, best_evidence = lang, hits + letters
    if best is None and (eu_lang is None or eu_lang in _SORBIAN_NEIGHBOURS):
        return sorbian_tell(flat)
    return best


@dataclass(frozen=True, slots=True)
class Veto:
    """A European non-EU-24 language read where the identifier said an EU-24 one: `lang`, its `score`, and which
    evidence decided (`veto:spelling`, `veto:heliport`, `veto:fasttext`)."""

    lang: str
    score: float
    path: str


def heliport_best(flat: str) -> tuple[str, float]:
    """heliport's label of a one-line text and its lead in raw score over the runner-up (other than the label's own
    merged variants); `und` when the lead is below heliport's own threshold for that language."""
    try:
        label, lead = shared_heliport().identify_with_score(flat)
    except UnicodeEncodeError:
        label, lead = shared_heliport().identify_with_score(flat.encode("utf-8", "replace").decode("utf-8"))
    return heliport_code(label), float(lead)


def worth_asking(ft: dict[str, float], eu_lang: str, gate_score: float, rival_score: float) -> bool:
    """Whether fastText's view leaves room for a non-EU-24 language: it is less sure of `eu_lang` than `gate_score`,
    or a European non-EU-24 language holds at least `rival_score` of its top five (no view: always)."""
    if not ft or ft.get(eu_lang, 0.0) < gate_score:
        return True
    return any(q >= rival_score for code, q in ft.items() if code in EUROPEAN_NON_EU24)


def long_tail_veto(
    flat: str,
    eu_lang: str,
    ft: dict[str, float],
    *,
    margins: dict[str, float],
    default_margin: float,
    gate_score: float,
    rival_score: float,
    fasttext_score: float,
    min_hits: int,
    ask_heliport: bool = True,
    regional: bool = True,
    regional_min_lead: float | None = None,
    regional_model_path: str | None = None,
    glance_chars: int = 60,
    glance_lead: float | None = None,
    rivals: Mapping[str, float] | None = None,
    counts: Counter[str] | None = None,
) -> Veto | None:
    """Whether `flat`, labelled `eu_lang` (EU-24), is in a European language outside the EU-24 instead.

    Only where fastText's view `ft` leaves room for it (`worth_asking`): the spelling tells of `LONG_TAIL_MARKERS`
    first (languages no bundled model knows); then, with `regional`, `langid.regional`'s classifier (trained on
    Europe's regional languages and their EU-24 neighbours), whose non-EU-24 language must lead the likeliest EU-24
    one by `regional_min_lead` (None: the value derived with the model; `regional_model_path`: the model, None the
    packaged one); then heliport, whose label must be such a
    language with a lead over its runner-up of at least the language's margin (`margins`, else `default_margin`, in
    heliport's raw-score units).
    A language heliport does not know but fastText put in its top five is named for it (`_named_by_fasttext`); when
    heliport reads the EU language itself, such a language with `fasttext_score` of fastText's view still vetoes.
    `ask_heliport` False: the spelling tells only (Croatian: heliport's `hbs` would be no veto).
    `score`: the lead mapped onto [0.5, 1) (lead / (lead + 0.25) / 2 + 0.5), not a calibrated probability.

    `glance_lead` (with `regional`): the veto stops after the spelling tells when the classifier's reading of the
    first `glance_chars` characters puts its likeliest non-EU-24 language below the likeliest EU-24 one by more than
    -`glance_lead` (`glance_can_stop`; derived on the long-tail dev part and the eu24-dev pages, docs/langid.md), unless
    fastText's view (`ft`, or `rivals`: its views of the text's paragraphs when `ft` is no view of the whole) names a
    European language the classifier does not know with `rival_score`. `counts` tallies what was asked
    (`VETO_ASKED`, `VETO_GLANCED`, `VETO_REGIONAL`, `VETO_HELIPORT`).
    """
    if not worth_asking(ft, eu_lang, gate_score, rival_score):
        return None
    tally = counts if counts is not None else Counter()
    tally[VETO_ASKED] += 1
    tell = spelling_tell(words(flat) if eu_lang in _TOLD_APART else [], flat, min_hits, eu_lang)
    if tell is not None:  # before the glance: the tells are for languages no model knows (~20 µs)
        return Veto(tell, 0.5, "veto:spelling")
    if (  # stops ~85% of the EU-24 texts asked, at ~a third of the cost
        regional
        and glance_lead is not None
        and glance_can_stop(ft, rivals or {}, rival_score, regional_model_path)
        and (glance := regional_glance(flat, eu_lang, glance_chars, regional_model_path)) is not None
        and glance.lead < glance_lead
    ):
        tally[VETO_GLANCED] += 1
        return None
    if regional:
        tally[VETO_REGIONAL] += regional_knows(eu_lang, regional_model_path)
        reading = regional_veto(flat, eu_lang, regional_min_lead, regional_model_path)
        if reading is not None and reading.lang in EUROPEAN_NON_EU24:  # Afrikaans is a label, not a veto
            return Veto(reading.lang, round(0.5 + 0.5 * reading.lead / (reading.lead + 20.0), 4), "veto:regional")
    if not ask_heliport:
        return None
    tally[VETO_HELIPORT] += 1
    winner, lead = heliport_best(flat[:VETO_HELIPORT_CHARS])
    if winner in EUROPEAN_NON_EU24 and winner != "hbs" and lead >= margins.get(winner, default_margin):
        named = _named_by_fasttext(ft, eu_lang, winner, 0.05)
        return Veto(named or winner, round(0.5 + 0.5 * lead / (lead + 0.25), 4), "veto:heliport")
    named = _named_by_fasttext(ft, eu_lang, eu_lang, fasttext_score)
    if named is not None:  # heliport cannot name it (Aragonese, Asturian...) and read it as the EU language
        return Veto(named, round(ft[named], 4), "veto:fasttext")
    return None


# the EU-24 languages some spelling tell reads marker words against (for the others the text is not split in words)
_TOLD_APART: Final = frozenset(lang for tell in LONG_TAIL_MARKERS.values() for lang in tell.neighbours)

VETO_ASKED: Final = "veto_asked"  # the veto read a text (fastText's view left room for another language)
VETO_GLANCED: Final = "veto_glanced"  # ... and stopped at the regional classifier's glance
VETO_REGIONAL: Final = "veto_regional"  # ... and read it with the regional classifier
VETO_HELIPORT: Final = "veto_heliport"  # ... and asked heliport


def glance_can_stop(
    ft: Mapping[str, float], rivals: Mapping[str, float], rival_score: float, model_path: str | None = None
) -> bool:
    """Whether the regional classifier's glance (`langid.regional.regional_glance`) may settle a text as EU-24, asked
    before it is read: fastText names no European language the classifier cannot weigh (Lombard, Sicilian, Bavarian...:
    heliport's to name) with `rival_score` in `ft` or `rivals`."""
    unknown = _unknown_to_regional(model_path)
    return not any(q >= rival_score and code in unknown for view in (ft, rivals) for code, q in view.items())


@lru_cache(maxsize=4)
def _unknown_to_regional(model_path: str | None = None) -> frozenset[str]:
    """The European non-EU-24 languages a veto may name that the regional classifier (`model_path`; None: the
    packaged one) has no label for (Croatian's neighbours are `langid.hbs`'s: heliport's `hbs` vetoes nothing)."""
    return frozenset(
        c for c in EUROPEAN_NON_EU24 if not regional_knows(c, model_path) and c not in ("hbs", "bs", "sr", "cnr")
    )


def _named_by_fasttext(ft: dict[str, float], eu_lang: str, heliports: str, min_score: float) -> str | None:
    """A neighbour of `eu_lang` outside the EU-24 (`FASTTEXT_NAMES`) in fastText's top five with at least
    `min_score` that heliport cannot name (Aragonese, Asturian, Venetian, Low German...), where heliport's label
    (`heliports`) is another language: fastText's is the likelier name."""
    for code, q in sorted(ft.items(), key=lambda kv: -kv[1]):
        if q < min_score:
            break
        if code != heliports and code in FASTTEXT_NAMES.get(eu_lang, ()) and code not in HELIPORT_KNOWS:
            return code
    return None


# The codes of heliport's European languages (its labels through `iso639_3_code`)
HELIPORT_KNOWS: Final = frozenset(
    "af be bg br ca co cs cy da de el en eo es et eu fi fo fr fy ga gd gl gv hu ia io is it kw la lb lt lv mk mt nb nl "
    "nn oc pl pt rm ro ru sc se sk sl sq sv tr uk vo wa yi "
    "hbs hsb ext mwl lmo scn pms gsw bar ksh pfl vls sgs liv vot izh olo sma smj smn sms sju sjd".split()
)
# Every code the identifier gives, including those ISO 639-3 no longer lists (lid.176's `eml`, `bh`, `sh`) or spells
# otherwise
KNOWN_CODES: Final = EUROPEAN_NON_EU24 | HELIPORT_KNOWS | frozenset().union(*FASTTEXT_NAMES.values()) | {"bh", "sh"}


def is_language_code(code: str) -> bool:
    """An ISO 639 code (pycountry's 639-3 table with its 639-1 codes), or one the identifier's models give."""
    return code in KNOWN_CODES or iso639_language(code) is not None
