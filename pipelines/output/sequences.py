"""Fixed-length training rows from a document stream: `pull --seq-len L` and the `pack_sequences` stage.

Owns packing (documents concatenated, each ending with the tokenizer's EOS, into rows of exactly L ids; a
document continues in the next row, or with `split=False` starts a new row and the row before is padded), the
per-row document boundaries a trainer needs for attention masking, a seeded shuffle of rows, sharding rows over
ranks and the resume position. Which documents come in which order is the mix's (`mixing.py`); the files are
their writers' (`pull_mix`, `pack_sequences`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from eurocurate.pipelines.output.mixing import MixError, PulledDocument


@dataclass(frozen=True, slots=True)
class PackedRow:
    """One training row. `document_starts[i]` is where the segment of `doc_ids[i]` begins in `input_ids`
    (the first is 0); a segment runs to the next start, or to the padding (`padding` pad ids end the row).
    `continues`: the first segment is the rest of a document begun in an earlier row of the packed order.
    `position` is the row's index in this rank's stream: pass it + 1 as `start` to resume after it."""

    position: int
    input_ids: list[int]
    doc_ids: list[str]
    document_starts: list[int]
    continues: bool = False
    padding: int = 0


def sequence_schema(ids: pa.DataType) -> pa.Schema:
    """Fixed-length rows: what `packed_rows` yields, ids in type `ids` (the smallest that holds the vocabulary)."""
    return pa.schema(
        [
            ("position", pa.int64()),
            ("input_ids", pa.list_(ids)),
            ("doc_ids", pa.list_(pa.string())),
            ("document_starts", pa.list_(pa.int32())),
            ("continues", pa.bool_()),
            ("padding", pa.int32()),
        ]
    )


def with_separators(docs: Iterable[PulledDocument], eos_id: int, bos_id: int | None = None) -> Iterator[PulledDocument]:
    """Each document ending with `eos_id` and, given `bos_id`, starting with it: the separators are added where
    the stored ids lack them (token shards already end with EOS unless the spec said `append_eos: false`). A document
    a token budget cut short gets no EOS: it did not end there."""
    for doc in docs:
        ids = doc.input_ids
        if bos_id is not None and (not ids or ids[0] != bos_id):
            ids = [bos_id, *ids]
        if not doc.truncated and (not ids or ids[-1] != eos_id):
            ids = [*ids, eos_id]
        yield doc if ids is doc.input_ids else replace(doc, input_ids=ids)


def pack(
    docs: Iterable[PulledDocument], seq_len: int, split: bool = True, pad_id: int | None = None
) -> Iterator[PackedRow]:
    """Rows of exactly `seq_len` ids from the documents in order (`position` is the row's index). `split`: a
    document continues in the next row, and the tokens after the last full row are dropped (no padding). Without
    `split` a document that does not fit the rest of a row starts the next one and the rest is `pad_id`s; only a
    document longer than a row is split (it has to be), and the last row is padded."""
    if seq_len < 1:
        raise MixError(f"seq_len must be at least 1, got {seq_len}")
    if not split and pad_id is None:
        raise MixError("packing without splitting documents pads rows, and the tokenizer declares no pad token")
    position = 0
    ids: list[int] = []
    doc_ids: list[str] = []
    starts: list[int] = []
    continues = False

    def close(padding: int) -> PackedRow:
        nonlocal position
        row = PackedRow(position, ids + [pad_id] * padding if padding else ids, doc_ids, starts, continues, padding)
        position += 1
        return row

    for doc in docs:
        tokens = doc.input_ids
        if not split and ids and len(tokens) > seq_len - len(ids):
            yield close(seq_len - len(ids))
            ids, doc_ids, starts, continues = [], [], [], False
        while tokens:
            room = seq_len - len(ids)
            doc_ids.append(doc.doc_id)
            starts.append(len(ids))
            ids.extend(tokens[:room])
            tokens = tokens[room:]
            if len(ids) == seq_len:
                yield close(0)
                ids, doc_ids, starts, continues = [], [], [], bool(tokens)
    if ids and not split:
        yield close(seq_len - len(ids))


def _shuffled(rows: Iterator[PackedRow], seed: int | None, buffer: int) -> Iterator[PackedRow]:
    """A seeded streaming shuffle: rows wait in a buffer of `buffer` and leave in random order."""
    if seed is None:
        yield from rows
        return
    rng = np.random.default_rng(seed)
    pool: deque[PackedRow] = deque()
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
    split: bool = True,
    pad_id: int | None = None,
) -> Iterator[PackedRow]:
    """This rank's rows: every `world_size`-th row of the (seeded, shuffled) packed stream from `rank` on,
    skipping the first `start` of them (a resume). The same documents, seed and `seq_len` give every rank the
    same global order, so the ranks' rows are disjoint and together are every row. `split`, `pad_id`: see `pack`."""
    if world_size < 1:
        raise MixError(f"world size must be 1 or more, got {world_size}")
    if not 0 <= rank < world_size:
        raise MixError(f"rank must be in 0..{world_size - 1} for world size {world_size}, got {rank}")
    if start < 0:
        raise MixError(f"start must be 0 or more, got {start}")
    position = 0
    for i, row in enumerate(_shuffled(pack(docs, seq_len, split, pad_id), seed, shuffle_buffer)):
        if i % world_size != rank:
            continue
        if position >= start:
            yield replace(row, position=position)
        position += 1
