"""Values for the generated PII test set: checksum-valid identifiers of every type `filters/pii` covers
(random digits completed by python-stdnum's own check functions, or `filters/pii/stdnum_extra`'s where stdnum has
none, written in the formats people use),
checksum-failed variants, IBANs and national accounts, and ordinary numbers. Sentences are
`tools/pii_carriers.py`'s, building and scoring the test set `tools/pii_testset.py`'s.
"""

from __future__ import annotations

import datetime
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import ean, iban, isbn, numdb
from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.bg import egn as bg_egn
from stdnum.cz import bankaccount as cz_bankaccount
from stdnum.cz import rc as cz_rc
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.ee import ik as ee_ik
from stdnum.es import ccc as es_ccc
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
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

from eurocurate.filters.pii.stdnum_extra import hu_adoazonosito, hu_taj, lu_matricule

Validate = Callable[[str], object]
_D = string.digits
_HETU = "0123456789ABCDEFHJKLMNPRSTUVWXY"


@dataclass(frozen=True)
class IdType:
    """How to make a valid value of one type (compact form), how it is written, and how to break it."""

    kind: str
    validate: Validate
    make: Callable[[random.Random], str | None]  # None: this attempt found no valid completion, try again
    formats: tuple[Callable[[str], str], ...] = (lambda c: c,)
    strong: bool = True  # its structure is evidence enough without a naming keyword
    break_at: int = -1  # position of the check character that a checksum-invalid variant changes
    break_alphabet: str = _D
    broken_by: type[ValidationError] = InvalidChecksum


def _fill(rng: random.Random, template: str, validate: Validate, alphabet: str = _D) -> str | None:
    """`template` with each "?" replaced so that `validate` accepts it (a random one of the completions)."""
    holes = template.count("?")
    options = []
    for i in range(len(alphabet) ** holes):
        value = template
        for k in range(holes):
            value = value.replace("?", alphabet[(i // len(alphabet) ** k) % len(alphabet)], 1)
        try:
            validate(value)
        except (ValidationError, ValueError):
            continue
        options.append(value)
    return rng.choice(options) if options else None


def _digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice(_D) for _ in range(n - 1)) if n else ""


def _birth(rng: random.Random, lo: int = 1930, hi: int = 2015) -> datetime.date:
    start = datetime.date(lo, 1, 1).toordinal()
    return datetime.date.fromordinal(rng.randrange(start, datetime.date(hi, 12, 31).toordinal()))


def _ymd(d: datetime.date, month_offset: int = 0) -> str:
    return f"{d.year % 100:02d}{d.month + month_offset:02d}{d.day:02d}"


def _dmy(d: datetime.date) -> str:
    return f"{d.day:02d}{d.month:02d}{d.year % 100:02d}"


def _pesel(rng: random.Random) -> str | None:
    d = _birth(rng)
    return _fill(rng, _ymd(d, 20 if d.year >= 2000 else 0) + _digits(rng, 4, _D) + "?", pl_pesel.validate)


def _idnr(rng: random.Random) -> str | None:
    digits = rng.sample(_D, 9)
    digits.append(rng.choice(digits))  # one digit twice, one missing: the IdNr's digit rule
    rng.shuffle(digits)
    return None if digits[0] == "0" else _fill(rng, "".join(digits) + "?", de_idnr.validate)


def _hetu(rng: random.Random) -> str | None:
    d = _birth(rng)
    sep = "A" if d.year >= 2000 else "-"
    return _fill(rng, f"{_dmy(d)}{sep}{rng.randint(2, 899):03d}?", fi_hetu.validate, _HETU)


def _se_pnr(rng: random.Random) -> str | None:
    d = _birth(rng)
    return _fill(rng, f"{d.year}{d.month:02d}{d.day:02d}{_digits(rng, 3, _D)}?", se_pnr.validate)


def _nir(rng: random.Random) -> str | None:
    d = _birth(rng)
    dept = rng.choice([f"{n:02d}" for n in range(1, 96) if n != 20])
    body = f"{rng.choice('12')}{d.year % 100:02d}{d.month:02d}{dept}{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    return body + fr_nir.calc_check_digits(body)


def _fr_nif(rng: random.Random) -> str | None:
    body = rng.choice("0123") + _digits(rng, 9, _D)
    return body + fr_nif.calc_check_digits(body)


def _codice_fiscale(rng: random.Random) -> str | None:
    d = _birth(rng)
    day = d.day + rng.choice((0, 40))
    body = "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
    body += f"{d.year % 100:02d}{'ABCDEHLMPRST'[d.month - 1]}{day:02d}"
    body += f"{rng.choice('ABCDEFGHILMZ')}{rng.randint(1, 999):03d}"
    return body + it_cf.calc_check_digit(body)


def _rc(rng: random.Random) -> str | None:
    d = _birth(rng, 1954)
    return _fill(rng, _ymd(d, rng.choice((0, 50))) + _digits(rng, 3, _D) + "?", cz_rc.validate)


def _cnp(rng: random.Random) -> str | None:
    d = _birth(rng)
    sex = rng.choice("12") if d.year < 2000 else rng.choice("56")
    county = rng.choice([f"{n:02d}" for n in (*range(1, 47), 51, 52)])
    body = f"{sex}{_ymd(d)}{county}{rng.randint(1, 999):03d}"
    return body + ro_cnp.calc_check_digit(body)


def _egn(rng: random.Random) -> str | None:
    d = _birth(rng)
    body = _ymd(d, 40 if d.year >= 2000 else 0) + _digits(rng, 3, _D)
    return body + bg_egn.calc_check_digit(body)


def _emso(rng: random.Random) -> str | None:
    d = _birth(rng)
    body = f"{d.day:02d}{d.month:02d}{d.year % 1000:03d}50{rng.randint(0, 999):03d}"
    return body + si_emso.calc_check_digit(body)


def _baltic(validate: Validate) -> Callable[[random.Random], str | None]:
    def make(rng: random.Random) -> str | None:
        d = _birth(rng)
        sex = rng.choice("34") if d.year < 2000 else rng.choice("56")
        return _fill(rng, f"{sex}{_ymd(d)}{_digits(rng, 3, _D)}?", validate)

    return make


def _lv(rng: random.Random) -> str | None:
    if rng.random() < 0.3:  # codes issued since 2017 carry no birth date
        return _fill(rng, "32" + _digits(rng, 8, _D) + "?", lv_pvn.validate)
    d = _birth(rng)
    return _fill(rng, f"{_dmy(d)}{1 if d.year < 2000 else 2}{_digits(rng, 3, _D)}?", lv_pvn.validate)


def _pps(rng: random.Random) -> str | None:
    suffix = rng.choice(("", "A", "W"))
    return _fill(rng, _digits(rng, 7, _D) + "?" + suffix, ie_pps.validate, "ABCDEFGHIJKLMNOPQRSTUVW")


def _be_nn(rng: random.Random) -> str | None:
    d = _birth(rng)
    return _fill(rng, f"{_ymd(d)}{rng.randint(1, 997):03d}??", be_nn.validate)


def _cpr(rng: random.Random) -> str | None:
    d = _birth(rng, 1937, 2015)  # the 7th digit gives the century; 4-9 reach back to 1937 and on to 2036
    seventh = rng.choice("0123") if d.year < 2000 else rng.choice("4")
    value = f"{_dmy(d)}{seventh}{_digits(rng, 3, _D)}"
    return value if dk_cpr.is_valid(value) else None


def _vnr(rng: random.Random) -> str | None:
    d = _birth(rng)
    return _fill(rng, f"{_digits(rng, 3)}?{_dmy(d)}", at_vnr.validate)


def _amka(rng: random.Random) -> str | None:
    return _fill(rng, _dmy(_birth(rng)) + _digits(rng, 4, _D) + "?", gr_amka.validate)


def _cc(rng: random.Random) -> str | None:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
    return _fill(rng, _digits(rng, 9, _D) + letters + "?", pt_cc.validate)


def _adoazon(rng: random.Random) -> str | None:
    days = (_birth(rng) - datetime.date(1867, 1, 1)).days
    return _fill(rng, f"8{days:05d}{_digits(rng, 3, _D)}?", hu_adoazonosito.validate)  # None: a serial never issued


def _matricule(rng: random.Random) -> str | None:
    d = _birth(rng)
    return _fill(rng, f"{d.year}{d.month:02d}{d.day:02d}{_digits(rng, 3, _D)}??", lu_matricule.validate)


def _spaced(*widths: int) -> Callable[[str], str]:
    def write(compact: str) -> str:
        parts, at = [], 0
        for w in widths:
            parts.append(compact[at : at + w])
            at += w
        return " ".join([*parts, compact[at:]] if at < len(compact) else parts)

    return write


TYPES: dict[str, IdType] = {
    t.kind: t
    for t in (
        IdType("AT_VNR", at_vnr.validate, _vnr, (lambda c: c, _spaced(4)), break_at=3),
        IdType("BE_NN", be_nn.validate, _be_nn, (lambda c: c, be_nn.format, _spaced(2, 2, 2, 3))),
        IdType("BG_EGN", bg_egn.validate, _egn),
        IdType("CZ_RC", cz_rc.validate, _rc, (lambda c: c, cz_rc.format)),
        IdType("DE_IDNR", de_idnr.validate, _idnr, (lambda c: c, _spaced(2, 3, 3)), strong=False),
        IdType("DK_CPR", dk_cpr.validate, _cpr, (lambda c: c, dk_cpr.format), strong=False, break_at=0,
               break_alphabet="456789", broken_by=InvalidComponent),
        IdType("EE_IK", ee_ik.validate, _baltic(ee_ik.validate)),
        IdType("ES_DNI", es_dni.validate, lambda rng: _fill(rng, _digits(rng, 8, _D) + "?", es_dni.validate,
               string.ascii_uppercase), (lambda c: c, lambda c: c[:8] + "-" + c[8:]),
               break_alphabet=string.ascii_uppercase),
        IdType("ES_NIE", es_nie.validate, lambda rng: _fill(rng, rng.choice("XYZ") + _digits(rng, 7, _D) + "?",
               es_nie.validate, string.ascii_uppercase), (lambda c: c, lambda c: f"{c[0]}-{c[1:8]}-{c[8]}"),
               break_alphabet=string.ascii_uppercase),
        IdType("FI_HETU", fi_hetu.validate, _hetu, break_alphabet=_HETU),
        IdType("FR_NIF", fr_nif.validate, _fr_nif, (lambda c: c, _spaced(2, 2, 3, 3)), strong=False),
        IdType("FR_NIR", fr_nir.validate, _nir, (lambda c: c, _spaced(1, 2, 2, 2, 3, 3))),
        IdType("GR_AMKA", gr_amka.validate, _amka),
        IdType("HR_OIB", hr_oib.validate, lambda rng: _fill(rng, _digits(rng, 10) + "?", hr_oib.validate),
               strong=False),
        IdType("IE_PPS", ie_pps.validate, _pps, strong=False, break_at=7,
               break_alphabet="ABCDEFGHIJKLMNOPQRSTUVW"),
        IdType("IT_CF", it_cf.validate, _codice_fiscale, break_alphabet=string.ascii_uppercase),
        IdType("LT_AK", lt_asmens.validate, _baltic(lt_asmens.validate)),
        IdType("LV_PK", lv_pvn.validate, _lv, (lambda c: c, lambda c: c[:6] + "-" + c[6:])),
        IdType("NL_BSN", nl_bsn.validate, lambda rng: _fill(rng, _digits(rng, 8) + "?", nl_bsn.validate),
               (lambda c: c, nl_bsn.format), strong=False),
        IdType("PL_PESEL", pl_pesel.validate, _pesel),
        IdType("PT_CC", pt_cc.validate, _cc, (lambda c: c, pt_cc.format)),
        IdType("PT_NIF", pt_nif.validate, lambda rng: _fill(rng, _digits(rng, 8, "123") + "?", pt_nif.validate),
               (lambda c: c, _spaced(3, 3)), strong=False),
        IdType("RO_CNP", ro_cnp.validate, _cnp),
        IdType("SE_PNR", se_pnr.validate, _se_pnr,
               (lambda c: c[2:8] + "-" + c[8:], lambda c: c[2:], lambda c: c, lambda c: c[:8] + "-" + c[8:])),
        IdType("SI_EMSO", si_emso.validate, _emso),
        IdType("HU_TAJ", hu_taj.validate, lambda rng: _fill(rng, _digits(rng, 8, _D) + "?", hu_taj.validate),
               (lambda c: c, hu_taj.format), strong=False),
        IdType("HU_ADOAZON", hu_adoazonosito.validate, _adoazon, strong=False),
        IdType("LU_MATRICULE", lu_matricule.validate, _matricule, (lambda c: c, lu_matricule.format)),
    )
}  # fmt: skip

# The countries whose IBANs a page in each language would hold.
IBAN_COUNTRIES: dict[str, str] = {
    "bg": "BG", "cs": "CZ", "da": "DK", "de": "DE AT LU", "el": "GR CY", "en": "IE MT", "es": "ES", "et": "EE",
    "fi": "FI", "fr": "FR BE LU", "ga": "IE", "hr": "HR", "hu": "HU", "it": "IT", "lt": "LT", "lv": "LV",
    "mt": "MT", "nl": "NL BE", "pl": "PL", "pt": "PT", "ro": "RO", "sk": "SK", "sl": "SI", "sv": "SE",
}  # fmt: skip
_IBAN_BBAN = {cc: props["bban"] for _, cc, _, props, _ in numdb.get("iban").prefixes if "bban" in props}
_CZ_BANKS = ("0100", "0300", "0600", "0710", "0800", "2010", "3030", "5500", "6210")


def make_iban(rng: random.Random, country: str) -> str:
    """A valid IBAN of `country` (national check digits included: stdnum checks them for BE and ES)."""
    parts = re.findall(r"(\d+)!([nac])", _IBAN_BBAN[country])
    alphabet = {"n": _D, "a": string.ascii_uppercase, "c": _D + string.ascii_uppercase}
    while True:
        bban = "".join("".join(rng.choice(alphabet[t]) for _ in range(int(n))) for n, t in parts)
        if country == "ES":
            bban = bban[:8] + es_ccc.calc_check_digits(bban) + bban[10:]
        number = country + iban.calc_check_digits(country + "00" + bban) + bban
        if iban.is_valid(number):
            return number


def iban_groupings(country: str) -> tuple[Callable[[str], str], ...]:
    """Compact, groups of four with spaces, dashes or dots, and the national grouping of the BBAN's fields."""
    widths = [int(n) for n, _ in re.findall(r"(\d+)!([nac])", _IBAN_BBAN[country])]
    merged: list[int] = []
    for w in widths:  # one-character fields (Spain's two check digits) are written with their neighbour
        if merged and (w == 1 or merged[-1] == 1):
            merged[-1] += w
        else:
            merged.append(w)

    def national(c: str) -> str:
        parts, at = [], 4
        for w in merged:
            parts.append(c[at : at + w])
            at += w
        return c[:4] + " " + "-".join(parts)

    def fours(sep: str) -> Callable[[str], str]:
        return lambda c: sep.join(c[i : i + 4] for i in range(0, len(c), 4))

    return (lambda c: c, fours(" "), fours("-"), fours("."), national)


def make_account(rng: random.Random, lang: str) -> tuple[str, str]:
    """A valid national account number and its written form: Czech (cs) or Spanish CCC (es)."""
    if lang == "cs":
        while True:
            root = _fill(rng, _digits(rng, 9) + "?", lambda v: _weighted_mod11(v))
            prefix = _fill(rng, _digits(rng, rng.randint(2, 5)) + "?", lambda v: _weighted_mod11(v))
            if root and prefix:
                written = f"{prefix}-{root}/{rng.choice(_CZ_BANKS)}" if rng.random() < 0.5 else ""
                written = written or f"{root}/{rng.choice(_CZ_BANKS)}"
                cz_bankaccount.validate(written)
                return written, written
    body = _digits(rng, 8, _D) + _digits(rng, 10, _D)
    number = body[:8] + es_ccc.calc_check_digits(body[:8] + "00" + body[8:]) + body[8:]
    sep = rng.choice((" ", "-", ""))
    return number, sep.join((number[:4], number[4:8], number[8:10], number[10:]))


def _weighted_mod11(value: str) -> None:
    weights = (6, 3, 7, 9, 10, 5, 8, 4, 2, 1)
    if sum(w * int(n) for w, n in zip(weights, value.zfill(10))) % 11:
        raise InvalidChecksum()


def break_value(t: IdType, compact: str, rng: random.Random) -> str | None:
    """`compact` with its check character changed so that validation fails with `t.broken_by` only."""
    alphabet = list(t.break_alphabet)
    rng.shuffle(alphabet)
    at = t.break_at % len(compact)
    for c in alphabet:
        candidate = compact[:at] + c + compact[at + 1 :]
        if candidate == compact:
            continue
        try:
            t.validate(candidate)
        except t.broken_by:
            return candidate
        except ValidationError:
            continue
    return None


def break_iban(compact: str, rng: random.Random) -> str:
    while True:
        candidate = compact[:2] + f"{rng.randint(2, 98):02d}" + compact[4:]
        if candidate != compact and not iban.is_valid(candidate):
            return candidate


# --- ordinary numbers ------------------------------------------------------------------------------------------


def _isbn13(rng: random.Random) -> str:
    body = rng.choice(("978", "979")) + _digits(rng, 9, _D)
    value = body + ean.calc_check_digit(body)
    return isbn.format(value) if rng.random() < 0.5 and isbn.is_valid(value) else value


ORDINARY: dict[str, Callable[[random.Random], str]] = {
    "price": lambda r: r.choice((f"{r.randint(1, 999)} {r.randint(0, 999):03d},{r.randint(0, 99):02d} €",
                                 f"{r.randint(1, 9999)},{r.randint(0, 99):02d} EUR", f"€{r.randint(1, 99999)}.00",
                                 f"{r.randint(1, 99)}.{r.randint(0, 999):03d},- Kč")),
    "date": lambda r: (lambda d: r.choice((f"{d.day:02d}.{d.month:02d}.{d.year}", d.isoformat(),
                                           f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}. {d.month}. {d.year}")))(
        _birth(r, 1900, 2030)),
    "count": lambda r: r.choice((f"{r.randint(1, 99)} {r.randint(0, 999):03d} {r.randint(0, 999):03d}",
                                 f"{r.randint(1, 999)}.{r.randint(0, 999):03d}", str(r.randint(10000, 9999999)))),
    "isbn": _isbn13,
    "postcode": lambda r: r.choice((f"{r.randint(1000, 99999)}", f"{r.randint(10, 99)}-{r.randint(0, 999):03d}",
                                    f"{r.randint(100, 999)} {r.randint(0, 99):02d}",
                                    f"{r.randint(1000, 9999)}-{r.randint(0, 999):03d}")),
    "order": lambda r: r.choice((_digits(r, r.randint(6, 13)), f"{r.randint(2000, 2030)}-{_digits(r, 6, _D)}",
                                 f"A{_digits(r, 8, _D)}", f"{_digits(r, 3)}-{_digits(r, 7, _D)}")),
    "quantity": lambda r: r.choice((f"{r.randint(1, 999)} {r.randint(0, 999):03d} kg",
                                    f"{r.randint(1, 99)},{r.randint(0, 9)} %", f"{r.randint(100, 99999)} m²")),
}  # fmt: skip
