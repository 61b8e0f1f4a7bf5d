import inspect
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from eurocurate.dedup.jsonl import dedup_jsonl
from eurocurate.dedup.minhash import MinhashConfig
from eurocurate.dedup.minhash_stage import MinhashDedupParams, build_minhash_stage
from eurocurate.dedup.near_duplicates import find_near_duplicates
from eurocurate.errors import SpecError
from eurocurate.registry import BuildContext, InputSet
from eurocurate.schema import Meta
from tests.dedup.conftest import random_words, replace_words, run_barrier_stage


def _ctx(out: Path) -> BuildContext:
    return BuildContext(out_dir=str(out), work_dir=str(out / "_work"), spec=None, inputs=InputSet(str(out), []))


def _doc(doc_id: str, text: str, order: str, lang: str = "en") -> Document:
    return Document(
        text=text, id=doc_id, metadata={Meta.ORDER_KEY: order, Meta.LANG: lang, Meta.URL: f"https://e.eu/{doc_id}"}
    )


def run_stage(params: MinhashDedupParams, out: Path, shards: list[list[Document]]) -> tuple[list[Document], list[dict]]:
    """Map steps per rank, the barrier's tasks in reverse rank order (task 0 merges last), then the filter."""
    parts = build_minhash_stage(params, _ctx(out), "near_dedup")
    kept = run_barrier_stage(parts, shards, str(out / "_work" / "map0" / "data"), tasks_reversed=True)
    files = sorted((out / "exclusions").glob("part-minhash_dedup-*.parquet"))
    ledger = pa.concat_tables([pq.read_table(f) for f in files]).to_pylist() if files else []
    return kept, ledger


def _corpus(rng, n: int, prefix: str, start: int = 0) -> list[Document]:
    """n originals; every third one has a near copy and every fifth an exact copy, placed later in the input."""
    docs, copies = [], []
    for i in range(start, start + n):
        words = random_words(rng, 300)
        docs.append(_doc(f"{prefix}{i}", " ".join(words), f"a\x00{i:06d}"))
        if i % 3 == 0:
            copies.append(_doc(f"{prefix}{i}-near", " ".join(replace_words(rng, words, 0.01)), f"b\x00{i:06d}"))
        if i % 5 == 0:
            copies.append(_doc(f"{prefix}{i}-exact", " ".join(words), f"c\x00{i:06d}"))
    return docs + copies


def test_stage_drops_copies_into_the_ledger_and_labels_survivors(tmp_path, rng):
    docs = _corpus(rng, 60, "d")
    shards = [docs[1::2], docs[::2]]  # copies and originals spread over both ranks
    kept, ledger = run_stage(MinhashDedupParams(buckets=3), tmp_path / "out", shards)
    kept_ids = {d.id for d in kept}
    assert kept_ids == {f"d{i}" for i in range(60)}
    assert {r["doc_id"] for r in ledger} == {d.id for d in docs} - kept_ids
    for row in ledger:
        original = row["doc_id"].split("-")[0]
        assert row["reason"] == "dedup.near_duplicate" and row["stage"] == "minhash_dedup"
        size = 1 + (int(original[1:]) % 3 == 0) + (int(original[1:]) % 5 == 0)
        assert row["evidence"] == f"duplicate_of={original} cluster={original} size={size}"
    by_id = {d.id: d.metadata for d in kept}
    assert by_id["d0"][Meta.DEDUP_CLUSTER_SIZE] == 3 and by_id["d0"][Meta.DEDUP_CLUSTER_ID] == "d0"
    assert by_id["d1"][Meta.DEDUP_CLUSTER_SIZE] == 1 and by_id["d1"][Meta.DEDUP_CLUSTER_ID] == "d1"


def test_stage_output_is_deterministic(tmp_path, rng):
    docs = _corpus(rng, 30, "d")
    runs = [run_stage(MinhashDedupParams(buckets=b), tmp_path / f"o{b}", [docs[::2], docs[1::2]]) for b in (1, 4)]
    assert [(d.id, d.metadata[Meta.DEDUP_CLUSTER_SIZE]) for d in runs[0][0]] == [
        (d.id, d.metadata[Meta.DEDUP_CLUSTER_SIZE]) for d in runs[1][0]
    ]
    assert sorted(r["evidence"] for r in runs[0][1]) == sorted(r["evidence"] for r in runs[1][1])


def test_second_release_emits_only_new_documents(tmp_path, rng):
    first = _corpus(rng, 40, "r1-")
    kept1, _ = run_stage(MinhashDedupParams(buckets=2, write_index=True), tmp_path / "rel1", [first[::2], first[1::2]])
    index = tmp_path / "rel1" / "dedup_index" / "near_dedup"
    assert (index / "config.json").is_file()
    # release 2: the same pages again (new ids, as a new crawl gives them) plus new pages
    again = [_doc(d.id.replace("r1-", "again-"), d.text, "a" + d.metadata[Meta.ORDER_KEY]) for d in first]
    new = _corpus(rng, 20, "new-", start=1000)
    kept2, ledger2 = run_stage(
        MinhashDedupParams(buckets=2, index_dir=str(index), write_index=True),
        tmp_path / "rel2",
        [again + new[:10], new[10:]],
    )
    assert {d.id for d in kept2} == {f"new-{i}" for i in range(1000, 1020)}
    earlier = [r for r in ledger2 if r["reason"] == "dedup.in_earlier_release"]
    assert {r["doc_id"] for r in earlier} == {d.id for d in again}
    assert all(r["evidence"].split()[0].removeprefix("duplicate_of=") in {d.id for d in kept1} for r in earlier)
    # release 3 against both earlier indexes: nothing of either comes back
    kept3, _ = run_stage(
        MinhashDedupParams(buckets=2, index_dir=[str(index), str(tmp_path / "rel2" / "dedup_index" / "near_dedup")]),
        tmp_path / "rel3",
        [new + first],
    )
    assert kept3 == []


def test_index_written_with_other_parameters_is_refused(tmp_path, rng):
    docs = _corpus(rng, 5, "d")
    run_stage(MinhashDedupParams(buckets=1, write_index=True), tmp_path / "rel1", [docs])
    index = str(tmp_path / "rel1" / "dedup_index" / "near_dedup")
    with pytest.raises(ValueError, match="bands"):
        run_stage(MinhashDedupParams(buckets=1, bands=20, rows=5, index_dir=index), tmp_path / "rel2", [docs])


def test_params_reject_unknown_fields():
    with pytest.raises(ValueError):
        MinhashDedupParams(band=3)


def test_the_stage_and_the_library_functions_share_one_banding_and_verification_default():
    params = MinhashDedupParams()
    assert params.config() == MinhashConfig() and (params.bands, params.rows) == (28, 4)  # the bundled specs' choice
    for function in (find_near_duplicates, dedup_jsonl):
        assert inspect.signature(function).parameters["min_jaccard"].default == params.min_jaccard == 0.55
    jsonl = inspect.signature(dedup_jsonl).parameters
    assert (jsonl["bands"].default, jsonl["rows"].default, jsonl["ngram"].default) == (28, 4, params.ngram)


def _hyphenated(words: list[str]) -> str:
    """The text as a CMS hyphenates it: soft hyphens inside long words, a zero-width space, a word joiner, a BOM."""
    marked = [w[:2] + "\u00ad" + w[2:] if len(w) > 4 else w for w in words]
    marked[1] = marked[1][:2] + "\u200b" + marked[1][2:]
    marked[2] = marked[2][:2] + "\u2060" + marked[2][2:]
    return "\ufeff" + " ".join(marked)


def test_a_hyphenated_copy_is_a_near_duplicate_and_the_kept_text_keeps_its_invisible_characters(tmp_path, rng):
    words = random_words(rng, 300)
    hyphenated = _doc("page", _hyphenated(words), "a\x00000001")
    copy = _doc("copy", " ".join(replace_words(rng, words, 0.02)), "a\x00000002")
    kept, ledger = run_stage(MinhashDedupParams(buckets=1), tmp_path / "out", [[hyphenated, copy]])
    assert [d.id for d in kept] == ["page"] and kept[0].text == hyphenated.text  # only the keys ignore them
    assert [(r["doc_id"], r["reason"]) for r in ledger] == [("copy", "dedup.near_duplicate")]


def _written_by_the_old_word_rule(config_json: Path) -> None:
    """config.json as eurocurate wrote it while invisible format characters still split words: no "words"."""
    described = json.loads(config_json.read_text())
    described.pop("words", None)  # (absent already where the old code wrote it)
    config_json.write_text(json.dumps(described, sort_keys=True))


def test_an_index_of_the_old_word_rule_is_refused_not_compared(tmp_path, rng):
    docs = _corpus(rng, 5, "d")
    run_stage(MinhashDedupParams(buckets=1, write_index=True), tmp_path / "rel1", [docs])
    index = tmp_path / "rel1" / "dedup_index" / "near_dedup"
    _written_by_the_old_word_rule(index / "config.json")
    with pytest.raises(ValueError, match="words read by another rule .*write_index: true"):
        run_stage(MinhashDedupParams(buckets=1, index_dir=str(index)), tmp_path / "rel2", [docs])


def test_signatures_of_the_old_word_rule_left_by_an_interrupted_run_are_not_mixed_with_new_ones(tmp_path, rng):
    docs = _corpus(rng, 5, "d")
    parts = build_minhash_stage(MinhashDedupParams(buckets=1), _ctx(tmp_path / "out"), "near_dedup")
    assert len(list(parts.map_steps[0].run(iter(docs), 0, 2))) == len(docs)  # rank 0 finished, then the upgrade
    _written_by_the_old_word_rule(tmp_path / "out" / "_work" / "near_dedup" / "sigs" / "config.json")
    with pytest.raises(ValueError, match="words read by another rule .*--restart"):
        list(parts.map_steps[0].run(iter(docs), 1, 2))


def test_an_index_of_other_bands_and_rows_is_refused_before_any_document_is_signed(tmp_path, rng):
    """The refusal came from the barrier, after the whole ingest and every signature had been computed."""
    run_stage(MinhashDedupParams(buckets=1, write_index=True), tmp_path / "rel1", [_corpus(rng, 5, "d")])
    index = str(tmp_path / "rel1" / "dedup_index" / "near_dedup")
    with pytest.raises(SpecError) as refused:
        build_minhash_stage(MinhashDedupParams(bands=14, rows=8, index_dir=index), _ctx(tmp_path / "rel2"), "near")
    assert str(refused.value) == (
        f"stage 'near': index_dir {index} was written with bands=28, rows=4, this run uses bands=14, rows=8; "
        "set bands=28, rows=4 as the release that wrote it did, or rebuild that index with this eurocurate "
        "(re-run its release with write_index: true)"
    )
    assert not (tmp_path / "rel2").exists()


def test_eurocurate_check_refuses_an_index_of_other_bands_and_rows_in_one_line(tmp_path, rng, capsys):
    from eurocurate.cli import main
    from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc
    from tests.conftest import html_page, write_spec

    run_stage(MinhashDedupParams(buckets=1, write_index=True), tmp_path / "rel1", [_corpus(rng, 5, "d")])
    index = tmp_path / "rel1" / "dedup_index" / "near_dedup"
    write_warc(
        tmp_path / "crawl" / "a.warc.gz", [WarcRecordSpec(url="https://e.eu/", body=html_page("Text.").encode())]
    )
    spec = write_spec(tmp_path / "spec.yaml", executor="local", workers=1)
    check = ["check", str(spec), "-i", str(tmp_path / "crawl"), "-o", str(tmp_path / "rel2")]
    settings = [f"stages.minhash_dedup.index_dir=[{index}]", "stages.minhash_dedup.bands=14"]
    assert main([*check, *(a for s in settings for a in ("--set", s))]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "was written with bands=28, this run uses bands=14; set bands=28 as the release" in err
