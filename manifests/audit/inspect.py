"""`eurocurate inspect`: everything a run knows about one document, for answering a data-subject request.

Looks a document up by doc_id or URL (matched as erasure requests match it) in provenance (kept) and the exclusion
ledger (dropped), and adds, for kept documents, the start of its text and its token count, and any erasure that
named it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from eurocurate.layout import OutputLayout
from eurocurate.manifests.audit.erasure_log import readable_entries
from eurocurate.manifests.audit.erasure_match import ErasureRequest, matching_rows
from eurocurate.schema import Meta


def _rows(files: list[Path], column: str, value: str) -> list[dict]:
    """The rows of `files` whose `column` is `value`; a URL as `erase --url` matches it (URL dedup's normal form,
    http/https, trailing slash...), so that inspect shows the documents an erasure of that URL would name."""
    found = []
    for f in files:
        t = pq.read_table(f)
        if column == Meta.URL:
            hits = t.filter(matching_rows(t, ErasureRequest(url=value), None))
        else:
            hits = t.filter(pc.equal(t[column], pa.scalar(value)))
        found += [{"file": f.name, **r} for r in hits.to_pylist()]
    return found


def inspect_document(out: Path, doc_id: str | None = None, url: str | None = None) -> list[dict]:
    column, value = ("doc_id", doc_id) if doc_id else (Meta.URL, url)
    if value is None:
        raise ValueError("give a doc_id or a URL")
    layout = OutputLayout(out)
    entries = []
    for row in _rows(layout.provenance_files(), column, value):
        text = (
            pq.read_table(out / row["text_shard"]).slice(row["text_row"], 1)["text"][0].as_py()
            if row["text_shard"]
            else ""
        )
        entries.append({"status": "kept", **row, "text_start": text[:300]})
    for row in _rows(layout.exclusion_files(), column, value):
        entries.append({"status": "excluded", **row})
    if entries:
        erasures, damaged = readable_entries(out)  # a damaged line: the entries before it, and the damage said
        for e in entries:
            if e["status"] == "excluded" and e["stage"] == "erasure":
                e["erasure"] = next((x for x in erasures if e["evidence"].startswith(str(x.get("erasure_id")))), None)
                if damaged and e["erasure"] is None:
                    e["erasure_log_damaged"] = damaged
    return entries
