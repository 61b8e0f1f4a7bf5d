"""Member-state personal identifiers (PESEL, BSN, DNI, AMKA, codice fiscale…): the shapes they are written in (in
prose and as path segments of web addresses), their local names and country labels read as context before the
value, which readings the number's own structure proves without a name, and checksum validation through
python-stdnum. Windowing the text, the other kinds of personal data and overlap resolution are `detectors.py`'s job.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stdnum.at import vnr as at_vnr
from stdnum.be import bis as be_bis
from stdnum.be import nn as be_nn
from stdnum.bg import egn as bg_egn
from stdnum.cz import rc as cz_rc
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.ee import ik as ee_ik
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, ValidationError
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nif as fr_nif
from stdnum.fr import nir as fr_nir
from stdnum.gr import amka as gr_amka
from stdnum.hr import oib as hr_oib
from stdnum.ie import pps as ie_pps
from stdnum.it import codicefiscale as it_cf
from stdnum.lt import asmens as lt_asmens
from stdnum.lv import pvn as lv_pvn
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.pt import cc as pt_cc
from stdnum.pt import nif as pt_nif
from stdnum.ro import cnp as ro_cnp
from stdnum.se import personnummer as se_pnr
from stdnum.si import emso as si_emso

from eurocurate.filters.pii.match import RANK_ID, RANK_NAMED_ID, RANK_WEAK, Found, PiiMatch, before, names
from eurocurate.filters.pii.number_names import catalogue_number
from eurocurate.filters.pii.stdnum_extra import hu_adoazonosito, hu_taj, lu_matricule

# Names of an identifier are looked for this far before its value: "número de identidad de extranjero del
# solicitante: …" puts 50 characters between the name's start and the value; and this far after it, for
# sentences that give the number first ("Is é 1758800U a uimhir PSP", "… 8 is my PPS number").
NAME_WINDOW = 64
NAME_WINDOW_AFTER = 24


@dataclass(frozen=True, slots=True)
class _NationalId:
    kind: str
    labels: frozenset[str]  # member-state codes written as a label just before the value ("Pl: 66100882124")
    langs: frozenset[str]  # languages of the state: where the number alone is likely this identifier
    validate: Callable[[str], object]
    context: re.Pattern[str]  # local names of the identifier, searched in the characters before the value


def _spec(kind: str, labels: str, langs: str, validate: Callable[[str], object], *local_names: str) -> _NationalId:
    return _NationalId(kind, frozenset(labels.split()), frozenset(langs.split()), validate, names(*local_names))


def _vnr(value: str) -> str:
    """Austrian VNR: stdnum checks the check digit; the birth date (DDMMYY) in the last six digits is checked
    here so that the bare number is evidence. Persons with unknown dates carry month 13-14 (named only)."""
    number = at_vnr.validate(value)
    try:
        datetime.date(2000, int(number[6:8]), int(number[4:6]))  # a leap year: 29 February is a birth date
    except ValueError as e:
        raise InvalidComponent("the last six digits are not a birth date") from e
    return number


def _be_nn_or_bis(value: str) -> object:
    """Belgian national number, or the BIS number of non-residents (month + 20 or + 40)."""
    try:
        return be_nn.validate(value)
    except ValidationError:
        return be_bis.validate(value)


def _lv_personal(value: str) -> str:
    """Latvian personas kods: stdnum's PVN module validates it; numbers starting 4-9 are companies."""
    number = lv_pvn.validate(value)
    if number[0] > "3":
        raise InvalidFormat("a legal entity's number, not a personal code")
    return number


def _pt_nif_person(value: str) -> str:
    """Portuguese NIF of a natural person (first digit 1-3; 45 non-residents); others are companies."""
    number = pt_nif.validate(value)
    if number[0] not in "123" and not number.startswith("45"):
        raise InvalidFormat("a company's NIF, not a person's")
    return number


_NATIONAL_IDS: dict[str, _NationalId] = {
    s.kind: s
    for s in (
        _spec("PL_PESEL", "PL", "pl", pl_pesel.validate, "pesel"),
        _spec("NL_BSN", "NL", "nl", nl_bsn.validate, r"bsn\b", "burgerservicenummer", r"sofi-?nummer"),
        _spec("ES_DNI", "ES", "es", es_dni.validate, r"dni\b", r"nif\b", "documento nacional de identidad",
              r"n[úu]mero de identificaci[óo]n fiscal"),
        _spec("ES_NIE", "ES", "es", es_nie.validate, r"nie\b", r"n[úu]mero de identi\w* de extranjer",
              r"n[úu]mero de extranjer"),
        _spec("FI_HETU", "FI", "fi sv", fi_hetu.validate, "henkilötunnu", r"hetu\b", "personbeteckning"),
        _spec("SE_PNR", "SE", "sv", se_pnr.validate, "personnummer", "personnr", "samordningsnummer"),
        _spec("DE_IDNR", "DE", "de", de_idnr.validate, r"steuer-?id", "steueridentifikationsnummer",
              "identifikationsnummer", r"idnr\b"),
        _spec("FR_NIR", "FR", "fr", fr_nir.validate, r"nir\b", r"s[ée]curit[ée] sociale", r"num[ée]ro insee",
              "carte vitale"),
        _spec("FR_NIF", "FR", "fr", fr_nif.validate, r"num[ée]ro fiscal", r"identifiant fiscal", r"spi\b",
              r"num[ée]ro d'identification fiscale"),
        _spec("IT_CF", "IT", "it", it_cf.validate, "codice fiscale", r"c\.f\."),
        _spec("CZ_RC", "CZ SK", "cs sk", cz_rc.validate, r"rodn\w* č[ií]sl", r"rodne cislo", r"r\.\s?č\."),
        _spec("RO_CNP", "RO", "ro", ro_cnp.validate, r"cnp\b", r"cod\w* numeric personal"),
        _spec("BG_EGN", "BG", "bg", bg_egn.validate, "егн", r"egn\b", "единен граждански номер"),
        _spec("HR_OIB", "HR", "hr", hr_oib.validate, r"oib\b", r"osobn\w* identifikacijsk\w* broj"),
        _spec("SI_EMSO", "SI", "sl", si_emso.validate, "emšo", r"emso\b", r"enotn\w* matičn\w* številk"),
        _spec("EE_IK", "EE", "et", ee_ik.validate, "isikukood"),
        _spec("LT_AK", "LT", "lt", lt_asmens.validate, "asmens kod"),
        _spec("LV_PK", "LV", "lv", _lv_personal, r"personas kod"),
        _spec("IE_PPS", "IE", "ga en", ie_pps.validate, r"ppsn?\b", "personal public service", r"uimhir psp",
              r"uimhir phearsanta"),
        _spec("BE_NN", "BE", "nl fr de", _be_nn_or_bis, "rijksregister", "registre national",
              r"num[ée]ro national", "nationalregisternummer", r"nationalnummer", r"insz\b", r"niss\b",
              r"bis-?nummer", r"num[ée]ro bis"),
        _spec("DK_CPR", "DK", "da", dk_cpr.validate, "cpr", "personnummer"),
        _spec("AT_VNR", "AT", "de", _vnr, r"sozialversicherungsnummer", r"versicherungsnummer", r"sv-?n(?:umme)?r",
              r"vs?nr\b"),
        _spec("GR_AMKA", "GR CY", "el", gr_amka.validate, "αμκα", r"amka\b",
              r"αριθμ\w* μητρ\w* κοινωνικ\w* ασφ"),
        _spec("PT_CC", "PT", "pt", pt_cc.validate, r"cart[ãa]o de cidad[ãa]o", r"n[úu]mero de documento"),
        _spec("PT_NIF", "PT", "pt", _pt_nif_person, r"nif\b", r"contribuinte",
              r"n[úu]mero de identifica[çc][ãa]o fiscal"),
        _spec("HU_TAJ", "HU", "hu", hu_taj.validate, r"taj\b", r"taj-?sz[áa]m",
              r"t[áa]rsadalombiztos[íi]t[áa]si azon"),
        _spec("HU_ADOAZON", "HU", "hu", hu_adoazonosito.validate, r"ad[óo] ?azonos[íi]t[óo]"),
        _spec("LU_MATRICULE", "LU", "fr de lb", lu_matricule.validate, r"matricule", r"matrikel",
              r"num[ée]ro d'identification", r"identifikationsnummer", r"sozialversicherungsnummer",
              r"s[ée]curit[ée] sociale"),
    )
}  # fmt: skip

# Shape name -> (pattern, kinds a string of that shape may be, kinds the shape alone proves in a page of any
# language, kinds a valid value of that shape proves in a page of the state's language: a checksum together
# with an embedded birth date or a region code, so about 1 in 1000 random numbers passes). The others need
# one of their names or their country label just before the value. Alternatives are tried in this order, so a
# longer shape comes before a shorter one it starts with.
_ID_SHAPES: dict[str, tuple[str, tuple[str, ...], frozenset[str], frozenset[str]]] = {
    "be_formatted": (r"\d\d\.\d\d\.\d\d-\d{3}\.\d\d", ("BE_NN",), frozenset({"BE_NN"}), frozenset()),
    "lu_spaced": (r"\d{4} \d{4} \d{3} \d\d", ("LU_MATRICULE",), frozenset(), frozenset({"LU_MATRICULE"})),
    "be_spaced": (r"\d\d \d\d \d\d[ -]\d{3}[ .]\d\d", ("BE_NN",), frozenset(), frozenset({"BE_NN"})),
    "bsn_dotted": (r"\d{4}\.\d\d\.\d{3}", ("NL_BSN",), frozenset(), frozenset()),
    "nir_spaced": (r"[1-478] \d\d \d\d (?:\d\d|2[AB]) \d{3} \d{3} \d\d", ("FR_NIR",), frozenset({"FR_NIR"}),
                   frozenset()),
    "fr_nif_spaced": (r"[0-3]\d \d\d \d{3} \d{3} \d{3}", ("FR_NIF",), frozenset(), frozenset()),
    "idnr_spaced": (r"\d\d \d{3} \d{3} \d{3}", ("DE_IDNR",), frozenset(), frozenset()),
    "triples": (r"\d{3} \d{3} \d{3}", ("NL_BSN", "PT_NIF", "HU_TAJ"), frozenset(), frozenset()),
    "pt_cc": (r"\d{8} ?\d ?[A-Z]{2}\d", ("PT_CC",), frozenset({"PT_CC"}), frozenset()),
    "date8_dash": (r"\d{8}[-+]\d{4}", ("SE_PNR",), frozenset(), frozenset({"SE_PNR"})),
    "lv_dash": (r"\d{6}-\d{5}", ("LV_PK",), frozenset(), frozenset({"LV_PK"})),
    "date_dash": (r"\d{6}[-+A-FU-Y]\d{3}[\dA-Y]", ("SE_PNR", "FI_HETU", "DK_CPR"), frozenset({"SE_PNR", "FI_HETU"}),
                  frozenset({"DK_CPR"})),
    "date_slash": (r"\d{6}/\d{3,4}", ("CZ_RC",), frozenset({"CZ_RC"}), frozenset()),
    "vnr_spaced": (r"\d{4} \d{6}", ("AT_VNR",), frozenset(), frozenset({"AT_VNR"})),
    "dni": (r"\d{8}-?[A-Z]", ("ES_DNI",), frozenset({"ES_DNI"}), frozenset()),
    "nie": (r"[XYZ]-?\d{7}-?[A-Z]", ("ES_NIE",), frozenset({"ES_NIE"}), frozenset()),
    "pps": (r"\d{7}[A-W][ABHWTX]?", ("IE_PPS",), frozenset(), frozenset()),
    "nir": (r"[1-478]\d{4}(?:\d\d|2[AB])\d{8}", ("FR_NIR",), frozenset(), frozenset({"FR_NIR"})),
    "d13": (r"\d{13}", ("RO_CNP", "SI_EMSO", "FR_NIF", "LU_MATRICULE"), frozenset(),
            frozenset({"RO_CNP", "SI_EMSO", "LU_MATRICULE"})),
    "d12": (r"\d{12}", ("SE_PNR",), frozenset(), frozenset({"SE_PNR"})),
    "d11": (r"\d{11}", ("PL_PESEL", "DE_IDNR", "HR_OIB", "EE_IK", "LT_AK", "BE_NN", "GR_AMKA", "LV_PK"), frozenset(),
            frozenset({"PL_PESEL", "EE_IK", "LT_AK", "BE_NN", "GR_AMKA", "LV_PK"})),
    "d10": (r"\d{10}", ("SE_PNR", "DK_CPR", "BG_EGN", "CZ_RC", "AT_VNR", "HU_ADOAZON"), frozenset(),
            frozenset({"SE_PNR", "BG_EGN", "CZ_RC", "AT_VNR"})),
    "d9": (r"\d{9}", ("NL_BSN", "CZ_RC", "PT_NIF", "HU_TAJ"), frozenset(), frozenset()),
}  # fmt: skip
_ID_RE = re.compile(
    r"(?<![\w+\-./])(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, (pattern, *_) in _ID_SHAPES.items())
    + r")(?![\w+]|[\-./]\w)"
)
# A whole path segment of a web address ("https://example.eu/profile/85010112345", "…/12345678Z.html"): URLs in text
# are text, and an identifier in one is the same person's; only the segment is replaced, never the rest of the URL.
# (A query value, "?pesel=…", starts after "=" and is found by `_ID_RE` and `named_values` already.)
_URL_ID_RE = re.compile(
    r"(?<=/)(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, (pattern, *_) in _ID_SHAPES.items())
    + r")(?=/|\.(?:html?|php|aspx?|jsp|json|xml|pdf)(?!\w)|\.(?!\w)|[^\w+\-./]|$)"
)
_IN_URL_RE = re.compile(r"(?<![\w.+-])(?:https?://|www\.)[^\s\"'<>]*$", re.IGNORECASE)
_URL_BEFORE = 512  # characters looked back for the start of the address a path segment is in
# Omocodia replaces a codice fiscale's digits by letters from the right; its year is the last to go.
_CODICE_FISCALE_RE = re.compile(
    r"(?<![\w])[A-Z]{6}[\dLMNP-V]{2}[ABCDEHLMPRST][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z](?!\w)"
)

_LABEL_RE = re.compile(r"(?<!\w)([A-Za-z]{2})\s?:\s*$")
_IT_CF = frozenset({"IT_CF"})
# A birth date, then a dash or a slash, then the serial: "010563-8636" is a mistyped HETU, not a phone number
# (nobody groups one 6-4), so even a checksum-failed one keeps a phone reading off it.
_DATE_SHAPES = frozenset({"date_dash", "date8_dash", "date_slash", "lv_dash", "be_formatted"})


# Any identifier's name. After one, its value is read in whatever form it is written ("Mi DNI es 28034063 f",
# "BSN 391.417.770", "codice fiscale szycid52a60h484l", "Steuer-ID 304 850 729 10"): the tokens after the name that
# hold a digit, or are single letters (check letters), joined by single separators; the longest run of them
# that, without separators and upper-cased, is a valid value of an identifier that name names.
_NAMES_START = r"(?<!\w)(?:"  # how `names` begins every pattern: written once here, a scan is four times faster
_ANY_NAME = re.compile(
    _NAMES_START
    + "|".join(spec.context.pattern.removeprefix(_NAMES_START)[:-1] for spec in _NATIONAL_IDS.values())
    + ")",
    re.IGNORECASE,
)
_VALUE_TOKEN_RE = re.compile(r"(?<!\w)(?:[^\W\d_]*\d\w*|[^\W\d_]|[A-Z]{2,3})(?!\w)")  # "SZY CID 52A60 H484L"
_TOKEN_GAP_RE = re.compile(r"[ .\-/]| [\-/] ")  # "121 - 49", "660120 / 4170"
NAMED_VALUE_WITHIN = 40  # characters after a name's end in which its value starts
_MAX_VALUE_TOKENS = 8


def named_values(text: str, lo: int, hi: int, lang: str | None) -> Iterator[Found]:
    """Identifiers written in any grouping or case right after one of their names (`RANK_NAMED_ID`, valid only).
    A name several states use ("personnummer": Sweden and Denmark) means the page language's identifier when it
    has one, as `_classify_id` reads it: a mistyped Danish CPR that is a valid Swedish number stays a mistyped CPR."""
    for name in _ANY_NAME.finditer(text, lo, hi):
        specs = [spec for spec in _NATIONAL_IDS.values() if spec.context.match(text, name.start())]
        specs = [spec for spec in specs if lang in spec.langs] or specs
        tokens = _value_tokens(text, name.end(), min(len(text), name.end() + NAMED_VALUE_WITHIN + 48))
        near = bool(tokens) and tokens[0].start() - name.end() <= NAMED_VALUE_WITHIN
        if near and (found := _longest_valid(tokens, specs)):
            yield RANK_NAMED_ID, found


def _value_tokens(text: str, start: int, end: int) -> list[re.Match[str]]:
    """The first run of value tokens after `start` that holds a digit, each joined to the next by one separator."""
    run: list[re.Match[str]] = []
    for token in _VALUE_TOKEN_RE.finditer(text, start, end):
        if run and not _TOKEN_GAP_RE.fullmatch(text, run[-1].end(), token.start()):
            if any(ch.isdigit() for t in run for ch in t.group()):
                break
            run = []  # "NIF é 191.417.777": letters before the value, not a part of it
        run.append(token)
        if len(run) == _MAX_VALUE_TOKENS:
            break
    return run if any(ch.isdigit() for t in run for ch in t.group()) else []


def _longest_valid(tokens: list[re.Match[str]], specs: list[_NationalId]) -> PiiMatch | None:
    """The whole run as one value, or without some of its leading or trailing single letters ("è 28034063 F y"):
    never a part of its digits, so a mistyped value is not half replaced."""
    with_digits = [i for i, t in enumerate(tokens) if any(ch.isdigit() for ch in t.group())]
    for i in range(with_digits[0] + 1):
        for j in range(len(tokens) - 1, with_digits[-1] - 1, -1):
            start, end = tokens[i].start(), tokens[j].end()
            compact = "".join(t.group() for t in tokens[i : j + 1]).upper()
            written = tokens[0].string[start:end].upper()  # a separator that is part of it: HETU's century sign
            for spec in specs:
                if _check(spec.validate, compact, lenient=False) or _check(spec.validate, written, lenient=False):
                    return PiiMatch(spec.kind, start, end, tokens[0].string[start:end], True)
    return None


def codici_fiscali(text: str, lo: int, hi: int) -> Iterator[Found]:
    for m in _CODICE_FISCALE_RE.finditer(text, lo, hi):
        yield from _classify_id(text, m.start(), m.group(), ("IT_CF",), _IT_CF, frozenset(), None, "")


def national_ids(text: str, lo: int, hi: int, lang: str | None) -> Iterator[Found]:
    """Identifiers in the shapes of `_ID_SHAPES` in `text[lo:hi]`, in prose and as path segments of web addresses,
    each read by `_classify_id` as it would be in prose."""
    in_text = _ID_RE.finditer(text, lo, hi)
    in_urls = _URL_ID_RE.finditer(text, lo, hi) if text.find("/", lo, hi) >= 0 else iter(())
    for m in itertools.chain(in_text, in_urls):
        if m.re is _URL_ID_RE and not _IN_URL_RE.search(before(text, m.start(), _URL_BEFORE)):
            continue
        if not catalogue_number(text, m.start(), m.group()):
            _, kinds, anywhere, in_lang = _ID_SHAPES[m.lastgroup or ""]
            yield from _classify_id(text, m.start(), m.group(), kinds, anywhere, in_lang, lang, m.lastgroup or "")


def _classify_id(
    text: str,
    start: int,
    value: str,
    kinds: tuple[str, ...],
    anywhere: frozenset[str],
    in_lang: frozenset[str],
    lang: str | None,
    shape: str,
) -> Iterator[Found]:
    """The likeliest identifier `value` is, if any: kinds named or labelled near it first, then the document
    language's, then valid ones; a kind must fit the evidence and accept the format. Without a name,
    a shape proven only in the state's language counts when the value is fully valid, never as a candidate:
    a number failing PESEL's checksum in a Polish page is not a failed PESEL."""
    preceding = before(text, start, NAME_WINDOW)
    following = text[start + len(value) : start + len(value) + NAME_WINDOW_AFTER]
    label = _LABEL_RE.search(preceding)
    code = label.group(1).upper() if label else ""
    best: tuple[tuple[bool, bool, bool, int], str] | None = None
    header: str | None = None  # the value's column header in a table written as text
    for order, kind in enumerate(kinds):
        spec = _NATIONAL_IDS[kind]
        named = code in spec.labels or spec.context.search(preceding) is not None
        named = named or spec.context.search(following) is not None
        if not named and header is None:
            header = column_header(text, start) or ""  # once per value, and only where no name is near it
        named = named or bool(header) and spec.context.search(header) is not None
        proven_here = kind in in_lang and lang in spec.langs and not _DATELESS.get(kind, _never)(value)
        if not named and kind not in anywhere and not proven_here:
            continue
        valid = _check(spec.validate, value, lenient=named)
        if valid is None or (not valid and not named and kind not in anywhere):
            continue
        # "personnummer" names both the Swedish and the Danish number: the page's language decides first.
        key = (named, lang in spec.langs, valid, -order)
        if best is None or key > best[0]:
            best = (key, kind)
    if best is not None:
        (named, _, valid, _), kind = best
        # A checksum-failed string known only by its shape must not hide a valid phone number under it.
        rank = RANK_NAMED_ID if named else RANK_ID if valid or shape in _DATE_SHAPES else RANK_WEAK
        yield rank, PiiMatch(kind, start, start + len(value), value, valid)


_TABLE_LINES_UP = 500  # rows looked through for a table's header
_CELL_SPLIT = re.compile(r"\||\t")


def column_header(text: str, start: int) -> str | None:
    """The header cell above the value at `start` when it sits in a table written as text (Markdown `|` rows, or
    tab-separated): the first line of the block of table lines it is in, at the value's column. A column named
    `BSN` names every number under it, however far below the header the row is."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    sep = "|" if "|" in line else "\t" if "\t" in line else None
    if sep is None:
        return None
    column = text.count(sep, line_start, start)
    header_start, pos = line_start, line_start
    for _ in range(_TABLE_LINES_UP):
        if pos == 0:
            break
        above_start = text.rfind("\n", 0, pos - 1) + 1
        above = text[above_start : pos - 1]
        if sep not in above:
            break
        header_start, pos = above_start, above_start
    if header_start == line_start:
        return None  # the value's own row is the first: no header above it
    header_end = text.find("\n", header_start)
    cells = text[header_start:header_end].split(sep)
    return cells[column] if column < len(cells) else None


def _never(value: str) -> bool:
    return False


# Numbers stdnum accepts without the birth date the others carry: only named are they evidence (a random 11-digit
# number starting 9 passes Lithuania's check 1 time in 10). Latvia's codes starting 32 (issued since 2017) carry no
# date either, but are every new code: they stay proven in Latvian pages, at that false-positive rate.
_DATELESS: dict[str, Callable[[str], bool]] = {"LT_AK": lambda value: value.lstrip()[:1] == "9"}


def _check(validate: Callable[[str], object], value: str, lenient: bool) -> bool | None:
    """True: valid. False: the format fits but the check digit fails (or, when the value is named as this
    identifier, an embedded date is impossible). None: not this identifier at all."""
    try:
        validate(value)
        return True
    except InvalidChecksum:
        return False
    except InvalidComponent:
        return False if lenient else None
    except (ValidationError, ValueError):
        return None


# Every national identifier kind this module knows, for callers that must try them all (erasure requests).
NATIONAL_ID_KINDS: tuple[str, ...] = tuple(_NATIONAL_IDS)
