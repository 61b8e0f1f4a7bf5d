"""The erasure log `OUT/erasure_log.jsonl`: one JSON line per erasure, each naming the sha256 of the line before (a
hash chain), and its head, the sha256 of the newest line, anchored in run.json (`erasure_log_head`), since no line
comes after the newest to name it. Owns reading and appending lines and their digests; what an entry says is
`erasure.erase`'s, checking the chain and the anchor `erasure_checks`' (for verify).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import orjson

from eurocurate.layout import OutputLayout


class ErasureLogError(ValueError):
    """A line of the erasure log is not a JSON entry; the message names the file and the line."""

    def __init__(self, log: Path, line: int) -> None:
        super().__init__(f"{log.name} line {line} is not a JSON entry")
        self.line = line


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
            raise ErasureLogError(OutputLayout(out).erasure_log, number)
        entries.append(entry)
    return entries


def readable_entries(out: Path) -> tuple[list[dict], str | None]:
    """The entries before the first line that is not one, and what is wrong with that line (None: the log is whole).
    For readers that show the log (report, inspect) and should not stop at a damaged line; verify fails on it."""
    try:
        return log_entries(out), None
    except ErasureLogError as e:
        return [orjson.loads(line) for line in log_lines(out)[: e.line - 1]], str(e)


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
