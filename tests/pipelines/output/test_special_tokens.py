"""The run's tokenizer folder declares BOS, EOS and pad so `tokenizers` and `transformers.AutoTokenizer` load
it with them; documents in the token shards end with EOS; ids take the smallest sufficient type."""

from __future__ import annotations

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from tokenizers import Tokenizer

from eurocurate.pipelines.output.fast_encode import fast_encoder
from eurocurate.pipelines.output.special_tokens import id_type, read_special_tokens
from eurocurate.pipelines.output.tokenize import train_bpe


def test_a_trained_bpe_has_pad_bos_and_eos_as_its_first_special_tokens(local_run):
    folder = local_run / "tokenizer"
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    assert [tok.token_to_id(t) for t in ("<pad>", "<s>", "</s>")] == [0, 1, 2]
    special = read_special_tokens(folder)
    assert (special.pad_id, special.bos_id, special.eos_id) == (0, 1, 2)
    assert special.add_eos and not special.add_bos
    config = orjson.loads((folder / "tokenizer_config.json").read_bytes())
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert config["clean_up_tokenization_spaces"] is False
    assert orjson.loads((folder / "special_tokens_map.json").read_bytes()) == {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "pad_token": "<pad>",
    }


def test_every_document_in_the_token_shards_ends_with_eos_and_ids_are_uint16(local_run):
    for f in sorted((local_run / "shards").rglob("*.parquet")):
        t = pq.read_table(f)
        assert t.schema.field("input_ids").type == pa.list_(pa.uint16())
        assert all(ids[-1] == 2 and 2 not in ids[:-1] and 1 not in ids for ids in t["input_ids"].to_pylist())


def test_id_type_is_the_smallest_that_holds_the_vocabulary():
    assert id_type(600) == id_type(65_536) == pa.uint16()
    assert id_type(65_537) == id_type(250_000) == pa.uint32()


def test_tiktoken_stays_id_identical_with_three_special_tokens(tmp_path):
    texts = ["Der Rat tagte am Dienstag.", "Le conseil s'est réuni mardi.", "  spaces\tand 1234 — “quotes”"] * 20
    tok = train_bpe(texts, vocab_size=400, min_frequency=1, special_tokens=["<pad>", "<s>", "</s>"])
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    enc = fast_encoder(path)
    assert enc is not None
    assert enc.encode_ordinary_batch(texts) == [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]


def test_special_tokens_written_in_a_document_are_text_and_only_eos_ends_it(tmp_path):
    from datatrove.data import Document

    from eurocurate.pipelines.output.tokenize import INPUT_IDS, PrepareTokenizer, Tokenize

    texts = ["Der Rat tagte am Dienstag.", "Code: <s>old</s> and <pad> — “quotes”", "Le conseil s'est réuni."] * 20
    tok = train_bpe(texts, vocab_size=400, min_frequency=1, special_tokens=["<pad>", "<s>", "</s>"])
    given = tmp_path / "given.json"
    tok.save(str(given))
    out = tmp_path / "out"
    prepare = PrepareTokenizer(str(out), str(tmp_path), str(given), 400, 1000, 1, "</s>", None, "<s>", "<pad>")
    list(prepare.run())
    docs = [Document(text=t, id=f"d{i}") for i, t in enumerate(texts)]
    encoded = [d.metadata[INPUT_IDS].tolist() for d in Tokenize(str(out), prepend_bos=True).run(iter(docs))]
    enc = fast_encoder(given)
    for text, ids in zip(texts, encoded):
        assert ids == [1, *enc.encode_ordinary(text), 2] and not {0, 1, 2} & set(ids[1:-1])
        assert tok.decode(ids[1:-1]) == text


def test_a_users_gpt2_style_tokenizer_keeps_its_endoftext_as_eos(tmp_path):
    from eurocurate.pipelines.output.tokenize import PrepareTokenizer

    texts = ["Der Rat tagte am Dienstag.", "Le conseil s'est réuni."] * 20
    given = tmp_path / "gpt2like.json"
    train_bpe(texts, vocab_size=300, min_frequency=1, special_tokens=["<|endoftext|>"]).save(str(given))
    out = tmp_path / "out"
    list(PrepareTokenizer(str(out), str(tmp_path), str(given), 300, 1000, 1, "</s>", None, "<s>", "<pad>").run())
    special = read_special_tokens(out / "tokenizer")
    assert (special.eos_token, special.eos_id, special.bos_id, special.pad_id) == ("<|endoftext|>", 0, None, None)
    meta = orjson.loads((out / "tokenizer" / "tokenizer.meta.json").read_bytes())
    assert (meta["eos_token"], meta["eos_id"]) == ("<|endoftext|>", 0)
    assert orjson.loads((out / "tokenizer" / "special_tokens_map.json").read_bytes()) == {"eos_token": "<|endoftext|>"}


def test_autotokenizer_loads_the_folder_with_its_special_tokens_and_decodes_the_shards(local_run):
    import transformers

    tok = transformers.AutoTokenizer.from_pretrained(str(local_run / "tokenizer"))
    assert (tok.pad_token_id, tok.bos_token_id, tok.eos_token_id) == (0, 1, 2)
    texts = {r["id"]: r["text"] for f in (local_run / "text").rglob("*.parquet") for r in pq.read_table(f).to_pylist()}
    for f in sorted((local_run / "shards").rglob("*.parquet")):
        for row in pq.read_table(f, columns=["doc_id", "input_ids"]).to_pylist():
            assert tok.decode(row["input_ids"]) == texts[row["doc_id"]] + "</s>"
