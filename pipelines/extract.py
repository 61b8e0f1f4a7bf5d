"""HTML → main text with trafilatura, plus the page facts that are cheap once the tree is parsed.

Parses each page once (trafilatura's `load_html`), reads `<html lang>` and `<title>` from that tree,
and hands the same tree to `trafilatura.extract`. Choosing faster extractors is the extraction
issue's work; this stage keeps trafilatura as the reference.
"""

from __future__ import annotations

import logging

import trafilatura
from datatrove.data import Document

from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

log = logging.getLogger(__name__)
# trafilatura logs every page it cannot extract at WARNING; the ledger already records those
logging.getLogger("trafilatura").setLevel(logging.ERROR)


class HtmlExtractor(LedgerStage):
    """Replaces `doc.text` (HTML) by its main text; drops pages without main text."""

    name = "html_extractor"

    def __init__(
        self,
        out_dir: str,
        favour_precision: bool = True,
        fast: bool = False,
        include_tables: bool = True,
        min_chars: int = 1,
    ):
        super().__init__(out_dir)
        self.favour_precision = favour_precision
        self.fast = fast
        self.include_tables = include_tables
        self.min_chars = min_chars

    def judge(self, doc: Document) -> Drop | None:
        tree = trafilatura.load_html(doc.text)
        if tree is None:
            return Drop(Reason.EXTRACTION_FAILED, f"unparseable HTML ({len(doc.text)} chars)")
        lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
        if lang:
            doc.metadata[Meta.HTML_LANG] = lang.strip()[:35]
        title = tree.findtext(".//title")
        if title and title.strip():
            doc.metadata[Meta.TITLE] = " ".join(title.split())[:500]
        text = trafilatura.extract(
            tree,
            url=doc.metadata.get(Meta.URL),
            fast=self.fast,
            favor_precision=self.favour_precision,
            include_comments=False,
            include_tables=self.include_tables,
            output_format="txt",
            with_metadata=False,
        )
        if not text or len(text.strip()) < self.min_chars:
            return Drop(Reason.EXTRACTION_EMPTY, f"{len(text or '')} chars of main text from {len(doc.text)} of HTML")
        doc.text = text.strip()
        return None
