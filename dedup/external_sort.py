"""Sorting more rows than fit in memory: Arrow tables buffered up to a row budget, spilled as sorted
runs (Arrow IPC files), then merged a block per run at a time. What the bounded final merge of
near-dedup (`spilled_clusters`) builds on; it knows nothing about documents.

`MergeMemory` counts the rows every buffer holds, so that a caller can show its peak stays under
the configured cap, and the runs spilled.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

MAX_FAN_IN = 16  # runs one merge reads at once: fewer, larger blocks cost less per row than many small
MIN_BLOCK_ROWS = 64  # below this a merge takes fewer runs at once (more passes) rather than smaller blocks


@dataclass
class MergeMemory:
    """Rows held in memory right now and at most, and how much was spilled to disk."""

    cap: int
    held: int = 0
    peak: int = 0
    runs_spilled: int = 0
    merge_passes: int = 0
    component_rounds: int = 0

    def take(self, rows: int) -> None:
        self.held += rows
        self.peak = max(self.peak, self.held)

    def give(self, rows: int) -> None:
        self.held -= rows


class _Head:
    """The block of one run being merged: its table, its key columns as numpy, the first row not yet emitted."""

    def __init__(self, table: pa.Table, keys: list[str]):
        self.table = table
        self.cols = [table[k].to_numpy() if pa.types.is_integer(table.schema.field(k).type) else
                     np.asarray(table[k].to_numpy(zero_copy_only=False)) for k in keys]  # fmt: skip
        self.start = 0

    def last_key(self) -> tuple:
        return tuple(c[-1] for c in self.cols)

    def count_at_or_below(self, bound: tuple) -> int:
        """Rows from `start` whose key tuple is <= bound: a binary search per key column (rows are sorted)."""
        lo, hi = self.start, len(self.cols[0])
        for i, (col, value) in enumerate(zip(self.cols, bound)):
            left = lo + int(np.searchsorted(col[lo:hi], value, "left"))
            right = lo + int(np.searchsorted(col[lo:hi], value, "right"))
            if i == len(bound) - 1:
                return right - self.start
            lo, hi = left, right  # rows before `left` are below the bound; ties decide on the next key
            if lo == hi:
                return lo - self.start
        return hi - self.start


class _RunReader:
    """One spilled run, read a few record batches at a time (plain reads: no memory map, no hidden RSS)."""

    def __init__(self, path: Path):
        self.source = pa.OSFile(str(path))
        self.reader = pa.ipc.open_file(self.source)
        self.next_batch = 0

    def read(self, batches: int) -> pa.Table | None:
        end = min(self.next_batch + batches, self.reader.num_record_batches)
        if self.next_batch >= end:
            self.source.close()
            return None
        table = pa.Table.from_batches([self.reader.get_batch(i) for i in range(self.next_batch, end)])
        self.next_batch = end
        return table


class ExternalSorter:
    """Collects tables with `add`, yields all rows sorted by `keys` from `sorted_tables`.

    At most `max_rows` rows are held at once (buffer while adding; run blocks, and the table handed
    out, while merging). Fewer rows than that never touch the disk.
    """

    def __init__(self, folder: str | Path, schema: pa.Schema, keys: list[str], max_rows: int, memory: MergeMemory):
        if max_rows < 8:
            raise ValueError(f"an external sort needs max_rows >= 8, got {max_rows}")
        self.folder = Path(folder)
        self.schema, self.keys, self.max_rows, self.memory = schema, keys, max_rows, memory
        self.fan_in = max(2, min(MAX_FAN_IN, max_rows // (2 * MIN_BLOCK_ROWS)))
        self.batch_rows = max(1, max_rows // (2 * self.fan_in))  # merge heads hold <= fan_in batches: max_rows / 2
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._runs: list[Path] = []
        self._names = itertools.count()
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        table = table.select(self.schema.names)
        start = 0
        while start < table.num_rows:
            part = table.slice(start, self.max_rows - self._buffered)
            self._buffer.append(part)
            self._buffered += part.num_rows
            self.memory.take(part.num_rows)
            start += part.num_rows
            if self._buffered >= self.max_rows:
                self._spill()
        self.rows += table.num_rows

    def sorted_tables(self) -> Iterator[pa.Table]:
        """All rows in key order, as tables of at most `max_rows` rows; consumes the sorter."""
        if not self._runs:
            table = self._take_buffer()
            if table.num_rows:
                yield table
            self.memory.give(table.num_rows)
            return
        if self._buffered:
            self._spill()
        while len(self._runs) > self.fan_in:  # merge passes until one final merge can take every run
            self.memory.merge_passes += 1
            runs, self._runs = self._runs, []
            for group in (runs[i : i + self.fan_in] for i in range(0, len(runs), self.fan_in)):
                self._write_run(self._merge(group))
                for path in group:
                    path.unlink()
        self.memory.merge_passes += 1
        yield from self._merge(self._runs)
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.memory.give(self._buffered)
        self._buffer, self._buffered, self._runs = [], 0, []

    def _take_buffer(self) -> pa.Table:
        table = pa.concat_tables(self._buffer) if self._buffer else self.schema.empty_table()
        self._buffer, self._buffered = [], 0
        return table.sort_by([(k, "ascending") for k in self.keys]) if table.num_rows else table

    def _spill(self) -> None:
        rows = self._buffered
        self._write_run(iter([self._take_buffer()]))
        self.memory.give(rows)

    def _write_run(self, tables: Iterator[pa.Table]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"run-{next(self._names):06d}.arrow"
        with pa.ipc.new_file(str(path), self.schema) as writer:
            for table in tables:
                writer.write_table(table, max_chunksize=self.batch_rows)
        self._runs.append(path)
        self.memory.runs_spilled += 1

    def _merge(self, paths: list[Path]) -> Iterator[pa.Table]:
        """k-way merge: emit every row <= the smallest last key among the runs' current blocks.

        Each step exhausts at least the block holding that smallest last key, so the merge advances;
        a run's later rows are >= its block's last key, so nothing smaller can still be on disk.
        With fewer runs than the fan-in, each run's block is larger (still max_rows / 2 in all).
        """
        batches = max(1, self.fan_in // len(paths))
        readers = [_RunReader(p) for p in paths]
        heads: dict[int, _Head] = {}

        def load(i: int) -> None:
            table = readers[i].read(batches)
            if table is not None:
                heads[i] = _Head(table, self.keys)
                self.memory.take(table.num_rows)

        for i in range(len(readers)):
            load(i)
        while heads:
            bound = min(head.last_key() for head in heads.values())
            taken = []
            for i in list(heads):
                head = heads[i]
                count = head.count_at_or_below(bound)
                if count:
                    taken.append(head.table.slice(head.start, count))
                    head.start += count
                if head.start == head.table.num_rows:
                    del heads[i]
                    load(i)
            out = pa.concat_tables(taken)
            if len(taken) > 1:
                out = out.sort_by([(k, "ascending") for k in self.keys])
            yield out
            self.memory.give(out.num_rows)
