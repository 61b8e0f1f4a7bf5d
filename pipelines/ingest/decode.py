"""Turning an HTTP payload into text: charset from a byte-order mark, the header, the `<meta>` tag, or detection.

Owns the decision of which charset a page is in and whether it is text at all. It does not parse
HTML: `sniff_meta_charset` looks at the first bytes only, as browsers do.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

import cchardet

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
# WHATWG: labels of Latin-1 and ASCII mean windows-1252 on the web.
_WEB_ALIASES = {"latin1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}
# C0 controls but tab, line feed and carriage return; C1 controls; the replacement character
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x9f\ufffd]")
# The controls in UTF-8: a C0 control is its own byte (no other character's UTF-8 holds a byte below 0x80),
# a C1 control is C2 80..C2 9F (C2 is a lead byte only).
_C0_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r")
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_CONTROL_SAMPLE = 20000  # characters looked at
_MAX_CONTROL_FRACTION = 0.01
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Charsets a detector may propose: those web pages in EU languages are actually written in. DOS and
# Mac code pages map every byte to a letter, so a detector "finding" them in noise proves nothing. UTF-16
# is not guessed either: a byte-order mark or the header says it (`wide_charset`).
_DETECTABLE = frozenset(
    {f"cp125{i}" for i in range(9)}
    | {f"iso8859-{i}" for i in (1, 2, 3, 4, 5, 7, 9, 10, 13, 14, 15, 16)}
    | {"koi8-r", "koi8-u"}
)


# Byte-order marks: UTF-32's little-endian mark starts with UTF-16's, so UTF-32's are looked for first.
_UTF32_BOMS = {codecs.BOM_UTF32_LE: "utf-32-le", codecs.BOM_UTF32_BE: "utf-32-be"}
_UTF16_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
_UTF32 = frozenset({"utf-32", "utf-32-le", "utf-32-be"})
_UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})

UTF8_REPLACED = "utf-8-replaced"  # UTF-8 but for a few invalid bytes (at most 1% of the text), each read as U+FFFD


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    charset: str
    origin: str  # utf-8 | bom | meta | http | detected | utf-8-replaced (`UTF8_REPLACED`)


def normalise_charset(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _WEB_ALIASES.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    m = _CT_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def sniff_meta_charset(payload: bytes, window: int = 4096) -> str | None:
    m = _META_CHARSET.search(payload[:window])
    return m.group(1).decode("ascii", "replace") if m else None


def wide_charset(payload: bytes, content_type: str | None) -> tuple[str, str, int] | None:
    """(codec, origin, bytes of byte-order mark) of a payload in UTF-16 or UTF-32, else None.

    As a browser reads it (WHATWG "decode"): a UTF-16 byte-order mark decides, whatever the header says. UTF-32,
    which browsers do not read, only when the HTTP header declares it, as does UTF-16 without a mark: and then
    only when the first KiB holds a NUL byte, which every wide-charset page has (its markup is ASCII) and a page
    in an ASCII-compatible charset never has, so that a server's wrong declaration does not turn a UTF-8 page
    into CJK noise. A UTF-8 mark is no wide charset (strict UTF-8 reads the page)."""
    if payload.startswith(codecs.BOM_UTF8):
        return None
    declared = normalise_charset(charset_from_content_type(content_type))
    if declared in _UTF32:
        for bom, codec in _UTF32_BOMS.items():
            if payload.startswith(bom):
                return codec, "http", len(bom)
    for bom, codec in _UTF16_BOMS.items():
        if payload.startswith(bom):
            return codec, "bom", len(bom)
    if b"\x00" not in payload[:1024]:
        return None
    # the labels "utf-16" and "utf-32" without a mark: little-endian, as the web reads "utf-16"
    if declared in _UTF32:
        return ("utf-32-le" if declared == "utf-32" else declared), "http", 0
    if declared in _UTF16:
        return ("utf-16-le" if declared == "utf-16" else declared), "http", 0
    return None


def looks_binary(payload: bytes, content_type: str | None = None) -> bool:
    """True for a payload that is no text: a binary format's magic bytes, or a NUL byte in its first KiB
    (but for a UTF-16 or UTF-32 page, `wide_charset`, whose markup is made of them)."""
    head = payload[:1024]
    if head.startswith(_BINARY_MAGIC):
        return True
    return b"\x00" in head and wide_charset(payload, content_type) is None


def _controls(text: str, data: bytes) -> int:
    """How many characters of `text` (`data`: the same in UTF-8) `_CONTROL` matches: C0 and C1 counted on
    the bytes (a deletion in C instead of a regex scan over every character), U+FFFD on the text (no scan
    at all when the text holds no character above U+00FF)."""
    n = len(data) - len(data.translate(None, _C0_BYTES)) + text.count("\ufffd")
    if b"\xc2" in data:
        n += len(_C1_UTF8.findall(data))
    return n


def _control_fraction(text: str, utf8: bytes | None = None) -> float:
    """Share of the first 20,000 characters that `_CONTROL` matches (controls, U+FFFD). `utf8`: `text` in UTF-8
    when the caller has it (the payload it decoded), counted on as it is when the whole text is the sample."""
    if not text:
        return 0.0
    sample = text[:_CONTROL_SAMPLE]
    if utf8 is None or len(text) > _CONTROL_SAMPLE:
        # surrogatepass: a lone surrogate (no codec here makes one) is neither a control nor an error
        utf8 = sample.encode("utf-8", "surrogatepass")
    return _controls(sample, utf8) / len(sample)


def decode_payload(payload: bytes, content_type: str | None) -> Decoded | None:
    """Decode an HTML payload; None when no candidate charset yields text (the caller drops the page).

    Order: a UTF-16 or UTF-32 page by its byte-order mark or header (`wide_charset`), read in that charset or
    not at all; strict UTF-8 first for every other page (a non-ASCII byte sequence that is valid UTF-8 is
    almost never anything else, whatever the declarations say); then the `<meta>` charset, which the page author
    wrote and which server defaults in the HTTP header often contradict; then the header; then detection.
    """
    if (wide := wide_charset(payload, content_type)) is not None:
        codec, origin, bom = wide
        try:
            text = str(memoryview(payload)[bom:], codec)  # a view: the payload is not copied to skip its mark
        except UnicodeDecodeError:
            return None
        return Decoded(text, codec, origin) if _control_fraction(text) <= _MAX_CONTROL_FRACTION else None
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_fraction(text, payload) <= _MAX_CONTROL_FRACTION:
            return Decoded(text, "utf-8", "utf-8")
    for charset, origin in _candidates(payload, content_type):
        if not charset or charset == "utf-8" or charset in _UTF16 or charset in _UTF32:
            # a wide charset is `wide_charset`'s to decide; one a `<meta>` names means UTF-8 (WHATWG: the tag
            # could not have been read in it), one the header names for a page without NULs is wrong
            continue
        try:
            text = payload.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
        if _control_fraction(text) <= _MAX_CONTROL_FRACTION:
            return Decoded(text, charset, origin)
    # UTF-8 with a few broken bytes (a truncated multi-byte character, a pasted fragment): no other charset made
    # text of it, so it is read as UTF-8 with U+FFFD for each bad byte, unless that makes too much of the page noise
    text = payload.decode("utf-8", "replace")
    if _control_fraction(text) <= _MAX_CONTROL_FRACTION:
        return Decoded(text, "utf-8", UTF8_REPLACED)
    return None


def _candidates(payload: bytes, content_type: str | None) -> Iterator[tuple[str | None, str]]:
    """The charsets to try after UTF-8, in order; detection (the costly one) runs only when the
    declared charsets are missing or do not make text of the payload."""
    yield normalise_charset(sniff_meta_charset(payload)), "meta"
    yield normalise_charset(charset_from_content_type(content_type)), "http"
    detected = cchardet.detect(payload[:65536])
    if detected and detected.get("encoding") and (detected.get("confidence") or 0) >= 0.2:
        charset = normalise_charset(detected["encoding"])
        if charset in _DETECTABLE:
            yield charset, "detected"
