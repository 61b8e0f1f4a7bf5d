from pathlib import Path

import pyarrow.parquet as pq
from datatrove.data import Document

from eurocurate.dedup.url_stage import UrlDedupParams, build_url_dedup_stage
from eurocurate.registry import BuildContext, InputSet
from eurocurate.schema import Meta


def test_url_stage_keeps_latest_fetch_across_ranks(tmp_path: Path):
    out = tmp_path / "out"
    ctx = BuildContext(out_dir=str(out), work_dir=str(out / "_work"), spec=None, inputs=InputSet(str(out), []))
    parts = build_url_dedup_stage(UrlDedupParams(buckets=2, max_rows_in_memory=1000), ctx, "url_dedup")

    def doc(i, url, date):
        return Document(text=f"t{i}", id=f"d{i}", metadata={Meta.URL: url, Meta.FETCH_DATE: date, Meta.ORDER_KEY: f"{i:04d}"})

    shards = [
        [doc(1, "https://a.eu/x?utm_source=m", "2024-01-01T00:00:00Z"), doc(2, "https://a.eu/y", "2024-01-01T00:00:00Z")],
        [doc(3, "HTTPS://A.eu:443/x", "2025-01-01T00:00:00Z"), doc(4, "https://a.eu/z", "2024-01-01T00:00:00Z"), Document(text="no url", id="d5")],
    ]
    for rank, docs in enumerate(shards):
        data = iter(docs)
        for step in parts.map_steps:
            data = step.run(data, rank, 2)
        list(data)
    for task in range(parts.barrier.tasks):
        for step in parts.barrier.build(""):
            list(step.run(None, task, parts.barrier.tasks) or [])
    kept = []
    for rank, docs in enumerate(shards):
        data = iter(docs)
        for step in parts.after_barrier:
            data = step.run(data, rank, 2)
        kept += [d.id for d in data]
    assert kept == ["d2", "d3", "d4", "d5"]
    ledger = pq.read_table(out / "exclusions" / "part-url_dedup-00000.parquet").to_pylist()
    assert [(r["doc_id"], r["reason"], r["evidence"]) for r in ledger] == [
        ("d1", "dedup.url_duplicate", "duplicate_of=d3 url=https://a.eu/x")
    ]
