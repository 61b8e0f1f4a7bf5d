"""Writing WARC/1.1 files: the demo corpus generator and the test fixtures build real WARC bytes with this.

Deliberately small: response, resource, revisit and warcinfo records, gzip per record or plain. It
is a writer for data we make ourselves, not a general WARC library (FastWARC reads what it writes).
"""

from __future__ import annotations

import gzip
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class WarcRecordSpec:
    url: str
    body: bytes = b""
    record_type: str = "response"
    status: int = 200
    http_headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    date: str = "2026-11-01T12:00:00Z"
    record_id: str | None = None
    warc_content_type: str | None = None  # for resource records: the payload's MIME type

    def block(self) -> bytes:
        if self.record_type != "response":
            return self.body
        reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently", 503: "Service Unavailable"}.get(
            self.status, "X"
        )
        head = [f"HTTP/1.1 {self.status} {reason}"] + [f"{k}: {v}" for k, v in self.http_headers.items()]
        head.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("iso-8859-1") + self.body


def deterministic_record_id(url: str, salt: str = "") -> str:
    return f"<urn:uuid:{uuid.UUID(bytes=hashlib.md5(f'{salt}{url}'.encode()).digest())}>"


def record_bytes(rec: WarcRecordSpec) -> bytes:
    block = rec.block()
    ctype = {
        "response": "application/http; msgtype=response",
        "revisit": "application/http; msgtype=response",
        "warcinfo": "application/warc-fields",
    }.get(rec.record_type, rec.warc_content_type or "text/html")
    headers = [
        "WARC/1.1",
        f"WARC-Type: {rec.record_type}",
        f"WARC-Record-ID: {rec.record_id or deterministic_record_id(rec.url, rec.record_type)}",
        f"WARC-Date: {rec.date}",
    ]
    if rec.record_type != "warcinfo":
        headers.append(f"WARC-Target-URI: {rec.url}")
    if rec.record_type == "revisit":
        headers.append("WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")
    headers += [f"Content-Type: {ctype}", f"Content-Length: {len(block)}"]
    return ("\r\n".join(headers) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def write_warc(path: Path, records: list[WarcRecordSpec], gzip_per_record: bool | None = None) -> list[int]:
    """Write records; returns each record's byte offset in the file. `.gz` paths are gzipped per record."""
    compress = path.name.endswith(".gz") if gzip_per_record is None else gzip_per_record
    path.parent.mkdir(parents=True, exist_ok=True)
    offsets, pos = [], 0
    with open(path, "wb") as f:
        for rec in records:
            data = record_bytes(rec)
            if compress:
                data = gzip.compress(data, compresslevel=6, mtime=0)
            offsets.append(pos)
            f.write(data)
            pos += len(data)
    return offsets
