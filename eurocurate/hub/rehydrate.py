"""FineWeb-2's rehydration for `pull --rehydrate`: each kept document repeated by the weight of its
near-duplicate cluster size (`minhash_cluster_size` of the text shards; the table is
`eurocurate.pipelines.output.fineweb2.rehydration_weight`). Local run folders only; the mix is `pull`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from eurocurate.layout import SHARDS, TEXT
from eurocurate.pipelines.output.fineweb2 import rehydration_weight
from eurocurate.schema import TEXT_ID


def document_weights(source: Path, langs: list[str]) -> dict[str, int]:
    """doc_id → FineWeb-2 rehydration weight, from the text shards of `langs` (documents of weight 1 omitted)."""
    weights: dict[str, int] = {}
    for lang in langs:
        for f in sorted((Path(source) / TEXT / lang).glob("*.parquet")):
            t = pq.read_table(f, columns=[TEXT_ID, "minhash_cluster_size"])
            for doc_id, size in zip(t[TEXT_ID].to_pylist(), t["minhash_cluster_size"].to_pylist()):
                if (w := rehydration_weight(size)) != 1:
                    weights[doc_id] = w
    return weights


def rehydrated_tokens(source: Path, lang: str, weights: dict[str, int]) -> int:
    """Tokens of a language's shards once every document is repeated by its weight."""
    total = 0
    for f in sorted((Path(source) / SHARDS / lang).glob("*.parquet")):
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
