"""Hostile input files built in code for the attack tests: decompression bombs, lying lengths, deep HTML."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from eurocurate.tools.warc_writer import WarcRecordSpec, record_bytes

GIB = 1 << 30
_CHUNK = b"<p>a</p>" * (1 << 17)  # 1 MiB of HTML that deflates ~1000:1


def page_record(n: int) -> bytes:
    """An ordinary HTML response record (its text says which one it is)."""
    body = (
        f"<html><head><title>Ordinary {n}</title></head><body><main><article><h1>Ordinary page {n}</h1>"
        f"<p>This is the ordinary page number {n}, read after the hostile record in front of it, "
        f"with enough words in it to be a page of main text for the extractor.</p></article></main></body></html>"
    ).encode()
    return record_bytes(WarcRecordSpec(url=f"https://example.eu/ordinary/{n}", body=body))


def lying(record: bytes, content_length: int) -> bytes:
    """The record with its WARC Content-Length replaced (the block itself unchanged)."""
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = [
        b"Content-Length: %d" % content_length if ln.startswith(b"Content-Length: ") else ln
        for ln in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + sep + rest


def bomb_member(inflated: int = GIB) -> bytes:
    """One gzip member holding a WARC response record whose HTML body is `inflated` bytes (about
    inflated/1000 compressed), built in 1 MiB steps so that the test never holds it."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-0000000b0b0b>\r\n"
        "WARC-Date: 2026-11-01T12:00:00Z\r\nWARC-Target-URI: https://example.eu/bomb\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http) + inflated}\r\n\r\n"
    ).encode()
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [z.compress(head + http)]
    for _ in range(inflated // len(_CHUNK)):
        parts.append(z.compress(_CHUNK))
    parts.append(z.compress(b"\r\n\r\n") + z.flush())
    return b"".join(parts)


def gzip_body_bomb(inflated: int = GIB) -> bytes:
    """A response record whose `Content-Encoding: gzip` body (~1 MB) inflates to `inflated` bytes of HTML."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = b"".join([z.compress(_CHUNK) for _ in range(inflated // len(_CHUNK))] + [z.flush()])
    spec = WarcRecordSpec(
        url="https://example.eu/encoded-bomb",
        body=body,
        http_headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
    )
    return record_bytes(spec)


def write_members(path: Path, records: list[bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(r if r[:2] == b"\x1f\x8b" else gzip.compress(r, mtime=0) for r in records))
    return path


def nested_divs(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "<p>deep text</p>" + "</div>" * depth + "</body></html>"
