"""Fixed-length training rows from a document stream: `pull --seq-len L`.

Owns packing (documents concatenated as stored, each ending with the tokenizer's EOS, cut into rows of
exactly L ids; a document may continue in the next row), the per-row document boundaries a trainer
needs for attention masking, a seeded shuffle of rows, sharding rows over ranks and the resume position.
Which documents come in which order is `pull`'s; the Parquet file is `pull_mix`'s.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from eurocurate.hub.pull import PulledDocument


@dataclass(frozen=True, slots=True)
class PackedRow:
    """One training row. `document_starts[i]` is where the segment of `doc_ids[i]` begins in `input_ids`
    (the first is 0); a segment runs to the next start or the row's end. `position` is the row's index in
    this rank's stream: pass it + 1 as `start` to resume after it."""

    position: int
    input_ids: list[int]
    doc_ids: list[str]
    document_starts: list[int]


def pack(docs: Iterable[PulledDocument], seq_len: int) -> Iterator[tuple[list[int], list[str], list[int]]]:
    """Rows of exactly `seq_len` ids from the documents in order; the tokens left after the last full row
    are dropped (a trainer wants no padding)."""
    if seq_len < 1:
        raise ValueError(f"seq_len must be at least 1, got {seq_len}")
    ids: list[int] = []
    doc_ids: list[str] = []
    starts: list[int] = []
    for doc in docs:
        tokens = doc.input_ids
        while tokens:
            room = seq_len - len(ids)
            doc_ids.append(doc.doc_id)
            starts.append(len(ids))
            ids.extend(tokens[:room])
            tokens = tokens[room:]
            if len(ids) == seq_len:
                yield ids, doc_ids, starts
                ids, doc_ids, starts = [], [], []


def _shuffled(rows: Iterator[tuple], seed: int | None, buffer: int) -> Iterator[tuple]:
    """A seeded streaming shuffle: rows wait in a buffer of `buffer` and leave in random order."""
    if seed is None:
        yield from rows
        return
    rng = np.random.default_rng(seed)
    pool: deque[tuple] = deque()
    for row in rows:
        pool.append(row)
        if len(pool) >= buffer:
            pool.rotate(-int(rng.integers(len(pool))))
            yield pool.popleft()
    while pool:
        pool.rotate(-int(rng.integers(len(pool))))
        yield pool.popleft()


def packed_rows(
    docs: Iterable[PulledDocument],
    seq_len: int,
    *,
    seed: int | None = None,
    shuffle_buffer: int = 4096,
    rank: int = 0,
    world_size: int = 1,
    start: int = 0,
) -> Iterator[PackedRow]:
    """This rank's rows: every `world_size`-th row of the (seeded, shuffled) packed stream from `rank` on,
    skipping the first `start` of them (a resume). The same documents, seed and `seq_len` give every rank the
    same global order, so the ranks' rows are disjoint and together are every row."""
    if world_size < 1 or not 0 <= rank < world_size:
        raise ValueError(f"rank must be in 0..{world_size - 1} for world size {world_size}, got {rank}")
    if start < 0:
        raise ValueError(f"start must be 0 or more, got {start}")
    position = 0
    for i, (ids, doc_ids, starts) in enumerate(_shuffled(pack(docs, seq_len), seed, shuffle_buffer)):
        if i % world_size != rank:
            continue
        if position >= start:
            yield PackedRow(position, ids, doc_ids, starts)
        position += 1
