"""Archive records (WARC and ARC) as the readers see them, and what a record's payload is: its HTTP status,
content type, opt-out headers and decoded text, or the reason it is no document.

Shared by the WARC reader (`warc`), the ARC reader (`arc`) and the opt-out stage's robots.txt captures;
owns no file parsing (FastWARC and warcio do that in `warc` and `arc`) beyond finding the next record start.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from eurocurate.pipelines.ingest.decode import HTML_TYPES, decode_payload, looks_binary
from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT, ReadLimits
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = re.compile(rb"(?:^|\n)WARC/\d\.\d+\r?\n")
_SCAN_CHUNK = 1 << 20
_INFLATE_STEP = 1 << 20  # most bytes one step of Content-Encoding inflation produces
DEFAULT_LIMITS = ReadLimits()
# WET records of text the crawler already extracted.
CONVERSION = "conversion"


@dataclass(slots=True)
class RawRecord:
    """A WARC (or ARC) record as the reader saw it, or the corrupt region where one should have been."""

    offset: int
    record_type: str
    record_id: str | None
    url: str | None
    date: str | None
    content_type: str | None
    block: bytes
    problem: Drop | None = None


# Response headers that opt-out protocols read; kept (all values, in order) in the document metadata.
OPTOUT_HEADERS = ("x-robots-tag", "tdm-reservation", "tdm-policy", "content-usage", "link")
# Response headers the payload is decoded by (none of them an opt-out header).
_READ_HEADERS = frozenset({"content-type", "content-encoding", "transfer-encoding", "location"})


@dataclass(slots=True)
class HttpPayload:
    status: int
    content_type: str | None
    body: bytes
    optout_headers: dict[str, list[str]]
    location: str | None = None  # a redirect's target (the opt-out stage follows robots.txt redirects)


def parse_http_block(block: bytes, max_bytes: int = DEFAULT_LIMITS.max_bytes) -> HttpPayload | Drop:
    """Split an HTTP response block into status, Content-Type and decoded body. A `Content-Encoding`
    body is inflated while counting: one that would exceed `max_bytes` is an oversize drop, never in memory."""
    sep = block.find(b"\r\n\r\n")
    cut = 4
    if sep < 0:
        sep, cut = block.find(b"\n\n"), 2
    if sep < 0:
        return Drop(Reason.WARC_CORRUPT, "HTTP header block has no terminating blank line")
    head = block[:sep].decode("iso-8859-1").splitlines()
    body = block[sep + cut :]
    try:
        status = int(head[0].split()[1])
    except (IndexError, ValueError):
        return Drop(Reason.WARC_CORRUPT, f"bad HTTP status line {head[0][:80] if head else ''!r}")
    headers: dict[str, str] = {}  # the last value of each header read below
    kept: dict[str, list[str]] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name in _READ_HEADERS:
            headers[name] = value.strip()
        elif name in OPTOUT_HEADERS:
            kept.setdefault(name, []).append(value.strip())
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    encoding = headers.get("content-encoding", "").lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        # gzip or zlib by their headers (47); "deflate" is zlib by RFC 9110, but many servers send raw deflate,
        # which browsers read too: a body that does not start with a zlib header is read as raw (-15)
        raw_deflate = encoding == "deflate" and not _zlib_header(body) and not body.startswith(GZIP_MAGIC[:2])
        inflated = _inflate(body, 47 if not raw_deflate else -15, max_bytes)
        if isinstance(inflated, Drop):
            return Drop(inflated.reason, f"content-encoding {encoding}: {inflated.evidence}")
        body = inflated
    elif encoding == "br":
        inflated = _unbrotli(body, max_bytes)
        if isinstance(inflated, Drop):
            return Drop(inflated.reason, f"content-encoding br: {inflated.evidence}")
        body = inflated
    elif encoding not in ("", "identity"):
        return Drop(Reason.UNDECODABLE, f"unsupported content-encoding {encoding}")
    return HttpPayload(status, headers.get("content-type"), body, kept, headers.get("location"))


def _unbrotli(body: bytes, max_bytes: int) -> bytes | Drop:
    """A brotli body (`Content-Encoding: br`, what most browsers are served), inflated in steps so that at most
    `max_bytes` of it is ever held, as `_inflate` does for gzip and deflate."""
    import brotli  # FastWARC's own dependency

    inflater = brotli.Decompressor()
    parts: list[bytes] = []
    size = 0
    try:
        part = inflater.process(body, output_buffer_limit=_INFLATE_STEP)
        while True:
            size += len(part)
            if size > max_bytes:
                return Drop(Reason.OVERSIZE, f"{len(body)} bytes inflate to more than max_bytes {max_bytes}")
            parts.append(part)
            if inflater.is_finished() or inflater.can_accept_more_data():
                break  # done, or all input taken
            part = inflater.process(b"", output_buffer_limit=_INFLATE_STEP)
    except brotli.error as e:
        return Drop(Reason.UNDECODABLE, f"broken brotli stream ({e})")
    if not inflater.is_finished():
        return Drop(Reason.UNDECODABLE, "incomplete or truncated brotli stream")
    return b"".join(parts)


def _zlib_header(body: bytes) -> bool:
    """RFC 1950: compression method 8 in the first byte's low bits, and the first two bytes a multiple of 31."""
    return len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0


def _inflate(body: bytes, wbits: int, max_bytes: int) -> bytes | Drop:
    """The inflated body, at most `max_bytes` of it ever held (a 7 KB gzip body can inflate to 1 GiB)."""
    inflater = zlib.decompressobj(wbits=wbits)
    parts: list[bytes] = []
    size = 0
    data = body
    try:
        while data and not inflater.eof:  # in steps, so that a bomb is stopped one step past the limit
            part = inflater.decompress(data, _INFLATE_STEP)
            size += len(part)
            if size > max_bytes:
                return Drop(Reason.OVERSIZE, f"{len(body)} bytes inflate to more than max_bytes {max_bytes}")
            parts.append(part)
            data = inflater.unconsumed_tail
        if not inflater.eof:  # all input taken, output still held back (at most a window's worth)
            parts.append(inflater.flush())
            size += len(parts[-1])
    except zlib.error as e:
        return Drop(Reason.UNDECODABLE, str(e))
    if size > max_bytes:
        return Drop(Reason.OVERSIZE, f"{len(body)} bytes inflate to more than max_bytes {max_bytes}")
    if not inflater.eof:
        return Drop(Reason.UNDECODABLE, "incomplete or truncated stream")
    return b"".join(parts)


def _dechunk(body: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            return bytes(out) or body
        try:
            size = int(body[pos:eol].split(b";")[0], 16)
        except ValueError:
            return bytes(out) or body  # not really chunked: keep the body as stored
        if size == 0:
            return bytes(out)
        out += body[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2


def next_record_start(path: Path, after: int, gzipped: bool) -> int | None:
    """Offset of the next plausible record start strictly after `after`, or None at end of file."""
    with open(path, "rb") as f:
        pos = after + 1
        while True:
            f.seek(pos)
            chunk = f.read(_SCAN_CHUNK + 16)
            if not chunk:
                return None
            if gzipped:
                hit = chunk.find(GZIP_MAGIC)
            else:
                m = _WARC_MAGIC.search(chunk)
                hit = -1 if m is None else m.start() + (1 if chunk[m.start() : m.start() + 1] == b"\n" else 0)
            if hit >= 0:
                return pos + hit
            if len(chunk) <= _SCAN_CHUNK:
                return None
            pos += _SCAN_CHUNK


def record_metadata(raw: RawRecord) -> dict[str, object]:
    """The provenance a record carries in its WARC header."""
    return {Meta.WARC_RECORD_ID: raw.record_id, Meta.URL: raw.url, Meta.FETCH_DATE: raw.date}


def record_payload(
    raw: RawRecord, keep_status: tuple[int, ...], md: dict[str, object], max_bytes: int = DEFAULT_LIMITS.max_bytes
) -> tuple[str, Drop | None]:
    """The text of a document record (HTML, or plain text for a WET `conversion`), or why there is none;
    an encoded body inflating beyond `max_bytes` is an oversize drop.

    Adds what the payload declares (HTTP status, content type, opt-out headers, charset) to `md`.
    """
    if raw.problem is not None:
        return "", raw.problem
    if raw.record_type == "revisit":
        return "", Drop(Reason.WARC_REVISIT, "revisit record carries no payload")
    if raw.record_type == CONVERSION:
        return _conversion_text(raw, md)
    if raw.record_type == "response":
        http = parse_http_block(raw.block, max_bytes)
        if isinstance(http, Drop):
            return "", http
        status, content_type, body = http.status, http.content_type, http.body
        if http.optout_headers:
            md[Meta.HTTP_HEADERS] = http.optout_headers
    else:  # resource: the block is the payload, typed by the WARC header
        status, content_type, body = 200, raw.content_type, raw.block
    md[Meta.HTTP_STATUS] = status
    md[Meta.CONTENT_TYPE] = content_type
    if status not in keep_status:
        return "", Drop(Reason.HTTP_STATUS, f"status {status}")
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime not in HTML_TYPES or looks_binary(body, content_type):
        return "", Drop(Reason.NON_HTML, f"content-type {content_type!r}, {len(body)} bytes")
    if not body.strip():
        return "", Drop(Reason.EMPTY_PAYLOAD, "0 bytes of payload")
    decoded = decode_payload(body, content_type)
    if decoded is None:
        return "", Drop(Reason.UNDECODABLE, f"no charset decodes the payload (declared {content_type!r})")
    md[Meta.CHARSET] = decoded.charset
    md[Meta.CHARSET_ORIGIN] = decoded.origin
    return decoded.text, None


def _conversion_text(raw: RawRecord, md: dict[str, object]) -> tuple[str, Drop | None]:
    # WET: text the crawler already extracted (UTF-8 by the WET convention); marked plain text so that
    # the extractor passes it through
    mime = (raw.content_type or PLAIN_TEXT).split(";")[0].strip().lower()
    md[Meta.CONTENT_TYPE] = PLAIN_TEXT if mime == PLAIN_TEXT else raw.content_type
    if mime != PLAIN_TEXT or looks_binary(raw.block, raw.content_type):
        return "", Drop(Reason.NON_HTML, f"conversion record of type {raw.content_type!r}, {len(raw.block)} bytes")
    if not raw.block.strip():
        return "", Drop(Reason.EMPTY_PAYLOAD, "0 bytes of payload")
    decoded = decode_payload(raw.block, raw.content_type)
    if decoded is None:
        return "", Drop(Reason.UNDECODABLE, f"no charset decodes the converted text (declared {raw.content_type!r})")
    md[Meta.CHARSET] = decoded.charset
    md[Meta.CHARSET_ORIGIN] = decoded.origin
    return decoded.text, None
