import logging

import numpy as np
import pyarrow.parquet as pq

from eurocurate.dedup.clusters import decisions_path
from eurocurate.dedup.minhash import MinhashConfig, gram_sets, ngram_hashes, word_hashes
from eurocurate.dedup.near_duplicates import find_near_duplicates
from eurocurate.dedup.signature_store import KeySource, SignatureFileWriter, list_sources
from eurocurate.dedup.verification import GramSets, pair_jaccard, verified_bucket_edges
from tests.dedup.conftest import pair_with_jaccard, random_words, replace_words

U64 = np.uint64


def _decisions(layout) -> dict[str, dict]:
    path = decisions_path(layout.decisions, 0)
    return {r["doc_id"]: r for r in pq.read_table(path).to_pylist()} if path.is_file() else {}


def _signed(tmp_path, texts: list[str], config: MinhashConfig) -> list[KeySource]:
    writer = SignatureFileWriter(tmp_path, 0, config, with_grams=True)
    words, counts = word_hashes(texts)
    grams, doc = ngram_hashes(words, counts, config)
    n = len(texts)
    writer.append(np.ones((n, config.bands), U64), [str(i) for i in range(n)], [None] * n, [None] * n,
                  gram_sets(grams, doc, n))  # fmt: skip
    writer.close()
    return list_sources(tmp_path, config.bands, earlier=False)


def test_pair_jaccard_is_the_exact_jaccard_of_the_word_ngram_sets(tmp_path, rng):
    config = MinhashConfig()
    texts = []
    for target in (0.2, 0.5, 0.8):
        texts += list(pair_with_jaccard(rng, target))
    texts.append("just three words")  # fewer words than the n-gram: one shingle
    sources = _signed(tmp_path, texts, config)
    u = np.array([0, 2, 4, 0, 6, 6], dtype=U64)
    v = np.array([1, 3, 5, 5, 6, 1], dtype=U64)
    got = pair_jaccard(GramSets(sources), u, v)

    def shingles(text: str) -> set[int]:
        words, counts = word_hashes([text])
        return set(ngram_hashes(words, counts, config)[0].tolist())

    sets = [shingles(t) for t in texts]
    expected = [len(sets[a] & sets[b]) / len(sets[a] | sets[b]) for a, b in zip(u.tolist(), v.tolist())]
    assert np.allclose(got, expected, atol=1e-3)  # equal but for 32-bit folding collisions
    assert got[0] < got[1] < got[2] and got[4] == 1.0


def test_a_head_that_fails_hands_the_bucket_to_the_next_member():
    keys = np.array([7, 7, 7, 7, 9, 9], dtype=U64)
    gids = np.array([1, 2, 3, 4, 5, 6], dtype=U64)
    similar = {(2, 3), (2, 4), (5, 6)}  # 1 is like nobody; 2, 3, 4 are alike

    def passes(u, v):
        return np.array([(int(a), int(b)) in similar for a, b in zip(u, v)], dtype=bool)

    u, v = verified_bucket_edges(keys, gids, passes)
    assert sorted(zip(u.tolist(), v.tolist())) == [(2, 3), (2, 4), (5, 6)]
    assert len(verified_bucket_edges(keys, gids, passes, max_heads=1)[0]) == 1  # only bucket 9's head matched


def test_verification_keeps_templated_pages_apart_and_near_copies_together(tmp_path, rng):
    boilerplate = random_words(rng, 160)  # cookie banner, navigation, footer: the same on every page
    rows, near = [], []
    for i in range(40):
        words = random_words(rng, 110)
        rows.append((f"p{i}", " ".join(boilerplate + words), f"{i:03d}a", None))
        if i % 4 == 0:
            rows.append((f"p{i}-near", " ".join(boilerplate + replace_words(rng, words, 0.02)), f"{i:03d}b", None))
            near.append(i)
    config = MinhashConfig(bands=28, rows=4)  # the bundled specs' low threshold (~0.43)
    plain, _ = find_near_duplicates(rows, str(tmp_path / "plain"), config, n_parts=2, min_jaccard=None)
    verified, _ = find_near_duplicates(rows, str(tmp_path / "verified"), config, n_parts=2, min_jaccard=0.55)
    dropped = {d for d, r in _decisions(plain).items() if r["verdict"] != "keep"}
    assert len(dropped - {f"p{i}-near" for i in near}) > 5  # pages sharing only the template, merged
    got = _decisions(verified)
    assert {d for d, r in got.items() if r["verdict"] != "keep"} == {f"p{i}-near" for i in near}
    assert all(got[f"p{i}-near"]["duplicate_of"] == f"p{i}" for i in near)


def test_an_index_without_ngram_sets_is_still_used_unverified(tmp_path, rng, caplog):
    config = MinhashConfig()
    texts = [" ".join(random_words(rng, 200)) for _ in range(6)]
    rows1 = [(f"a{i}", t, f"{i}", None) for i, t in enumerate(texts)]
    find_near_duplicates(rows1, str(tmp_path / "r1"), config, write_index_to=str(tmp_path / "index1"), min_jaccard=None)
    assert not list((tmp_path / "index1").glob("grams-*"))
    rows2 = [(f"b{i}", t, f"{i}", None) for i, t in enumerate(texts[:3])] + [
        ("new", " ".join(random_words(rng, 200)), "9", None)
    ]
    with caplog.at_level(logging.WARNING):
        layout, _ = find_near_duplicates(
            rows2,
            str(tmp_path / "r2"),
            config,
            index_dirs=[str(tmp_path / "index1")],
            min_jaccard=0.55,
            write_index_to=str(tmp_path / "index2"),
        )
    assert {d for d, r in _decisions(layout).items() if r["verdict"] == "earlier"} == {"b0", "b1", "b2"}
    assert "unverified" in caplog.text
    # the new index carries the sets of what it publishes, so the next release verifies against it
    assert [p.name for p in sorted((tmp_path / "index2").glob("grams-*"))] == ["grams-00000.idx", "grams-00000.u32"]
    rows3 = [("c", texts[0], "0", None), ("d", rows2[3][1], "1", None)]
    layout3, _ = find_near_duplicates(
        rows3, str(tmp_path / "r3"), config, index_dirs=[str(tmp_path / "index2")], min_jaccard=0.55
    )
    # c's text was dropped in release 2
    assert {d: r["duplicate_of"] for d, r in _decisions(layout3).items()} == {"d": "new"}


def test_pair_jaccard_gives_the_same_values_in_small_batches(tmp_path, rng, monkeypatch):
    import eurocurate.dedup.verification as verification

    texts = [" ".join(random_words(rng, int(n))) for n in rng.integers(3, 300, 30)]
    sources = _signed(tmp_path, texts, MinhashConfig())
    u, v = rng.integers(0, 30, 200).astype(U64), rng.integers(0, 30, 200).astype(U64)
    whole = pair_jaccard(GramSets(sources), u, v)
    monkeypatch.setattr(verification, "PAIR_BATCH_VALUES", 500)
    assert np.array_equal(pair_jaccard(GramSets(sources), u, v), whole)
    assert (whole[u == v] == 1.0).all()
