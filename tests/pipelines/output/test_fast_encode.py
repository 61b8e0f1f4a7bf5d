"""tiktoken encodes our byte-level BPE to exactly the ids `tokenizers` gives, and is refused where it would not."""

import json

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

from eurocurate.pipelines.output.fast_encode import compatible, fast_encoder
from eurocurate.pipelines.output.tokenize import train_bpe
from eurocurate.tools.demo_corpus import load_texts


def _texts():
    texts = [p for t in load_texts().values() for p in t.paragraphs]
    return texts + ["  leading spaces,\ttabs\nand 1234 numbers — “quotes” 's 're", "emoji 🇪🇺 and ħ ġ ż", ""]


def test_tiktoken_gives_the_same_ids_as_tokenizers_on_all_24_languages(tmp_path):
    texts = _texts()
    tok = train_bpe(texts[::2], vocab_size=2000, min_frequency=2, special_tokens=["<|endoftext|>"])
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    enc = fast_encoder(path)
    assert enc is not None
    assert enc.encode_ordinary_batch(texts) == [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]


def test_tokenizers_of_another_shape_are_not_given_to_tiktoken(tmp_path):
    wordpiece = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    wordpiece.pre_tokenizer = pre_tokenizers.Whitespace()
    wordpiece.train_from_iterator(["a few words"], trainers.WordPieceTrainer(vocab_size=50, show_progress=False))
    path = tmp_path / "wp.json"
    wordpiece.save(str(path))
    assert fast_encoder(path) is None
    bpe = train_bpe(["some text to learn from"] * 5, vocab_size=300, min_frequency=1, special_tokens=["<|endoftext|>"])
    bpe.normalizer = normalizers.NFKC()
    spec = json.loads(bpe.to_str())
    assert compatible(spec) == "it has a normalizer"
    bpe.normalizer = None
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    assert "add_prefix_space" in compatible(json.loads(bpe.to_str()))
