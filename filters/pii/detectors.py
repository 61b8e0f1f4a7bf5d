"""Finds personal data in text: e-mail, IP, phone, bank account, payment card and national identifiers.

`find_pii` returns located, typed matches: validated values (`valid=True`, to be redacted) and
identifier-shaped strings whose checksum failed (`valid=False`, counted and left alone), without
overlaps and in text order. It never changes text (`redaction.py` does) and knows nothing of documents;
national identifiers are recognised by `national_ids.py`, bank accounts by `accounts.py`, and what the words before
a number say it is (a phone number, an ISBN, an order number) by `number_names.py`.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
import string
from collections.abc import Iterator

import phonenumbers
from stdnum import luhn

from eurocurate.filters.pii.accounts import ibans, national_accounts
from eurocurate.filters.pii.match import (
    CARD,
    EMAIL,
    IP,
    PHONE,
    RANK_BARE_CARD_CANDIDATE,
    RANK_CARD,
    RANK_EMAIL,
    RANK_IP,
    RANK_PHONE,
    Found,
    PiiMatch,
    before,
    names,
)
from eurocurate.filters.pii.national_ids import codici_fiscali, named_values, national_ids
from eurocurate.filters.pii.number_names import CALLING_WORDS_RE, catalogue_number, not_a_phone

# --- other kinds -----------------------------------------------------------------------------------------------

# The top-level domain ends the address: before a letter, digit or lower-case compound ("-adresse") it is a longer
# name, not an address; before "_" (Markdown emphasis) or "-Adresse" (a German compound) it ends. Punycode TLDs too.
_EMAIL_RE = re.compile(
    r"(?<![\w.+%-])[\w.+%-]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:xn--[a-z0-9-]{1,59}[a-z0-9]|[^\W\d_]{2,24})"
    r"(?![^\W_]|-[a-z0-9-])"
)
_EMAIL_WINDOWS_MAX = 8  # beyond this many "@", one scan of the whole text is cheaper than a window per "@"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4_RE = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)")
_IP_CONTEXT_RE = names(
    r"ip\b", "ip-", "address", "adress", "adres", "indirizzo", "direcci", "host", "server", "serveur"
)
_VERSION_RE = re.compile(r"(?:version|versi[oó]n[ei]?|wersj\w|verz\w|release|build|ver\.)\W{0,3}$", re.IGNORECASE)
# A product token and a slash: the version of a User-Agent string ("Chrome/120.0.0.0"), never an address
_PRODUCT_SLASH_RE = re.compile(r"(?<![\w/])[A-Za-z][\w.-]*/$")
_HEX = r"[0-9A-Fa-f]{1,4}"
_IPV6_RE = re.compile(
    rf"(?<![\w:.])(?:{_HEX}(?::{_HEX}){{7}}|(?:{_HEX}(?::{_HEX}){{0,6}})?::(?:{_HEX}(?::{_HEX}){{0,6}})?)(?![\w:])"
)

_CARD_RE = re.compile(
    r"(?<![\w+\-./,])(?:"
    r"\d{4}(?P<s>[ -])\d{4}(?P=s)\d{4}(?P=s)\d{1,4}(?:(?P=s)\d{1,3})?"  # 4-4-4-4 and 4-4-4-4-3
    r"|\d{4}(?P<t>[ -])\d{6}(?P=t)\d{4,5}"  # Amex 4-6-5, Diners 4-6-4
    r"|(?P<bare>\d{13,19})"
    r")(?![\w]|[\-./,]\d)"
)

# "+49 30 …", "0049 …", and as people also write them: "(+49) 30 …", "+49 (30) …", "00 49 …", "+ 49 …", "+49 30 / …"
_PHONE_INTL_RE = re.compile(
    r"(?<![\w+(])(?:\((?:\+|00) ?[1-9]\d{0,2}\)|(?:\+|00) ?[1-9])"
    r"(?:(?: / |[ \xa0\u202f\-./])?(?:\(0\) ?|\(\d{1,4}\) ?)?\d){5,16}(?![\w]|[\-./,]\d)"
)
# Possessive groups: a long digit string must fail fast, not be re-split in every possible way. A number glued to
# the word before it by a colon or a period ("Tel:030/12345678", "Tél.:01 23 45 67 89") starts there too; after a
# digit ("12:30", "1.0301") it does not.
_PHONE_NATIONAL_RE = re.compile(
    r"(?=[\d(])(?:(?<![\w+\-./,:;])|(?<=[^\W\d_][.:])|(?<=[^\W\d_]\.:))"
    r"(?:\(0\d{1,4}\) ?\d++|\d++)(?:(?: / |[ \xa0\u202f\-./])\d++){0,5}+(?![\w]|[\-./,:]\d)"
)
# Only a group of four or more digits (a year, a count) is taken off the end: "05 10 22 950 21" is a number in
# groups of its own, and its first four groups being a valid phone number does not make it one.
_PHONE_LAST_GROUP_RE = re.compile(r"[ \xa0\u202f\-./]*\d{4,}$")
# Not phone numbers: "270.000", "0.2419707245", and anything starting with a date ("05.12.1972 00 UTC").
_AMOUNT_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+|0[.,]\d+")
_DATE_RE = re.compile(
    r"\d{1,2}([./-])\d{1,2}\1(?:(?:19|20)\d\d|\d\d$)(?!\d)|(?:19|20)\d\d([./-])(?:0?[1-9]|1[0-2])\2\d{1,2}(?!\d)"
)
# Regions tried, in order, for a phone number written in national format in a document of that language.
_PHONE_REGIONS: dict[str, tuple[str, ...]] = {
    "bg": ("BG",), "hr": ("HR",), "cs": ("CZ",), "da": ("DK",), "nl": ("NL", "BE"), "en": ("GB", "IE", "MT"),
    "et": ("EE",), "fi": ("FI",), "fr": ("FR", "BE", "LU"), "de": ("DE", "AT", "LU"), "el": ("GR", "CY"),
    "hu": ("HU",), "ga": ("IE",), "it": ("IT",), "lv": ("LV",), "lt": ("LT",), "mt": ("MT",), "pl": ("PL",),
    "pt": ("PT",), "ro": ("RO",), "sk": ("SK",), "sl": ("SI",), "es": ("ES",), "sv": ("SE", "FI"),
}  # fmt: skip

# Digit runs with single separators. Only windows around runs of >= 6 digits, dotted quads and the year of
# a codice fiscale are searched: one cheap scan instead of a dozen patterns over the whole text.
_NUMERIC_RUN_RE = re.compile(r"\d(?:[ \xa0\u202f\-./]?\d)+")
_CODICE_FISCALE_YEAR_RE = re.compile(r"\d\d[ABCDEHLMPRST][\dLMNP-V]{2}[A-Z]", re.IGNORECASE)  # lower case: named only
_DROP_SEPARATORS = str.maketrans("", "", " \xa0\u202f-./")
_WINDOW_BEFORE, _WINDOW_AFTER = 40, 24
_NAME_BEFORE_WINDOW = 24  # "Mon numéro de sécurité sociale est le …": a name may start before the window
_IBAN_WINDOW_AFTER = 48  # an IBAN's longest written form after its first four characters

# --- finding ---------------------------------------------------------------------------------------------------


# Spaces that group digits in typeset text, JSONL and PDFs (no-break, narrow no-break, figure, thin): read as the
# space they stand for. One character for one, so every match's offsets are the original text's.
_SPACE_LIKE_CHARS = "\xa0\u202f\u2007\u2009"
_SPACE_LIKE = str.maketrans(_SPACE_LIKE_CHARS, " " * len(_SPACE_LIKE_CHARS))


def find_pii(text: str, lang: str | None = None) -> list[PiiMatch]:
    """Every e-mail, IP, phone, IBAN, card and national identifier in `text`, valid or checksum-failed,
    non-overlapping and sorted by start. `lang` (ISO 639-1) enables phone numbers in national format. Values are
    given with no-break and thin spaces as plain spaces."""
    if any(space in text for space in _SPACE_LIKE_CHARS):  # a scan per character is cheaper than one translate
        text = text.translate(_SPACE_LIKE)
    found: list[Found] = []
    if "@" in text:
        found.extend(_emails(text))
    if "::" in text or _hex_colons(text) >= 7:
        found.extend(_ipv6(text))
    regions = _PHONE_REGIONS.get(lang or "", ())
    for lo, hi in _numeric_windows(text):
        found.extend(ibans(text, lo, hi))
        found.extend(national_accounts(text, lo, hi))
        found.extend(_cards(text, lo, hi))
        found.extend(national_ids(text, lo, hi, lang))
        found.extend(codici_fiscali(text, lo, hi))
        found.extend(named_values(text, max(0, lo - _NAME_BEFORE_WINDOW), hi, lang))
        found.extend(_ipv4(text, lo, hi))
        found.extend(_phones(text, lo, hi, regions))
    return _without_overlaps(found)


def _numeric_windows(text: str) -> list[tuple[int, int]]:
    """Merged spans of text around digit runs long enough to hold an identifier, phone, card or IP."""
    windows: list[tuple[int, int]] = []
    n = len(text)
    for run in _NUMERIC_RUN_RE.finditer(text):
        digits = run.group().translate(_DROP_SEPARATORS)
        after = _WINDOW_AFTER
        if len(digits) < 6 and run.group().count(".") != 3 and not _CODICE_FISCALE_YEAR_RE.match(text, run.start()):
            # The check digits of an IBAN whose groups hold letters ("MT32 EXEY 8188 3GFL …"): a slice and
            # two character tests, not one more regex scan of every page.
            if not _iban_start(text, run.start()):
                continue
            after = _IBAN_WINDOW_AFTER
        lo, hi = max(0, run.start() - _WINDOW_BEFORE), min(n, run.end() + after)
        while hi < n and not text[hi].isspace():  # never cut a token: a pattern would see a false end
            hi += 1
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def _iban_start(text: str, digits_at: int) -> bool:
    """Two capitals just before the digits, or before one space ("DE 89 3704 …"). A lower-case IBAN needs no window
    of its own: its digit groups make a run long enough to open one, which reaches back to its country code (and
    "im 2024", "de 12" in prose must not open a window each)."""
    country = text[max(0, digits_at - 3) : digits_at].removesuffix(" ")[-2:]
    return len(country) == 2 and country.isascii() and country.isupper() and country.isalpha()


def _without_overlaps(found: list[Found]) -> list[PiiMatch]:
    found.sort(key=lambda f: (f[0], f[1].start - f[1].end, not f[1].valid, f[1].start))
    starts: list[int] = []
    kept: list[PiiMatch] = []  # sorted by start, non-overlapping, so ends are sorted too
    for _, m in found:
        i = bisect.bisect_right(starts, m.start)
        if (i > 0 and kept[i - 1].end > m.start) or (i < len(kept) and kept[i].start < m.end):
            continue
        starts.insert(i, m.start)
        kept.insert(i, m)
    return kept


def _emails(text: str) -> Iterator[Found]:
    if text.count("@") > _EMAIL_WINDOWS_MAX:  # a scan of the whole text is linear; many windows are not
        spans = [(0, len(text))]
    else:
        spans = [(max(0, at - 65), at + 256) for at in _positions(text, "@")]
    end = 0
    for lo, hi in spans:
        for m in _EMAIL_RE.finditer(text, max(lo, end), hi):
            end = m.end()
            yield RANK_EMAIL, PiiMatch(EMAIL, m.start(), m.end(), m.group(), True)


def _positions(text: str, char: str) -> Iterator[int]:
    at = text.find(char)
    while at != -1:
        yield at
        at = text.find(char, at + 1)


def _hex_colons(text: str) -> int:
    """Colons between two hex digits: an uncompressed IPv6 address has seven; prose ("Informationen: …",
    "19:30") rarely does, so the address pattern does not scan every page with a few colons."""
    count = 0
    for at in _positions(text, ":"):
        if 0 < at < len(text) - 1 and text[at - 1] in string.hexdigits and text[at + 1] in string.hexdigits:
            count += 1
    return count


def _ipv6(text: str) -> Iterator[Found]:
    for m in _IPV6_RE.finditer(text):
        if len(m.group()) < 6:  # "::", "a::b": a C++ scope or a smiley, not an address anyone writes
            continue
        try:
            addr = ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        yield RANK_IP, PiiMatch(IP, m.start(), m.end(), m.group(), addr.is_global and not addr.is_multicast)


def _ipv4(text: str, lo: int, hi: int) -> Iterator[Found]:
    for m in _IPV4_RE.finditer(text, lo, hi):
        value = m.group()
        # Section and version numbers ("4.2.1.3", "Version 7.4.7.1", "Firefox 2.0.0.16") are dotted quads too: a quad
        # of one-digit parts or one that looks like a version is an address only where the text says "IP" before it
        # ("my IP address is 5.9.1.2"); after a version word it never is.
        if _VERSION_RE.search(before(text, m.start(), 16)) or _PRODUCT_SLASH_RE.search(before(text, m.start(), 32)):
            continue
        if (len(value) == 7 or _looks_like_version(value)) and not _IP_CONTEXT_RE.search(before(text, m.start())):
            continue
        addr = ipaddress.IPv4Address(value)
        yield RANK_IP, PiiMatch(IP, m.start(), m.end(), value, addr.is_global and not addr.is_multicast)


def _looks_like_version(dotted_quad: str) -> bool:
    """Small major number and mostly single-digit parts: "12.2.0.79"; about 0.1% of public addresses."""
    first, *rest = (int(part) for part in dotted_quad.split("."))
    return first < 30 and sum(part < 10 for part in rest) >= 2


def _cards(text: str, lo: int, hi: int) -> Iterator[Found]:
    for m in _CARD_RE.finditer(text, lo, hi):
        digits = m.group().translate(_DROP_SEPARATORS)
        if not _plausible_card(digits, bool(m.group("bare"))) or catalogue_number(text, m.start(), m.group()):
            continue
        valid = luhn.is_valid(digits)
        # An ungrouped digit string failing Luhn is likelier some other number (an ID with its context) than a card.
        rank = RANK_BARE_CARD_CANDIDATE if m.group("bare") and not valid else RANK_CARD
        yield rank, PiiMatch(CARD, m.start(), m.end(), m.group(), valid)


def _plausible_card(d: str, bare: bool) -> bool:
    """Issuer prefix (IIN) and length of a scheme that issues cards in Europe. Written without groups, only
    the common lengths: a bare 13- or 14-digit number is likelier an identifier or an order number."""
    n, p2, p3, p4 = len(d), int(d[:2]), int(d[:3]), int(d[:4])
    if bare and n not in (15, 16, 19):
        return False
    if d[0] == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if 300 <= p3 <= 305 or p2 in (36, 38, 39) or 2200 <= p4 <= 2204 or 3528 <= p4 <= 3589:  # Diners, Mir, JCB
        return 14 <= n <= 19
    return (p2 == 50 or 56 <= p2 <= 69) and n >= 13  # Maestro, Discover, UnionPay


def _phones(text: str, lo: int, hi: int, regions: tuple[str, ...]) -> Iterator[Found]:
    taken: list[tuple[int, int]] = []
    for m in _PHONE_INTL_RE.finditer(text, lo, hi):
        taken.append(m.span())
        raw, e164 = _longest_valid_phone(m.group(), (None,))
        if e164 is None and raw.startswith("00") and raw.isdigit():
            continue  # "IT 00853870210": a VAT number, not a failed phone number
        if raw.startswith("00") and not_a_phone(text, m.start(), raw):
            continue  # "order number 0082-2702-1147": "+82" would be unmistakable, "0082" is not
        yield RANK_PHONE, PiiMatch(PHONE, m.start(), m.start() + len(raw), raw, e164 is not None, e164 or "")
    if not regions:
        return
    for m in _PHONE_NATIONAL_RE.finditer(text, lo, hi):
        value = m.group()
        if any(s < m.end() and m.start() < e for s, e in taken) or _DATE_RE.match(value):
            continue
        # Shorter national numbers exist, but so do "GSM 900/1800" and "Mobil ... 270.000 Liter".
        if not 8 <= sum(ch.isdigit() for ch in value) <= 13 or _AMOUNT_RE.fullmatch(value) or _counts_up(value):
            continue
        # Without a word like "Tel." only trunk-prefixed numbers count: "2019 2020" is a valid Danish number. After
        # a period with no space ("Tel.030/…") too, since file names and abbreviations are written so ("Nr.0301…").
        glued = m.start() > 0 and text[m.start() - 1] == "."
        if not (value.lstrip("(").startswith("0") and not glued or CALLING_WORDS_RE.search(before(text, m.start()))):
            continue
        raw, e164 = _longest_valid_phone(value, regions)
        if e164 and not not_a_phone(text, m.start(), value):  # after validation: most candidates are not valid
            yield RANK_PHONE, PiiMatch(PHONE, m.start(), m.start() + len(raw), raw, True, e164)


def _counts_up(value: str) -> bool:
    """A calendar or table header ("01 02 03 04 05"), not a number anyone dials."""
    groups = [int(g) for g in re.findall(r"\d+", value)]
    return len(groups) >= 3 and all(b == a + 1 for a, b in zip(groups, groups[1:]))


def _longest_valid_phone(raw: str, regions: tuple[str | None, ...]) -> tuple[str, str | None]:
    """The longest prefix of `raw`, in whole digit groups, that is a valid number, with its E.164 form;
    `raw` itself and None when there is none (a year or a count written right after the number)."""
    candidate = raw
    while True:
        e164 = _valid_phone("+" + candidate[2:] if candidate.startswith("00") else candidate, regions)
        if e164 is not None:
            return candidate, e164
        shorter = _PHONE_LAST_GROUP_RE.sub("", candidate)
        if shorter == candidate or sum(ch.isdigit() for ch in shorter) < 7:
            return raw, None
        candidate = shorter


def _valid_phone(number: str, regions: tuple[str | None, ...]) -> str | None:
    """E.164 form of the number if it is valid in one of `regions` (None: international format only)."""
    for region in regions:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None
