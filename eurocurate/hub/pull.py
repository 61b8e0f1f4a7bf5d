"""`eurocurate pull`: stream token shards for a trainer with per-language mixing weights and a token budget.

Each language gets `budget × weight` tokens, taken from its shards in order (the last document is cut
to fit, and marked), and languages are interleaved so that at every point of the stream each has had
its share (deficit round robin): a trainer that stops early still sees the requested mix. Reads a
run's output folder (or any folder laid out as `shards/<lang>/*.parquet`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from eurocurate.layout import SHARDS


class PullError(ValueError):
    """The request cannot be served; the message says what is available."""


@dataclass(frozen=True, slots=True)
class PulledDocument:
    doc_id: str
    lang: str
    input_ids: list[int]
    truncated: bool


def _language_stream(files: list[Path]) -> Iterator[tuple[str, list[int]]]:
    for f in files:
        for batch in pq.ParquetFile(f).iter_batches(columns=["doc_id", "input_ids"], batch_size=1024):
            yield from zip(batch["doc_id"].to_pylist(), batch["input_ids"].to_pylist())


def available_tokens(source: Path) -> dict[str, int]:
    tokens: dict[str, int] = {}
    for lang_dir in sorted((source / SHARDS).iterdir()) if (source / SHARDS).is_dir() else []:
        files = sorted(lang_dir.glob("*.parquet"))
        tokens[lang_dir.name] = sum(sum(pq.read_table(f, columns=["n_tokens"])["n_tokens"].to_pylist()) for f in files)
    return tokens


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
    missing = [lang for lang in langs if lang not in have]
    if missing:
        raise PullError(f"no shards for {missing}; available languages: {sorted(have)}")
    weights = weights or [1.0] * len(langs)
    if len(weights) != len(langs) or any(w <= 0 for w in weights):
        raise PullError(f"--weights needs {len(langs)} positive numbers, one per language, got {weights}")
    if tokens is None:  # the largest budget every language can fill at these weights
        tokens = int(min(have[lang] * sum(weights) / w for lang, w in zip(langs, weights)))
    quota = quotas(tokens, langs, weights)
    short = {lang: (quota[lang], have[lang]) for lang in langs if have[lang] < quota[lang]}
    if short:
        detail = ", ".join(f"{lang}: needs {q:,}, has {h:,}" for lang, (q, h) in short.items())
        raise PullError(f"not enough tokens for the requested mix ({detail}); lower --tokens or change --weights")
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


def pull(
    source: Path,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    rehydrate: bool = False,
) -> Iterator[PulledDocument]:
    """The mix from a run folder; with `rehydrate`, every document repeated by FineWeb-2's weight for its
    near-duplicate cluster size (budgets then count the repeated tokens)."""
    source = Path(source)
    if not (source / SHARDS).is_dir():
        raise PullError(f"{source} has no shards/ folder; give the output folder of an eurocurate run")
    have = available_tokens(source)
    streams = {lang: _language_stream(sorted((source / SHARDS / lang).glob("*.parquet"))) for lang in langs}
    if rehydrate:
        from eurocurate.hub.rehydrate import document_weights, rehydrated, rehydrated_tokens

        repeat = document_weights(source, [lang for lang in langs if lang in have])
        have = {lang: rehydrated_tokens(source, lang, repeat) if lang in langs else n for lang, n in have.items()}
        streams = {lang: rehydrated(stream, repeat) for lang, stream in streams.items()}
    quota = plan_quotas(have, langs, weights, tokens)
    yield from interleave(streams, langs, quota)
