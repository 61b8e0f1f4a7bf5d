"""`eurocurate extract INPUT... -o OUT.jsonl`: input files → one JSON object per extracted document.

Reads every format the document reader takes (WARC/WET/ARC, HTML files, JSONL/Parquet, PDF, Akoma Ntoso
and Formex XML, DOCX) with the same readers and limits, runs the page extractor on HTML, passes plain
text through, and writes the text with its page facts for inspection and other tools. Owns no pipeline
state: no ledger, no manifest; dropped documents are only counted by reason.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import orjson

from eurocurate.pipelines.extract.facts import CANONICAL_URL, LICENCE_LINKS, PUBLISHED
from eurocurate.pipelines.extract.fast import ExtractionMode, UnparseableHtml, extract_page
from eurocurate.pipelines.ingest.base import make_doc_id
from eurocurate.pipelines.ingest.formats import FORMAT_SUFFIXES, InputFormat, format_of, read_source
from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT, NotADocument, ReadLimits, SourceDocument
from eurocurate.schema import Meta, Reason

log = logging.getLogger(__name__)

# Keys of the returned counts besides `dropped_<reason>`.
COUNT_RECORDS = "records"
COUNT_WRITTEN = "written"
COUNT_OTHER = "not_documents"
_DEFAULTS = ReadLimits()


def extract_inputs(inputs: list[str]) -> list[tuple[Path, str, InputFormat]]:
    """(path, name relative to its input, format) for every readable file given or found under a given folder."""
    found: list[tuple[Path, str, InputFormat]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for p in sorted(p for p in path.rglob("*") if p.is_file()):
                if (fmt := format_of(p.name)) is not None:
                    found.append((p, p.relative_to(path).as_posix(), fmt))
        elif path.is_file():
            fmt = format_of(path.name)
            if fmt is None:
                known = ", ".join(s for suffixes in FORMAT_SUFFIXES.values() for s in suffixes)
                raise ValueError(
                    f"extract input {item!r}: no reader for this file name; expected one ending in {known}"
                )
            found.append((path, path.name, fmt))
        else:
            raise FileNotFoundError(f"extract input {item!r} does not exist; expected a file or a folder of them")
    return found


def _row(doc_id: str, text: str, rel: str, item: SourceDocument, facts: dict[str, object]) -> dict[str, object]:
    md = item.metadata
    return {
        "id": doc_id,
        "text": text,
        "url": md.get(Meta.URL),
        "warc_record_id": md.get(Meta.WARC_RECORD_ID),
        Meta.TITLE: facts.get(Meta.TITLE, md.get(Meta.TITLE)),
        Meta.HTML_LANG: facts.get(Meta.HTML_LANG, md.get(Meta.HTML_LANG)),
        Meta.CONTENT_TYPE: md.get(Meta.CONTENT_TYPE),
        CANONICAL_URL: facts.get(CANONICAL_URL),
        LICENCE_LINKS: facts.get(LICENCE_LINKS, []),
        PUBLISHED: facts.get(PUBLISHED, md.get(Meta.PUBLISHED)),
        Meta.SOURCE_PATH: rel,
        Meta.SOURCE_OFFSET: item.offset,
    }


def _is_plain_text(item: SourceDocument) -> bool:
    return str(item.metadata.get(Meta.CONTENT_TYPE) or "").split(";")[0].strip().lower() == PLAIN_TEXT


def extract_to_jsonl(
    inputs: list[str],
    dst: str,
    mode: ExtractionMode = "fast",
    favour_precision: bool = True,
    include_tables: bool = True,
    keep_status: tuple[int, ...] = (200,),
    min_chars: int = 1,
    max_bytes: int = _DEFAULTS.max_bytes,
    parse_timeout_s: float = _DEFAULTS.parse_timeout_s,
) -> dict[str, int]:
    """Extract every document of `inputs` into the JSON Lines file `dst`; returns counts: `records`,
    `written`, `not_documents` (warcinfo/request/metadata records) and `dropped_<reason>` per drop reason."""
    limits = ReadLimits(max_bytes=max_bytes, parse_timeout_s=parse_timeout_s, keep_status=tuple(keep_status))
    files = extract_inputs(inputs)
    counts: Counter[str] = Counter()
    out = Path(dst)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        for path, rel, fmt in files:
            for item in read_source(path, fmt, limits):
                if isinstance(item, NotADocument):
                    counts[COUNT_OTHER] += 1
                    continue
                counts[COUNT_RECORDS] += 1
                reason = item.problem.reason if item.problem is not None else None
                text, facts = item.text.strip(), {}
                if reason is None and not _is_plain_text(item):
                    try:
                        result = extract_page(
                            item.text,
                            url=item.metadata.get(Meta.URL),  # type: ignore[arg-type]
                            mode=mode,
                            favour_precision=favour_precision,
                            include_tables=include_tables,
                        )
                    except UnparseableHtml:
                        reason = Reason.EXTRACTION_FAILED
                    else:
                        text = (result.text or "").strip()
                        page = result.facts
                        facts = {
                            Meta.TITLE: page.title,
                            Meta.HTML_LANG: page.html_lang,
                            CANONICAL_URL: page.canonical_url,
                            LICENCE_LINKS: page.licence_links,
                            PUBLISHED: page.published,
                        }
                if reason is None and len(text) < min_chars:
                    reason = Reason.EXTRACTION_EMPTY
                if reason is not None:
                    counts[f"dropped_{reason}"] += 1
                    continue
                f.write(orjson.dumps(_row(make_doc_id(rel, item.key), text, rel, item, facts)) + b"\n")
                counts[COUNT_WRITTEN] += 1
    log.info("extract: %s", dict(counts))
    return dict(counts)
