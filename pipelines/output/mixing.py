"""A token mix from token shards: per-language weights and a token budget, FineWeb-2's rehydration.

Each language gets `budget × weight` tokens, taken from its shards in order (the last document is cut
to fit, and marked), and languages are interleaved so that at every point of the stream each has had
its share (deficit round robin): a trainer that stops early still sees the requested mix. With rehydration
each document is repeated by FineWeb-2's weight for its `minhash_cluster_size` (text shards) before mixing.
Shared by `eurocurate pull` (`eurocurate.hub.pull`, `hub_pull`) and the `pack_sequences` stage; reads the shard
(and text) files it is given, or, for the stage inside a run, every `shards/<lang>/*.parquet` of the folder. Which
files of a finished run a pull may read (those its run.json lists) is `eurocurate.hub.pull`'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.layout import SHARDS, TEXT
from eurocurate.pipelines.output.fineweb2 import rehydration_weight
from eurocurate.schema import TEXT_ID


class MixError(ValueError):
    """The request cannot be served; the message says what is available."""


PullError = MixError  # the name `eurocurate pull` and its callers know it by


@dataclass(frozen=True, slots=True)
class PulledDocument:
    doc_id: str
    lang: str
    input_ids: list[int]
    truncated: bool


def language_stream(files: list[Path]) -> Iterator[tuple[str, list[int]]]:
    """(doc_id, input_ids) of every row of the token shard files, in order."""
    for f in files:
        for batch in pq.ParquetFile(f).iter_batches(columns=["doc_id", "input_ids"], batch_size=1024):
            yield from zip(batch["doc_id"].to_pylist(), batch["input_ids"].to_pylist())


def shard_files(source: Path) -> dict[str, list[Path]]:
    """The token shard files of a folder per language (`shards/<lang>/*.parquet`), sorted as they are read: every
    file there, so only for a folder whose shards are complete (the run's own stages after shard packing)."""
    shards = Path(source) / SHARDS
    langs = sorted(p for p in shards.iterdir() if p.is_dir()) if shards.is_dir() else []
    return {d.name: sorted(d.glob("*.parquet")) for d in langs}


def listed_files(source: Path, listed: list[str], folder: str = SHARDS) -> dict[str, list[Path]]:
    """`<folder>/<lang>/*.parquet` among `listed` (posix paths relative to `source`, as run.json lists its outputs)
    per language, sorted as they are read: the same order `shard_files` gives a complete folder."""
    found: dict[str, list[Path]] = {}
    for rel in listed:
        parts = rel.split("/")
        if len(parts) == 3 and parts[0] == folder and parts[2].endswith(".parquet"):
            found.setdefault(parts[1], []).append(Path(source) / rel)
    return {lang: sorted(paths) for lang, paths in sorted(found.items())}


def file_tokens(files: list[Path]) -> int:
    """Tokens in token shard files (their `n_tokens` column)."""
    return sum(sum(pq.read_table(f, columns=["n_tokens"])["n_tokens"].to_pylist()) for f in files)


def document_weights(source: Path, langs: list[str], text: dict[str, list[Path]] | None = None) -> dict[str, int]:
    """doc_id → FineWeb-2 rehydration weight, from the text shards of `langs` (documents of weight 1 omitted):
    `text`'s files per language, or every `text/<lang>/*.parquet` of the folder."""
    weights: dict[str, int] = {}
    for lang in langs:
        files = text.get(lang, []) if text is not None else sorted((Path(source) / TEXT / lang).glob("*.parquet"))
        for f in files:
            weights.update(cluster_weights(pq.read_table(f, columns=[TEXT_ID, "minhash_cluster_size"])))
    return weights


def cluster_weights(table: pa.Table) -> dict[str, int]:
    """doc_id → FineWeb-2 rehydration weight of the rows of a text shard table (`id`, `minhash_cluster_size`),
    documents of weight 1 omitted."""
    ids, sizes = table[TEXT_ID].to_pylist(), table["minhash_cluster_size"].to_pylist()
    return {d: w for d, size in zip(ids, sizes) if (w := rehydration_weight(size)) != 1}


def rehydrated_tokens(files: list[Path], weights: dict[str, int]) -> int:
    """Tokens of token shard files once every document is repeated by its weight."""
    total = 0
    for f in files:
        t = pq.read_table(f, columns=["doc_id", "n_tokens"])
        total += sum(n * weights.get(d, 1) for d, n in zip(t["doc_id"].to_pylist(), t["n_tokens"].to_pylist()))
    return total


def rehydrated(stream: Iterator[tuple[str, list[int]]], weights: dict[str, int]) -> Iterator[tuple[str, list[int]]]:
    """The stream with each document repeated `weights[doc_id]` times in a row (FineWeb-2's Rehydrater order)."""
    try:
        for doc_id, ids in stream:
            for _ in range(weights.get(doc_id, 1)):
                yield doc_id, ids
    finally:
        stream.close()


def quotas(budget: int, langs: list[str], weights: list[float]) -> dict[str, int]:
    """Whole-token quotas that sum exactly to `budget` (largest remainders get the leftover tokens)."""
    total = sum(weights)
    raw = {lang: budget * w / total for lang, w in zip(langs, weights)}
    floor = {lang: int(v) for lang, v in raw.items()}
    left = budget - sum(floor.values())
    for lang in sorted(raw, key=lambda lang: (floor[lang] - raw[lang], lang))[:left]:
        floor[lang] += 1
    return floor


def plan_quotas(
    have: dict[str, int], langs: list[str], weights: list[float] | None, tokens: int | None
) -> dict[str, int]:
    """Validated per-language token quotas for the requested mix, given the tokens each language has."""
    if repeated := sorted({lang for lang in langs if langs.count(lang) > 1}):
        raise MixError(f"languages {repeated} named more than once; name each language once (its weight is its share)")
    missing = [lang for lang in langs if lang not in have]
    if missing:
        raise MixError(f"no shards for {missing}; available languages: {sorted(have)}")
    weights = weights or [1.0] * len(langs)
    if len(weights) != len(langs) or not all(math.isfinite(w) and w > 0 for w in weights):
        raise MixError(f"--weights needs {len(langs)} positive numbers, one per language, got {weights}")
    if tokens is None:  # the largest budget every language can fill at these weights
        tokens = int(min(have[lang] * sum(weights) / w for lang, w in zip(langs, weights)))
    quota = quotas(tokens, langs, weights)
    short = {lang: (quota[lang], have[lang]) for lang in langs if have[lang] < quota[lang]}
    if short:
        detail = ", ".join(f"{lang}: needs {q:,}, has {h:,}" for lang, (q, h) in short.items())
        raise MixError(f"not enough tokens for the requested mix ({detail}); lower --tokens or change --weights")
    return quota


def interleave(
    streams: dict[str, Iterator[tuple[str, list[int]]]], langs: list[str], quota: dict[str, int]
) -> Iterator[PulledDocument]:
    """Documents from each language's stream up to its quota, the language most behind its share first."""
    given = dict.fromkeys(langs, 0)
    active = [lang for lang in langs if quota[lang] > 0]
    try:
        while active:
            lang = min(active, key=lambda lang: (given[lang] / quota[lang], langs.index(lang)))
            doc_id, ids = next(streams[lang])
            room = quota[lang] - given[lang]
            cut = len(ids) > room
            ids = ids[:room] if cut else ids
            given[lang] += len(ids)
            if given[lang] >= quota[lang]:
                active.remove(lang)
            yield PulledDocument(doc_id, lang, ids, cut)
    finally:  # also when the trainer stops early: close the shard each stream holds open
        for stream in streams.values():
            close = getattr(stream, "close", None)
            if close is not None:
                close()


def mix_folder(
    source: Path,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    rehydrate: bool = False,
    files: dict[str, list[Path]] | None = None,
    natural: bool = False,
    text: dict[str, list[Path]] | None = None,
) -> Iterator[PulledDocument]:
    """The mix from a run folder; with `rehydrate`, every document repeated by FineWeb-2's weight for its
    near-duplicate cluster size (budgets then count the repeated tokens). `files` replaces the folder's token
    shard files per language (an erasure packs from the files it is about to commit; a pull reads those run.json
    lists), `text` its text shard files for the rehydration weights. `natural` and no `weights`: each language
    weighs its own tokens (no budget: all of them), instead of equal weights."""
    source = Path(source)
    if files is None and not (source / SHARDS).is_dir():
        raise MixError(f"{source} has no shards/ folder; give the output folder of an eurocurate run")
    files = shard_files(source) if files is None else files
    have = {lang: file_tokens(fs) for lang, fs in files.items()}
    missing = [lang for lang in langs if lang not in have]
    if missing:
        raise MixError(f"no shards for {missing}; available languages: {sorted(have)}")
    streams = {lang: language_stream(files[lang]) for lang in langs}
    if rehydrate:
        repeat = document_weights(source, langs, text)
        have = {lang: rehydrated_tokens(files[lang], repeat) if lang in langs else n for lang, n in have.items()}
        streams = {lang: rehydrated(stream, repeat) for lang, stream in streams.items()}
    if natural and weights is None:
        weights = [float(have[lang]) or 1.0 for lang in langs]
    quota = plan_quotas(have, langs, weights, tokens)
    yield from interleave(streams, langs, quota)
