"""Text shards in FineWeb-2's columns: code written against FineWeb-2's schema reads them unchanged and
re-hydrates them from `minhash_cluster_size` with FineWeb-2's up-sampling weights."""

from __future__ import annotations

import bisect
import json

import pyarrow.parquet as pq
import pytest

from eurocurate.pipelines.output.fineweb2 import common_crawl_dump, fineweb2_language, rehydration_weight
from eurocurate.pipelines.output.text_writer import TextParquetWriter
from eurocurate.schema import Meta

# FineWeb-2's columns and types as its dataset card lists them (plus `token_count`, as FineWeb has it)
FINEWEB2_FEATURES = {
    "text": "string", "id": "string", "dump": "string", "url": "string", "date": "string", "file_path": "string",
    "language": "string", "language_score": "float64", "language_script": "string",
    "minhash_cluster_size": "int64", "top_langs": "string", "token_count": "int64",
}  # fmt: skip


def fineweb2_rehydration(cluster_size: int) -> int:
    """FineWeb-2 README's re-hydration block, as a FineWeb-2 user writes it: the weight of the largest
    listed cluster size not above the document's."""
    weights = {1: 1, 2: 2, 3: 3, 5: 5, 100: 8, 1000: 1}
    limits = sorted(weights)
    return weights[limits[bisect.bisect_right(limits, cluster_size) - 1]]


@pytest.mark.parametrize(
    "size,weight",
    [(1, 1), (2, 2), (3, 3), (4, 3), (5, 5), (99, 5), (100, 8), (999, 8), (1000, 1), (250_000, 1)],
)
def test_rehydration_weight_is_fineweb2s_table(size, weight):
    assert rehydration_weight(size) == fineweb2_rehydration(size) == weight


def test_a_document_without_a_cluster_size_is_kept_once():
    assert rehydration_weight(None) == rehydration_weight(0) == 1


def test_fineweb2_code_reads_the_text_shards_and_reproduces_the_rehydration_weights(local_run):
    from datasets import Features, Value, load_dataset

    files = sorted(str(p) for p in (local_run / "text").rglob("*.parquet"))
    ds = load_dataset("parquet", data_files=files, split="train")
    assert list(ds.column_names[: len(FINEWEB2_FEATURES)]) == [
        "id", "text", "url", "date", "dump", "file_path", "language", "language_score", "language_script",
        "top_langs", "minhash_cluster_size", "token_count",
    ]  # fmt: skip
    fw2 = ds.select_columns(list(FINEWEB2_FEATURES)).cast(
        Features({name: Value(kind) for name, kind in FINEWEB2_FEATURES.items()})
    )
    weights = [fineweb2_rehydration(row["minhash_cluster_size"]) for row in fw2]
    assert weights == [rehydration_weight(n) for n in fw2["minhash_cluster_size"]]
    for row in fw2:
        assert row["language"] and row["language_script"] in {"Latn", "Cyrl", "Grek"}
        assert json.loads(row["top_langs"]) == {
            f"{row['language']}_{row['language_script']}_score": pytest.approx(row["language_score"])
        }
        assert row["date"] and row["url"].startswith("http") and row["file_path"].endswith(".warc.gz")
    # token_count is filled (the bundled specs write text after the tokenizer): the ids of the run's token shards
    n_tokens = {r["doc_id"]: r["n_tokens"] for f in (local_run / "shards").rglob("*.parquet")
                for r in pq.read_table(f, columns=["doc_id", "n_tokens"]).to_pylist()}  # fmt: skip
    assert [row["token_count"] for row in fw2] == [n_tokens[row["id"]] for row in fw2]


def test_the_text_writer_gives_fineweb2_code_the_cluster_sizes_it_rehydrates_by(tmp_path):
    from datasets import load_dataset
    from datatrove.data import Document

    sizes = [1, 2, 3, 4, 7, 99, 150, 2000]
    docs = [
        Document(text=f"document {i}", id=f"d{i}", metadata={Meta.LANG: "de", Meta.LANG_SCORE: 0.9,
                 Meta.DEDUP_CLUSTER_SIZE: n, Meta.URL: f"https://example.eu/{i}", Meta.FETCH_DATE: "2026-01-01"})
        for i, n in enumerate(sizes)
    ]  # fmt: skip
    assert len(list(TextParquetWriter(str(tmp_path)).run(iter(docs)))) == len(sizes)
    fw2 = load_dataset("parquet", data_files=str(tmp_path / "text" / "de" / "*.parquet"), split="train")
    rehydrated = [row["id"] for row in fw2 for _ in range(fineweb2_rehydration(row["minhash_cluster_size"]))]
    assert [rehydrated.count(f"d{i}") for i in range(len(sizes))] == [1, 2, 3, 3, 5, 5, 8, 1]
    assert [rehydration_weight(n) for n in fw2["minhash_cluster_size"]] == [1, 2, 3, 3, 5, 5, 8, 1]


def test_the_cluster_size_and_languages_agree_with_provenance(local_run):
    prov = {
        r["doc_id"]: r
        for f in (local_run / "provenance").glob("*.parquet")
        for r in pq.read_table(f, columns=["doc_id", "lang", "dedup_cluster_size"]).to_pylist()
    }
    for f in sorted((local_run / "text").rglob("*.parquet")):
        for row in pq.read_table(f).to_pylist():
            assert row["minhash_cluster_size"] == prov[row["id"]]["dedup_cluster_size"]
            assert (row["language"], row["language_script"]) == fineweb2_language(prov[row["id"]]["lang"])
            assert f.parent.name == prov[row["id"]]["lang"]


def test_language_codes_and_dumps_are_fineweb2s():
    assert fineweb2_language("de") == ("deu", "Latn") and fineweb2_language("el") == ("ell", "Grek")
    assert fineweb2_language("bg") == ("bul", "Cyrl") and fineweb2_language("und") == (None, None)
    assert common_crawl_dump("crawl-data/CC-MAIN-2024-10/segments/1/warc/x.warc.gz") == "CC-MAIN-2024-10"
    assert common_crawl_dump("own/crawl.warc.gz") is None
