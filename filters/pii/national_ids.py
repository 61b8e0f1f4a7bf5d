"""Member-state personal identifiers (PESEL, BSN, DNI, codice fiscale…): the shapes they are written in,
their local names and country labels read as context before the value, and checksum validation through
python-stdnum. Windowing the text, the other kinds of personal data and overlap resolution are
`detectors.py`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stdnum.be import nn as be_nn
from stdnum.bg import egn as bg_egn
from stdnum.cz import rc as cz_rc
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.ee import ik as ee_ik
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.hr import oib as hr_oib
from stdnum.ie import pps as ie_pps
from stdnum.it import codicefiscale as it_cf
from stdnum.lt import asmens as lt_asmens
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.ro import cnp as ro_cnp
from stdnum.se import personnummer as se_pnr
from stdnum.si import emso as si_emso

from eurocurate.filters.pii.match import RANK_ID, RANK_WEAK, Found, PiiMatch, before


@dataclass(frozen=True, slots=True)
class _NationalId:
    kind: str
    labels: frozenset[str]  # member-state codes written as a label just before the value ("Pl: 66100882124")
    langs: frozenset[str]  # document languages in which this reading of an ambiguous string is the likelier
    validate: Callable[[str], object]
    context: re.Pattern[str]  # local names of the identifier, searched in the characters before the value


def names(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def _spec(kind: str, labels: str, langs: str, validate: Callable[[str], object], *local_names: str) -> _NationalId:
    return _NationalId(kind, frozenset(labels.split()), frozenset(langs.split()), validate, names(*local_names))


_NATIONAL_IDS: dict[str, _NationalId] = {
    s.kind: s
    for s in (
        _spec("PL_PESEL", "PL", "pl", pl_pesel.validate, "pesel"),
        _spec("NL_BSN", "NL", "nl", nl_bsn.validate, r"bsn\b", "burgerservicenummer", r"sofi-?nummer"),
        _spec("ES_DNI", "ES", "es", es_dni.validate, r"dni\b", r"nif\b", "documento nacional de identidad"),
        _spec("ES_NIE", "ES", "es", es_nie.validate, r"nie\b", r"n[úu]mero de identidad de extranjero"),
        _spec("FI_HETU", "FI", "fi", fi_hetu.validate, "henkilötunnu", r"hetu\b", "personbeteckning"),
        _spec("SE_PNR", "SE", "sv", se_pnr.validate, "personnummer", "personnr", "samordningsnummer"),
        _spec(
            "DE_IDNR",
            "DE",
            "de",
            de_idnr.validate,
            r"steuer-?id",
            "steueridentifikationsnummer",
            "identifikationsnummer",
            r"idnr\b",
        ),  # fmt: skip
        _spec(
            "FR_NIR",
            "FR",
            "fr",
            fr_nir.validate,
            r"nir\b",
            r"n(?:[°º]|um[ée]ro) de s[ée]curit[ée] sociale",
            r"s[ée]curit[ée] sociale",
            r"num[ée]ro insee",
        ),  # fmt: skip
        _spec("IT_CF", "IT", "it", it_cf.validate, "codice fiscale", r"c\.f\."),
        _spec("CZ_RC", "CZ SK", "cs sk", cz_rc.validate, r"rodn\w* č[ií]sl", r"rodne cislo", r"r\.\s?č\."),
        _spec("RO_CNP", "RO", "ro", ro_cnp.validate, r"cnp\b", "cod numeric personal"),
        _spec("BG_EGN", "BG", "bg", bg_egn.validate, "егн", r"egn\b", "единен граждански номер"),
        _spec("HR_OIB", "HR", "hr", hr_oib.validate, r"oib\b", r"osobn\w* identifikacijsk\w* broj"),
        _spec("SI_EMSO", "SI", "sl", si_emso.validate, "emšo", r"emso\b", r"enotn\w* matičn\w* številk"),
        _spec("EE_IK", "EE", "et", ee_ik.validate, "isikukood"),
        _spec("LT_AK", "LT", "lt", lt_asmens.validate, "asmens kod"),
        _spec("IE_PPS", "IE", "ga en", ie_pps.validate, r"ppsn?\b", "personal public service"),
        _spec(
            "BE_NN",
            "BE",
            "",
            be_nn.validate,
            "rijksregister",
            "registre national",
            r"num[ée]ro national",
            "nationalregisternummer",
            r"insz\b",
            r"niss\b",
        ),  # fmt: skip
        _spec("DK_CPR", "DK", "da", dk_cpr.validate, "cpr", "personnummer"),
    )
}

# Shape name -> (pattern, kinds a string of that shape may be, kinds for which the shape alone is evidence
# enough; the others need one of their names or their country label just before the value). Alternatives are
# tried in this order, so a longer shape comes before a shorter one it starts with.
_ID_SHAPES: dict[str, tuple[str, tuple[str, ...], frozenset[str]]] = {
    "be_formatted": (r"\d\d\.\d\d\.\d\d-\d{3}\.\d\d", ("BE_NN",), frozenset({"BE_NN"})),
    "bsn_dotted": (r"\d{4}\.\d\d\.\d{3}", ("NL_BSN",), frozenset()),
    "nir_spaced": (r"[1-478] \d\d \d\d (?:\d\d|2[AB]) \d{3} \d{3} \d\d", ("FR_NIR",), frozenset({"FR_NIR"})),
    "idnr_spaced": (r"\d\d \d{3} \d{3} \d{3}", ("DE_IDNR",), frozenset()),
    "date8_dash": (r"\d{8}[-+]\d{4}", ("SE_PNR",), frozenset()),
    "date_dash": (r"\d{6}[-+A-FU-Y]\d{3}[\dA-Y]", ("SE_PNR", "FI_HETU", "DK_CPR"), frozenset({"SE_PNR", "FI_HETU"})),
    "date_slash": (r"\d{6}/\d{3,4}", ("CZ_RC",), frozenset({"CZ_RC"})),
    "dni": (r"\d{8}-?[A-Z]", ("ES_DNI",), frozenset({"ES_DNI"})),
    "nie": (r"[XYZ]-?\d{7}-?[A-Z]", ("ES_NIE",), frozenset({"ES_NIE"})),
    "pps": (r"\d{7}[A-W][ABHWTX]?", ("IE_PPS",), frozenset()),
    "nir": (r"[1-478]\d{4}(?:\d\d|2[AB])\d{8}", ("FR_NIR",), frozenset()),
    "d13": (r"\d{13}", ("RO_CNP", "SI_EMSO"), frozenset()),
    "d12": (r"\d{12}", ("SE_PNR",), frozenset()),
    "d11": (r"\d{11}", ("PL_PESEL", "DE_IDNR", "HR_OIB", "EE_IK", "LT_AK", "BE_NN"), frozenset()),
    "d10": (r"\d{10}", ("SE_PNR", "DK_CPR", "BG_EGN", "CZ_RC"), frozenset()),
    "d9": (r"\d{9}", ("NL_BSN", "CZ_RC"), frozenset()),
}
_ID_RE = re.compile(
    r"(?<![\w+\-./])(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, (pattern, _, _) in _ID_SHAPES.items())
    + r")(?![\w+]|[\-./]\w)"
)
# Omocodia replaces a codice fiscale's digits by letters from the right; its year is the last to go.
_CODICE_FISCALE_RE = re.compile(
    r"(?<![\w])[A-Z]{6}[\dLMNP-V]{2}[ABCDEHLMPRST][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z](?!\w)"
)

_LABEL_RE = re.compile(r"(?<!\w)([A-Za-z]{2})\s?:\s*$")
# Catalogue numbers that look like identifiers, phones or cards.
CATALOGUE_RE = re.compile(r"(?<!\w)(?:isbn|issn|ean|gtin|doi|sku|upc)(?:-1[03])?\b[^\w\n]{0,6}$", re.IGNORECASE)


def codici_fiscali(text: str, lo: int, hi: int) -> Iterator[Found]:
    for m in _CODICE_FISCALE_RE.finditer(text, lo, hi):
        yield from _classify_id(text, m.start(), m.group(), ("IT_CF",), frozenset({"IT_CF"}), None)


def national_ids(text: str, lo: int, hi: int, lang: str | None) -> Iterator[Found]:
    for m in _ID_RE.finditer(text, lo, hi):
        if not CATALOGUE_RE.search(before(text, m.start(), 12)):
            _, kinds, distinctive = _ID_SHAPES[m.lastgroup or ""]
            yield from _classify_id(text, m.start(), m.group(), kinds, distinctive, lang)


def _classify_id(
    text: str, start: int, value: str, kinds: tuple[str, ...], distinctive: frozenset[str], lang: str | None
) -> Iterator[Found]:
    """The likeliest identifier `value` is, if any: kinds named or labelled just before it first, then valid
    ones, then the document language's; a kind must fit the evidence and accept the format."""
    preceding = before(text, start)
    label = _LABEL_RE.search(preceding)
    code = label.group(1).upper() if label else ""
    best: tuple[tuple[bool, bool, bool, int], str] | None = None
    for order, kind in enumerate(kinds):
        spec = _NATIONAL_IDS[kind]
        named = code in spec.labels or spec.context.search(preceding) is not None
        if not named and kind not in distinctive:
            continue
        valid = _check(spec.validate, value, lenient=named)
        if valid is None:
            continue
        key = (named, valid, lang in spec.langs, -order)
        if best is None or key > best[0]:
            best = (key, kind)
    if best is not None:
        (named, valid, _, _), kind = best
        # A checksum-failed string known only by its shape must not hide a valid phone number under it.
        yield (RANK_ID if valid or named else RANK_WEAK), PiiMatch(kind, start, start + len(value), value, valid)


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
