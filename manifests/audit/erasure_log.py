"""The erasure log `OUT/erasure_log.jsonl`: one JSON line per erasure, each naming the sha256 of the line before (a
hash chain), and its head, the sha256 of the newest line, anchored in run.json (`erasure_log_head`), since no line
comes after the newest to name it. Owns reading and appending lines and their digests; what an entry says is
`erasure.erase`'s, checking the chain and the anchor is `verify`'s.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import orjson

from eurocurate.layout import OutputLayout


class ErasureLogError(ValueError):
    """A line of the erasure log is not a JSON entry; the message names the file and the line."""


def entry_line(entry: dict) -> bytes:
    """The bytes an entry is written as (without its newline): what the next entry and run.json hash."""
    return orjson.dumps(entry)


def line_sha256(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def log_lines(out: Path) -> list[bytes]:
    """The log's lines as written, oldest first; none when there is no log."""
    log = OutputLayout(out).erasure_log
    return log.read_bytes().splitlines() if log.is_file() else []


def log_entries(out: Path) -> list[dict]:
    """The log's entries, oldest first. Raises `ErasureLogError` at the first line that is not a JSON object."""
    entries = []
    for number, line in enumerate(log_lines(out), 1):
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            entry = None
        if not isinstance(entry, dict):
            raise ErasureLogError(f"{OutputLayout(out).erasure_log.name} line {number} is not a JSON entry")
        entries.append(entry)
    return entries


def log_head(out: Path) -> str | None:
    """sha256 of the newest line of the log (the value run.json anchors), None without a log or entries."""
    lines = log_lines(out)
    return line_sha256(lines[-1]) if lines else None


def append_entry(out: Path, entry: dict) -> None:
    """Append one entry and sync it to disk."""
    with open(OutputLayout(out).erasure_log, "ab") as f:
        f.write(entry_line(entry) + b"\n")
        f.flush()
        os.fsync(f.fileno())
