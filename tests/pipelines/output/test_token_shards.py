"""Token shards hold, per document, exactly the ids `tokenizers` gives that document alone, then EOS: on real text of
the 24 languages, an empty document, emoji, special tokens written as text and a document of a few megabytes, through
tiktoken's arrays, a tokenizer tiktoken cannot mirror, and one whose ids tiktoken would read in the wrong merge order.
Shards read back with pyarrow and polars as trainers read them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer, normalizers

from eurocurate.pipelines.output.prepared_tokenizer import VERIFY_DOCS
from eurocurate.pipelines.output.token_shards import TokenShardWriter, id_lists, quality_lists, token_schema
from eurocurate.pipelines.output.tokenize import PrepareTokenizer, Tokenize, train_bpe
from eurocurate.schema import Meta
from eurocurate.tools.demo_corpus import load_texts

PIPELINE = {"name": "t", "config_sha256": "0" * 64, "code_version": "0", "steps": []}


def _documents() -> list[Document]:
    texts = load_texts()
    docs = [
        Document(text="\n\n".join(t.paragraphs), id=f"{lang}-{i}", metadata={Meta.LANG: lang})
        for i, (lang, t) in enumerate(sorted(texts.items()))
    ]
    long_text = " ".join(p for t in texts.values() for p in t.paragraphs) * 2  # 330 kB, every script at once
    docs += [
        Document(text="", id="empty", metadata={Meta.LANG: "en"}),
        Document(
            text="Emoji 🇪🇺👩🏽‍🔬 and ħ ġ ż ß ﬁ — “quotes” 's 're\t\ttabs  ", id="emoji", metadata={Meta.LANG: "mt"}
        ),
        Document(text="A page that writes </s>, <s> and <pad> as text.", id="specials", metadata={Meta.LANG: "en"}),
        Document(text=long_text, id="long", metadata={Meta.LANG: "de"}),
    ]
    return docs


def _prepared(tmp_path: Path, tokenizer: Tokenizer) -> tuple[Path, Path]:
    given = tmp_path / "given.json"
    given.write_text(tokenizer.to_str())
    out = tmp_path / "out"
    list(PrepareTokenizer(str(out), None, str(given), 1000, 1000, 1, "</s>", None, "<s>", "<pad>").run())
    return given, out


def _run(out: Path, docs: list[Document], rank: int = 0) -> list[Document]:
    steps = Tokenize(str(out), batch_size=7).run(iter(docs), rank)
    return list(TokenShardWriter(str(out), PIPELINE, max_tokens_per_shard=10**9).run(steps, rank))


def _trained() -> Tokenizer:
    texts = [p for t in load_texts().values() for p in t.paragraphs]
    return train_bpe(texts[::3], vocab_size=3000, min_frequency=2, special_tokens=["<pad>", "<s>", "</s>"])


def _expected(tokenizer: Tokenizer, text: str) -> list[int]:
    return [*tokenizer.encode(text, add_special_tokens=False).ids, tokenizer.token_to_id("</s>")]


def _shard_rows(out: Path) -> dict[str, dict]:
    rows = {}
    for f in sorted((out / "shards").rglob("*.parquet")):
        by_polars = pl.read_parquet(f)
        table = pq.read_table(f)
        assert by_polars["input_ids"].to_list() == table["input_ids"].to_pylist()
        assert table.schema.field("input_ids").type == pa.list_(pa.uint16())
        rows |= {r["doc_id"]: r for r in table.to_pylist()}
    return rows


def test_shard_ids_are_each_documents_own_encoding_then_eos(tmp_path):
    tokenizer = _trained()
    tokenizer.encode_special_tokens = True  # as the stage reads a page: "</s>" in a page is text
    _, out = _prepared(tmp_path, tokenizer)
    docs = _documents()
    kept = _run(out, docs)
    assert [d.id for d in kept] == [d.id for d in docs]
    rows = _shard_rows(out)
    assert set(rows) == {d.id for d in docs}
    for doc in docs:
        row = rows[doc.id]
        assert row["input_ids"] == _expected(tokenizer, doc.text), doc.id
        assert row["n_tokens"] == len(row["input_ids"]) == doc.metadata[Meta.N_TOKENS]
        assert tokenizer.decode(row["input_ids"][:-1]) == doc.text
    assert rows["empty"]["input_ids"] == [tokenizer.token_to_id("</s>")]
    assert len(rows["long"]["input_ids"]) > 50_000
    # rows of a language are in input order, and provenance points at them
    german = pq.read_table(out / "shards" / "de" / "part-00000-0000.parquet", columns=["doc_id"])["doc_id"].to_pylist()
    assert german == [d.id for d in docs if d.metadata[Meta.LANG] == "de"]
    for doc in kept:
        assert rows[doc.id]["doc_id"] == doc.id and doc.metadata[Meta.TOKEN_SHARD].startswith("shards/")


def test_a_tokenizer_tiktoken_cannot_mirror_encodes_with_tokenizers_to_the_same_ids(tmp_path):
    tokenizer = _trained()
    tokenizer.normalizer = normalizers.NFKC()  # "ﬁ" becomes "fi": tiktoken has no normalizer
    tokenizer.encode_special_tokens = True
    _, out = _prepared(tmp_path, tokenizer)
    docs = _documents()
    _run(out, docs)
    rows = _shard_rows(out)
    for doc in docs:
        assert rows[doc.id]["input_ids"] == _expected(tokenizer, doc.text), doc.id


def test_ids_read_in_another_merge_order_are_caught_and_the_task_encodes_with_tokenizers(tmp_path, caplog):
    # the shape tiktoken accepts, but ids no longer in merge order: the first merge gets the last merge's id and
    # back, so ranking merges by id (tiktoken) is not what the merge list says (tokenizers)
    spec = json.loads(_trained().to_str())
    vocab, merges = spec["model"]["vocab"], spec["model"]["merges"]
    first, last = ("".join(m) if isinstance(m, list) else m.replace(" ", "") for m in (merges[0], merges[-1]))
    vocab[first], vocab[last] = vocab[last], vocab[first]
    tokenizer = Tokenizer.from_str(json.dumps(spec))
    tokenizer.encode_special_tokens = True
    _, out = _prepared(tmp_path, tokenizer)
    docs = _documents()
    assert len(docs) <= VERIFY_DOCS  # the process's check reads every one of them
    with caplog.at_level(logging.WARNING):
        _run(out, docs)
    assert "tiktoken and tokenizers disagree" in caplog.text
    rows = _shard_rows(out)
    for doc in docs:
        assert rows[doc.id]["input_ids"] == _expected(tokenizer, doc.text), doc.id


@pytest.mark.parametrize("value_type, top", [(pa.uint16(), 65_535), (pa.uint32(), 250_000)])
def test_id_lists_keep_every_id_and_every_boundary(value_type, top):
    ids = [np.array([0, top, 7], dtype=np.uint32), np.array([], dtype=np.uint32), np.array([top], dtype=np.uint32)]
    built = id_lists(ids, value_type)
    assert built.type == pa.list_(value_type)
    assert built.to_pylist() == [[0, top, 7], [], [top]]
    assert id_lists([], value_type).to_pylist() == []


@given(
    st.lists(
        st.dictionaries(st.text(max_size=12), st.integers(-(10**6), 10**6) | st.floats(allow_nan=False), max_size=6),
        max_size=12,
    )
)
def test_quality_lists_are_the_column_the_per_pair_structs_made(qualities):
    list_type = token_schema(pa.uint16()).field("quality").type
    built = quality_lists([sorted(q.items()) for q in qualities], list_type)
    plain = pa.array([[{"key": k, "value": float(v)} for k, v in sorted(q.items())] for q in qualities], list_type)
    assert built.type == list_type and built.equals(plain)
    assert built.to_pylist() == plain.to_pylist()
