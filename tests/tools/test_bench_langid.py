"""`bench_langid`'s worker figures: the repeated passes and the first reading of documents never read before."""

from __future__ import annotations

import sys

from eurocurate.tools.bench_langid import bench_workers, build_documents, demo_paragraph_pools


def test_a_worker_reports_its_first_reading_beside_its_fastest_repeated_pass():
    docs = build_documents(demo_paragraph_pools(), 60)  # 48 warm-up documents, 12 read for the first time
    result = bench_workers({"demo": docs}, {"this": sys.executable}, repeat=1, rounds=1)["this"]
    demo = result["sets"]["demo"]
    assert demo["docs"] == 60 and demo["first_docs"] == 12
    assert demo["first_cpu_s"] > 0 and demo["first_docs_per_s_per_core"] > 0
    assert result["all"]["first_docs"] == 12 and result["all"]["docs_per_s_per_core"] > 0
    assert 0 < result["peak_rss_mb"] < 1024
