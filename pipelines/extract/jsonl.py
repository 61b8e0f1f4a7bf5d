"""`eurocurate extract INPUT... -o OUT.jsonl`: input files → one JSON object per extracted document.

Reads every format the document reader takes (WARC/WET/ARC, HTML files, JSONL/Parquet, PDF, Akoma Ntoso
and Formex XML, DOCX) with the same readers and limits, runs the page extractor on HTML, passes plain
text through (one decision with the stage: `extract.document`), and writes the text with its page facts
for inspection and other tools. Owns no pipeline state: no ledger, no manifest; dropped documents are
only counted by reason.
"""

from __future__ import annotations

import logging
import posixpath
from collections import Counter
from pathlib import Path
from typing import IO

import orjson

from eurocurate import storage
from eurocurate.pipelines.extract.document import DEFAULT_OPTIONS, ExtractionOptions, extract_document
from eurocurate.pipelines.extract.facts import PageFacts
from eurocurate.pipelines.extract.fast import ExtractionMode
from eurocurate.pipelines.ingest.base import make_doc_id
from eurocurate.pipelines.ingest.formats import FORMAT_SUFFIXES, InputFormat, format_of, read_source
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.schema import Meta

log = logging.getLogger(__name__)

# Keys of the returned counts besides `dropped_<reason>`.
COUNT_RECORDS = "records"
COUNT_WRITTEN = "written"
COUNT_OTHER = "not_documents"
_DEFAULTS = ReadLimits()


def extract_inputs(inputs: list[str]) -> list[tuple[Path | storage.Location, str, InputFormat]]:
    """(path or URL, name relative to its input, format) for every readable file given or found under a given
    folder; a URL (s3://, gs://, hf://, https://) is listed through its store and read from a local copy."""
    found: list[tuple[Path | storage.Location, str, InputFormat]] = []
    for item in inputs:
        if storage.is_remote(item):
            found += _remote_inputs(item)
            continue
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


def _remote_inputs(item: str) -> list[tuple[Path | storage.Location, str, InputFormat]]:
    base = storage.locate(item)
    files = storage.list_files(base)
    single = len(files) == 1 and files[0].path.rstrip("/") == base.path.rstrip("/")
    found: list[tuple[Path | storage.Location, str, InputFormat]] = []
    for loc in files:
        name = posixpath.basename(loc.path)
        fmt = format_of(name)
        if fmt is None and single:
            raise ValueError(f"extract input {storage.display(item)!r}: no reader for this file name")
        if fmt is not None:
            found.append((loc, name if single else loc.relative_to(base), fmt))
    return found


def _row(doc_id: str, text: str, rel: str, item: SourceDocument, facts: PageFacts | None) -> dict[str, object]:
    """The output line; an HTML page's facts are what it declares (None where nothing), plain text
    keeps what its reader found."""
    md = item.metadata
    return {
        "id": doc_id,
        "text": text,
        "url": md.get(Meta.URL),
        "warc_record_id": md.get(Meta.WARC_RECORD_ID),
        Meta.TITLE: facts.title if facts else md.get(Meta.TITLE),
        Meta.HTML_LANG: facts.html_lang if facts else md.get(Meta.HTML_LANG),
        Meta.CONTENT_TYPE: md.get(Meta.CONTENT_TYPE),
        Meta.CANONICAL_URL: facts.canonical_url if facts else None,
        Meta.LICENCE_LINKS: facts.licence_links if facts else [],
        Meta.PUBLISHED: facts.published if facts else md.get(Meta.PUBLISHED),
        Meta.SOURCE_PATH: rel,
        Meta.SOURCE_OFFSET: item.offset,
    }


def extract_to_jsonl(
    inputs: list[str],
    dst: str,
    mode: ExtractionMode = DEFAULT_OPTIONS.mode,
    favour_precision: bool = DEFAULT_OPTIONS.favour_precision,
    include_tables: bool = DEFAULT_OPTIONS.include_tables,
    keep_status: tuple[int, ...] = _DEFAULTS.keep_status,
    min_chars: int = DEFAULT_OPTIONS.min_chars,
    max_bytes: int = _DEFAULTS.max_bytes,
    parse_timeout_s: float = _DEFAULTS.parse_timeout_s,
) -> dict[str, int]:
    """Extract every document of `inputs` into the JSON Lines file `dst`; returns counts: `records`,
    `written`, `not_documents` (warcinfo/request/metadata records, Formex `.doc.xml` descriptors) and
    `dropped_<reason>` per drop reason."""
    options = ExtractionOptions(mode, favour_precision, include_tables=include_tables, min_chars=min_chars)
    limits = ReadLimits(max_bytes=max_bytes, parse_timeout_s=parse_timeout_s, keep_status=tuple(keep_status))
    files = extract_inputs(inputs)
    counts: Counter[str] = Counter()
    out = Path(dst)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        for location, rel, fmt in files:
            with storage.local_copy(location) as path:
                _extract_file(f, path, rel, fmt, limits, options, counts)
    log.info("extract: %s", dict(counts))
    return dict(counts)


def _extract_file(
    f: IO[bytes],
    path: Path,
    rel: str,
    fmt: InputFormat,
    limits: ReadLimits,
    options: ExtractionOptions,
    counts: Counter[str],
) -> None:
    for item in read_source(path, fmt, limits):
        if isinstance(item, NotADocument):
            counts[COUNT_OTHER] += 1
            continue
        counts[COUNT_RECORDS] += 1
        if item.problem is not None:
            counts[f"dropped_{item.problem.reason}"] += 1
            continue
        md = item.metadata
        result = extract_document(item.text, md.get(Meta.CONTENT_TYPE), md.get(Meta.URL), options)  # type: ignore[arg-type]
        if result.drop is not None:
            counts[f"dropped_{result.drop.reason}"] += 1
            continue
        text = result.text.strip()
        f.write(orjson.dumps(_row(make_doc_id(rel, item.key), text, rel, item, result.facts)) + b"\n")
        counts[COUNT_WRITTEN] += 1
