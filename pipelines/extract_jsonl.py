"""`eurocurate extract INPUT... -o OUT.jsonl`: WARC records → one JSON object per extracted page.

Reads WARC files (or folders of them) with the ingest reader's record iterator and decoding, runs the
page extractor, and writes the text with its page facts for inspection and other tools. Owns no
pipeline state: no ledger, no manifest; dropped records are only counted by reason.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import orjson

from eurocurate.pipelines.extract_facts import CANONICAL_URL, LICENCE_LINKS, PUBLISHED
from eurocurate.pipelines.extract_fast import ExtractionMode, UnparseableHtml, extract_page
from eurocurate.pipelines.ingest.warc import WarcReader, iter_warc_records
from eurocurate.schema import Meta, Reason

log = logging.getLogger(__name__)

_WARC_SUFFIXES = (".warc", ".warc.gz")
# Keys of the returned counts besides `dropped_<reason>`.
COUNT_RECORDS = "records"
COUNT_WRITTEN = "written"
COUNT_OTHER = "not_documents"


def warc_inputs(inputs: list[str]) -> list[tuple[Path, str]]:
    """(path, name relative to its input) for every WARC file given or found under a given folder."""
    found: list[tuple[Path, str]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_WARC_SUFFIXES))
            found += [(p, p.relative_to(path).as_posix()) for p in files]
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise FileNotFoundError(f"extract input {item!r} does not exist; expected a WARC file or a folder of them")
    return found


def extract_to_jsonl(
    inputs: list[str],
    dst: str,
    mode: ExtractionMode = "fast",
    favour_precision: bool = True,
    include_tables: bool = True,
    keep_status: tuple[int, ...] = (200,),
    min_chars: int = 1,
) -> dict[str, int]:
    """Extract every HTML record of `inputs` into the JSON Lines file `dst`; returns counts: `records`,
    `written`, `not_documents` (warcinfo/request/metadata records) and `dropped_<reason>` per drop reason."""
    # positional: the source-description argument is being renamed upstream; empty here (no provenance)
    reader = WarcReader([], "", "", "", {}, keep_status)
    counts: Counter[str] = Counter()
    out = Path(dst)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        for path, rel in warc_inputs(inputs):
            for raw in iter_warc_records(path):
                if raw.record_type not in ("response", "resource", "revisit", "unreadable"):
                    counts[COUNT_OTHER] += 1
                    continue
                counts[COUNT_RECORDS] += 1
                doc, drop = reader._document(rel, raw)
                reason = drop.reason if drop is not None else None
                if reason is None:
                    try:
                        result = extract_page(
                            doc.text,
                            url=raw.url,
                            mode=mode,
                            favour_precision=favour_precision,
                            include_tables=include_tables,
                        )
                    except UnparseableHtml:
                        reason = Reason.EXTRACTION_FAILED
                    else:
                        text = (result.text or "").strip()
                        if len(text) < min_chars:
                            reason = Reason.EXTRACTION_EMPTY
                if reason is not None:
                    counts[f"dropped_{reason}"] += 1
                    continue
                facts = result.facts
                row = {
                    "id": doc.id,
                    "text": text,
                    "url": raw.url,
                    "warc_record_id": raw.record_id,
                    Meta.TITLE: facts.title,
                    Meta.HTML_LANG: facts.html_lang,
                    Meta.CONTENT_TYPE: doc.metadata.get(Meta.CONTENT_TYPE),
                    CANONICAL_URL: facts.canonical_url,
                    LICENCE_LINKS: facts.licence_links,
                    PUBLISHED: facts.published,
                    Meta.SOURCE_PATH: rel,
                    Meta.SOURCE_OFFSET: raw.offset,
                }
                f.write(orjson.dumps(row) + b"\n")
                counts[COUNT_WRITTEN] += 1
    log.info("extract: %s", dict(counts))
    return dict(counts)
