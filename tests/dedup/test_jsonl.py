import orjson
import pytest

from eurocurate.dedup.jsonl import JsonlError, dedup_jsonl
from tests.dedup.conftest import random_words, replace_words


def test_dedup_jsonl_keeps_order_and_passes_fields_through(tmp_path, rng):
    a = random_words(rng, 300)
    b = random_words(rng, 300)
    lines = [
        {"id": "first", "text": " ".join(a), "url": "https://e.eu/1", "extra": {"k": [1, 2]}},
        {"text": " ".join(b), "meta": "no id"},
        {"id": "near", "text": " ".join(replace_words(rng, a, 0.01))},
        {"id": "exact", "text": " ".join(a)},
        {"id": "other", "text": "something else entirely, short", "url": "https://e.eu/1?utm_source=x"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    counts = dedup_jsonl(src, tmp_path / "out.jsonl")
    out = [orjson.loads(x) for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert [o.get("id") for o in out] == ["first", None, "other"]
    assert out[0] == {**lines[0], "dedup_cluster_id": "first", "dedup_cluster_size": 3}
    assert out[1] == {**lines[1], "dedup_cluster_id": 2, "dedup_cluster_size": 1}  # no id: 1-based line number
    assert counts == {"read": 5, "written": 3, "near_duplicates": 2, "url_duplicates": 0, "clusters": 1}
    counts = dedup_jsonl(src, tmp_path / "out2.jsonl", urls=True)
    assert counts["url_duplicates"] == 1 and counts["written"] == 2


def test_dedup_jsonl_names_the_bad_line(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "ok"}\n{"text": 3}\n')
    with pytest.raises(JsonlError, match="bad.jsonl:2"):
        dedup_jsonl(src, tmp_path / "out.jsonl")


def test_dedup_command_with_verification_and_an_on_disk_merge_gives_the_same_lines(tmp_path, rng):
    from eurocurate.cli import main

    base = [random_words(rng, 300) for _ in range(6)]
    lines = [
        {"id": f"d{i}-{k}", "text": " ".join(replace_words(rng, w, 0.01) if k else w)}
        for i, w in enumerate(base)
        for k in range(12)
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    assert main(["dedup", str(src), "-o", str(tmp_path / "a.jsonl")]) == 0
    args = ["dedup", str(src), "-o", str(tmp_path / "b.jsonl"), "--min-jaccard", "0.55", "--max-docs-in-memory", "40"]
    assert main(args) == 0  # 72 clustered documents: the merge runs on disk
    assert main([*args[:-1], "39"]) == 2  # below the on-disk merge's working set: a clear error, exit 2
    kept = [orjson.loads(x)["id"] for x in (tmp_path / "a.jsonl").read_bytes().splitlines()]
    assert kept == [f"d{i}-0" for i in range(6)]
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_url_dedup_runs_before_near_dedup_so_a_cluster_never_loses_all_its_text(tmp_path, rng):
    """An audit's three lines: a cluster of two near-copies whose kept line shares its URL with an earlier line.
    Near-dedup first kept the line URL dedup then dropped, and the cluster's text (at its own URL) was in no line."""
    a, c = random_words(rng, 300), random_words(rng, 300)
    lines = [
        {"id": "page", "text": " ".join(c), "url": "https://e.eu/x"},
        {"id": "copy-a", "text": " ".join(a), "url": "https://e.eu/x?utm_source=feed"},  # page's URL, other text
        {"id": "copy-b", "text": " ".join(replace_words(rng, a, 0.01)), "url": "https://e.eu/y"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    counts = dedup_jsonl(src, tmp_path / "out.jsonl", urls=True)
    out = [orjson.loads(x)["id"] for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert out == ["page", "copy-b"]  # the near-copy's text survives at its own URL
    assert counts == {"read": 3, "written": 2, "near_duplicates": 0, "url_duplicates": 1, "clusters": 0}
