"""The stage base class: a datatrove filter whose every drop lands in the exclusion ledger.

A stage implements `judge(doc) -> Drop | None` (it may rewrite `doc.text` and metadata in place).
The base class counts documents in/out/dropped per reason through datatrove's stats, writes the
ledger row, and turns an exception on one document into a counted drop instead of a dead task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.filters.base_filter import BaseFilter

from eurocurate.manifests.audit.ledger import ExclusionLedger, ledger_path
from eurocurate.schema import Meta, Reason

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Drop:
    """Why a document leaves the pipeline: a reason code (from `schema.Reason`, or one the stage declares in
    its `@register_stage(reasons=...)`) and the measured evidence."""

    reason: str
    evidence: str = ""


class LedgerStage(BaseFilter):
    """Base of every document-level stage. Subclasses set `name` and implement `judge`."""

    type = "🇪🇺 - STAGE"
    is_ledger_stage: ClassVar[bool] = True

    def __init__(self, out_dir: str | Path, batch_size: int = 1):
        super().__init__(exclusion_writer=ExclusionLedger(out_dir, self.name), batch_size=batch_size)
        self.out_dir = str(out_dir)

    def judge(self, doc: Document) -> Drop | None:
        """Return None to keep the document (possibly modified), or a `Drop`."""
        raise NotImplementedError

    def judge_batch(self, batch: list[Document]) -> list[Drop | None]:
        """Override for stages with a batched fast path; must return one verdict per document."""
        return [self.judge(doc) for doc in batch]

    def _verdict_to_result(self, doc: Document, verdict: Drop | None) -> bool | tuple[bool, str]:
        if verdict is None:
            return True
        doc.metadata[Meta.DROP_EVIDENCE] = verdict.evidence
        return False, verdict.reason

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        try:
            verdicts = self.judge_batch(batch)
        except Exception:  # one bad batch must not kill the task: judge its documents one by one
            verdicts = []
            for doc in batch:
                try:
                    verdicts.append(self.judge(doc))
                except Exception as e:  # noqa: BLE001 - any failure on one document is a counted drop
                    log.warning("%s: document %s raised %r; dropped", self.name, doc.id, e)
                    verdicts.append(Drop(Reason.STAGE_ERROR, f"{type(e).__name__}: {e}"[:500]))
        return [self._verdict_to_result(doc, v) for doc, v in zip(batch, verdicts)]

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        # a re-run task rewrites its ledger file; a stale one from an interrupted attempt must not survive
        ledger_path(self.out_dir, self.name, rank).unlink(missing_ok=True)
        yield from super().run(data, rank, world_size)
