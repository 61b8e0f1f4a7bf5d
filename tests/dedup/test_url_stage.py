from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from eurocurate.config import SpecError
from eurocurate.dedup.url_stage import UrlDedupParams, build_url_dedup_stage
from eurocurate.registry import BuildContext, InputSet
from eurocurate.schema import Meta, Reason
from tests.dedup.conftest import run_barrier_stage


def _doc(i, url, date) -> Document:
    return Document(
        text=f"t{i}", id=f"d{i}", metadata={Meta.URL: url, Meta.FETCH_DATE: date, Meta.ORDER_KEY: f"{i:04d}"}
    )


def run_url_stage(params: UrlDedupParams, out: Path, shards: list[list[Document]]) -> tuple[list[str], list[dict]]:
    """Map steps per rank, every barrier task, then the steps after the barrier; (kept ids, ledger rows)."""
    ctx = BuildContext(out_dir=str(out), work_dir=str(out / "_work"), spec=None, inputs=InputSet(str(out), []))
    kept = [d.id for d in run_barrier_stage(build_url_dedup_stage(params, ctx, "url_dedup"), shards, "")]
    files = sorted((out / "exclusions").glob("part-url_dedup-*.parquet"))
    return kept, [r for f in files for r in pq.read_table(f).to_pylist()]


def test_url_stage_keeps_latest_fetch_across_ranks(tmp_path: Path):
    shards = [
        [
            _doc(1, "https://a.eu/x?utm_source=m", "2024-01-01T00:00:00Z"),
            _doc(2, "https://a.eu/y", "2024-01-01T00:00:00Z"),
        ],
        [
            _doc(3, "HTTPS://A.eu:443/x", "2025-01-01T00:00:00Z"),
            _doc(4, "https://a.eu/z", "2024-01-01T00:00:00Z"),
            Document(text="no url", id="d5"),
        ],
    ]
    kept, ledger = run_url_stage(UrlDedupParams(buckets=2, max_rows_in_memory=1000), tmp_path / "out", shards)
    assert kept == ["d2", "d3", "d4", "d5"]
    assert [(r["doc_id"], r["reason"], r["evidence"]) for r in ledger] == [
        ("d1", "dedup.url_duplicate", "duplicate_of=d3 url=https://a.eu/x")
    ]


def test_second_release_drops_urls_the_first_published_and_keeps_new_ones(tmp_path: Path):
    first = [
        [
            _doc(1, "https://a.eu/x", "2024-01-01T00:00:00Z"),
            _doc(2, "https://a.eu/y?utm_medium=m", "2024-01-01T00:00:00Z"),
        ],
        [_doc(3, "https://a.eu/x", "2024-02-01T00:00:00Z"), Document(text="no url", id="d9")],
    ]
    kept1, _ = run_url_stage(UrlDedupParams(buckets=2, write_index=True), tmp_path / "rel1", first)
    assert kept1 == ["d2", "d3", "d9"]
    index = tmp_path / "rel1" / "dedup_index" / "url_dedup"
    tables = [pq.read_table(f, columns=["doc_id", "url"]) for f in sorted(index.glob("urls-*.parquet"))]
    published = sorted((r["doc_id"], r["url"]) for t in tables for r in t.to_pylist())
    assert published == [("d2", "https://a.eu/y"), ("d3", "https://a.eu/x")]  # the kept documents, normalised URLs

    # release 2 refetches both published URLs (newer, other spelling) twice, and one new URL
    second = [
        [_doc(11, "https://A.eu/x#top", "2026-01-01T00:00:00Z"), _doc(12, "https://a.eu/new", "2026-01-01T00:00:00Z")],
        [_doc(13, "https://a.eu/y", "2026-01-01T00:00:00Z"), _doc(14, "https://a.eu/x", "2026-02-01T00:00:00Z")],
    ]
    kept2, ledger = run_url_stage(
        UrlDedupParams(buckets=3, index_dir=str(index), write_index=True), tmp_path / "rel2", second
    )
    assert kept2 == ["d12"]
    assert sorted((r["doc_id"], r["reason"], r["evidence"]) for r in ledger) == [
        ("d11", Reason.URL_IN_EARLIER_RELEASE, "duplicate_of=d3 url=https://a.eu/x"),
        ("d13", Reason.URL_IN_EARLIER_RELEASE, "duplicate_of=d2 url=https://a.eu/y"),
        ("d14", Reason.URL_IN_EARLIER_RELEASE, "duplicate_of=d3 url=https://a.eu/x"),
    ]
    # release 3 against both indexes: nothing either published comes back, in-run URL dedup still works
    jan, feb = "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"
    third = [[_doc(21, "https://a.eu/new", jan), _doc(22, "https://a.eu/y", jan)],
             [_doc(23, "https://a.eu/3", jan), _doc(24, "https://a.eu/3", feb)]]  # fmt: skip
    index2 = str(tmp_path / "rel2" / "dedup_index" / "url_dedup")
    kept3, ledger3 = run_url_stage(UrlDedupParams(buckets=1, index_dir=[str(index), index2]), tmp_path / "rel3", third)
    assert kept3 == ["d24"]
    assert sorted((r["doc_id"], r["reason"]) for r in ledger3) == [
        ("d21", Reason.URL_IN_EARLIER_RELEASE), ("d22", Reason.URL_IN_EARLIER_RELEASE), ("d23", Reason.URL_DUPLICATE),
    ]  # fmt: skip


def test_a_folder_that_is_not_a_url_index_is_refused(tmp_path: Path):
    (tmp_path / "minhash_index").mkdir()
    (tmp_path / "minhash_index" / "config.json").write_text('{"scheme": "oph-densified-v1"}')
    for folder in (tmp_path / "missing", tmp_path / "minhash_index"):
        with pytest.raises(SpecError, match="URL"):
            run_url_stage(UrlDedupParams(index_dir=str(folder)), tmp_path / "out", [[]])
