"""Bank accounts: IBANs however they are grouped (spaces, dashes, dots, the national groupings of
`ES72 2013-0692-81-0201150993`) and the national account formats python-stdnum validates (Czech
`19-2000145399/0800`, Spanish CCC `2077 0024 00 3102575766`). Windowing the text and the other kinds of
personal data are `detectors.py`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum.cz import bankaccount as cz_bankaccount
from stdnum.es import ccc as es_ccc
from stdnum.exceptions import InvalidChecksum, ValidationError

from eurocurate.filters.pii.match import BANK_ACCOUNT, IBAN, RANK_ACCOUNT, RANK_IBAN, Found, PiiMatch

# Country code (a space may follow it: "DE 89 …"), check digits, then alphanumerics with at most one separator, or two
# spaces, between any two of them; the registry's length for the country decides where the IBAN ends. Any case:
# "de89 3704 …" and "NL91 abna …" are IBANs too, validated upper-cased (the BBAN format check keeps words out).
_IBAN_RE = re.compile(r"(?<!\w)[A-Za-z]{2} ?\d\d(?:(?:[ \-.]|  )?[A-Za-z0-9]){8,34}")
_IBAN_LENGTH: dict[str, int] = {
    cc: 4 + sum(int(n) for n in re.findall(r"(\d+)!", props.get("bban", "")))
    for _, cc, _, props, _ in numdb.get("iban").prefixes
}
# Czech: optional prefix, account number of at least 6 digits (shorter ones are years and ratios: 2019/2020),
# a 4-digit bank code stdnum checks against the national bank register. Spanish CCC: 20 digits, 2 check digits.
_NATIONAL_RE = re.compile(
    r"(?<![\w\-./])(?:(?P<cz>(?:\d{1,6}-)?\d{6,10}/\d{4})|(?P<es>\d{4}([ -]?)\d{4}\3\d\d\3\d{10}))(?![\w]|[\-./]\w)"
)


def ibans(text: str, lo: int, hi: int) -> Iterator[Found]:
    for m in _IBAN_RE.finditer(text, lo, hi):
        value = m.group()
        expected = _IBAN_LENGTH.get(value[:2].upper())
        if expected is None:
            continue
        cut = _alnum_prefix_end(value, expected)
        if cut is None:
            continue
        # A following group (a year, "EUR") taken along must start after a separator, not inside a group.
        if cut < len(value) and value[cut].isalnum():
            continue
        value = value[:cut]
        try:  # ISO 13616 mod 97 and the registry's BBAN format; national bank directories are not complete
            stdnum_iban.validate(value.replace("-", "").replace(".", "").upper(), check_country=False)
            valid = True
        except InvalidChecksum:
            valid = False
        except ValidationError:
            continue
        if not valid and not (value[:2].isupper() and value[2] != " "):
            continue  # "de 12 …", "ro 29 …": words before numbers; only the usual form is a failed IBAN
        yield RANK_IBAN, PiiMatch(IBAN, m.start(), m.start() + len(value), value, valid)


def _alnum_prefix_end(value: str, n_alnum: int) -> int | None:
    """Index just past the `n_alnum`-th alphanumeric character of `value`; None if it has fewer."""
    seen = 0
    for i, ch in enumerate(value):
        if ch.isalnum():
            seen += 1
            if seen == n_alnum:
                return i + 1
    return None


def national_accounts(text: str, lo: int, hi: int) -> Iterator[Found]:
    for m in _NATIONAL_RE.finditer(text, lo, hi):
        validate = cz_bankaccount.validate if m.group("cz") else es_ccc.validate
        if m.group("cz") and "bank" not in cz_bankaccount.info(m.group()):
            continue  # an unknown bank code: a ratio or a reference, not an account (stdnum checks it last)
        try:
            validate(m.group())
            valid = True
        except InvalidChecksum:
            valid = False
        except ValidationError:
            continue
        yield RANK_ACCOUNT, PiiMatch(BANK_ACCOUNT, m.start(), m.end(), m.group(), valid)
