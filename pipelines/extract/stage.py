"""HTML → main text, plus the page facts that are cheap once the page is parsed (title, lang, canonical
URL, licence links, publication date).

`mode="reference"` is trafilatura as FineWeb runs it (favour_precision); `mode="fast"` is one lexbor
parse read directly (plain prose), by trafilatura's rules ported to lexbor, or — where they find little
— from the page's dominant container, with trafilatura's full cascade only for pages none of these
reads (`extract.fast`); measured against datatrove's step on the corpus pages
(tests/eval/test_extraction_eval.py). The per-document decision lives in `extract.document` (shared with
`eurocurate extract`); this is the thin stage.
"""

from __future__ import annotations

import logging
from typing import Literal

import pyarrow as pa
from datatrove.data import Document
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.pipelines.extract.document import (
    DEFAULT_OPTIONS,
    ExtractionOptions,
    extract_document,
    store_page_facts,
)
from eurocurate.pipelines.extract.fast import ExtractionMode
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

log = logging.getLogger(__name__)

# Counter prefix: documents per extraction path (`extract_path_direct`, `extract_path_rules`, ...).
PATH_STAT_PREFIX = "extract_path_"


class HtmlExtractor(LedgerStage):
    """Replaces `doc.text` (HTML) by its main text; drops pages without main text."""

    name = "html_extractor"

    def __init__(
        self,
        out_dir: str,
        favour_precision: bool = DEFAULT_OPTIONS.favour_precision,
        fast: bool = DEFAULT_OPTIONS.fast,
        include_tables: bool = DEFAULT_OPTIONS.include_tables,
        min_chars: int = DEFAULT_OPTIONS.min_chars,
        mode: ExtractionMode = DEFAULT_OPTIONS.mode,
        max_depth: int = DEFAULT_OPTIONS.max_depth,
        timeout_s: float = DEFAULT_OPTIONS.timeout_s,
    ):
        super().__init__(out_dir)
        if mode not in ("reference", "fast"):
            raise ValueError(f"HtmlExtractor mode must be 'reference' or 'fast', got {mode!r}")
        self.favour_precision = favour_precision
        self.fast = fast
        self.include_tables = include_tables
        self.min_chars = min_chars
        self.mode = mode
        self.max_depth = max_depth
        self.timeout_s = timeout_s

    def judge(self, doc: Document) -> Drop | None:
        options = ExtractionOptions(
            self.mode,
            self.favour_precision,
            self.fast,
            self.include_tables,
            self.min_chars,
            self.max_depth,
            self.timeout_s,
        )
        result = extract_document(doc.text, doc.metadata.get(Meta.CONTENT_TYPE), doc.metadata.get(Meta.URL), options)
        if result.facts is not None:
            store_page_facts(doc.metadata, result.facts)
        if result.path is not None:
            self.stat_update(PATH_STAT_PREFIX + result.path)
        if result.drop is None:
            doc.text = result.text
        return result.drop


class ExtractorParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    favour_precision: bool = Field(
        DEFAULT_OPTIONS.favour_precision, description="trafilatura favor_precision (as FineWeb runs it)."
    )
    fast: bool = Field(
        DEFAULT_OPTIONS.fast, description="trafilatura fast mode (no fallback extractors); reference mode only."
    )
    mode: Literal["reference", "fast"] = Field(
        DEFAULT_OPTIONS.mode,
        description="fast: lexbor pre-pass, direct read of plainly prose main containers, trafilatura fallback "
        "(equal F1, faster); reference: trafilatura as FineWeb runs it.",
    )
    include_tables: bool = Field(DEFAULT_OPTIONS.include_tables, description="Keep text of HTML tables.")
    max_depth: int = Field(
        DEFAULT_OPTIONS.max_depth,
        gt=0,
        description="Deepest element nesting read (estimated from the markup before parsing, whose time grows "
        "with the square of the depth); deeper pages are dropped (extract.too_deep).",
    )
    timeout_s: float = Field(
        DEFAULT_OPTIONS.timeout_s,
        gt=0,
        description="Seconds one page may take, checked between extraction steps; longer: dropped (extract.timeout).",
    )


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
        Reason.EXTRACTION_TIMEOUT: "the page took longer than timeout_s",
        Reason.EXTRACTION_TOO_DEEP: "elements nested deeper than max_depth",
    },
)
def build_html_extractor(p: ExtractorParams, ctx: BuildContext, key: str) -> StageParts:
    extractor = HtmlExtractor(
        ctx.out_dir,
        p.favour_precision,
        p.fast,
        p.include_tables,
        mode=p.mode,
        max_depth=p.max_depth,
        timeout_s=p.timeout_s,
    )
    return StageParts(map_steps=[extractor])
