"""Tokenizers: load a user's (`tokenizer.json` path or hub id) or train a byte-level BPE on the run's own
language-balanced output; then a stage that tokenizes documents in batches.

Training is a barrier (one task) because it needs a sample of every task's output. The sample is
deterministic: per language, documents ordered by a hash of their id until a character budget is
reached, so the same input always trains the same tokenizer (its sha256 is recorded).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections import defaultdict
from pathlib import Path

import orjson
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.batching import batched
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from eurocurate.manifests.files import sha256_file, write_bytes_atomic
from eurocurate.schema import Meta

log = logging.getLogger(__name__)
TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_META = "tokenizer.meta.json"
INPUT_IDS = "_input_ids"  # transient metadata key: token ids travel to the shard writer, never persisted


def tokenizer_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / "tokenizer"


def balanced_sample(data_dir: Path, chars_per_lang: int) -> dict[str, list[str]]:
    """Per language, texts in hash-of-id order until `chars_per_lang` characters."""
    by_lang: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f in sorted(data_dir.glob("*.parquet")):
        t = pq.read_table(f, columns=["id", "text", Meta.LANG])
        for doc_id, text, lang in zip(t["id"].to_pylist(), t["text"].to_pylist(), t[Meta.LANG].to_pylist()):
            by_lang[lang or "und"].append((hashlib.blake2b(doc_id.encode(), digest_size=8).hexdigest(), text))
    sample: dict[str, list[str]] = {}
    for lang in sorted(by_lang):
        taken, size = [], 0
        for _, text in sorted(by_lang[lang]):
            if size >= chars_per_lang:
                break
            taken.append(text[: chars_per_lang - size])
            size += len(taken[-1])
        sample[lang] = taken
    return sample


def train_bpe(texts: list[str], vocab_size: int, min_frequency: int, special_tokens: list[str]) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=special_tokens,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer, length=len(texts))
    return tok


class PrepareTokenizer(PipelineStep):
    """Barrier: writes OUT/tokenizer/tokenizer.json and tokenizer.meta.json (id, sha256, training sample)."""

    name = "tokenizer_prepare"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        out_dir: str,
        inputs_dir: str,
        tokenizer: str | None,
        vocab_size: int,
        sample_chars_per_lang: int,
        min_frequency: int,
        eos_token: str,
    ):
        super().__init__()
        self.out_dir = out_dir
        self.inputs_dir = inputs_dir
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.sample_chars_per_lang = sample_chars_per_lang
        self.min_frequency = min_frequency
        self.eos_token = eos_token

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        target = tokenizer_dir(self.out_dir)
        target.mkdir(parents=True, exist_ok=True)
        meta: dict = {"eos_token": self.eos_token}
        if self.tokenizer is None:
            sample = balanced_sample(Path(self.inputs_dir), self.sample_chars_per_lang)
            texts = [t for lang in sorted(sample) for t in sample[lang]]
            if not texts:
                raise RuntimeError("no documents survived the pipeline: nothing to train a tokenizer on")
            tok = train_bpe(texts, self.vocab_size, self.min_frequency, [self.eos_token])
            write_bytes_atomic(target / TOKENIZER_FILE, tok.to_str().encode("utf-8"))
            meta |= {
                "id": "eurocurate/bpe-trained-on-run",
                "vocab_size_requested": self.vocab_size,
                "training_sample_chars": {lang: sum(map(len, ts)) for lang, ts in sample.items()},
            }
        elif Path(self.tokenizer).is_file():
            shutil.copyfile(self.tokenizer, target / TOKENIZER_FILE)
            meta["id"] = str(Path(self.tokenizer).resolve())
        else:  # a hub id: the only network access of a run, and only when the user asks for it
            tok = Tokenizer.from_pretrained(self.tokenizer)
            write_bytes_atomic(target / TOKENIZER_FILE, tok.to_str().encode("utf-8"))
            meta["id"] = self.tokenizer
        tok = Tokenizer.from_file(str(target / TOKENIZER_FILE))
        eos_id = tok.token_to_id(self.eos_token)
        meta |= {"sha256": sha256_file(target / TOKENIZER_FILE), "vocab_size": tok.get_vocab_size(), "eos_id": eos_id}
        write_bytes_atomic(target / TOKENIZER_META, orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
        self.stat_update("vocab_size", value=tok.get_vocab_size())
        return
        yield


def read_tokenizer_meta(out_dir: str | Path) -> dict:
    return orjson.loads((tokenizer_dir(out_dir) / TOKENIZER_META).read_bytes())


class Tokenize(PipelineStep):
    """Encodes `doc.text` in batches with the prepared tokenizer; ids go to the shard writer."""

    name = "tokenize"
    type = "🔢 - TOKENIZER"

    def __init__(self, out_dir: str, append_eos: bool = True, batch_size: int = 256):
        super().__init__()
        self.out_dir = out_dir
        self.append_eos = append_eos
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        tok = Tokenizer.from_file(str(tokenizer_dir(self.out_dir) / TOKENIZER_FILE))
        meta = read_tokenizer_meta(self.out_dir)
        eos = [meta["eos_id"]] if self.append_eos and meta.get("eos_id") is not None else []
        for batch in batched(data, self.batch_size):
            with self.track_time("batch"):
                encodings = tok.encode_batch([d.text for d in batch], add_special_tokens=False)
            for doc, enc in zip(batch, encodings):
                ids = enc.ids + eos
                doc.metadata[INPUT_IDS] = ids
                doc.metadata[Meta.N_TOKENS] = len(ids)
                self.stat_update("tokens", value=len(ids))
                yield doc
