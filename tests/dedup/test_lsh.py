import numpy as np
import pyarrow.parquet as pq

from eurocurate.dedup.clusters import decisions_path
from eurocurate.dedup.components import connected_components
from eurocurate.dedup.lsh import bucket_edges
from eurocurate.dedup.minhash import MinhashConfig
from eurocurate.dedup.near_duplicates import find_near_duplicates
from tests.dedup.conftest import pair_with_jaccard, random_words, replace_words


def _verdicts(layout) -> dict[str, dict]:
    path = decisions_path(layout.decisions, 0)
    return {r["doc_id"]: r for r in pq.read_table(path).to_pylist()} if path.is_file() else {}


def test_union_find_is_transitive_and_labels_by_smallest_node():
    u = np.array([9, 3, 7, 100, 5], dtype=np.uint64)
    v = np.array([3, 7, 1, 101, 5], dtype=np.uint64)
    nodes, roots = connected_components(u, v)
    got = dict(zip(nodes.tolist(), roots.tolist()))
    assert got == {1: 1, 3: 1, 7: 1, 9: 1, 100: 100, 101: 100, 5: 5}


def test_union_find_on_a_long_chain_in_shuffled_order():
    rng = np.random.default_rng(3)
    n = 5000
    order = rng.permutation(n - 1)
    u = np.arange(n - 1, dtype=np.uint64)[order]
    nodes, roots = connected_components(u, u + np.uint64(1))
    assert len(nodes) == n and (roots == 0).all()


def test_bucket_edges_link_every_bucket_member_to_the_smallest_gid():
    keys = np.array([5, 5, 7, 5, 8, 8], dtype=np.uint64)
    gids = np.array([30, 10, 1, 20, 2, 4], dtype=np.uint64)
    u, v = bucket_edges(keys, gids)
    assert sorted(zip(u.tolist(), v.tolist())) == [(2, 4), (10, 20), (10, 30)]


def test_lsh_finds_pairs_above_threshold_and_not_below(tmp_path, rng):
    # 14x8: candidate probability 1-(1-J^8)^14 is ~1.0 at J=0.95 and ~0.0004 at J=0.3
    rows, above, below = [], [], []
    for i in range(40):
        a, b = pair_with_jaccard(rng, 0.95 if i % 2 == 0 else 0.3)
        rows += [(f"a{i}", a, f"{i:04d}a", None), (f"b{i}", b, f"{i:04d}b", None)]
        (above if i % 2 == 0 else below).append(i)
    layout, _ = find_near_duplicates(rows, str(tmp_path / "w"), MinhashConfig(), n_parts=3)
    got = _verdicts(layout)
    assert all(got[f"b{i}"]["verdict"] == "near" and got[f"b{i}"]["duplicate_of"] == f"a{i}" for i in above)
    assert not any(f"b{i}" in got for i in below)


def test_clusters_are_transitive_across_partitions_and_keep_first_in_input_order(tmp_path, rng):
    base = random_words(rng, 400)
    chain = [base]
    for _ in range(4):  # each copy is near its predecessor; the ends are far apart
        chain.append(replace_words(rng, chain[-1], 0.01))
    texts = [" ".join(w) for w in chain]
    # input order is order_key, not row order: "c3" comes first
    rows = [(f"c{i}", t, f"k{(i + 2) % 5}", None) for i, t in enumerate(texts)]
    layout, counts = find_near_duplicates(
        rows, str(tmp_path / "w"), MinhashConfig(), n_parts=4, max_keys_in_memory=10_000
    )
    got = _verdicts(layout)
    assert counts["clustered"] == 5 and got["c3"]["verdict"] == "keep"
    assert {r["duplicate_of"] for r in got.values()} == {"c3"} and {r["cluster_size"] for r in got.values()} == {5}


def test_partitioning_and_memory_passes_do_not_change_the_result(tmp_path, rng):
    rows = []
    for i in range(60):
        words = random_words(rng, 200)
        rows.append((f"o{i}", " ".join(words), f"{i:04d}0", None))
        if i % 2:
            rows.append((f"n{i}", " ".join(replace_words(rng, words, 0.01)), f"{i:04d}1", None))
    results = []
    for parts, mem in ((1, 10_000_000), (5, 10_000)):
        layout, _ = find_near_duplicates(
            rows, str(tmp_path / f"w{parts}"), MinhashConfig(), n_parts=parts, max_keys_in_memory=mem
        )
        results.append(pq.read_table(decisions_path(layout.decisions, 0)).to_pylist())
    assert results[0] == results[1] and len(results[0]) == 60


def test_per_language_never_clusters_across_languages(tmp_path, rng):
    text = " ".join(random_words(rng, 300))
    rows = [("de1", text, "1", "de"), ("nl1", text, "2", "nl"), ("de2", text, "3", "de")]
    layout, _ = find_near_duplicates(rows, str(tmp_path / "pl"), MinhashConfig(per_language=True))
    got = _verdicts(layout)
    assert got["de2"]["duplicate_of"] == "de1" and "nl1" not in got
    layout, _ = find_near_duplicates(rows, str(tmp_path / "gl"), MinhashConfig())
    assert {r["duplicate_of"] for r in _verdicts(layout).values()} == {"de1"} and len(_verdicts(layout)) == 3
