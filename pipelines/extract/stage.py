"""HTML → main text, plus the page facts that are cheap once the page is parsed (title, lang, canonical
URL, licence links, publication date).

`mode="reference"` is trafilatura as FineWeb runs it (favour_precision); `mode="fast"` is one lexbor
parse read directly (plain prose), by trafilatura's rules ported to lexbor, or — where they find little
— from the page's dominant container, with trafilatura's full cascade only for pages none of these
reads (`extract_fast`); measured against datatrove's step on the corpus pages
(tests/eval/test_extraction_eval.py). The page logic lives in `extract_fast`; this is the thin stage.
"""

from __future__ import annotations

import logging
from typing import Literal

import pyarrow as pa
from datatrove.data import Document
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.pipelines.extract.facts import CANONICAL_URL, LICENCE_LINKS, PUBLISHED, PageFacts
from eurocurate.pipelines.extract.fast import ExtractionMode, UnparseableHtml, extract_page
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

log = logging.getLogger(__name__)

# Counter prefix: documents per extraction path (`extract_path_direct`, `extract_path_rules`, ...).
PATH_STAT_PREFIX = "extract_path_"
PATH_PLAIN_TEXT = "plain_text"  # documents that arrive as plain text and pass through


def _is_plain_text(content_type: object) -> bool:
    return isinstance(content_type, str) and content_type.split(";")[0].strip().lower() == "text/plain"


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
        mode: ExtractionMode = "fast",
    ):
        super().__init__(out_dir)
        if mode not in ("reference", "fast"):
            raise ValueError(f"HtmlExtractor mode must be 'reference' or 'fast', got {mode!r}")
        self.favour_precision = favour_precision
        self.fast = fast
        self.include_tables = include_tables
        self.min_chars = min_chars
        self.mode = mode

    def judge(self, doc: Document) -> Drop | None:
        if _is_plain_text(doc.metadata.get(Meta.CONTENT_TYPE)):
            # text a reader already extracted (WET conversion, PDF, legal XML, DOCX, a re-read dataset): kept as is
            self.stat_update(PATH_STAT_PREFIX + PATH_PLAIN_TEXT)
            if len(doc.text.strip()) < self.min_chars:
                return Drop(Reason.EXTRACTION_EMPTY, f"{len(doc.text.strip())} chars of plain text")
            return None
        try:
            result = extract_page(
                doc.text,
                url=doc.metadata.get(Meta.URL),
                mode=self.mode,
                favour_precision=self.favour_precision,
                fast=self.fast,
                include_tables=self.include_tables,
            )
        except UnparseableHtml as e:
            return Drop(Reason.EXTRACTION_FAILED, f"unparseable HTML ({len(doc.text)} chars): {e}"[:500])
        store_page_facts(doc.metadata, result.facts)
        self.stat_update(PATH_STAT_PREFIX + result.path)
        text = (result.text or "").strip()
        if len(text) < self.min_chars:
            return Drop(Reason.EXTRACTION_EMPTY, f"{len(text)} chars of main text from {len(doc.text)} of HTML")
        doc.text = text
        return None


def store_page_facts(metadata: dict[str, object], facts: PageFacts) -> None:
    """Write the facts a page declares into document metadata; absent facts leave no key."""
    if facts.title:
        metadata[Meta.TITLE] = facts.title
    if facts.html_lang:
        metadata[Meta.HTML_LANG] = facts.html_lang
    if facts.canonical_url:
        metadata[CANONICAL_URL] = facts.canonical_url
    if facts.licence_links:
        metadata[LICENCE_LINKS] = facts.licence_links
    if facts.published:
        metadata[PUBLISHED] = facts.published


class ExtractorParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    favour_precision: bool = Field(True, description="trafilatura favor_precision (as FineWeb runs it).")
    fast: bool = Field(False, description="trafilatura fast mode (no fallback extractors); reference mode only.")
    mode: Literal["reference", "fast"] = Field(
        "fast",
        description="fast: lexbor pre-pass, direct read of plainly prose main containers, trafilatura fallback "
        "(equal F1, faster); reference: trafilatura as FineWeb runs it.",
    )
    include_tables: bool = Field(True, description="Keep text of HTML tables.")


@register_stage(
    name="html_extractor",
    summary="Main text of HTML pages with trafilatura",
    role="map",
    params=ExtractorParams,
    provenance_columns=[
        (Meta.TITLE, pa.string()),
        (Meta.HTML_LANG, pa.string()),
        (Meta.CANONICAL_URL, pa.string()),
        (Meta.LICENCE_LINKS, pa.list_(pa.string())),
        (Meta.PUBLISHED, pa.string()),
    ],
    reasons={
        Reason.EXTRACTION_EMPTY: "no main text found in the page",
        Reason.EXTRACTION_FAILED: "the HTML cannot be parsed",
    },
)
def build_html_extractor(p: ExtractorParams, ctx: BuildContext, key: str) -> StageParts:
    return StageParts(map_steps=[HtmlExtractor(ctx.out_dir, p.favour_precision, p.fast, p.include_tables, mode=p.mode)])
