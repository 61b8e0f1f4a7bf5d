import hashlib
import tracemalloc

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eurocurate.dedup.exact import content_hash, find_exact_duplicates
from eurocurate.text import collapsed_parts


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


@pytest.mark.slow
def test_a_kept_page_counts_its_exact_copies_in_its_cluster_size_for_rehydration(tmp_path):
    """A page published at three URLs: exact dedup drops two before MinHash sees them, so its cluster size (and
    FineWeb-2's rehydration weight, read from it) said 1 where FineWeb-2's pipeline, without exact dedup, counts 3."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eurocurate.cli import main
    from eurocurate.tools.demo_corpus import load_texts
    from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
    from tests.conftest import html_page, write_spec

    german = load_texts()["de"].paragraphs
    page = html_page("\n".join(german[:4]), lang="de").encode()
    other = html_page("\n".join(german[4:8]), lang="de").encode()
    records = [WarcRecordSpec(url=f"https://copy{i}.example.de/page", body=page) for i in range(3)]
    records.append(WarcRecordSpec(url="https://unique.example.de/page", body=other))
    write_warc(tmp_path / "in" / "a.warc.gz", records)
    out = tmp_path / "out"
    spec = write_spec(tmp_path / "spec.yaml", executor="local", workers=1)
    assert main(["run", str(spec), "-i", str(tmp_path / "in"), "-o", str(out)]) == 0
    rows = pa.concat_tables([pq.read_table(f) for f in (out / "text").rglob("*.parquet")]).to_pylist()
    sizes = {r["url"]: r["minhash_cluster_size"] for r in rows}
    assert sizes == {"https://copy0.example.de/page": 3, "https://unique.example.de/page": 1}


def test_each_bucket_task_holds_only_its_share_of_the_hashes_and_the_buckets_find_the_same_duplicates(tmp_path):
    """Each exact_dedup task read every document's hash, whatever `buckets`: memory grew with the input."""
    import pyarrow.parquet as pq

    from eurocurate.dedup.exact import ExactDuplicateIndex
    from eurocurate.schema import Meta

    texts = [f"text {i % 7}" for i in range(40)]  # 7 distinct texts, 33 copies
    for part in range(2):
        rows = range(part * 20, part * 20 + 20)
        pq.write_table(
            pa.table({"id": [f"d{i:02d}" for i in rows], Meta.CONTENT_HASH: [content_hash(texts[i]) for i in rows],
                      Meta.ORDER_KEY: [f"{i:04d}" for i in rows]}),
            tmp_path / f"part-{part}.parquet",
        )  # fmt: skip
    found, indexed = {}, 0
    for buckets in (1, 3):
        dups = []
        for rank in range(buckets):
            step = ExactDuplicateIndex(str(tmp_path), str(tmp_path / f"out{buckets}"))
            list(step.run(rank=rank, world_size=buckets) or [])
            dups += pq.read_table(tmp_path / f"out{buckets}" / f"duplicates-{rank:05d}.parquet").to_pylist()
            if buckets == 3:
                indexed += step.stats["documents_indexed"].total
        found[buckets] = sorted((d["doc_id"], d["duplicate_of"]) for d in dups)
    assert found[1] == found[3] and len(found[1]) == 33
    assert indexed == 40  # the three tasks held 40 hashes between them, not 120


# a sentence as a CMS hyphenates it for narrow columns: soft hyphens, a zero-width space, a word joiner and a BOM
PLAIN = "Die Versicherungsbedingungen gelten für alle Verträge, die nach dem ersten Januar abgeschlossen wurden."
HYPHENATED = (
    "\ufeffDie Ver\u00adsiche\u00adrungs\u200bbedin\u00adgungen gel\u2060ten für alle Ver\u00adträ\u00adge, "
    "die nach dem ers\ufeffte\u2060n Januar ab\u00adge\u00adschlos\u00adsen wurden."
)


def test_invisible_format_characters_do_not_change_the_hash():
    """Two copies of a page that differ only by soft hyphens, zero-width spaces, word joiners or BOMs had two hashes."""
    assert content_hash(HYPHENATED) == content_hash(PLAIN)
    assert content_hash("Cafe\u00ad\u0301") == content_hash("Café")  # removed before NFKC composes the accent
    assert content_hash("Rechts\u200e\u202bschutz\u202c") == content_hash("Rechtsschutz")  # bidi marks too


def test_zero_width_joiners_still_change_the_hash():
    """ZWNJ/ZWJ choose a word's written form (Persian, Indic scripts): kept, as UTS #46 keeps them."""
    assert content_hash("می\u200cخواهم") != content_hash("میخواهم")
    assert content_hash("क्\u200dष") != content_hash("क्ष")


@pytest.mark.slow
def test_a_hyphenated_page_and_its_plain_copy_are_one_page_in_a_run(tmp_path):
    """Through `eurocurate run`: the copy of a page its CMS hyphenated (soft hyphens written as `&shy;` and as the
    character, zero-width spaces, word joiners) is dropped as an exact duplicate; the kept page's text keeps them."""
    import pyarrow.parquet as pq

    from eurocurate.cli import main
    from eurocurate.tools.demo_corpus import load_texts
    from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
    from tests.conftest import html_page, write_spec

    text = "\n".join(load_texts()["de"].paragraphs[:4])
    long_words = sorted({w for w in text.split() if len(w) > 9 and w.isalpha()})
    marks = ["&shy;", "\u00ad", "\u200b", "\u2060"]
    hyphenated = text
    for n, word in enumerate(long_words):
        hyphenated = hyphenated.replace(word, word[:4] + marks[n % 4] + word[4:])
    assert len(long_words) >= 8 and hyphenated != text
    records = [
        WarcRecordSpec(url="https://a.example.de/page", body=html_page(hyphenated, lang="de").encode()),
        WarcRecordSpec(url="https://b.example.de/page", body=html_page(text, lang="de").encode()),
    ]
    write_warc(tmp_path / "in" / "a.warc.gz", records)
    out = tmp_path / "out"
    spec = write_spec(tmp_path / "spec.yaml", executor="local", workers=1)
    assert main(["run", str(spec), "-i", str(tmp_path / "in"), "-o", str(out)]) == 0
    rows = pa.concat_tables([pq.read_table(f) for f in (out / "text").rglob("*.parquet")]).to_pylist()
    assert [r["url"] for r in rows] == ["https://a.example.de/page"]
    assert "\u00ad" in rows[0]["text"] and "\u200b" in rows[0]["text"]
    ledger = pa.concat_tables([pq.read_table(f) for f in (out / "exclusions").rglob("*.parquet")]).to_pylist()
    assert [(r["url"], r["reason"]) for r in ledger] == [("https://b.example.de/page", "dedup.exact_duplicate")]


def test_an_ordinary_pages_hash_is_the_old_codes():
    """content_hash at 478e4cf of tests/dedup/test_near_duplicates.ORDINARY: provenance hashes stay comparable."""
    from tests.dedup.test_near_duplicates import ORDINARY

    assert content_hash(ORDINARY) == "438649a4dd4c92b42e69c5214fef3e42"


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("ab é\n\t\u3000\u00a0\u2028")), max_size=80), st.integers(1, 12))
def test_whitespace_collapsed_in_slices_is_split_and_join_whatever_the_cuts(text, size):
    assert "".join(collapsed_parts(text, size)) == " ".join(text.split())


def test_hashing_one_long_row_makes_no_python_string_per_word(rng):
    """`split` over a whole 55 M-character row added 526 MB to the hashing process; an 8 M-character row of 1.3 M
    words is hashed within 60 MB of traced allocations (the text is 8 MB, its normalised copies 16 MB)."""
    from tests.dedup.conftest import random_words

    text = " ".join(random_words(rng, 1_300_000))
    expected = hashlib.blake2b(
        " ".join(text.split()).encode(), digest_size=16
    ).hexdigest()  # ASCII: NFKC, casefold no-ops
    tracemalloc.start()
    try:
        found = content_hash(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == expected and len(text) > 8_000_000
    assert peak < 60_000_000, f"{peak / 1e6:.0f} MB"
