"""WARC reader stage: `.warc` / `.warc.gz` files in, one document per HTML `response`/`resource` record out.

Parses with FastWARC (the fastest well-kept WARC parser; it also reads legacy WARC/0.18) and adds what
a crawl at scale needs and FastWARC leaves to the caller: truncated blocks and lying Content-Lengths
are detected, and after a corrupt gzip member or a broken header the reader scans to the next record
and continues. Every record that is a document either leaves as a `Document` or is recorded in the
exclusion ledger with a reason. WET `conversion` records are read by the document reader only.
What a record's payload is (HTTP, charset, content type) is `records`'; the stage loop is `base.SourceReader`'s.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from eurocurate.pipelines.ingest.base import SourceDeclaration, SourceReader
from eurocurate.pipelines.ingest.records import (
    CONVERSION,
    RawRecord,
    next_record_start,
    record_metadata,
    record_payload,
)
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

log = logging.getLogger(__name__)

_ALL_TYPES = WarcRecordType.any_type
_MAX_HEADER = 1 << 16  # a WARC header longer than this is not checked for a lying Content-Length
# Record types that are documents (or the place where one was lost); WET `conversion` records are text.
DOCUMENT_RECORDS = ("response", "resource", "revisit", "unreadable")


def _lying_length(fd: int, offset: int, content_length: int) -> str | None:
    """Evidence when the block of the record at `offset` of an uncompressed WARC does not end where its
    Content-Length says (the record separator CRLF CRLF must follow it), else None.

    A short length leaves payload bytes where the separator should be; a long one swallows the separator
    and lands inside the next record. Garbage *after* a correct separator is not a lie (the scan after it
    skips the garbage), nor is a file that ends right after the block.
    """
    head = os.pread(fd, _MAX_HEADER, offset)
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    if not ends:
        return None
    first = min(ends)
    block_start = offset + first + (4 if head.startswith(b"\r\n\r\n", first) else 2)
    block_end = block_start + content_length
    tail = os.pread(fd, 16, block_end)
    rest = tail.lstrip(b"\r\n")
    if tail.startswith(b"\r\n\r\n") or not rest or rest.startswith(b"WARC/"):
        return None
    return f"Content-Length {content_length}, but byte {block_end} starts {tail[:12]!r}, not the record separator"


def iter_warc_records(path: Path, max_block_bytes: int | None = None) -> Iterator[RawRecord]:
    """All records of a WARC file. After an unreadable region the reader scans to the next record start
    and goes on; a region in which no record could be read is yielded once as an `unreadable` record.
    A record whose block is larger than `max_block_bytes` is not read into memory (problem: oversize).
    In an uncompressed file, a record whose Content-Length lies is yielded with that problem and the
    reader resumes at the next record start it finds after it."""
    gzipped = _is_gzip(path)
    start: int | None = 0
    while start is not None:
        last_good: int | None = None
        pending: int | None = None  # offset of the record being read when a failure hits
        resync = False  # the last record's length lied: restart the parser at the next record start
        try:
            with open(path, "rb") as f:
                f.seek(start)
                for rec in ArchiveIterator(f, record_types=_ALL_TYPES, parse_http=False, verify_digests=False):
                    pending = rec.stream_pos  # FastWARC counts from the start of the file, not from `start`
                    oversize = max_block_bytes is not None and rec.content_length > max_block_bytes
                    block = b"" if oversize else rec.reader.read()
                    h = rec.headers
                    raw = RawRecord(
                        offset=pending,
                        record_type=str(rec.record_type),
                        record_id=rec.record_id,
                        url=h.get("WARC-Target-URI"),
                        date=h.get("WARC-Date"),
                        content_type=h.get("Content-Type"),
                        block=block,
                    )
                    if not rec.record_id or h.get("Content-Length") is None:
                        # FastWARC yields a record with a partial header where the bytes end or break inside it
                        at_end = next_record_start(path, pending, gzipped) is None
                        raw.problem = Drop(
                            Reason.WARC_TRUNCATED if at_end else Reason.WARC_CORRUPT,
                            f"{path.name}@{pending}: incomplete WARC header"
                            + (" (the file ends inside it)" if at_end else ""),
                        )
                    elif oversize:
                        raw.problem = Drop(
                            Reason.OVERSIZE,
                            f"{path.name}@{pending}: block of {rec.content_length} bytes > max_bytes {max_block_bytes}",
                        )
                    elif len(block) < rec.content_length:
                        following = None if gzipped else next_record_start(path, pending, gzipped)
                        if following is not None:  # the declared length runs over the next record to the end
                            raw.problem = Drop(
                                Reason.WARC_LYING_LENGTH,
                                f"{path.name}@{pending}: Content-Length {rec.content_length} runs past the record "
                                f"at {following} to the end of the file",
                            )
                            resync = True
                        else:
                            raw.problem = Drop(
                                Reason.WARC_TRUNCATED,
                                f"{path.name}@{pending}: block {len(block)} of {rec.content_length} bytes",
                            )
                    elif not gzipped and (lie := _lying_length(f.fileno(), pending, rec.content_length)):
                        raw.problem = Drop(Reason.WARC_LYING_LENGTH, f"{path.name}@{pending}: {lie}")
                        resync = True
                    last_good, pending = pending, None
                    yield raw
                    if resync:
                        break
            if not resync:
                return
            start = next_record_start(path, last_good, gzipped)
            continue
        except (OSError, ValueError, EOFError) as e:
            if pending is None and last_good is not None:
                # the bytes after a good record are unreadable: retry from the next record start; if
                # that one fails before yielding anything, the next round reports it as a lost region
                start = next_record_start(path, last_good, gzipped)
                continue
            lost = pending if pending is not None else start
            resume = next_record_start(path, lost, gzipped)
            end = resume if resume is not None else path.stat().st_size
            log.warning("%s: unreadable WARC region [%d, %d): %s; resuming", path, lost, end, e)
            yield RawRecord(
                offset=lost,
                record_type="unreadable",
                record_id=None,
                url=None,
                date=None,
                content_type=None,
                block=b"",
                problem=Drop(Reason.WARC_CORRUPT, f"{path.name}@[{lost},{end}): {e}"),
            )
            start = resume


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def record_source_document(
    raw: RawRecord, keep_status: tuple[int, ...], input_format: str | None = None
) -> SourceDocument:
    """The document of one WARC record (empty text and the reason when it is dropped); keyed by its record
    id, else its offset. `input_format` set: recorded in the metadata (the document reader's `warc`/`wet`)."""
    md = record_metadata(raw)
    if input_format is not None:
        md[Meta.INPUT_FORMAT] = input_format
    text, drop = record_payload(raw, keep_status, md)
    return SourceDocument(raw.record_id or f"@{raw.offset}", raw.offset, text, md, drop)


def warc_documents(path: Path, limits: ReadLimits) -> Iterator[SourceDocument | NotADocument]:
    """The document reader's view of a WARC or WET file: every record, decoded, with its problem."""
    for raw in iter_warc_records(path, max_block_bytes=limits.max_bytes):
        if raw.record_type not in DOCUMENT_RECORDS and raw.record_type != CONVERSION:
            yield NotADocument(raw.offset)
            continue
        yield record_source_document(raw, limits.keep_status, "wet" if raw.record_type == CONVERSION else "warc")


class WarcReader(SourceReader):
    """Source stage `warc_reader`: HTML `response`/`resource` records of WARC files, no record size limit.

    Its documents carry no `input_format` and its order keys no sequence number (offsets are unique in
    a WARC file): the metadata it has always written, kept so that outputs of earlier runs compare.
    """

    name = "warc_reader"

    def __init__(
        self,
        files: list[str],
        root: str,
        out_dir: str,
        work_dir: str,
        sources: dict[str, SourceDeclaration],
        keep_status: tuple[int, ...] = (200,),
    ):
        super().__init__(files, root, out_dir, work_dir, sources)
        self.keep_status = keep_status

    def input_format(self, rel: str) -> str:
        return "warc"

    def offsets_are_bytes(self, rel: str) -> bool:
        return True

    def order_key(self, rel: str, offset: int, seq: int) -> str:
        return f"{rel}\x00{offset:016d}"

    def read_file(self, path: Path, rel: str) -> Iterator[SourceDocument | NotADocument]:
        for raw in iter_warc_records(path):
            if raw.record_type not in DOCUMENT_RECORDS:  # WET `conversion` records too: the document reader's
                yield NotADocument(raw.offset)
                continue
            yield record_source_document(raw, self.keep_status)
