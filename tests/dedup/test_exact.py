import pyarrow as pa

from eurocurate.dedup.exact import content_hash, find_exact_duplicates


def test_hash_ignores_case_width_and_whitespace_but_not_words():
    assert content_hash("Hello   World\n") == content_hash("hello world")
    assert content_hash("ｈｅｌｌｏ world") == content_hash("hello world")  # NFKC folds full-width forms
    assert content_hash("hello world") != content_hash("hello word")


def _index(rows):
    ids, hashes, keys = zip(*rows)
    return pa.table({"doc_id": list(ids), "content_hash": list(hashes), "order_key": list(keys)})


def test_first_document_in_input_order_is_kept_whatever_the_row_order():
    h1, h2 = content_hash("a text"), content_hash("another text")
    index = _index([("c", h1, "f2\x000003"), ("a", h1, "f1\x000009"), ("b", h1, "f1\x000010"), ("d", h2, "f1\x000001")])
    dups = find_exact_duplicates(index, 0, 1)
    assert sorted(zip(dups["doc_id"].to_pylist(), dups["duplicate_of"].to_pylist())) == [("b", "a"), ("c", "a")]


def test_buckets_partition_the_work_without_losing_a_duplicate():
    rows = []
    for i in range(200):
        h = content_hash(f"text {i % 50}")
        rows.append((f"doc{i:03d}", h, f"f\x00{i:06d}"))
    index = _index(rows)
    single = find_exact_duplicates(index, 0, 1)
    parts = [find_exact_duplicates(index, b, 4) for b in range(4)]
    merged = sorted(x for p in parts for x in zip(p["doc_id"].to_pylist(), p["duplicate_of"].to_pylist()))
    assert merged == sorted(zip(single["doc_id"].to_pylist(), single["duplicate_of"].to_pylist()))
    assert len(merged) == 150 and all(sum(p.num_rows for p in parts[:k]) >= 0 for k in range(4))
