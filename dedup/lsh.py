"""LSH bucketing as partitioned work over band keys on disk: partition `p` of `n` takes the keys with
`key % n == p`, in passes sized so that at most `max_keys_in_memory` (key, gid) pairs are resident,
sorts them, links every document of a bucket to the bucket's smallest gid, and compresses the links
into one edge per clustered document (its component root within this partition).

Partitions are claimed with `flock` on a per-partition lock file, so any task may do any partition:
tasks run in parallel on different partitions, the merging task finishes whatever is left (no
deadlock with one worker), and a task that died releases its claim with its process.
"""

from __future__ import annotations

import fcntl
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from eurocurate.dedup.components import connected_components
from eurocurate.dedup.minhash import NO_KEY
from eurocurate.dedup.signature_store import ROW_BITS, KeySource, iter_key_chunks
from eurocurate.dedup.verification import verified_bucket_edges
from eurocurate.files import publish, tmp_path

log = logging.getLogger(__name__)
U64 = np.uint64


def partition_path(parts_dir: str | Path, part: int) -> Path:
    return Path(parts_dir) / f"edges-{part:05d}.npy"


def passes_needed(sources: list[KeySource], n_parts: int, max_keys_in_memory: int) -> int:
    """Passes per partition so that one pass holds at most `max_keys_in_memory` keys (hash-uniform)."""
    total = sum(s.rows * s.bands for s in sources)
    return max(1, math.ceil(total / n_parts / max_keys_in_memory))


def bucket_edges(keys: np.ndarray, gids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Star edges (smallest gid of the bucket, other member) for every bucket with two or more gids.

    Consumes its inputs' memory in place where it can: peak is about 32 bytes per key.
    """
    if len(keys) < 2:
        return np.zeros(0, U64), np.zeros(0, U64)
    order = np.lexsort((gids, keys))
    keys = keys[order]
    gids = gids[order]
    del order
    new_run = np.empty(len(keys), dtype=bool)
    new_run[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_run[1:])
    del keys
    head = np.where(new_run, np.arange(len(new_run)), 0)
    np.maximum.accumulate(head, out=head)  # index of each element's bucket head
    member = ~new_run
    u, v = gids[head[member]], gids[member]
    keep = u != v  # a document may meet itself in two bands' keys only by a 2^-64 accident
    return u[keep], v[keep]


def partition_edges(
    sources: list[KeySource],
    part: int,
    n_parts: int,
    max_keys_in_memory: int,
    chunk_rows: int = 1 << 16,
    similar: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(node, root) for every document of a non-trivial component among this partition's buckets.

    With `similar` (a predicate over gid pairs, see `verification`), bucket members are only linked
    where it holds.
    """
    passes = passes_needed(sources, n_parts, max_keys_in_memory)
    modulus = U64(n_parts * passes)
    nodes_so_far = roots_so_far = np.zeros(0, U64)
    for q in range(passes):
        target = U64(q * n_parts + part)
        sel_keys, sel_gids = [], []
        for index, source in enumerate(sources):
            base = U64(index << ROW_BITS)
            for lo, chunk in iter_key_chunks(source, chunk_rows):
                flat = chunk.reshape(-1)
                hit = np.flatnonzero((flat % modulus == target) & (flat != U64(NO_KEY)))
                if len(hit):
                    sel_keys.append(flat[hit])
                    sel_gids.append(base + (hit // source.bands + lo).astype(U64))
        if not sel_keys:
            continue
        keys = np.concatenate(sel_keys)
        sel_keys.clear()
        gids = np.concatenate(sel_gids)
        sel_gids.clear()
        u, v = bucket_edges(keys, gids) if similar is None else verified_bucket_edges(keys, gids, similar)
        del keys, gids
        # fold into the forest of earlier passes: repeated pairs over bands and passes collapse here,
        # so what is carried between passes is one edge per clustered document
        nodes, roots = connected_components(np.concatenate([roots_so_far, u]), np.concatenate([nodes_so_far, v]))
        linked = nodes != roots
        nodes_so_far, roots_so_far = nodes[linked], roots[linked]
    return nodes_so_far, roots_so_far


def write_partition(path: Path, nodes: np.ndarray, roots: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(path)
    with open(tmp, "wb") as f:
        np.save(f, np.stack([nodes, roots]).astype(U64))
    publish(tmp, path)


def read_partition(path: Path) -> tuple[np.ndarray, np.ndarray]:
    data = np.load(path)
    return data[0], data[1]


def partition_header(f: BinaryIO) -> tuple[int, np.dtype]:
    """(edges, dtype) of an open partition file, leaving `f` at the start of the node row."""
    version = np.lib.format.read_magic(f)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = read(f)
    return int(shape[1]), dtype


def partition_edge_count(parts_dir: str | Path, n_parts: int) -> int:
    """Edges (one per clustered document of a partition) over all partition files, from their headers."""
    total = 0
    for p in range(n_parts):
        with open(partition_path(parts_dir, p), "rb") as f:
            total += partition_header(f)[0]
    return total


def _lock_path(parts_dir: str | Path, part: int) -> Path:
    return Path(parts_dir) / "locks" / f"part-{part:05d}.lock"


def run_partition_claimed(
    parts_dir: str | Path, part: int, work: Callable[[], tuple[np.ndarray, np.ndarray]], block: bool = True
) -> bool:
    """Compute partition `part` unless it is done or (with block=False) claimed by a live task.

    Returns True when the partition is done on return.
    """
    lock = _lock_path(parts_dir, part)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        try:
            out = partition_path(parts_dir, part)
            if not out.is_file():
                nodes, roots = work()
                write_partition(out, nodes, roots)
                log.info("lsh partition written", extra={"partition": part, "edges": len(nodes)})
            return True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def finish_all_partitions(parts_dir: str | Path, n_parts: int, work_for: Callable[[int], Callable]) -> None:
    """Make sure every partition is written: take free ones first, then wait for those others hold."""
    pending = [p for p in range(n_parts) if not partition_path(parts_dir, p).is_file()]
    while pending:
        pending = [p for p in pending if not run_partition_claimed(parts_dir, p, work_for(p), block=False)]
        if pending:
            run_partition_claimed(parts_dir, pending[0], work_for(pending[0]), block=True)
            pending = pending[1:]
