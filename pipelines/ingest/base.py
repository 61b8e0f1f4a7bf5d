"""The base of every source stage: input files in, Documents with provenance out, every drop in the ledger.

`SourceReader` owns what all source stages share: which files this task reads, progress, the ledger of a
re-run task, doc ids, the source metadata every document carries, counting, and drops (`drop_at_source`).
A subclass only says how one input file becomes documents (`read_file`); the formats live in their own
modules (`warc`, `arc`, `datasets`, `pdf`, `legal_xml`, `docx`, `html_files`), not here.
"""

from __future__ import annotations

import hashlib
import logging
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import ClassVar, Self

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from eurocurate import storage
from eurocurate.config import PipelineSpec, SourceInfo
from eurocurate.manifests.audit.ledger import ExclusionLedger, ledger_path
from eurocurate.pipelines.engine.progress import Heartbeat
from eurocurate.pipelines.ingest.inputs import crawl_of
from eurocurate.pipelines.ingest.source_document import NotADocument, SourceDocument
from eurocurate.registry import BuildContext
from eurocurate.schema import Meta, Reason, Stat
from eurocurate.stage import Drop

log = logging.getLogger(__name__)

# Counter: input files of 0 bytes (skipped with a warning: an empty download is worth a look, not a drop row).
EMPTY_INPUTS_STAT = "input_files_empty"
# Counter prefix: documents per input format (`input_format_pdf`, `input_format_warc`, ...).
FORMAT_STAT_PREFIX = "input_format_"
# The operator's declaration about one input file, in document metadata keys (None: not declared).
SourceDeclaration = dict[str, str | None]


def make_doc_id(source_path: str, record_key: str) -> str:
    """Stable document id: the same record of the same input file always gets the same id."""
    return hashlib.blake2b(f"{source_path}\x00{record_key}".encode(), digest_size=10).hexdigest()


def declared_source(info: SourceInfo) -> SourceDeclaration:
    """What the spec declares about an input (publisher, source category, licence) as metadata."""
    return {Meta.SOURCE_CATEGORY: info.source_category, Meta.LICENCE: info.licence, Meta.PUBLISHER: info.publisher}


def declared_sources(spec: PipelineSpec, files: list[str]) -> dict[str, SourceDeclaration]:
    """Input file (relative to the input root) → its declaration, for every file."""
    return {f: declared_source(spec.source_for(f)) for f in files}


def source_document(rel: str, item: SourceDocument, source: SourceDeclaration, order_key: str) -> Document:
    """The Document of one document of input `rel`, with its provenance (empty text when dropped).

    The one source-metadata builder: input path and offset, the order key, what the format reader found,
    then the operator's declaration (an undeclared value leaves no key).
    """
    md: dict[str, object] = {
        Meta.SOURCE_PATH: rel,
        Meta.SOURCE_OFFSET: item.offset,
        Meta.ORDER_KEY: order_key,
        **item.metadata,
        **{k: v for k, v in source.items() if v is not None},
    }
    return Document(text=item.text if item.problem is None else "", id=make_doc_id(rel, item.key), metadata=md)


def drop_at_source(step: PipelineStep, ledger: ExclusionLedger, doc: Document, drop: Drop, rank: int) -> None:
    """A source stage's drop: reason and evidence on the document, its ledger row, the step's counter."""
    doc.metadata[Meta.DROP_REASON] = drop.reason
    doc.metadata[Meta.DROP_EVIDENCE] = drop.evidence
    ledger.write(doc, rank)
    step.stat_update(Stat.DROPPED, Stat.DROPPED_PREFIX + drop.reason)


class SourceReader(PipelineStep):
    """Source stage: reads the input files assigned to this task (files[rank::world_size]).

    Every document a file holds leaves as a Document or lands in the exclusion ledger with a reason; a
    reader failing in an unforeseen way loses the rest of that file as one counted drop
    (`error.stage_exception`), never the task.
    """

    type = "📖 - READER"
    is_ledger_stage = True
    counts_formats: ClassVar[bool] = False  # also count documents per input format (FORMAT_STAT_PREFIX)

    def __init__(
        self,
        files: list[str],
        root: str,
        out_dir: str,
        work_dir: str,
        sources: dict[str, SourceDeclaration],
    ):
        super().__init__()
        self.files = files
        self.root = root
        self.out_dir = out_dir
        self.work_dir = work_dir
        self.sources = sources  # input file (relative) → publisher, source category, licence

    @classmethod
    def from_context(cls, ctx: BuildContext, **params: object) -> Self:
        """The reader of a compiled spec's inputs; `params` are the subclass's own (limits, statuses)."""
        return cls(
            files=ctx.inputs.files,
            root=ctx.inputs.root,
            out_dir=ctx.out_dir,
            work_dir=str(Path(ctx.work_dir) / "ingest"),
            sources=declared_sources(ctx.spec, ctx.inputs.files),
            **params,
        )

    @abstractmethod
    def read_file(self, path: Path, rel: str) -> Iterator[SourceDocument | NotADocument]:
        """Every document of one input file in file order, each with its problem if it could not be read."""

    def input_format(self, rel: str) -> str:
        """The format name of input `rel` (counters, evidence of a failed reader); default: its suffix."""
        return Path(rel).suffix.lstrip(".").lower() or "unknown"

    def offsets_are_bytes(self, rel: str) -> bool:
        """True when the offsets of `rel`'s documents are file positions (progress moves within the file)."""
        return False

    def order_key(self, rel: str, offset: int, seq: int) -> str:
        """Total order of documents in the input; offsets can repeat (a whole-file gzip, one-document files),
        so the sequence number within the file keeps it total."""
        return f"{rel}\x00{offset:016d}\x00{seq:010d}"

    def _items(self, path: Path, rel: str) -> Iterator[SourceDocument | NotADocument]:
        """`read_file`, timed, with an unforeseen failure turned into one drop for the rest of the file."""
        items = self.read_file(path, rel)
        read = 0
        while True:
            try:
                with self.track_time():
                    item = next(items, None)
            except Exception as e:  # noqa: BLE001 - an unforeseen reader failure loses this file's rest, not the task
                log.warning("%s: reader failed after %d documents: %r", path, read, e)
                fmt = self.input_format(rel)
                evidence = f"{rel}: {fmt} reader failed after {read} documents: {type(e).__name__}: {e}"[:500]
                problem = Drop(Reason.STAGE_ERROR, evidence)
                yield SourceDocument(f"!failed#{read}", 0, "", {Meta.INPUT_FORMAT: fmt}, problem)
                return
            if item is None:
                return
            read += isinstance(item, SourceDocument)
            yield item

    def _input_size(self, root: storage.Location, rel: str) -> int:
        try:
            return storage.size(root.child(rel))
        except storage.MissingLocation:
            return 0  # dropped when its turn comes

    def _missing_input(self, rel: str, error: storage.MissingLocation) -> SourceDocument:
        problem = Drop(Reason.INPUT_MISSING, f"{rel}: {error}"[:500])
        return SourceDocument("!missing", 0, "", {Meta.INPUT_FORMAT: self.input_format(rel)}, problem)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        mine = self.files[rank::world_size]
        root = storage.locate(self.root)
        beat = Heartbeat(self.work_dir, rank, total=sum(self._input_size(root, f) for f in mine))
        done_bytes = 0
        # a re-run task may drop nothing this time: the ledger of an earlier attempt must not survive it
        ledger_path(self.out_dir, self.name, rank).unlink(missing_ok=True)
        with ExclusionLedger(self.out_dir, self.name) as ledger:
            for rel in mine:
                # a remote input is copied to a local temporary file, one at a time, and removed after it
                # (the format readers need a seekable file); its relative path, and so its ids, stay the same
                with ExitStack() as stack:
                    try:
                        path = stack.enter_context(storage.local_copy(root.child(rel)))
                    except storage.MissingLocation as e:
                        log.warning("%s: input file missing: %s", rel, e)
                        items, size = iter([self._missing_input(rel, e)]), None
                    else:
                        items, size = self._items(path, rel), path.stat().st_size
                    yield from self._read_one(ledger, beat, rank, rel, items, size, done_bytes)
                done_bytes += size or 0
                beat.update(docs=0, done=done_bytes)
        beat.finish()

    def _read_one(
        self,
        ledger: ExclusionLedger,
        beat: Heartbeat,
        rank: int,
        rel: str,
        items: Iterator[SourceDocument | NotADocument],
        size: int | None,
        done_bytes: int,
    ) -> Iterator[Document]:
        """Every document of input `rel` (`size`: its bytes; None when it is missing), forwarded or dropped."""
        if size == 0:
            # no record to drop: counted and logged; a one-document format still drops its document
            log.warning("%s: input file of 0 bytes", rel)
            self.stat_update(EMPTY_INPUTS_STAT)
        source = self.sources.get(rel, {})
        crawl = crawl_of(f"{self.root}/{rel}")
        in_file = self.offsets_are_bytes(rel)
        seq = 0
        for item in items:
            if isinstance(item, NotADocument):
                self.stat_update(item.counter)
                continue
            doc = source_document(rel, item, source, self.order_key(rel, item.offset, seq))
            if crawl is not None:
                doc.metadata[Meta.CRAWL] = crawl
            seq += 1
            if self.counts_formats:
                fmt = doc.metadata.get(Meta.INPUT_FORMAT, self.input_format(rel))
                self.stat_update(Stat.TOTAL, FORMAT_STAT_PREFIX + str(fmt))
            else:
                self.stat_update(Stat.TOTAL)
            beat.update(docs=1, done=done_bytes + (min(item.offset, size or 0) if in_file else 0))
            if item.problem is not None:
                drop_at_source(self, ledger, doc, item.problem, rank)
                continue
            for name, value in item.counts.items():
                self.stat_update(name, value=value)
            self.stat_update(Stat.FORWARDED)
            yield doc
