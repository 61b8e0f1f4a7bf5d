"""The bounded final merge: with a cap far below the clustered documents it spills, holds at most the
cap, and decides exactly what the in-memory merge decides (keepers, cluster ids and sizes, earlier
releases, ledger rows)."""

import pyarrow.parquet as pq

from eurocurate.dedup.clusters import decisions_path
from eurocurate.dedup.lsh import partition_edge_count
from eurocurate.dedup.minhash import MinhashConfig
from eurocurate.dedup.minhash_stage import MinhashDedupParams
from eurocurate.dedup.near_duplicates import find_near_duplicates
from eurocurate.schema import Meta
from tests.dedup.conftest import random_words, replace_words
from tests.dedup.test_minhash_stage import _corpus, _doc, run_stage


def _rows(rng) -> list[tuple[str, str, str, None]]:
    """Chains (each copy near its predecessor only), stars and singletons, in a shuffled input order."""
    rows = []
    for i in range(300):
        words = random_words(rng, 120)
        rows.append((f"o{i}", " ".join(words), f"{(i * 7919) % 1000:04d}", None))
        for c in range(i % 5):
            words = replace_words(rng, words, 0.02) if i % 2 else words
            rows.append((f"o{i}c{c}", " ".join(words), f"{(i * 31 + c * 17) % 997:04d}x", None))
    return rows


def test_spilled_merge_decides_exactly_as_the_in_memory_merge_within_its_cap(tmp_path, rng):
    rows = _rows(rng)
    config = MinhashConfig()
    unbounded, counts_in_memory = find_near_duplicates(rows, str(tmp_path / "mem"), config, n_parts=3)
    bounded, counts = find_near_duplicates(rows, str(tmp_path / "spill"), config, n_parts=3, max_docs_in_memory=700)
    expected = pq.read_table(decisions_path(unbounded.decisions, 0))
    assert "merge_runs_spilled" not in counts_in_memory and expected.num_rows == counts["clustered"] > 700
    assert pq.read_table(decisions_path(bounded.decisions, 0)).equals(expected)
    assert counts["merge_runs_spilled"] > 1 and counts["merge_component_rounds"] > 1
    assert counts["merge_peak_rows"] <= 700
    assert not (tmp_path / "spill" / "merge_spill").exists()


def _ledger_and_labels(kept, ledger) -> tuple[list, list]:
    labels = sorted((d.id, d.metadata[Meta.DEDUP_CLUSTER_ID], d.metadata[Meta.DEDUP_CLUSTER_SIZE]) for d in kept)
    return labels, sorted((r["doc_id"], r["reason"], r["evidence"]) for r in ledger)


def test_stage_with_a_tiny_merge_cap_writes_the_same_ledger_and_labels_across_releases(tmp_path, rng):
    first = _corpus(rng, 1500, "r1-")
    shards = [first[::2], first[1::2]]
    small = {"max_docs_in_memory": 1000}
    results = {}
    for name, extra in (("mem", {}), ("spill", small)):
        kept, ledger = run_stage(
            MinhashDedupParams(buckets=2, write_index=True, **extra), tmp_path / name / "rel1", shards
        )
        results[name] = _ledger_and_labels(kept, ledger)
        assert (
            partition_edge_count(tmp_path / name / "rel1" / "_work" / "near_dedup" / "parts", 2) > 1000
        )  # so it spilled
    assert results["mem"] == results["spill"]

    again = [_doc(d.id.replace("r1-", "again-"), d.text, "a" + d.metadata[Meta.ORDER_KEY]) for d in first[:600]]
    new = _corpus(rng, 300, "new-", start=5000)
    second = {}
    for name, extra in (("mem", {}), ("spill", small)):
        index = str(tmp_path / name / "rel1" / "dedup_index" / "near_dedup")
        kept, ledger = run_stage(
            MinhashDedupParams(buckets=2, index_dir=index, **extra), tmp_path / name / "rel2", [again, new]
        )
        second[name] = _ledger_and_labels(kept, ledger)
    assert second["mem"] == second["spill"]
    assert {reason for _, reason, _ in second["spill"][1]} == {"dedup.in_earlier_release", "dedup.near_duplicate"}
