"""Document reader stage: input files of any supported format in, one Document per document out.

Dispatches each file by its name (`formats.read_source`), adds provenance (input path, offset or row,
the operator's source declaration) and accounts for every document: it leaves as a Document or lands
in the exclusion ledger with a reason. A reader failing in an unforeseen way loses the rest of that
file as one counted drop (`error.stage_exception`), never the task.
"""

from __future__ import annotations

import logging
from pathlib import Path

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from eurocurate.manifests.audit.ledger import ExclusionLedger, ledger_path
from eurocurate.pipelines.engine.progress import Heartbeat
from eurocurate.pipelines.ingest.formats import format_of, read_source
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.pipelines.ingest.warc import drop_at_source, make_doc_id
from eurocurate.schema import Meta, Reason, Stat
from eurocurate.stage import Drop

log = logging.getLogger(__name__)

# Counter prefix: documents per input format (`input_format_pdf`, `input_format_warc`, ...).
FORMAT_STAT_PREFIX = "input_format_"
_BYTE_OFFSETS = frozenset({"warc", "arc"})  # formats whose offsets are file positions (progress within a file)


def source_document(rel: str, seq: int, item: SourceDocument, source: dict[str, str | None]) -> Document:
    """The Document of the `seq`-th document of input `rel`, with its provenance (empty text when dropped)."""
    md: dict[str, object] = {
        Meta.SOURCE_PATH: rel,
        Meta.SOURCE_OFFSET: item.offset,
        # offsets can repeat (a whole-file gzip, one-document files): the sequence number keeps the order total
        Meta.ORDER_KEY: f"{rel}\x00{item.offset:016d}\x00{seq:010d}",
        **item.metadata,
        **{k: v for k, v in source.items() if v is not None},
    }
    return Document(text=item.text if item.problem is None else "", id=make_doc_id(rel, item.key), metadata=md)


class DocumentReader(PipelineStep):
    """Source stage: reads the input files assigned to this task (files[rank::world_size])."""

    name = "document_reader"
    type = "📖 - READER"
    is_ledger_stage = True

    def __init__(
        self,
        files: list[str],
        root: str,
        out_dir: str,
        work_dir: str,
        sources: dict[str, dict[str, str | None]],
        limits: ReadLimits = ReadLimits(),
    ):
        super().__init__()
        unknown = [f for f in files if format_of(f) is None]
        if unknown:
            raise ValueError(
                f"document_reader: no reader for {unknown[:5]}; expected one of the formats in ingest.formats"
            )
        self.files = files
        self.root = root
        self.out_dir = out_dir
        self.work_dir = work_dir
        self.sources = sources  # input file (relative) → publisher, source category, licence
        self.limits = limits

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        mine = self.files[rank::world_size]
        beat = Heartbeat(self.work_dir, rank, total=sum((Path(self.root) / f).stat().st_size for f in mine))
        done_bytes = 0
        ledger_path(self.out_dir, self.name, rank).unlink(missing_ok=True)
        with ExclusionLedger(self.out_dir, self.name) as ledger:
            for rel in mine:
                path = Path(self.root) / rel
                fmt = format_of(rel)
                source = self.sources.get(rel, {})
                size = path.stat().st_size
                seq = 0
                items = read_source(path, fmt, self.limits)
                while True:
                    try:
                        with self.track_time():
                            item = next(items, None)
                    except Exception as e:  # noqa: BLE001 - an unforeseen reader failure loses this file's rest, not the task
                        log.warning("%s: reader failed after %d documents: %r", path, seq, e)
                        evidence = f"{rel}: {fmt} reader failed after {seq} documents: {type(e).__name__}: {e}"[:500]
                        item = SourceDocument(
                            f"!failed#{seq}", 0, "", {Meta.INPUT_FORMAT: fmt}, Drop(Reason.STAGE_ERROR, evidence)
                        )
                        items = iter(())
                    if item is None:
                        break
                    if isinstance(item, NotADocument):
                        self.stat_update(Stat.OTHER_RECORDS)
                        continue
                    doc = source_document(rel, seq, item, source)
                    seq += 1
                    self.stat_update(Stat.TOTAL, FORMAT_STAT_PREFIX + str(doc.metadata.get(Meta.INPUT_FORMAT, fmt)))
                    beat.update(docs=1, done=done_bytes + (min(item.offset, size) if fmt in _BYTE_OFFSETS else 0))
                    if item.problem is not None:
                        drop_at_source(self, ledger, doc, item.problem, rank)
                        continue
                    self.stat_update(Stat.FORWARDED)
                    yield doc
                done_bytes += size
                beat.update(docs=0, done=done_bytes)
        beat.finish()
