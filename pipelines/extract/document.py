"""One document in, its main text (or the reason it has none) out: the decision both the
`html_extractor` stage and `eurocurate extract` take, so that they cannot drift apart.

Owns the plain-text pass-through, the call to the page extractor and the empty-text check. Does not
read inputs (`pipelines.ingest`), write anything, or know about ledgers and counters (the callers do).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from eurocurate.pipelines.extract.depth import deeper_than
from eurocurate.pipelines.extract.facts import PageFacts
from eurocurate.pipelines.extract.fast import ExtractionMode, ExtractionTimeout, UnparseableHtml, extract_page
from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

# How a document that arrives as plain text is "extracted": it passes through.
PATH_PLAIN_TEXT = "plain_text"


@dataclass(frozen=True, slots=True)
class ExtractionOptions:
    """How pages are read; the defaults are the `html_extractor` stage's."""

    mode: ExtractionMode = "fast"
    favour_precision: bool = True
    fast: bool = False  # trafilatura's own fast mode (reference mode only)
    include_tables: bool = True
    min_chars: int = 1  # fewer characters of main text than this: a drop
    max_depth: int = 1000  # elements nested deeper (estimated from the markup): a drop, never parsed
    timeout_s: float = 60.0  # a page still being read after this many seconds: a drop


@dataclass(frozen=True, slots=True)
class DocumentText:
    """What extraction made of one document.

    `text`: the main text (a plain-text document's text as it arrived); `path`: how it was obtained
    (`PATH_PLAIN_TEXT` or one of `fast.PATH_*`; None when the HTML could not be parsed); `facts`: what
    the page declares about itself (None for plain text and unparseable pages); `drop`: set when the
    document has no main text."""

    text: str
    path: str | None
    facts: PageFacts | None
    drop: Drop | None


# The one definition of the extraction defaults: the stage's constructor and `extract_to_jsonl` take theirs from it.
DEFAULT_OPTIONS = ExtractionOptions()


def is_plain_text(content_type: object) -> bool:
    """True for a `text/plain` content type (with or without parameters): text a reader already extracted."""
    return isinstance(content_type, str) and content_type.split(";")[0].strip().lower() == PLAIN_TEXT


def extract_document(
    text: str, content_type: object, url: str | None, options: ExtractionOptions | None = None
) -> DocumentText:
    """The main text of one document: HTML through the page extractor, plain text (WET conversion, PDF,
    legal XML, DOCX, a re-read dataset) kept as is; under `options.min_chars` of it is a drop."""
    options = options or DEFAULT_OPTIONS
    if is_plain_text(content_type):
        chars = len(text.strip())
        drop = Drop(Reason.EXTRACTION_EMPTY, f"{chars} chars of plain text") if chars < options.min_chars else None
        return DocumentText(text, PATH_PLAIN_TEXT, None, drop)
    deadline = time.monotonic() + options.timeout_s
    if deeper_than(text, options.max_depth):
        # parsing alone takes time in the square of the depth: the page is refused before it
        evidence = f"elements nested deeper than max_depth {options.max_depth} in {len(text)} chars of HTML"
        return DocumentText(text, None, None, Drop(Reason.EXTRACTION_TOO_DEEP, evidence))
    try:
        result = extract_page(
            text,
            url=url,
            mode=options.mode,
            favour_precision=options.favour_precision,
            fast=options.fast,
            include_tables=options.include_tables,
            deadline=deadline,
        )
    except UnparseableHtml as e:
        failed = Drop(Reason.EXTRACTION_FAILED, f"unparseable HTML ({len(text)} chars): {e}"[:500])
        return DocumentText(text, None, None, failed)
    except ExtractionTimeout as e:
        evidence = f"timeout_s {options.timeout_s:g} passed {e} ({len(text)} chars of HTML)"
        return DocumentText(text, None, None, Drop(Reason.EXTRACTION_TIMEOUT, evidence))
    main = (result.text or "").strip()
    drop = None
    if len(main) < options.min_chars:
        drop = Drop(Reason.EXTRACTION_EMPTY, f"{len(main)} chars of main text from {len(text)} of HTML")
    return DocumentText(main, result.path, result.facts, drop)


def store_page_facts(metadata: dict[str, object], facts: PageFacts) -> None:
    """Write the facts a page declares into document metadata; absent facts leave no key."""
    if facts.title:
        metadata[Meta.TITLE] = facts.title
    if facts.html_lang:
        metadata[Meta.HTML_LANG] = facts.html_lang
    if facts.canonical_url:
        metadata[Meta.CANONICAL_URL] = facts.canonical_url
    if facts.licence_links:
        metadata[Meta.LICENCE_LINKS] = facts.licence_links
    if facts.published:
        metadata[Meta.PUBLISHED] = facts.published
