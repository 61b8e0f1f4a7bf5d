"""Where a run's logs go: Python logging and datatrove's loguru into OUT/logs, warnings to the terminal.

Owns the log files of `eurocurate run` (`logs/run.jsonl`, one JSON object per record, and
`logs/datatrove.log`); the modules below the CLI only log, they never configure logging.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import orjson

from eurocurate.layout import LOGS

_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def setup_logging(out: Path | None, verbose: bool) -> None:
    """Python logging and datatrove's loguru go to files under OUT/logs; the terminal gets warnings only."""
    from loguru import logger as loguru_logger

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(logging.DEBUG if verbose else logging.WARNING)
    loguru_logger.remove()
    if out is not None:
        (out / LOGS).mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(out / LOGS / "run.jsonl", encoding="utf-8")
        fh.setFormatter(JsonLines())
        fh.setLevel(logging.INFO)
        handlers.append(fh)
        loguru_logger.add(out / LOGS / "datatrove.log", level="INFO")
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True)


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message and every `extra=` field."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()
