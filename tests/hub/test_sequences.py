"""`pull --seq-len L`: rows of exactly L ids that decode back to the source texts with the declared EOS between
documents, per-row document boundaries, a seeded shuffle, disjoint ranks and a resume position."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from tokenizers import Tokenizer

from eurocurate.cli import main
from eurocurate.hub.pull import PulledDocument, PullError, available_tokens
from eurocurate.hub.pull_mix import pull_sequences
from eurocurate.hub.sequences import pack, packed_rows
from eurocurate.pipelines.output.special_tokens import read_special_tokens


def _docs(lengths: list[int]) -> list[PulledDocument]:
    return [PulledDocument(f"d{i}", "de", [100 + i] * (n - 1) + [2], False) for i, n in enumerate(lengths)]


def test_documents_are_concatenated_and_split_across_rows_of_exactly_l_ids():
    rows = [(r.input_ids, r.doc_ids, r.document_starts, r.continues) for r in pack(_docs([3, 5, 2, 7]), seq_len=4)]
    assert [len(ids) for ids, *_ in rows] == [4, 4, 4, 4]  # 17 tokens: 4 rows, 1 token left over and dropped
    assert rows[0] == ([100, 100, 2, 101], ["d0", "d1"], [0, 3], False)
    assert rows[1] == ([101, 101, 101, 2], ["d1"], [0], True)
    assert rows[2] == ([102, 2, 103, 103], ["d2", "d3"], [0, 2], False)
    assert rows[3] == ([103, 103, 103, 103], ["d3"], [0], True)


def test_ranks_take_disjoint_rows_that_together_are_all_and_a_resume_continues_where_it_stopped():
    docs = _docs([5, 9, 3, 11, 6, 2, 8, 13, 4, 7])
    every = [(r.input_ids, r.doc_ids) for r in packed_rows(docs, 4, seed=7)]
    ranks = [[(r.input_ids, r.doc_ids) for r in packed_rows(docs, 4, seed=7, rank=k, world_size=3)] for k in range(3)]
    assert sorted(sum(ranks, [])) == sorted(every) and sum(map(len, ranks)) == len(every)
    rank1 = list(packed_rows(docs, 4, seed=7, rank=1, world_size=3))
    resumed = list(packed_rows(docs, 4, seed=7, rank=1, world_size=3, start=2))
    assert resumed == rank1[2:] and [r.position for r in rank1] == list(range(len(rank1)))


def test_the_shuffle_is_seeded_and_permutes_the_rows():
    docs = _docs([5, 9, 3, 11, 6, 2, 8, 13, 4, 7])
    plain = [r.input_ids for r in packed_rows(docs, 4)]
    shuffled = [r.input_ids for r in packed_rows(docs, 4, seed=1, shuffle_buffer=4)]
    assert shuffled == [r.input_ids for r in packed_rows(docs, 4, seed=1, shuffle_buffer=4)]
    assert shuffled != plain and sorted(shuffled) == sorted(plain)


def test_bad_ranks_and_lengths_are_refused_as_pull_errors():
    # PullError, as docs/library.md promises for every pull function (a ValueError, as before)
    with pytest.raises(PullError, match="rank must be in 0..1"):
        list(packed_rows(_docs([3]), 4, rank=2, world_size=2))
    with pytest.raises(PullError, match="world size must be 1 or more, got 0"):
        list(packed_rows(_docs([3]), 4, world_size=0))
    with pytest.raises(PullError, match="seq_len must be at least 1"):
        list(pack(_docs([3]), 0))


def test_a_pull_of_no_language_or_a_negative_budget_is_refused(local_run):
    from eurocurate.hub.pull_mix import pull_mix

    with pytest.raises(PullError, match="tokens must be 1 or more"):
        pull_mix(local_run, ["de"], tokens=-5)
    with pytest.raises(PullError, match="name at least one language"):
        pull_mix(local_run, [])


def _texts(run) -> dict[str, str]:
    return {r["id"]: r["text"] for f in (run / "text").rglob("*.parquet") for r in pq.read_table(f).to_pylist()}


def _documents_of(rows: list[dict]) -> dict[str, list[int]]:
    """Each document's ids, re-assembled from its segments in the rows (by the rows' document boundaries)."""
    docs: dict[str, list[int]] = {}
    for row in rows:
        ends = [*row["document_starts"][1:], len(row["input_ids"])]
        for doc_id, a, b in zip(row["doc_ids"], row["document_starts"], ends):
            docs.setdefault(doc_id, []).extend(row["input_ids"][a:b])
    return docs


def test_every_row_of_pull_seq_len_512_has_512_ids_and_decodes_to_the_source_texts(local_run, tmp_path):
    langs = sorted(available_tokens(local_run))
    out = tmp_path / "rows.parquet"
    assert main(["pull", str(local_run), "--langs", ",".join(langs), "--seq-len", "512", "-o", str(out)]) == 0
    rows = pq.read_table(out).to_pylist()
    assert len(rows) >= 10 and all(len(r["input_ids"]) == 512 for r in rows)
    special = read_special_tokens(local_run / "tokenizer")
    tok = Tokenizer.from_file(str(local_run / "tokenizer" / "tokenizer.json"))
    texts = _texts(local_run)
    docs = _documents_of(rows)
    complete = {d: ids for d, ids in docs.items() if ids[-1] == special.eos_id}
    assert len(complete) >= len(docs) - len(langs) - 1  # only documents cut by a quota or the last row are partial
    for doc_id, ids in complete.items():
        assert tok.decode(ids, skip_special_tokens=False) == texts[doc_id] + special.eos_token


def test_autotokenizer_decodes_the_rows_with_the_declared_separator(local_run, tmp_path):
    import transformers

    tok = transformers.AutoTokenizer.from_pretrained(str(local_run / "tokenizer"))
    langs = sorted(available_tokens(local_run))
    summary = pull_sequences(local_run, langs, 512, output=tmp_path / "rows.parquet")
    rows = pq.read_table(tmp_path / "rows.parquet").to_pylist()
    assert summary.rows == len(rows) and all(len(r["input_ids"]) == 512 for r in rows)
    texts = _texts(local_run)
    for doc_id, ids in _documents_of(rows).items():
        if ids[-1] == tok.eos_token_id:
            assert tok.decode(ids) == texts[doc_id] + tok.eos_token


def test_pull_seq_len_shards_over_ranks_and_reports_the_resume_position(local_run, tmp_path):
    langs = sorted(available_tokens(local_run))
    whole = pull_sequences(local_run, langs, 256, seed=3, output=tmp_path / "all.parquet")
    parts = [
        pull_sequences(local_run, langs, 256, seed=3, rank=k, world_size=2, output=tmp_path / f"r{k}.parquet")
        for k in range(2)
    ]
    assert sum(p.rows for p in parts) == whole.rows and parts[0].next_position == parts[0].rows
    all_rows = sorted(tuple(r) for r in pq.read_table(tmp_path / "all.parquet")["input_ids"].to_pylist())
    by_rank = [tuple(r) for k in range(2) for r in pq.read_table(tmp_path / f"r{k}.parquet")["input_ids"].to_pylist()]
    assert sorted(by_rank) == all_rows
    later = pull_sequences(local_run, langs, 256, seed=3, rank=1, world_size=2, start=2, output=tmp_path / "x.parquet")
    assert later.rows == parts[1].rows - 2
    assert pq.read_table(tmp_path / "x.parquet")["position"].to_pylist()[0] == 2


def test_pull_rehydrate_repeats_documents_by_fineweb2s_weight_for_their_cluster_size(run_copy):
    import collections

    import pyarrow as pa

    from eurocurate.hub.pull import pull

    def rows(lang_dir):
        return sum(pq.ParquetFile(f).metadata.num_rows for f in lang_dir.glob("*.parquet"))

    lang = max(sorted((run_copy / "text").iterdir()), key=rows).name
    ids = []
    wanted = iter([2, 4, 150])  # as a MinHash dedup over a larger crawl would have found
    for shard in sorted((run_copy / "text" / lang).glob("*.parquet")):
        t = pq.read_table(shard)
        sizes = [next(wanted, 1) for _ in range(t.num_rows)]
        column = t.schema.get_field_index("minhash_cluster_size")
        pq.write_table(t.set_column(column, "minhash_cluster_size", pa.array(sizes, pa.int64())), shard)
        ids += t["id"].to_pylist()
    assert len(ids) >= 3
    once = collections.Counter(d.doc_id for d in pull(run_copy, [lang]))
    repeated = collections.Counter(d.doc_id for d in pull(run_copy, [lang], rehydrate=True))
    assert all(n == 1 for n in once.values())
    assert [repeated[d] for d in ids[:3]] == [2, 3, 8] and all(repeated[d] == 1 for d in ids[3:])
    rows = pull_sequences(run_copy, [lang], 128, rehydrate=True)
    assert rows.tokens == 128 * rows.rows > 0


def test_pull_seq_len_no_split_keeps_documents_whole_in_padded_rows(local_run, tmp_path):
    out = tmp_path / "rows.parquet"
    assert main(["pull", str(local_run), "--langs", "de,fr", "--seq-len", "256", "--no-split", "-o", str(out)]) == 0
    rows = pq.read_table(out).to_pylist()
    pad = read_special_tokens(local_run / "tokenizer").pad_id
    assert rows and all(len(r["input_ids"]) == 256 for r in rows) and any(r["padding"] for r in rows)
    assert all(r["input_ids"][256 - r["padding"] :] == [pad] * r["padding"] for r in rows)
    docs = _documents_of([{**r, "input_ids": r["input_ids"][: 256 - r["padding"]]} for r in rows])
    long_docs = {d for d, ids in docs.items() if len(ids) > 256}
    assert all(not r["continues"] or r["doc_ids"][0] in long_docs for r in rows)


@pytest.mark.slow
def test_pulled_rows_end_every_document_with_eos_when_the_shards_store_none(demo_inputs, tmp_path):
    """A run with `append_eos: false` stores no EOS; its own sequences/ add one, and `pull --seq-len` packed the
    documents with no boundary between them."""
    from tests.conftest import robots_of, write_spec

    spec = write_spec(tmp_path / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    out = tmp_path / "out"
    args = ["run", str(spec), "-i", str(demo_inputs), "-o", str(out), "--set", "stages.tokenizer.append_eos=false"]
    assert main(args) == 0
    special = read_special_tokens(out / "tokenizer")
    langs = sorted(available_tokens(out))
    pull_sequences(out, langs, 256, output=tmp_path / "rows.parquet")
    docs = _documents_of(pq.read_table(tmp_path / "rows.parquet").to_pylist())
    complete = [ids for ids in docs.values() if ids[-1] == special.eos_id]
    assert len(complete) >= len(docs) - len(langs) - 1  # only documents cut by a quota or the last row lack it


def test_pulled_rows_count_real_tokens_and_padding_apart(local_run, tmp_path, capsys):
    """`--no-split` rows are filled with pad ids, which the summary counted as tokens."""
    summary = pull_sequences(local_run, ["de", "fr"], 256, split=False, output=tmp_path / "rows.parquet")
    rows = pq.read_table(tmp_path / "rows.parquet").to_pylist()
    padding = sum(r["padding"] for r in rows)
    assert padding > 0 and summary.tokens == sum(len(r["input_ids"]) for r in rows) - padding
    assert summary.padding == padding
    assert main(["pull", str(local_run), "--langs", "de,fr", "--seq-len", "256", "--no-split",
                 "-o", str(tmp_path / "cli.parquet")]) == 0  # fmt: skip
    assert f"({summary.tokens:,} tokens, {padding:,} padding)" in capsys.readouterr().out
