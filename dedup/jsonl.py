"""Standalone near-dedup of a JSONL file (`eurocurate dedup INPUT.jsonl -o OUT.jsonl`).

Two streaming passes: signatures of every line's `text`, then the kept lines in input order with
`dedup_cluster_id` (the kept line's `id`, or its 1-based line number) and `dedup_cluster_size`
added. Memory is that of the LSH index (see `near_duplicates`), not of the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow.parquet as pq

from eurocurate import storage
from eurocurate.dedup.clusters import KEEP, decisions_path
from eurocurate.dedup.minhash import DEFAULT_BANDS, DEFAULT_NGRAM, DEFAULT_ROWS, MinhashConfig
from eurocurate.dedup.near_duplicates import (
    DEFAULT_MAX_DOCS_IN_MEMORY,
    DEFAULT_MAX_KEYS_IN_MEMORY,
    MIN_DOCS_IN_MEMORY,
    find_near_duplicates,
)
from eurocurate.dedup.url import url_key
from eurocurate.dedup.verification import DEFAULT_MIN_JACCARD
from eurocurate.schema import Meta


class JsonlError(ValueError):
    """A line of the input is not a JSON object with a string `text`."""


def _records(src: str) -> Iterator[tuple[int, bytes, dict]]:
    with storage.open_input(src) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                raise JsonlError(
                    f"{storage.display(src)}:{number}: not valid JSON ({e}); expected one JSON object per line"
                ) from e
            if not isinstance(record, dict) or not isinstance(record.get("text", ""), str):
                raise JsonlError(f"{storage.display(src)}:{number}: expected an object with a string field `text`")
            yield number, line, record


def dedup_jsonl(
    src: str | Path,
    dst: str | Path,
    bands: int = DEFAULT_BANDS,
    rows: int = DEFAULT_ROWS,
    ngram: int = DEFAULT_NGRAM,
    urls: bool = False,
    buckets: int = 1,
    max_keys_in_memory: int = DEFAULT_MAX_KEYS_IN_MEMORY,
    work_dir: str | Path | None = None,
    max_docs_in_memory: int = DEFAULT_MAX_DOCS_IN_MEMORY,
    min_jaccard: float | None = DEFAULT_MIN_JACCARD,
) -> dict:
    """Write the lines of `src` that survive URL dedup (with `urls`: the first line per normalised `url` wins, before
    near-dedup, as in a pipeline run) and near-dedup to `dst`; returns counts read / written / near_duplicates /
    url_duplicates / clusters.
    Banding and `min_jaccard` (candidate pairs verified; None: off) default as in the `minhash_dedup` stage."""
    if max_docs_in_memory < MIN_DOCS_IN_MEMORY:
        raise ValueError(
            f"max_docs_in_memory must be at least {MIN_DOCS_IN_MEMORY} (the on-disk merge's smallest working set), "
            f"got {max_docs_in_memory}"
        )
    src, dst = str(src), Path(dst)
    config = MinhashConfig(bands, rows, ngram)
    # URL dedup first, as a pipeline run does it: near-dedup then sees only the lines that keep their URL, so a
    # cluster never keeps a line that URL dedup then drops (taking the cluster's text with it)
    url_duplicates: set[int] = set()
    if urls:
        seen_urls: set[int] = set()
        for number, _line, record in _records(src):
            if isinstance(record.get("url"), str):
                key = url_key(record["url"])
                if key in seen_urls:
                    url_duplicates.add(number)
                seen_urls.add(key)
    rows_iter = ((str(n), r.get("text", ""), f"{n:012d}", None) for n, _, r in _records(src) if n not in url_duplicates)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        layout, _ = find_near_duplicates(
            rows_iter,
            tmp,
            config,
            buckets,
            max_keys_in_memory,
            max_docs_in_memory=max_docs_in_memory,
            min_jaccard=min_jaccard,
        )
        path = decisions_path(layout.decisions, 0)
        table = pq.read_table(path).to_pydict() if path.is_file() else {"doc_id": [], "verdict": [], "cluster_size": []}
    decisions = {int(d): (v, s) for d, v, s in zip(table["doc_id"], table["verdict"], table["cluster_size"])}
    counts = {"read": 0, "written": 0, "near_duplicates": 0, "url_duplicates": 0, "clusters": 0}
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp_dst = dst.with_name(dst.name + ".tmp")
    with open(tmp_dst, "wb") as out:
        for number, _line, record in _records(src):
            counts["read"] += 1
            if number in url_duplicates:
                counts["url_duplicates"] += 1
                continue
            verdict, size = decisions.get(number, (KEEP, 1))
            if verdict != KEEP:
                counts["near_duplicates"] += 1
                continue
            cluster = record.get("id", number)  # a cluster is named after its kept line
            counts["clusters"] += size > 1
            record[Meta.DEDUP_CLUSTER_ID] = cluster
            record[Meta.DEDUP_CLUSTER_SIZE] = size
            out.write(orjson.dumps(record) + b"\n")
            counts["written"] += 1
    tmp_dst.replace(dst)
    return counts
