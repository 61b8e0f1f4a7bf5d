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
from collections.abc import Iterable, Sequence, Sized
from pathlib import Path

import numpy as np
import orjson
import pyarrow.compute as pc
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.batching import batched
from pydantic import BaseModel, ConfigDict, Field
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from eurocurate.files import read_parquet, sha256_file, write_bytes_atomic
from eurocurate.layout import TOKENIZER, TOKENIZER_FILE, TOKENIZER_META
from eurocurate.pipelines.output.prepared_tokenizer import prepared_tokenizer
from eurocurate.pipelines.output.special_tokens import resolve_special_tokens, write_special_tokens
from eurocurate.pipelines.output.word_count import count_words
from eurocurate.registry import Barrier, BuildContext, StageParts, register_stage
from eurocurate.schema import Meta

log = logging.getLogger(__name__)
INPUT_IDS = "_input_ids"  # transient metadata key: token ids travel to the shard writer, never persisted
FERTILITY = "fertility:"
LEGACY_EOS = "<|endoftext|>"


def fertility_from_stats(values: dict[str, int]) -> dict[str, dict[str, float]]:
    """Tokens per word and per character, per language, from the summed `fertility:<lang>:<unit>` counters."""
    per_lang: dict[str, dict[str, int]] = defaultdict(dict)
    for label, n in values.items():
        if label.startswith(FERTILITY):
            lang, unit = label[len(FERTILITY) :].rsplit(":", 1)
            per_lang[lang][unit] = n
    return {
        lang: {
            "tokens": c.get("tokens", 0),
            "words": c.get("words", 0),
            "chars": c.get("chars", 0),
            "tokens_per_word": round(c.get("tokens", 0) / max(c.get("words", 0), 1), 4),
            "tokens_per_char": round(c.get("tokens", 0) / max(c.get("chars", 0), 1), 4),
        }
        for lang, c in sorted(per_lang.items())
    }


def tokenizer_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / TOKENIZER


def language_budgets(available: dict[str, int], chars_per_lang: int, temperature: float | None) -> dict[str, int]:
    """Training characters per language. No temperature: the same cap for every language (the most
    balanced). With temperature T, a total of `chars_per_lang × languages` split ∝ available^(1/T) (T=1:
    proportional to the data; larger T: flatter), never more than a language has."""
    if not available:
        return {}
    if temperature is None:
        return {lang: min(n, chars_per_lang) for lang, n in available.items()}
    weights = {lang: n ** (1.0 / temperature) for lang, n in available.items()}
    total_weight = sum(weights.values())
    budget = chars_per_lang * len(available)
    return {lang: min(available[lang], int(budget * w / total_weight)) for lang, w in weights.items()}


def balanced_sample(data_dir: Path, chars_per_lang: int, temperature: float | None = None) -> dict[str, list[str]]:
    """Per language, texts in hash-of-id order until the language's character budget.

    Two passes over the files so memory holds an index entry per document, not the texts: the first
    reads ids, languages and lengths and chooses; the second reads only the chosen texts.
    """
    files = sorted(data_dir.glob("*.parquet"))
    index: dict[str, list[tuple[str, int, int, int]]] = defaultdict(list)  # lang → (hash, length, file, row)
    for fi, f in enumerate(files):
        t = read_parquet(f, ["id", "text", Meta.LANG])
        lengths = pc.utf8_length(t["text"]).to_pylist()
        for row, (doc_id, lang, n) in enumerate(zip(t["id"].to_pylist(), t[Meta.LANG].to_pylist(), lengths)):
            index[lang or "und"].append((hashlib.blake2b(doc_id.encode(), digest_size=8).hexdigest(), n, fi, row))
    budgets = language_budgets(
        {lang: sum(e[1] for e in entries) for lang, entries in index.items()}, chars_per_lang, temperature
    )
    chosen: dict[int, dict[int, tuple[str, int]]] = defaultdict(dict)  # file → row → (lang, chars to take)
    for lang in sorted(index):
        size = 0
        for _, n, fi, row in sorted(index[lang]):
            if size >= budgets[lang]:
                break
            take = min(n, budgets[lang] - size)
            chosen[fi][row] = (lang, take)
            size += take
    picked: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for fi, rows in sorted(chosen.items()):
        t = read_parquet(files[fi], ["id", "text"]).take(sorted(rows))
        for doc_id, text, row in zip(t["id"].to_pylist(), t["text"].to_pylist(), sorted(rows)):
            lang, take = rows[row]
            picked[lang].append((hashlib.blake2b(doc_id.encode(), digest_size=8).hexdigest(), text[:take]))
    return {lang: [text for _, text in sorted(picked[lang])] for lang in sorted(picked)}


def train_bpe(texts: Iterable[str], vocab_size: int, min_frequency: int, special_tokens: Sequence[str]) -> Tokenizer:
    """A byte-level BPE trained locally on `texts` (nothing from the Hub): the run's tokenizer stage and the
    benchmark's reference tokenizer are both this one."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer, length=len(texts) if isinstance(texts, Sized) else None)
    return tok


class PrepareTokenizer(PipelineStep):
    """Barrier: writes OUT/tokenizer/tokenizer.json, tokenizer.meta.json (id, sha256, training sample) and the
    special-token declarations (tokenizer_config.json, special_tokens_map.json)."""

    name = "tokenizer_prepare"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        out_dir: str,
        inputs_dir: str | None,
        tokenizer: str | None,
        vocab_size: int,
        sample_chars_per_lang: int,
        min_frequency: int,
        eos_token: str,
        temperature: float | None = None,
        bos_token: str | None = None,
        pad_token: str | None = None,
        prepend_bos: bool = False,
        append_eos: bool = True,
    ):
        super().__init__()
        self.bos_token, self.pad_token = bos_token, pad_token
        self.prepend_bos, self.append_eos = prepend_bos, append_eos
        self.temperature = temperature
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
            sample = balanced_sample(Path(self.inputs_dir), self.sample_chars_per_lang, self.temperature)
            texts = [t for lang in sorted(sample) for t in sample[lang]]
            if not texts:  # every document was dropped before: the run still finishes, with empty shards
                log.warning("no document reached the tokenizer: it is trained on no text (its byte alphabet only)")
            specials = [t for t in (self.pad_token, self.bos_token, self.eos_token) if t]  # pad 0, BOS 1, EOS 2
            tok = train_bpe(texts, self.vocab_size, self.min_frequency, list(dict.fromkeys(specials)))
            write_bytes_atomic(target / TOKENIZER_FILE, tok.to_str().encode("utf-8"))
            meta |= {
                "id": "eurocurate/bpe-trained-on-run",
                "vocab_size_requested": self.vocab_size,
                "sampling": {"chars_per_lang": self.sample_chars_per_lang, "temperature": self.temperature},
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
        eos_token = self.eos_token
        if tok.token_to_id(eos_token) is None and tok.token_to_id(LEGACY_EOS) is not None:
            # a GPT-2-style tokenizer of the user's: its EOS, which was this stage's default before `</s>`
            log.info("tokenizer has no %s; documents end with its %s", eos_token, LEGACY_EOS)
            eos_token = meta["eos_token"] = LEGACY_EOS
        eos_id = tok.token_to_id(eos_token)
        if eos_id is None:
            log.warning("tokenizer has no EOS token %s: documents are not separated in the token shards", eos_token)
        meta |= {"sha256": sha256_file(target / TOKENIZER_FILE), "vocab_size": tok.get_vocab_size(), "eos_id": eos_id}
        write_bytes_atomic(
            target / TOKENIZER_META, orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        )
        special = resolve_special_tokens(
            tok, self.bos_token, eos_token, self.pad_token, self.prepend_bos, self.append_eos
        )
        write_special_tokens(target, special, tok.get_vocab_size())
        self.stat_update("vocab_size", value=tok.get_vocab_size())
        prepared_tokenizer(self.out_dir, hf=tok)  # the encoding tasks this process runs next take it from here
        return
        yield


def read_tokenizer_meta(out_dir: str | Path) -> dict:
    return orjson.loads((tokenizer_dir(out_dir) / TOKENIZER_META).read_bytes())


class Tokenize(PipelineStep):
    """Encodes `doc.text` in batches with the prepared tokenizer; ids go to the shard writer."""

    name = "tokenize"
    type = "🔢 - TOKENIZER"

    def __init__(self, out_dir: str, append_eos: bool = True, batch_size: int = 256, prepend_bos: bool = False):
        super().__init__()
        self.out_dir = out_dir
        self.append_eos = append_eos
        self.prepend_bos = prepend_bos
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        prepared = prepared_tokenizer(self.out_dir)
        eos = [prepared.eos_id] if self.append_eos and prepared.eos_id is not None else []
        bos = [prepared.bos_id] if self.prepend_bos and prepared.bos_id is not None else []
        bos_ids, eos_ids = np.array(bos, dtype=np.uint32), np.array(eos, dtype=np.uint32)
        for batch in batched(data, self.batch_size):
            texts = [d.text for d in batch]
            with self.track_time("batch"):
                encoded = prepared.encode(texts)
                self.stat_update("bytes_tokenized", value=sum(len(t.encode("utf-8")) for t in texts))
            words = count_words(texts)
            for doc, enc_ids, n_words in zip(batch, encoded, words):
                ids = np.concatenate((bos_ids, enc_ids, eos_ids)) if bos or eos else enc_ids
                doc.metadata[INPUT_IDS] = ids
                doc.metadata[Meta.N_TOKENS] = len(ids)
                self.stat_update("tokens", value=len(ids))
                lang = doc.metadata.get(Meta.LANG) or "und"
                # fertility counters, summed over tasks: tokens per word and per character, per language
                self.stat_update(f"{FERTILITY}{lang}:tokens", value=len(enc_ids))
                self.stat_update(f"{FERTILITY}{lang}:chars", value=len(doc.text))
                self.stat_update(f"{FERTILITY}{lang}:words", value=n_words)
                yield doc


class TokenizerParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokenizer: str | None = Field(
        None, description="tokenizer.json path or hub id; default: train a byte-level BPE on this run's output."
    )
    vocab_size: int = Field(16384, ge=300, description="Vocabulary size of the trained BPE.")
    sample_chars_per_lang: int = Field(2_000_000, gt=0, description="Training characters per language (balanced).")
    temperature: float | None = Field(
        None, gt=0, description="Temperature sampling over languages (1 = proportional to data); default: equal caps."
    )
    min_frequency: int = Field(2, ge=1, description="Minimum pair frequency for a BPE merge.")
    eos_token: str = Field("</s>", description="End-of-document token (a special token of a trained BPE, id 2).")
    bos_token: str | None = Field("<s>", description="Beginning-of-document token (special, id 1); none: no BOS.")
    pad_token: str | None = Field("<pad>", description="Padding token (special, id 0); none: no pad token.")
    append_eos: bool = Field(True, description="Append the EOS token id to every document (documents separator).")
    prepend_bos: bool = Field(False, description="Prepend the BOS token id to every document.")
    batch_size: int = Field(256, gt=0, description="Documents per tokenizer batch.")


@register_stage(
    name="tokenizer",
    summary="Load or train (byte-level BPE) the tokenizer",
    role="barrier",
    params=TokenizerParams,
    writes_output=True,
)
def build_tokenizer(p: TokenizerParams, ctx: BuildContext, key: str) -> StageParts:
    def build(inputs: str | None) -> list[PipelineStep]:
        return [
            PrepareTokenizer(
                ctx.out_dir,
                inputs,
                p.tokenizer,
                p.vocab_size,
                p.sample_chars_per_lang,
                p.min_frequency,
                p.eos_token,
                p.temperature,
                bos_token=p.bos_token,
                pad_token=p.pad_token,
                prepend_bos=p.prepend_bos,
                append_eos=p.append_eos,
            )
        ]

    tokenize = Tokenize(ctx.out_dir, append_eos=p.append_eos, batch_size=p.batch_size, prepend_bos=p.prepend_bos)
    # a given tokenizer is only copied: the barrier reads no document, so text and shards stream in the same task
    return StageParts(barrier=Barrier(key, 1, build, reads_inputs=p.tokenizer is None), after_barrier=[tokenize])
