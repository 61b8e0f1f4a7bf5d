"""Personal data against the corpus truth: every valid inserted value gone, every checksum-invalid one kept."""

from __future__ import annotations

import collections

import pyarrow.parquet as pq

from eurocurate.filters.pii.detectors import find_pii
from eurocurate.filters.pii.redaction import redact
from tests.eval.conftest import read_all


def _score(items):
    """items: (type, value, valid, redacted text) → per (type, valid): [right, total] and the failures."""
    table: dict[tuple[str, bool], list[int]] = collections.defaultdict(lambda: [0, 0])
    failures = []
    for kind, value, valid, text in items:
        ok = (value not in text) if valid else (value in text)
        cell = table[(kind, valid)]
        cell[1] += 1
        cell[0] += ok
        if not ok:
            failures.append((kind, value, valid))
    return table, failures


def _print(title, table):
    print(f"\n{title}")
    for (kind, valid), (right, total) in sorted(table.items()):
        print(f"  {kind:<10} {'valid  → redacted' if valid else 'invalid → kept  '}  {right}/{total}")


def test_redaction_on_the_true_main_text_of_every_page_with_personal_data(truth):
    items = []
    for t in truth:
        if not t.get("pii") or not t.get("main_text"):
            continue
        text = redact(t["main_text"], find_pii(t["main_text"], t.get("gold_lang")), key=b"eval").text
        items += [(p["type"], p["value"], p["valid"], text) for p in t["pii"]]
    table, failures = _score(items)
    _print("PII on truth main_text (all pages with inserted values):", table)
    assert not failures, failures[:10]


def test_redaction_in_the_pipeline_output(corpus_run, truth):
    by_record = {(t["warc_file"], t["record_id"]): t for t in truth if t.get("pii")}
    items = []
    for row in read_all(corpus_run, "provenance"):
        t = by_record.get((row["source_path"], row["warc_record_id"]))
        if t is None:
            continue
        text = pq.read_table(corpus_run / row["text_shard"]).slice(row["text_row"], 1)["text"][0].as_py()
        items += [(p["type"], p["value"], p["valid"], text) for p in t["pii"]]
    table, failures = _score(items)
    _print("PII in the text shards of the pipeline run (kept pages):", table)
    assert items and not failures, failures[:10]
