"""The exclusion ledger: one Parquet row per dropped document, with stage, reason code and evidence.

Each stage writes its own file per task (`OUT/exclusions/part-<stage>-<rank>.parquet`), published
atomically when the task ends, so a resumed task rewrites its rows instead of appending twice.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from datatrove.data import Document

from eurocurate.files import StreamingParquet
from eurocurate.layout import EXCLUSIONS
from eurocurate.schema import LEDGER_COLUMNS, Meta

LEDGER_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("warc_record_id", pa.string()),
        ("url", pa.string()),
        ("source_path", pa.string()),
        ("source_offset", pa.int64()),
        ("stage", pa.string()),
        ("reason", pa.string()),
        ("evidence", pa.string()),
        ("lang", pa.string()),
    ]
)
assert tuple(LEDGER_SCHEMA.names) == LEDGER_COLUMNS


def ledger_path(out_dir: str | Path, stage: str, rank: int) -> Path:
    return Path(out_dir) / EXCLUSIONS / f"part-{stage}-{rank:05d}.parquet"


class ExclusionLedger:
    """Ledger writer of one stage in one task. Used as datatrove's `exclusion_writer` (write(doc, rank))."""

    def __init__(self, out_dir: str | Path, stage: str):
        self.out_dir = str(out_dir)
        self.stage = stage
        self._file: StreamingParquet | None = None
        self._rank = 0

    def __enter__(self) -> ExclusionLedger:
        self._file = None
        return self

    def write(self, doc: Document, rank: int = 0) -> None:
        if self._file is None:
            self._rank = rank
            self._file = StreamingParquet(ledger_path(self.out_dir, self.stage, rank), LEDGER_SCHEMA)
        md = doc.metadata
        self._file.append(
            {
                "doc_id": doc.id,
                "warc_record_id": md.get(Meta.WARC_RECORD_ID),
                "url": md.get(Meta.URL),
                "source_path": md.get(Meta.SOURCE_PATH),
                "source_offset": md.get(Meta.SOURCE_OFFSET),
                "stage": self.stage,
                "reason": md.get(Meta.DROP_REASON),
                "evidence": md.get(Meta.DROP_EVIDENCE),
                "lang": md.get(Meta.LANG),
            }
        )

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._file is None:
            return
        if exc_type is None:
            self._file.close()
        else:
            self._file.abort()
        self._file = None
