from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eurocurate.langid import heliport_scorer, long_tail
from eurocurate.langid.heliport_scorer import MappedHeliport
from eurocurate.langid.heliport_tables import (
    CHECK_SENTENCES,
    MODEL_FILES,
    HeliportTablesError,
    build_tables,
    check_against_heliport,
    decode_model_file,
    heliport_package_dir,
    load_tables,
    shared_tables,
    source_key,
)
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES

heliport = pytest.importorskip("heliport", reason="heliport (GPL-3.0) is the optional extra eurocurate[heliport]")


needs_compiled = pytest.mark.skipif(
    heliport_scorer._native is None,
    reason="eurocurate.langid._heliport is not compiled (no C compiler when eurocurate was installed): `pip install "
    "-e .` with one builds it, and test_ngram_model's build test fails where a compiler exists and it was not built",
)


@pytest.fixture(scope="module")
def tables_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("heliport-tables")
    build_tables(heliport_package_dir(), out)
    return out


@pytest.fixture(scope="module")
def mapped(tables_dir) -> MappedHeliport:
    return load_tables(tables_dir)


def _texts() -> list[str]:
    texts = [*sum(EU24_SENTENCES.values(), []), *LOOKALIKE_SENTENCES.values(), *CHECK_SENTENCES]
    joined = " ".join(texts)
    return [
        *texts,
        *(t[:40] for t in texts),  # short cuts: more words out of the word model, read by their n-grams
        joined[:300],  # a mixed text, as the identifier's windows are
        "Ein Satz auf Deutsch mit einem 日本語 Wort und ΕΛΛΗΝΙΚΆ γράμματα, O'Brien’s # tag, ½ ⅓ ①.",
        "",
        "   \n\t  ",
        "Straße STRASSE İstanbul ΟΔΟΣ ﬁnance",  # lowercasing that changes lengths
    ]


def test_mapped_tables_give_heliports_labels_and_scores_on_real_sentences_in_many_languages(mapped):
    native = heliport.Identifier()
    texts = _texts()
    for text in texts:
        assert mapped.identify_with_score(text) == tuple(native.identify_with_score(text)), text
        ours = mapped.identify_topk_with_score(text, 8)
        assert ours == [tuple(x) for x in native.identify_topk_with_score(text, 8)], text
    # the same again from a warm cache of words: the cache gives what the tables give
    assert [mapped.identify_with_score(t) for t in texts] == [tuple(native.identify_with_score(t)) for t in texts]
    assert check_against_heliport(mapped) == []


@needs_compiled
def test_compiled_lookups_give_the_numpy_scores_bit_for_bit(mapped, monkeypatch):
    # the same texts through two fresh scorers (no word cached), one with langid/_heliport.c and one without
    compiled = MappedHeliport(mapped.words, mapped.ngrams, mapped.confidence)
    plain = MappedHeliport(mapped.words, mapped.ngrams, mapped.confidence)
    native = heliport_scorer._native
    texts = [*_texts(), "x", "ab " * 400, "".join(map(chr, range(0x41, 0x2000, 7)))]
    for text in texts:
        monkeypatch.setattr(heliport_scorer, "_native", native)
        got = compiled.points(text)
        monkeypatch.setattr(heliport_scorer, "_native", None)
        expected = plain.points(text)
        assert (got is None) == (expected is None), text
        if got is not None:
            assert got.tobytes() == expected.tobytes(), text
        monkeypatch.setattr(heliport_scorer, "_native", native)
        answers = [compiled.identify_with_score(text), compiled.identify_with_score(text, True)]
        answers += [compiled.identify_topk_with_score(text, k) for k in (1, 3, 8, 300)]
        monkeypatch.setattr(heliport_scorer, "_native", None)
        expected_answers = [plain.identify_with_score(text), plain.identify_with_score(text, True)]
        expected_answers += [plain.identify_topk_with_score(text, k) for k in (1, 3, 8, 300)]
        assert answers == expected_answers, text


@needs_compiled
def test_compiled_lookups_refuse_inconsistent_arguments(mapped):
    native = heliport_scorer._native
    words, ngrams = mapped.words.arrays, mapped.ngrams.arrays
    rows = np.zeros((2, len(heliport_scorer.HELIPORT_LANGS)), dtype=np.float32)
    with pytest.raises(IndexError, match="outside rows"):
        native.new_rows(words, ngrams, ["ein", "satz"], rows, 1)
    with pytest.raises(TypeError, match="list of str"):
        native.new_rows(words, ngrams, ["ein", b"satz"], rows, 0)
    with pytest.raises(TypeError, match="float32"):
        native.new_rows(words, ngrams, ["ein"], rows.astype(np.float64), 0)
    with pytest.raises(TypeError, match="tuple"):
        native.new_rows(words[:4], ngrams, ["ein"], rows, 0)
    points = np.empty(len(heliport_scorer.HELIPORT_LANGS), dtype=np.float32)
    assert native.mean_of_words(rows, ["ein", "satz", "ein", "x"], {"satz": 0}, points) == ["ein", "x"]
    with pytest.raises(ValueError, match="words not empty"):
        native.mean_of_words(rows, [], {}, points)
    with pytest.raises(IndexError, match="outside rows"):
        native.mean_of_words(rows, ["ein"], {"ein": 2}, points)
    with pytest.raises(TypeError, match="list"):
        native.mean_of_words(rows, ("ein",), {"ein": 0}, points)
    native.new_rows(words, ngrams, ["ein", "satz"], rows, 0)  # and with consistent ones, the rows numpy gives
    plain = MappedHeliport(mapped.words, mapped.ngrams, mapped.confidence)
    expected = np.zeros_like(rows)
    plain._rows = expected
    saved, heliport_scorer._native = heliport_scorer._native, None
    try:
        plain._score_words(["ein", "satz"])
    finally:
        heliport_scorer._native = saved
    assert rows.tobytes() == expected.tobytes()


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=80) | st.text(st.characters(max_codepoint=0x3000), max_size=80))
def test_compiled_words_are_heliports_cleaning_and_split(text):
    lowered = text.lower()
    got = heliport_scorer._native.split_words(lowered, heliport_scorer._KEPT_BY_CODEPOINT, heliport_scorer._keeps)
    if got is None:  # a kept character from U+2E80 on: the Python path (CJK spacing) reads it
        assert any(ord(c) >= 0x2E80 and heliport_scorer._keeps(ord(c)) for c in lowered)
    else:
        assert got == lowered.translate(heliport_scorer._SPACING).split()


def test_numpy_adds_rows_one_after_the_other_in_float32_as_heliport_does():
    # the scorer sums a text's word rows (axis 0) and a word's n-gram rows (axis 1 of a grid) with np.add.reduce;
    # heliport adds them one by one in float32. A pairwise summation would give 1.0000088e8 here, not 1e8.
    rows = np.full((300, 4), 3.0, dtype=np.float32)
    rows[0] = 1e8
    one_by_one = np.float32(0)
    for value in rows[:, 0]:
        one_by_one = np.float32(one_by_one + value)
    assert np.add.reduce(rows, axis=0)[0] == one_by_one == np.float32(1e8)
    assert np.add.reduce(rows[None], axis=1)[0, 0] == one_by_one


def test_a_rows_cache_smaller_than_a_text_still_scores_it_as_heliport(tables_dir):
    tables = load_tables(tables_dir)
    small = MappedHeliport(tables.words, tables.ngrams, tables.confidence, cached_words=8)  # every text overflows it
    native = heliport.Identifier()
    for text in [*EU24_SENTENCES["fr"], *EU24_SENTENCES["mt"], *EU24_SENTENCES["fr"]]:
        assert small.identify_topk_with_score(text, 5) == [tuple(x) for x in native.identify_topk_with_score(text, 5)]


def test_a_text_asked_again_gets_the_same_answer_from_scores_no_caller_can_change(mapped):
    native = heliport.Identifier()
    texts = [*EU24_SENTENCES["hr"], *EU24_SENTENCES["sl"]]
    first = [mapped.identify_topk_with_score(t, 8) for t in texts]
    assert [mapped.identify_topk_with_score(t, 8) for t in texts] == first
    assert first == [[tuple(x) for x in native.identify_topk_with_score(t, 8)] for t in texts]
    with pytest.raises(ValueError, match="read-only"):
        mapped.points(texts[0])[0] = 0.0
    for k in range(300):  # more texts than the scorer keeps: it starts over, the answers stay heliport's
        mapped.identify_with_score(f"{texts[k % len(texts)]} {k}")
    assert [mapped.identify_with_score(t) for t in texts] == [tuple(native.identify_with_score(t)) for t in texts]


def _package_copy(tmp_path: Path) -> Path:
    """heliport's model files as links, the confidence thresholds as a copy that a test can change."""
    package = tmp_path / "heliport"
    package.mkdir()
    for name in MODEL_FILES:
        source = heliport_package_dir() / name
        if name == "confidenceThresholds":
            shutil.copy2(source, package / name)
        else:
            (package / name).symlink_to(source)
    return package


@pytest.mark.slow
def test_tables_are_rebuilt_when_heliports_files_change_and_a_corrupt_cache_is_rebuilt_not_used(tmp_path, caplog):
    package, root = _package_copy(tmp_path), tmp_path / "cache"
    first = shared_tables(package, root)
    key = source_key(package)
    assert orjson.loads((root / key / "manifest.json").read_bytes())["package_dir"] == str(package.resolve())
    assert load_tables(root / key, source=key).confidence.tolist() == first.confidence.tolist()

    # the package changes (a reinstall, an edited file): another key, new tables
    conf = package / "confidenceThresholds"
    st = conf.stat()
    os.utime(conf, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert source_key(package) != key
    shared_tables(package, root)
    assert (root / source_key(package)).is_dir()
    assert (root / key).is_dir()  # the build prunes other versions, but this process maps the first ones: kept

    # a flipped byte in the probabilities: detected by the checksum, rebuilt, and the rebuilt tables are right
    key = source_key(package)
    probs = root / key / "words.probs.npy"
    data = bytearray(probs.read_bytes())
    data[-5] ^= 0x40
    probs.write_bytes(bytes(data))
    with pytest.raises(HeliportTablesError, match="corrupt"):
        load_tables(root / key, source=key)
    with caplog.at_level(logging.WARNING, logger="eurocurate.langid.heliport_tables"):
        rebuilt = shared_tables(package, root)
    assert "rebuilding" in caplog.text
    assert check_against_heliport(rebuilt) == []

    # a half-written cache (no manifest) is not used either
    (root / key / "manifest.json").unlink()
    with pytest.raises(HeliportTablesError, match="unreadable"):
        load_tables(root / key)


def test_a_model_file_that_is_not_heliports_bitcode_is_refused(tmp_path):
    bad = tmp_path / "word.bin"
    bad.write_bytes(b"\xff\x02" + os.urandom(64))
    with pytest.raises(HeliportTablesError):
        decode_model_file(bad, 0)
    with pytest.raises(HeliportTablesError, match="not found"):
        source_key(tmp_path)


def test_without_a_writable_cache_heliports_own_model_is_loaded_with_a_warning(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EUROCURATE_CACHE_DIR", str(blocker / "cache"))
    long_tail.shared_heliport.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="eurocurate.langid.long_tail"):
            fallback = long_tail.shared_heliport()
        assert isinstance(fallback, heliport.Identifier)
        assert "heliport tables unavailable" in caplog.text
    finally:
        long_tail.shared_heliport.cache_clear()


@pytest.mark.slow
def test_workers_starting_together_build_the_tables_once_and_share_them(tmp_path):
    """Two worker processes of a node asking for the tables at once: one builds them under the lock, the other waits
    and loads the same folder; nothing half-built is left behind."""
    import subprocess
    import sys

    package, root = _package_copy(tmp_path), tmp_path / "cache"
    old = root / "heliport-0.9-0123456789abcdef"  # an earlier heliport's tables, which no process uses
    old.mkdir(parents=True)
    (old / "words.hashes.npy").write_bytes(b"\0" * 1024)
    code = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "from eurocurate.langid.heliport_tables import shared_tables\n"
        "t = shared_tables(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "print(t.identify_with_score('Le conseil municipal a décidé de construire une piste cyclable.')[0])\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(package), str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert [out.strip() for out, _ in outputs] == ["fra", "fra"]
    assert sum(err.count("heliport tables built") for _, err in outputs) == 1  # the other worker waited
    key = source_key(package)
    # one build, no staging left, the earlier version's tables removed; the lock file of the tables in use stays
    assert sorted(p.name for p in root.iterdir()) == [".lock", key, f"{key}.in-use"]
