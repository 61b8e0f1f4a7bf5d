"""Extraction speed over the whole corpus: documents per CPU second of `extract_page` as the
`HtmlExtractor` stage calls it, on every HTML response record of $EUROCURATE_CORPUS's WARCs, with
each extraction path's share of documents and of CPU time.

Records the WARC reader drops (binary payloads, bad status) and plain text, which the stage passes
through, are not timed. The first pass includes the one-time set-ups every worker process pays
(trafilatura's jusText stoplists on its first cascaded page); later `--repeat` passes do not.
`--save` writes each page's path and text; `--compare` reads such a file and reports, per source, how
many pages changed and, for the LibreOffice help pages, how many of those the truth calls `ok` (50
words of main text or more) come out under 50 words.

    python -m eurocurate.tools.bench_extract [--repeat 1] [--save out.jsonl] [--compare before.jsonl]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import orjson

from eurocurate.pipelines.extract.fast import UnparseableHtml, extract_page
from eurocurate.pipelines.ingest.warc import iter_warc_records, record_source_document
from eurocurate.schema import Meta
from eurocurate.tools.corpus_view import content_warcs

_OK_WORDS = 50  # truth's `quality: ok` threshold for a real page


def load_html_pages(corpus: Path) -> list[tuple[str, str, str | None]]:
    """(record id, decoded HTML, URL) of every response record the WARC reader keeps."""
    pages = []
    for path in content_warcs(corpus):
        for raw in iter_warc_records(path):
            if raw.record_type != "response":
                continue
            doc = record_source_document(raw, keep_status=(200,))  # the warc_reader's default
            mime = str(doc.metadata.get(Meta.CONTENT_TYPE) or "").split(";")[0].strip().lower()
            if doc.problem is None and mime != "text/plain":
                pages.append((raw.record_id, doc.text, doc.metadata.get(Meta.URL)))
    return pages


def extract_all(pages: list[tuple[str, str, str | None]]) -> tuple[dict[str, tuple[str, str]], Counter, Counter]:
    """Path and text per record id, documents per path, CPU seconds per path (HtmlExtractor's defaults)."""
    results: dict[str, tuple[str, str]] = {}
    docs: Counter = Counter()
    seconds: Counter = Counter()
    for rid, html, url in pages:
        began = time.process_time()
        try:
            r = extract_page(html, url=url, mode="fast", favour_precision=True, fast=False, include_tables=True)
            path, text = r.path, r.text or ""
        except UnparseableHtml:
            path, text = "unparseable", ""
        seconds[path] += time.process_time() - began
        docs[path] += 1
        results[rid] = (path, text)
    return results, docs, seconds


def compare(before: dict[str, dict], after: dict[str, tuple[str, str]], truth: dict[str, dict]) -> None:
    changed: Counter = Counter()
    total: Counter = Counter()
    for rid, (_, text) in after.items():
        source = truth.get(rid, {}).get("source", "?")
        total[source] += 1
        if rid in before and before[rid]["text"] != text:
            changed[source] += 1
    print("\npages whose text changed, per source:")
    for source in sorted(total):
        print(f"  {source:17s} {changed[source]:5d} of {total[source]}")
    lo = [rid for rid in after if truth.get(rid, {}).get("source") == "libreoffice"]
    words_before = {rid: len(before[rid]["text"].split()) for rid in lo if rid in before}
    words_after = {rid: len(after[rid][1].split()) for rid in lo}
    ok = [rid for rid in lo if truth[rid].get("quality") == "ok"]
    loss_before = sum(1 for rid in ok if words_before.get(rid, 0) < _OK_WORDS)
    loss_after = sum(1 for rid in ok if words_after[rid] < _OK_WORDS)
    fewer = sum(1 for rid in lo if words_after[rid] < words_before.get(rid, 0))
    more = sum(1 for rid in lo if words_after[rid] > words_before.get(rid, 0))
    print(
        f"\nlibreoffice: {len(lo)} pages, {len(ok)} labelled ok; ok pages under {_OK_WORDS} words: "
        f"before {loss_before}, after {loss_after}; words before {sum(words_before.values())}, "
        f"after {sum(words_after.values())}; pages with fewer words {fewer}, with more {more}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="timed passes; the (lower) median is reported")
    ap.add_argument("--save", type=Path, help="write record id, path and text of every page (JSONL)")
    ap.add_argument("--compare", type=Path, help="a --save file of an earlier run to compare with")
    args = ap.parse_args(argv)
    corpus = Path(os.environ.get("EUROCURATE_CORPUS", "../shared/corpus"))
    if not (corpus / "truth.jsonl").is_file():
        print(f"no truth.jsonl in {corpus}; set EUROCURATE_CORPUS to the eu24-dev corpus folder", file=sys.stderr)
        return 2
    pages = load_html_pages(corpus)
    runs = [extract_all(pages) for _ in range(args.repeat)]
    rates = [len(pages) / sum(s.values()) for _, _, s in runs]
    median = statistics.median_low(rates)
    results, docs, seconds = runs[rates.index(median)]
    total_s = sum(seconds.values())
    passes = ", ".join(f"{r:.0f}" for r in rates)
    print(f"{len(pages)} HTML pages, {total_s:.2f} CPU-s, {median:.0f} docs/CPU-s (passes: {passes})")
    print(f"{'path':18s} {'docs':>6s} {'doc share':>9s} {'time share':>10s} {'docs/cpu-s':>10s}")
    for path, n in docs.most_common():
        print(f"{path:18s} {n:6d} {n / len(pages):9.1%} {seconds[path] / total_s:10.1%} {n / seconds[path]:10.0f}")
    if args.save:
        with args.save.open("wb") as f:
            for rid, (path, text) in results.items():
                f.write(orjson.dumps({"id": rid, "path": path, "text": text}) + b"\n")
    if args.compare:
        truth = {t["record_id"]: t for t in map(orjson.loads, (corpus / "truth.jsonl").read_bytes().splitlines())}
        before = {r["id"]: r for r in map(orjson.loads, args.compare.read_bytes().splitlines())}
        compare(before, results, truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
