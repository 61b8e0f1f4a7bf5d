"""The first N response records of a list of WARC files, as new WARC files: `make bench --limit`'s input.

Both sides of the benchmark must read the same bytes, and each side's reader stops differently (datatrove
counts documents after its own filtering, eurocurate's reader also yields the records that are no
documents), so the subset is cut once, on disk: every record up to and including the N-th `response` of
the files in the given order (a file's `warcinfo` and any other record before that point come along),
each record copied byte for byte, a whole gzip member (or an uncompressed record) at a time. One output
file per input file that contributes, with the input's name; later files are left out.
"""

from __future__ import annotations

from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

GZIP_MAGIC = b"\x1f\x8b"


def _record_starts(path: Path) -> list[tuple[int, bool]]:
    """(byte offset, is a response) of each record FastWARC reads in the file, in file order."""
    with open(path, "rb") as f:
        return [
            (rec.stream_pos, rec.record_type == WarcRecordType.response)
            for rec in ArchiveIterator(f, parse_http=False, verify_digests=False)
        ]


def _check_cuttable(path: Path, data: bytes, starts: list[int]) -> None:
    """Every record start must be a gzip member (or a `WARC/` line of an uncompressed file): a file
    compressed as one gzip stream has no record boundaries in its bytes and cannot be cut."""
    magic = GZIP_MAGIC if data[:2] == GZIP_MAGIC else b"WARC/"
    bad = [s for s in starts if data[s : s + len(magic)] != magic]
    if bad:
        raise ValueError(
            f"{path}: record at byte {bad[0]} does not start a gzip member or a WARC record; a WARC subset "
            "needs a file gzipped per record (as crawlers write them) or an uncompressed one"
        )


def write_first_records(warcs: list[Path], limit: int, folder: Path) -> tuple[list[Path], int]:
    """Write the first `limit` response records of `warcs` (in the given order) into `folder`; returns the
    files written and the number of responses they hold (fewer than `limit` when the input has fewer)."""
    if limit < 1:
        raise ValueError(f"the record limit must be at least 1, got {limit}")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file():
            stale.unlink()
    written: list[Path] = []
    taken = 0
    for path in warcs:
        if taken == limit:
            break
        records = _record_starts(path)
        data = path.read_bytes()
        _check_cuttable(path, data, [s for s, _ in records])
        end = len(data)  # the whole file, unless the limit falls inside it
        for i, (_, is_response) in enumerate(records):
            taken += is_response
            if taken == limit:
                end = records[i + 1][0] if i + 1 < len(records) else len(data)
                break
        target = folder / path.name
        if target in written:
            raise ValueError(f"two inputs are named {path.name}; the subset keeps input names, rename one")
        target.write_bytes(data[:end])
        written.append(target)
    return written, taken
