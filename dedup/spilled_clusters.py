"""The final merge when the clustered documents exceed `max_docs_in_memory`: the same decision rows,
in the same order, as `clusters.write_decisions`, with every step an external sort or a stream.

1. components of all partitions' edges (`external_components`): (node, root) in node order;
2. cluster sizes: the roots sorted by (root, node), counted per root;
3. (root, earlier-or-new, order_key, gid, doc_id): the roots streamed beside each source's document
   table (both in row order), sorted as the in-memory path sorts them, so that the keeper comes first;
4. verdicts per member joined with the sizes, re-sorted by (source, position) and written per rank.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from eurocurate.dedup.clusters import DECISIONS_SCHEMA, EARLIER, KEEP, NEAR, decisions_path
from eurocurate.dedup.external_components import external_components, read_roots
from eurocurate.dedup.external_sort import ExternalSorter, MergeMemory
from eurocurate.dedup.lsh import partition_header, partition_path
from eurocurate.dedup.signature_store import ROW_BITS, KeySource
from eurocurate.files import PARQUET_OPTIONS, publish, tmp_path

U64 = np.uint64
SHARES = 5  # every phase holds at most five buffers of cap // SHARES rows (see external_components)
SIZES = pa.schema([("root", pa.uint64()), ("size", pa.int64())])
MEMBERS = pa.schema(
    [
        ("root", pa.uint64()),
        ("new", pa.bool_()),
        ("order_key", pa.string()),
        ("gid", pa.uint64()),
        ("doc_id", pa.string()),
        ("source", pa.int64()),
    ]
)
VERDICTS = pa.schema(
    [
        ("source", pa.int64()),
        ("seq", pa.uint64()),
        ("doc_id", pa.string()),
        ("verdict", pa.string()),
        ("duplicate_of", pa.string()),
        ("cluster_size", pa.int64()),
    ]
)


def partition_edge_chunks(parts_dir: str | Path, n_parts: int, rows: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(root, node) chunks of every partition file, read `rows` at a time with plain reads."""
    for p in range(n_parts):
        with open(partition_path(parts_dir, p), "rb") as f:
            n, dtype = partition_header(f)
            offset = f.tell()
            for lo in range(0, n, rows):
                count = min(rows, n - lo)
                f.seek(offset + lo * dtype.itemsize)
                nodes = np.fromfile(f, dtype=dtype, count=count).astype(U64)
                f.seek(offset + (n + lo) * dtype.itemsize)
                roots = np.fromfile(f, dtype=dtype, count=count).astype(U64)
                yield roots, nodes


def _write_sizes(roots_path: Path, path: Path, work: Path, memory: MergeMemory, rows: int) -> int:
    """Members per root, in root order, to `path`; returns the number of clustered documents."""
    by_root = ExternalSorter(
        work / "by-root", pa.schema([("root", pa.uint64()), ("node", pa.uint64())]), ["root", "node"], rows, memory
    )
    total = 0
    for table in read_roots(roots_path):
        memory.take(table.num_rows)
        by_root.add(table.select(["root", "node"]))
        memory.give(table.num_rows)
        total += table.num_rows
    carry: tuple[int, int] | None = None  # (root, members so far) of the group that may continue
    with pa.ipc.new_file(str(path), SIZES) as out:
        for table in by_root.sorted_tables():
            root = table["root"].to_numpy()
            start = np.ones(len(root), dtype=bool)
            start[1:] = root[1:] != root[:-1]
            starts = np.flatnonzero(start)
            sizes = np.diff(np.append(starts, len(root)))
            keys = root[starts]
            if carry is not None:
                if int(keys[0]) == carry[0]:
                    sizes[0] += carry[1]
                else:
                    out.write_table(pa.table({"root": [carry[0]], "size": [carry[1]]}, schema=SIZES))
            carry = (int(keys[-1]), int(sizes[-1]))
            out.write_table(pa.table({"root": keys[:-1], "size": sizes[:-1]}, schema=SIZES))
        if carry is not None:
            out.write_table(pa.table({"root": [carry[0]], "size": [carry[1]]}, schema=SIZES))
    return total


class _DocRows:
    """Rows of one source's document table, taken in increasing row order a Parquet batch at a time."""

    def __init__(self, source: KeySource, batch_rows: int, memory: MergeMemory):
        self._batches = pq.ParquetFile(source.docs).iter_batches(batch_size=batch_rows, columns=["doc_id", "order_key"])
        self._memory = memory
        self._lo = 0
        self._table = pa.table({"doc_id": pa.array([], pa.string()), "order_key": pa.array([], pa.string())})

    def take(self, rows: np.ndarray) -> pa.Table:
        parts = []
        while len(rows):
            hi = self._lo + self._table.num_rows
            inside = rows < hi
            if inside.any():
                parts.append(self._table.take(pa.array(rows[inside] - self._lo)))
                rows = rows[~inside]
            if len(rows):
                self._advance()
        return pa.concat_tables(parts)

    def _advance(self) -> None:
        self._lo += self._table.num_rows
        self._memory.give(self._table.num_rows)
        self._table = pa.Table.from_batches([next(self._batches)])
        self._memory.take(self._table.num_rows)

    def close(self) -> None:
        self._memory.give(self._table.num_rows)


def _sort_members(
    roots_path: Path, sources: list[KeySource], work: Path, memory: MergeMemory, rows: int
) -> ExternalSorter:
    """Every clustered document with what the keeper choice needs, sorted keeper-first per cluster."""
    members = ExternalSorter(work / "members", MEMBERS, ["root", "new", "order_key", "gid"], rows, memory)
    new_of = np.array([not s.earlier for s in sources], dtype=bool)
    cursor: tuple[int, _DocRows] | None = None
    for table in read_roots(roots_path):
        memory.take(table.num_rows)
        gid, root = table["node"].to_numpy(), table["root"].to_numpy()
        src = (gid >> U64(ROW_BITS)).astype(np.int64)
        row = (gid & U64((1 << ROW_BITS) - 1)).astype(np.int64)
        for s in np.unique(src):  # gid order: sources ascending, rows ascending within one
            if cursor is None or cursor[0] != s:
                if cursor is not None:
                    cursor[1].close()
                cursor = (int(s), _DocRows(sources[s], rows, memory))
            mine = np.flatnonzero(src == s)
            docs = cursor[1].take(row[mine])
            memory.take(len(mine))
            members.add(
                pa.table(
                    {
                        "root": root[mine],
                        "new": np.full(len(mine), new_of[s]),
                        "order_key": pc.fill_null(docs["order_key"], ""),
                        "gid": gid[mine],
                        "doc_id": docs["doc_id"],
                        "source": np.full(len(mine), s, dtype=np.int64),
                    },
                    schema=MEMBERS,
                )
            )
            memory.give(len(mine))
        memory.give(table.num_rows)
    if cursor is not None:
        cursor[1].close()
    return members


class _SizeLookup:
    """Cluster sizes by root for tables whose roots ascend, read from the sizes file as needed."""

    def __init__(self, path: Path, memory: MergeMemory):
        self._source = pa.OSFile(str(path))
        self._reader = pa.ipc.open_file(self._source)
        self._next = 0
        self._memory = memory
        self._roots = np.zeros(0, U64)
        self._sizes = np.zeros(0, np.int64)

    def sizes(self, roots: np.ndarray) -> np.ndarray:
        last = roots[-1]
        while (not len(self._roots) or self._roots[-1] < last) and self._next < self._reader.num_record_batches:
            batch = self._reader.get_batch(self._next)
            self._next += 1
            self._roots = np.concatenate([self._roots, batch["root"].to_numpy()])
            self._sizes = np.concatenate([self._sizes, batch["size"].to_numpy()])
            self._memory.take(batch.num_rows)
        found = self._sizes[np.searchsorted(self._roots, roots)]
        done = int(np.searchsorted(self._roots, last))  # keep `last`: the next table may continue its cluster
        self._memory.give(done)
        self._roots, self._sizes = self._roots[done:], self._sizes[done:]
        return found

    def close(self) -> None:
        self._memory.give(len(self._roots))
        self._source.close()


def _verdicts(
    members: ExternalSorter, sizes_path: Path, sources: list[KeySource], work: Path, memory: MergeMemory, rows: int
) -> ExternalSorter:
    """One row per member of this run: keeper of its cluster, verdict, size; sorted by (source, position)."""
    out = ExternalSorter(work / "verdicts", VERDICTS, ["source", "seq"], rows, memory)
    lookup = _SizeLookup(sizes_path, memory)
    earlier_source = np.array([s.earlier for s in sources], dtype=bool)
    carry: tuple[int, str, bool] | None = None  # (root, keeper doc_id, keeper is new) of the open cluster
    seq = 0
    for table in members.sorted_tables():
        n = table.num_rows
        root = table["root"].to_numpy()
        first = np.ones(n, dtype=bool)
        first[1:] = root[1:] != root[:-1]
        if carry is not None and int(root[0]) == carry[0]:
            first[0] = False
        head = np.where(first, np.arange(n), -1)
        np.maximum.accumulate(head, out=head)
        doc_ids = table["doc_id"].combine_chunks()
        new = table["new"].to_numpy(zero_copy_only=False)
        from_carry = head < 0  # rows of a cluster whose keeper came in an earlier table
        keeper = doc_ids.take(pa.array(np.where(from_carry, 0, head)))
        keeper_new = new[np.maximum(head, 0)]
        if from_carry.any():
            keeper = pc.if_else(pa.array(from_carry), pa.scalar(carry[1]), keeper)
            keeper_new = np.where(from_carry, carry[2], keeper_new)
        verdict = np.where(first, KEEP, np.where(keeper_new, NEAR, EARLIER))
        carry = (int(root[-1]), keeper[n - 1].as_py(), bool(keeper_new[-1]))
        source = table["source"].to_numpy()
        mine = np.flatnonzero(~earlier_source[source])
        memory.take(len(mine))
        out.add(
            pa.table(
                {
                    "source": source[mine],
                    "seq": np.arange(seq, seq + n, dtype=U64)[mine],
                    "doc_id": doc_ids.take(pa.array(mine)),
                    "verdict": verdict[mine],
                    "duplicate_of": keeper.take(pa.array(mine)),
                    "cluster_size": lookup.sizes(root)[mine],
                },
                schema=VERDICTS,
            )
        )
        memory.give(len(mine))
        seq += n
    lookup.close()
    return out


def _write_per_rank(verdicts: ExternalSorter, sources: list[KeySource], decisions_dir: str | Path) -> dict[str, int]:
    counts = {KEEP: 0, NEAR: 0, EARLIER: 0}
    writers: dict[int, tuple[pq.ParquetWriter, Path, Path]] = {}

    def open_writer(s: int) -> pq.ParquetWriter:
        if s not in writers:
            final = decisions_path(decisions_dir, sources[s].rank)
            final.parent.mkdir(parents=True, exist_ok=True)
            writers[s] = (
                pq.ParquetWriter(tmp_path(final), DECISIONS_SCHEMA, **PARQUET_OPTIONS),
                tmp_path(final),
                final,
            )
        return writers[s][0]

    def finish(s: int) -> None:
        writer, tmp, final = writers.pop(s)
        writer.close()
        publish(tmp, final)

    pending = iter(i for i, s in enumerate(sources) if not s.earlier)  # ranks in order; empty ones too
    current = next(pending, None)
    for table in verdicts.sorted_tables():
        source = table["source"].to_numpy()
        for s in np.unique(source):
            while current is not None and current < s:
                open_writer(current)
                finish(current)
                current = next(pending, None)
            part = table.filter(pa.array(source == s))
            for v, c in zip(*np.unique(part["verdict"].to_numpy(zero_copy_only=False), return_counts=True)):
                counts[str(v)] += int(c)
            open_writer(int(s)).write_table(
                pa.table(
                    {
                        "doc_id": part["doc_id"],
                        "verdict": part["verdict"],
                        "duplicate_of": part["duplicate_of"],
                        "cluster_id": part["duplicate_of"],
                        "cluster_size": part["cluster_size"],
                    },
                    schema=DECISIONS_SCHEMA,
                )
            )
    while current is not None:
        open_writer(current)
        finish(current)
        current = next(pending, None)
    for s in list(writers):
        finish(s)
    return counts


def write_decisions_spilled(
    sources: list[KeySource],
    parts_dir: str | Path,
    n_parts: int,
    decisions_dir: str | Path,
    max_docs_in_memory: int,
    work_dir: str | Path,
) -> tuple[dict, MergeMemory]:
    """`clusters.write_decisions` holding at most `max_docs_in_memory` rows at once; returns (counts, memory)."""
    memory = MergeMemory(max_docs_in_memory)
    rows = max_docs_in_memory // SHARES
    work = Path(work_dir)
    shutil.rmtree(work, ignore_errors=True)  # leftovers of a killed attempt
    try:
        roots_path = external_components(
            partition_edge_chunks(parts_dir, n_parts, rows // 2), work / "components", memory, rows
        )
        sizes_path = work / "sizes.arrow"
        clustered = _write_sizes(roots_path, sizes_path, work, memory, rows)
        members = _sort_members(roots_path, sources, work, memory, rows)
        verdicts = _verdicts(members, sizes_path, sources, work, memory, rows)
        counts = _write_per_rank(verdicts, sources, decisions_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "clustered": clustered,
        "kept_in_clusters": counts[KEEP],
        "near": counts[NEAR],
        "earlier": counts[EARLIER],
    }, memory
