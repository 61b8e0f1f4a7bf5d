"""ARC files (the Internet Archive's format before WARC): `.arc` / `.arc.gz` records in, documents out.

Parses with warcio (`arc2warc=True`), the well-kept reader of legacy archives; ARC responses then go
through the same payload logic as WARC records (`records.record_payload`). Reads uncompressed files,
gzip per record, and whole-file gzip (which warcio refuses: read here through a decompressing stream,
offsets then count decompressed bytes). Legacy WARC/0.18 files are read by the WARC reader (FastWARC).
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from eurocurate.pipelines.ingest.records import RawRecord, next_record_start, record_metadata, record_payload
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

log = logging.getLogger(__name__)

# A first gzip member that decompresses to more than this without ending is a whole-file gzip.
_MEMBER_PROBE_BYTES = 4 << 20
_DOCUMENT_TYPES = ("response", "resource", "revisit")


def _gzip_layout(path: Path) -> str:
    """`plain`, `per_record` (one gzip member per record, seekable) or `whole_file` (one member for all)."""
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            return "plain"
        f.seek(0)
        inflater = zlib.decompressobj(wbits=31)
        produced = 0
        try:
            while produced < _MEMBER_PROBE_BYTES:
                chunk = f.read(1 << 16)
                if not chunk:
                    return "whole_file"  # the file ends inside (or with) its first member
                produced += len(inflater.decompress(chunk, _MEMBER_PROBE_BYTES))
                if inflater.eof:
                    return "per_record" if inflater.unused_data or f.read(1) else "whole_file"
        except zlib.error:
            return "per_record"  # broken from the start: the per-record path reports and resumes
    return "whole_file"


def _block(rec) -> tuple[str, bytes, str | None]:
    """(record type, block, content type) in the shape `records.record_payload` reads."""
    content_type = rec.rec_headers.get_header("Content-Type")
    if rec.rec_type == "response" and rec.http_headers is not None:
        return "response", rec.http_headers.to_bytes(encoding="iso-8859-1") + rec.raw_stream.read(), content_type
    if rec.rec_type == "response":  # dns:, ftp: and other non-HTTP captures: the payload as stored
        return "resource", rec.raw_stream.read(), content_type
    return rec.rec_type, rec.raw_stream.read(), content_type


def _records(stream: BinaryIO, base: int, path: Path, max_block_bytes: int | None) -> Iterator[RawRecord]:
    it = ArchiveIterator(stream, arc2warc=True, check_digests=False)
    for rec in it:
        # get_record_offset() reads the record to its end: read the block first
        if max_block_bytes is not None and rec.length is not None and rec.length > max_block_bytes:
            offset = base + it.get_record_offset()
            problem = Drop(
                Reason.OVERSIZE, f"{path.name}@{offset}: record of {rec.length} bytes > max_bytes {max_block_bytes}"
            )
            yield RawRecord(offset, rec.rec_type, None, _uri(rec), _date(rec), None, b"", problem)
            continue
        record_type, block, content_type = _block(rec)
        # arc2warc invents a random WARC-Record-ID; an ARC record has none, so the offset identifies it
        yield RawRecord(base + it.get_record_offset(), record_type, None, _uri(rec), _date(rec), content_type, block)


def _uri(rec) -> str | None:
    return rec.rec_headers.get_header("WARC-Target-URI")


def _date(rec) -> str | None:
    return rec.rec_headers.get_header("WARC-Date")


def iter_arc_records(path: Path, max_block_bytes: int | None = None) -> Iterator[RawRecord]:
    """All records of an ARC file; after a corrupt gzip member the reader resumes at the next member,
    and the lost region is yielded once as an `unreadable` record."""
    layout = _gzip_layout(path)
    if layout == "whole_file":
        try:
            with gzip.open(path, "rb") as stream:
                yield from _records(stream, 0, path, max_block_bytes)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as e:
            yield _unreadable(path, 0, None, e)
        return
    start: int | None = 0
    while start is not None:
        last = start
        try:
            with open(path, "rb") as f:
                f.seek(start)
                for raw in _records(f, start, path, max_block_bytes):
                    last = raw.offset
                    yield raw
            return
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as e:
            resume = next_record_start(path, last, gzipped=True) if layout == "per_record" else None
            yield _unreadable(path, last, resume, e)
            start = resume


def _unreadable(path: Path, lost: int, resume: int | None, error: Exception) -> RawRecord:
    end = resume if resume is not None else path.stat().st_size
    log.warning("%s: unreadable ARC region [%d, %d): %s", path, lost, end, str(error).strip()[:200])
    problem = Drop(Reason.WARC_CORRUPT, f"{path.name}@[{lost},{end}): {str(error).strip()[:300]}")
    return RawRecord(lost, "unreadable", None, None, None, None, b"", problem)


def arc_documents(path: Path, limits: ReadLimits) -> Iterator[SourceDocument | NotADocument]:
    """The document reader's view of an ARC file."""
    for index, raw in enumerate(iter_arc_records(path, max_block_bytes=limits.max_bytes)):
        if raw.record_type not in _DOCUMENT_TYPES and raw.record_type != "unreadable":
            yield NotADocument(raw.offset)
            continue
        md = record_metadata(raw)
        md[Meta.INPUT_FORMAT] = "arc"
        text, drop = record_payload(raw, limits.keep_status, md, limits.max_bytes)
        # the record index keeps keys unique even if a damaged file yields two records at one offset
        yield SourceDocument(f"@{raw.offset}#{index}", raw.offset, text, md, drop)
