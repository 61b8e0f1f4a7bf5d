"""Replaces validated personal data by typed placeholders and keeps keyed fingerprints of what it removed.

`redact` is pure: text and matches in, a `Redaction` out. `fingerprint` is the one normalisation + HMAC
used both here and by erasure requests, so a person's e-mail, phone or ID hashes the same however it was
written. Finding the values is `detectors.py`'s job; reading the key is the caller's.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass

import phonenumbers

from eurocurate.filters.pii.detectors import EMAIL, IP, PHONE, PiiMatch

_SEPARATORS_RE = re.compile(r"[\s\-./]+")


@dataclass
class Redaction:
    """The redacted text; replaced values and left-alone candidates per kind; fingerprints of replaced values
    (one per distinct value, in text order; empty without a key)."""

    text: str
    counts: dict[str, int]
    candidates: dict[str, int]
    fingerprints: list[str]


def placeholder(kind: str) -> str:
    return f"<{kind}>"


def redact(text: str, matches: list[PiiMatch], key: bytes | None) -> Redaction:
    """Replace each valid match by its placeholder; count the others as candidates and leave them.
    `matches` must not overlap (as `find_pii` returns them)."""
    parts: list[str] = []
    counts: dict[str, int] = {}
    candidates: dict[str, int] = {}
    fingerprints: dict[str, None] = {}  # an ordered set
    cursor = 0
    for m in sorted(matches, key=lambda m: m.start):
        if not m.valid:
            candidates[m.kind] = candidates.get(m.kind, 0) + 1
            continue
        if m.start < cursor:
            raise ValueError(f"overlapping matches at {m.start}: pass the non-overlapping list find_pii returns")
        parts += (text[cursor : m.start], placeholder(m.kind))
        cursor = m.end
        counts[m.kind] = counts.get(m.kind, 0) + 1
        if key is not None:
            fingerprints[fingerprint(m.kind, m.canonical or m.value, key)] = None
    parts.append(text[cursor:])
    return Redaction("".join(parts), counts, candidates, list(fingerprints))


def fingerprint(kind: str, value: str, key: bytes) -> str:
    """`KIND:hex` HMAC-SHA256 of the normalised value. Erasure requests call this with the value the person
    gives; phone numbers must then be in international form (+49 30 1234567)."""
    digest = hmac.new(key, _normalise(kind, value).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{kind}:{digest}"


def _normalise(kind: str, value: str) -> str:
    """E-mail lower-cased; phone E.164; IP in compressed form; identifiers without separators, upper-cased."""
    if kind == EMAIL:
        return value.strip().lower()
    if kind == PHONE:
        number = value.strip()
        number = "+" + number[2:] if number.startswith("00") else number
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException as e:
            raise ValueError(f"phone number {value!r} has no country code; give it as +<country> <number>") from e
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if kind == IP:
        return ipaddress.ip_address(value.strip()).compressed
    return _SEPARATORS_RE.sub("", value).upper()
