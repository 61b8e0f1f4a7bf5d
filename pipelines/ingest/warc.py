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
import zlib
from collections.abc import Iterator
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from eurocurate.pipelines.ingest.base import SourceDeclaration, SourceReader
from eurocurate.pipelines.ingest.records import (
    CONVERSION,
    GZIP_MAGIC,
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
_DEFAULT_LIMITS = ReadLimits()
_MAX_HEADER = 1 << 16  # a WARC header longer than this is not checked for a lying Content-Length
_INFLATE_CHUNK = 1 << 20  # bytes read, and at most inflated, per step when measuring a gzip member
# Record types that are documents (or the place where one was lost); WET `conversion` records are text.
DOCUMENT_RECORDS = ("response", "resource", "revisit", "unreadable")


def _lying_length(fd: int, offset: int, content_length: int, file_size: int) -> str | None:
    """Evidence when the block of the record at `offset` of an uncompressed WARC does not end where its
    Content-Length says (the record separator CRLF CRLF must follow it), else None.

    A short length leaves payload bytes where the separator should be; a long one swallows the separator
    and lands inside the next record or past the end of the file. Garbage *after* a correct separator is
    not a lie (the scan after it skips the garbage), nor is a file that ends right after the block.
    """
    head = os.pread(fd, _MAX_HEADER, offset)
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    if not ends:
        return None
    first = min(ends)
    block_start = offset + first + (4 if head.startswith(b"\r\n\r\n", first) else 2)
    block_end = block_start + content_length
    if block_end > file_size:
        return f"Content-Length {content_length} runs past the end of the file ({file_size} bytes)"
    tail = os.pread(fd, 16, block_end)
    rest = tail.lstrip(b"\r\n")
    if tail.startswith(b"\r\n\r\n") or not rest or rest.startswith(b"WARC/"):
        return None
    return f"Content-Length {content_length}, but byte {block_end} starts {tail[:12]!r}, not the record separator"


def _member_end(path: Path, offset: int, max_out: int) -> int | None:
    """Where the gzip member starting at `offset` ends, when it holds at most `max_out` bytes: in a WARC
    gzipped per record, the start of the next record whatever the record's Content-Length says. None
    when no member starts there, it is broken or truncated, or it inflates to more (a whole-file gzip:
    several records in one member). Inflates with bounded memory: output is counted, not kept."""
    inflater = zlib.decompressobj(wbits=31)
    produced = read = 0
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            if f.read(3) != GZIP_MAGIC:
                return None
            f.seek(offset)
            while not inflater.eof:
                chunk = f.read(_INFLATE_CHUNK)
                if not chunk:
                    return None
                read += len(chunk)
                data = chunk
                while data and not inflater.eof:
                    produced += len(inflater.decompress(data, _INFLATE_CHUNK))
                    if produced > max_out:
                        return None
                    data = inflater.unconsumed_tail
    except zlib.error:
        return None
    return offset + read - len(inflater.unused_data)


def _gzip_lie(path: Path, member_start: int, record_id: str | None, length: int) -> str | None:
    """Evidence when, in a gzipped WARC, the bytes after the block of the record with `record_id` are not the record
    separator (CRLF CRLF) or the end of the file: its Content-Length lies. Read only after a record the parser could
    not go on from. Decompresses from `member_start` (the record's own gzip member in a file gzipped per record, else
    the file's start) to the record's end, a chunk at a time; None when the record is not found or all is well."""
    import gzip

    wanted = f"WARC-Record-ID: {record_id}".encode() if record_id else None
    if wanted is None:
        return None
    try:
        with open(path, "rb") as f:
            f.seek(member_start)
            if f.read(2) != GZIP_MAGIC[:2]:
                f.seek(0)
            else:
                f.seek(member_start)
            stream = gzip.GzipFile(fileobj=f)
            window = b""
            while (at := window.find(wanted)) < 0:  # the record's header: look for its id, keep a chunk's tail
                chunk = stream.read(_INFLATE_CHUNK)
                if not chunk:
                    return None
                window = window[-len(wanted) :] + chunk
            head_end = window.find(b"\r\n\r\n", at)
            while head_end < 0 and len(window) - at < _MAX_HEADER:
                chunk = stream.read(_INFLATE_CHUNK)
                if not chunk:
                    return None
                window += chunk
                head_end = window.find(b"\r\n\r\n", at)
            if head_end < 0:
                return None
            block_end = head_end + 4 + length
            while len(window) < block_end + 4:  # the block is within max_bytes: it was read whole
                chunk = stream.read(_INFLATE_CHUNK)
                if not chunk:
                    break
                window += chunk
    except (OSError, EOFError, zlib.error):
        return None
    after = window[block_end : block_end + 4]
    if after == b"\r\n\r\n" or (not after and len(window) == block_end):
        return None
    block = window[head_end + 4 : block_end]
    inside = block.find(b"\r\n\r\nWARC/")
    if inside >= 0:
        return f"Content-Length {length} runs {length - inside} bytes over the next record's header"
    return f"Content-Length {length}, but the block is followed by {after!r}, not the record separator"


def target_uri(raw: bytes | None) -> str | None:
    """`WARC-Target-URI` as text. Invalid UTF-8 octets are percent-encoded (`%FF`), as a URI would carry
    them, so that the original bytes stay recoverable from provenance (U+FFFD would lose them)."""
    if raw is None:
        return None
    try:
        return raw.decode("utf-8").strip()  # valid UTF-8 (nearly every URI): nothing to escape
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", "surrogateescape")
    return "".join(f"%{ord(c) - 0xDC00:02X}" if "\udc80" <= c <= "\udcff" else c for c in text).strip()


# What to do after a record: trust the parser's position, scan for the next record start, or restart at an offset.
_TRUST, _SCAN = -1, -2


def iter_warc_records(path: Path, max_block_bytes: int | None = None) -> Iterator[RawRecord]:
    """All records of a WARC file. After an unreadable region the reader scans to the next record start
    and goes on; a region in which no record could be read is yielded once as an `unreadable` record.
    A record whose block is larger than `max_block_bytes` is not read into memory (problem: oversize).
    A record whose Content-Length lies (uncompressed: the separator is not where it says; gzip per record:
    its member ends before its block does) is yielded with that problem, and the reader resumes at the
    next record start after it: the record after a liar or an oversize record is never lost."""
    gzipped = _is_gzip(path)
    size = path.stat().st_size
    start: int | None = 0
    held: RawRecord | None = None  # the last record read, yielded when the next one parses (or marked if none can)
    while start is not None:
        last_good: int | None = None
        pending: int | None = None  # offset of the record being read when a failure hits
        restart = _TRUST
        last_length = 0
        try:
            with open(path, "rb") as f:
                f.seek(start)
                for rec in ArchiveIterator(f, record_types=_ALL_TYPES, parse_http=False, verify_digests=False):
                    if held is not None:  # the record after it parsed: its Content-Length did not lie
                        yield held
                        held = None
                    pending = rec.stream_pos  # FastWARC counts from the start of the file, not from `start`
                    length = rec.content_length
                    oversize = max_block_bytes is not None and length > max_block_bytes
                    block = b"" if oversize else rec.reader.read()
                    h = rec.headers
                    raw = RawRecord(
                        offset=pending,
                        record_type=str(rec.record_type),
                        record_id=rec.record_id,
                        url=target_uri(h.get_bytes(b"WARC-Target-URI")),
                        date=h.get("WARC-Date"),
                        content_type=h.get("Content-Type"),
                        block=block,
                    )
                    member_end = None
                    if gzipped and (oversize or len(block) < length):
                        # the record's own member says where the next record starts (per-record gzip)
                        member_end = _member_end(path, pending, length + _MAX_HEADER + 4)
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
                            f"{path.name}@{pending}: block of {length} bytes > max_bytes {max_block_bytes}",
                        )
                        if member_end is not None:
                            restart = member_end
                        elif not gzipped and _lying_length(f.fileno(), pending, length, size):
                            restart = _SCAN  # FastWARC would skip the declared length, and what lies in it
                    elif len(block) < length:
                        following = member_end if gzipped else next_record_start(path, pending, gzipped)
                        if following is not None and following < size:
                            # the declared length runs over the next record to the end of the file
                            where = "the record" if not gzipped else "its gzip member ends and the record"
                            raw.problem = Drop(
                                Reason.WARC_LYING_LENGTH,
                                f"{path.name}@{pending}: Content-Length {length} runs past {where} at {following} "
                                f"to the end of the file",
                            )
                            restart = following if gzipped else _SCAN
                        else:
                            raw.problem = Drop(
                                Reason.WARC_TRUNCATED, f"{path.name}@{pending}: block {len(block)} of {length} bytes"
                            )
                    elif not gzipped and (lie := _lying_length(f.fileno(), pending, length, size)):
                        raw.problem = Drop(Reason.WARC_LYING_LENGTH, f"{path.name}@{pending}: {lie}")
                        restart = _SCAN
                    last_good, pending, last_length = pending, None, length
                    if restart != _TRUST:
                        yield raw
                        break
                    held = raw  # yielded once the next record parses, or marked when the bytes after it do not
            if held is not None:
                yield held
                held = None
            if restart == _TRUST:
                tail = start if last_good is None else _record_end(path, last_good, last_length, gzipped)
                if tail is not None and (leftover := _leftover(path, tail, gzipped, size)) is not None:
                    yield leftover
                return
            start = next_record_start(path, last_good, gzipped) if restart == _SCAN else restart
            continue
        except (OSError, ValueError, EOFError) as e:
            if held is not None:
                # nothing parses after this record: when its block is not followed by the separator, its
                # Content-Length lied, and the bytes it took (or left) are not part of the document
                if (
                    gzipped
                    and held.problem is None
                    and (lie := _gzip_lie(path, held.offset, held.record_id, last_length))
                ):
                    held.problem = Drop(Reason.WARC_LYING_LENGTH, f"{path.name}@{held.offset}: {lie}")
                yield held
                held = None
            if pending is None and last_good is not None:
                # the bytes after a good record are unreadable: retry from the next record start; if
                # that one fails before yielding anything, the next round reports it as a lost region
                start = next_record_start(path, last_good, gzipped)
                tail = _record_end(path, last_good, last_length, gzipped) if start is None else None
                if tail is not None and (leftover := _leftover(path, tail, gzipped, size)) is not None:
                    yield leftover  # no record start after them: the unreadable bytes are the file's end
                elif start is None and tail is None and gzipped:
                    # one gzip member for the whole file: no later record start to resume at, and the records
                    # after this point cannot be reached; counted as one unreadable region, never silently lost
                    log.warning(
                        "%s: unreadable after the record at %d: %s; the rest of the file is lost", path, last_good, e
                    )
                    yield _unreadable(
                        last_good + 1,
                        f"{path.name}: nothing after the record at {last_good} could be parsed ({e}); in a file "
                        "gzipped as one member the records after it are unreachable (recompress it per record)",
                    )
                continue
            lost = pending if pending is not None else start
            resume = next_record_start(path, lost, gzipped)
            end = resume if resume is not None else size
            log.warning("%s: unreadable WARC region [%d, %d): %s; resuming", path, lost, end, e)
            yield _unreadable(lost, f"{path.name}@[{lost},{end}): {e}")
            start = resume


def _unreadable(offset: int, evidence: str) -> RawRecord:
    """A region of the file in which no record could be read, as one record that is a corrupt-record drop."""
    return RawRecord(offset, "unreadable", None, None, None, None, b"", Drop(Reason.WARC_CORRUPT, evidence))


def _record_end(path: Path, offset: int, content_length: int, gzipped: bool) -> int | None:
    """Where the record at `offset` ends (after its separator); None when that cannot be told cheaply."""
    if gzipped:
        return _member_end(path, offset, content_length + _MAX_HEADER + 4)
    with open(path, "rb") as f:
        head = os.pread(f.fileno(), _MAX_HEADER, offset)
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    if not ends:
        return None
    first = min(ends)
    return offset + first + (4 if head.startswith(b"\r\n\r\n", first) else 2) + content_length


def _leftover(path: Path, tail: int, gzipped: bool, size: int) -> RawRecord | None:
    """The bytes after the last record the parser read, when they are more than blank lines: a record
    cut inside its header (FastWARC yields nothing for it) or trailing garbage, as one drop."""
    with open(path, "rb") as f:
        f.seek(tail)
        rest = f.read(_MAX_HEADER)
    if not rest.strip(b"\r\n \t\x00"):
        return None
    started = rest.lstrip(b"\r\n").startswith(GZIP_MAGIC[:2] if gzipped else b"WARC/")
    reason = Reason.WARC_TRUNCATED if started else Reason.WARC_CORRUPT
    what = "a record the file ends in" if started else "bytes that are no record"
    problem = Drop(reason, f"{path.name}@[{tail},{size}): {what}")
    return RawRecord(tail, "unreadable", None, None, None, None, b"", problem)


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def record_source_document(
    raw: RawRecord,
    keep_status: tuple[int, ...],
    input_format: str | None = None,
    max_bytes: int = _DEFAULT_LIMITS.max_bytes,
) -> SourceDocument:
    """The document of one WARC record (empty text and the reason when it is dropped); keyed by its record
    id, else its offset. `input_format` set: recorded in the metadata (the document reader's `warc`/`wet`)."""
    md = record_metadata(raw)
    if input_format is not None:
        md[Meta.INPUT_FORMAT] = input_format
    text, drop = record_payload(raw, keep_status, md, max_bytes)
    return SourceDocument(raw.record_id or f"@{raw.offset}", raw.offset, text, md, drop)


def warc_documents(path: Path, limits: ReadLimits) -> Iterator[SourceDocument | NotADocument]:
    """The document reader's view of a WARC or WET file: every record, decoded, with its problem."""
    for raw in iter_warc_records(path, max_block_bytes=limits.max_bytes):
        # a record that could not be read may have been a document: a drop, whatever its (partial) type
        if raw.problem is None and raw.record_type not in DOCUMENT_RECORDS and raw.record_type != CONVERSION:
            yield NotADocument(raw.offset)
            continue
        fmt = "wet" if raw.record_type == CONVERSION else "warc"
        yield record_source_document(raw, limits.keep_status, fmt, limits.max_bytes)


class WarcReader(SourceReader):
    """Source stage `warc_reader`: HTML `response`/`resource` records of WARC files; a record block (or an
    HTTP body once its Content-Encoding is undone) over `max_bytes` is an oversize drop, as in `document_reader`.

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
        keep_status: tuple[int, ...] = _DEFAULT_LIMITS.keep_status,
        max_bytes: int = _DEFAULT_LIMITS.max_bytes,
    ):
        super().__init__(files, root, out_dir, work_dir, sources)
        self.keep_status = keep_status
        self.max_bytes = max_bytes

    def input_format(self, rel: str) -> str:
        return "warc"

    def offsets_are_bytes(self, rel: str) -> bool:
        return True

    def order_key(self, rel: str, offset: int, seq: int) -> str:
        return f"{rel}\x00{offset:016d}"

    def read_file(self, path: Path, rel: str) -> Iterator[SourceDocument | NotADocument]:
        for raw in iter_warc_records(path, max_block_bytes=self.max_bytes):
            # WET `conversion` records are no documents here (the document reader's); unreadable ones are drops
            if raw.problem is None and raw.record_type not in DOCUMENT_RECORDS:
                yield NotADocument(raw.offset)
                continue
            yield record_source_document(raw, self.keep_status, max_bytes=self.max_bytes)
