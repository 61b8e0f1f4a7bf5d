"""Exact Jaccard verification of LSH candidate pairs: before two documents are linked, the Jaccard
similarity of their word n-gram sets (written beside the band keys when `min_jaccard` is set) must
reach the threshold. LSH then only proposes pairs; templated pages that share a band by their
boilerplate but not their text are no longer merged into one cluster.

A bucket is verified against its smallest unlinked member, repeatedly ("peeling"): the members
similar to it are linked to it, the others form what is left of the bucket, for at most
`MAX_HEADS_PER_BUCKET` rounds so that a bucket of many dissimilar pages cannot cost quadratic time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Final

import numpy as np

from eurocurate.dedup.signature_store import ROW_BITS, KeySource, concatenated_ranges

log = logging.getLogger(__name__)
U64 = np.uint64
MAX_HEADS_PER_BUCKET = 8
# The default threshold of every layer (stage parameters, `find_near_duplicates`, `dedup_jsonl`): the near
# copies of the evaluation corpus (2-5% of words changed) have Jaccard 0.58-0.9, templated pages that
# share only boilerplate bands stay below it.
DEFAULT_MIN_JACCARD: Final = 0.55
PAIR_BATCH_VALUES = 1 << 20  # n-gram values of one vectorised batch of pairs (~40 MB of temporaries)


class GramSets:
    """The n-gram sets of the documents of `sources`, read by gid (source << 32 | row) on demand.

    Sets are read with `pread`, not through a memory map: mapped pages would stay resident and count
    as the task's memory. A source's offsets (8 bytes per document) are loaded when first needed.
    """

    def __init__(self, sources: list[KeySource]):
        self._sources = sources
        self._files: dict[int, tuple[int, np.ndarray] | None] = {}

    def _open(self, index: int) -> tuple[int, np.ndarray] | None:
        if index not in self._files:
            source = self._sources[index]
            if not source.has_grams:
                log.warning(
                    "no n-gram sets beside %s: its candidate pairs are linked unverified; rebuild that index with "
                    "min_jaccard set to verify them",
                    source.keys,
                )
                self._files[index] = None
            else:
                values_path, offsets_path = source.grams
                self._files[index] = (
                    os.open(values_path, os.O_RDONLY),
                    np.fromfile(offsets_path, dtype="<u8").astype(np.int64),
                )
        return self._files[index]

    def close(self) -> None:
        for files in self._files.values():
            if files is not None:
                os.close(files[0])
        self._files.clear()

    def __del__(self) -> None:  # the predicate built on these sets may outlive the call that made it
        self.close()

    def sizes(self, gids: np.ndarray) -> np.ndarray:
        """Set size per gid; -1 where the source has no sets (an index written without verification)."""
        out = np.full(len(gids), -1, dtype=np.int64)
        src, row = _split(gids)
        for s in np.unique(src):
            files = self._open(int(s))
            if files is not None:
                mine = src == s
                out[mine] = files[1][row[mine] + 1] - files[1][row[mine]]
        return out

    def values(self, gids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the sets of `gids`, concatenated in that order; size of each). Every gid's source has sets;
        a gid that repeats is read once."""
        unique, inverse = np.unique(gids, return_inverse=True)
        src, row = _split(unique)
        sets: list[np.ndarray] = []
        for s, r in zip(src.tolist(), row.tolist()):
            fd, offsets = self._open(s)  # type: ignore[misc]
            lo, hi = int(offsets[r]), int(offsets[r + 1])
            sets.append(np.frombuffer(os.pread(fd, 4 * (hi - lo), 4 * lo), dtype="<u4"))
        sizes = np.array([len(x) for x in sets], dtype=np.int64)
        flat = np.concatenate(sets) if sets else np.zeros(0, np.uint32)
        counts = sizes[inverse]
        return flat[concatenated_ranges((np.cumsum(sizes) - sizes)[inverse], counts)], counts


def _split(gids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (gids >> U64(ROW_BITS)).astype(np.int64), (gids & U64((1 << ROW_BITS) - 1)).astype(np.int64)


def pair_jaccard(sets: GramSets, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of the n-gram sets of each pair (u[i], v[i]); 1.0 where a set is unknown."""
    out = np.ones(len(u), dtype=np.float64)
    su, sv = sets.sizes(u), sets.sizes(v)
    known = np.flatnonzero((su >= 0) & (sv >= 0))
    cost = np.cumsum(su[known] + sv[known])  # values read up to and including each pair
    start = 0
    while start < len(known):
        before = cost[start - 1] if start else 0
        end = max(start + 1, int(np.searchsorted(cost, before + PAIR_BATCH_VALUES, "right")))
        idx = known[start:end]
        a, na = sets.values(u[idx])
        b, nb = sets.values(v[idx])
        pair = np.arange(len(idx), dtype=U64)
        # (pair, value) keys: each set is sorted, so both sides are sorted and a binary search of
        # every b-key among the a-keys finds the shared values without sorting anything
        a_keyed = (np.repeat(pair, na) << U64(32)) | a.astype(U64)
        b_keyed = (np.repeat(pair, nb) << U64(32)) | b.astype(U64)
        at = np.minimum(np.searchsorted(a_keyed, b_keyed), max(len(a_keyed) - 1, 0))
        hit = a_keyed[at] == b_keyed if len(a_keyed) else np.zeros(len(b_keyed), dtype=bool)
        inter = np.bincount((b_keyed[hit] >> U64(32)).astype(np.int64), minlength=len(idx))
        union = na + nb - inter
        out[idx] = np.where(union > 0, inter / np.maximum(union, 1), 1.0)
        start = end
    return out


def similar_pairs(sets: GramSets, min_jaccard: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A predicate over pair arrays: Jaccard >= min_jaccard, each distinct pair computed once."""

    def passes(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        if not len(u):
            return np.zeros(0, dtype=bool)
        pairs, inverse = np.unique(np.stack([u, v], axis=1), axis=0, return_inverse=True)
        ok = pair_jaccard(sets, pairs[:, 0], pairs[:, 1]) >= min_jaccard - 1e-12
        return ok[inverse.reshape(-1)]

    return passes


def verified_bucket_edges(
    keys: np.ndarray,
    gids: np.ndarray,
    passes: Callable[[np.ndarray, np.ndarray], np.ndarray],
    max_heads: int = MAX_HEADS_PER_BUCKET,
) -> tuple[np.ndarray, np.ndarray]:
    """Like `lsh.bucket_edges`, but an edge (head, member) only where `passes` holds; a member that
    fails its bucket's head is tried against the next unlinked member, up to `max_heads` heads."""
    if len(keys) < 2:
        return np.zeros(0, U64), np.zeros(0, U64)
    order = np.lexsort((gids, keys))
    keys, gids = keys[order], gids[order]
    del order
    bucket = np.cumsum(np.concatenate([[True], keys[1:] != keys[:-1]])) - 1
    del keys
    alive = np.ones(len(gids), dtype=bool)
    us, vs = [], []
    for _ in range(max_heads):
        idx = np.flatnonzero(alive)
        b = bucket[idx]
        first = np.ones(len(idx), dtype=bool)
        first[1:] = b[1:] != b[:-1]
        member = ~first
        if not member.any():
            break
        head = idx[np.maximum.accumulate(np.where(first, np.arange(len(idx)), 0))]
        u, v = gids[head[member]], gids[idx[member]]
        ok = passes(u, v) & (u != v)
        us.append(u[ok])
        vs.append(v[ok])
        alive[idx[first]] = False
        alive[idx[member][ok]] = False
    return np.concatenate(us) if us else np.zeros(0, U64), np.concatenate(vs) if vs else np.zeros(0, U64)
