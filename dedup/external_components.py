"""Connected components of an edge list larger than memory: the alternating large-star / small-star
algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014), each
round one external sort of the edges and one streaming pass over them.

Labels are the node ids themselves, so the star every component converges to is centred on its
smallest node: the same labelling as `components.connected_components`, which it replaces when the
edges do not fit in memory. The loop ends when the edges form such stars (checked exactly).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from eurocurate.dedup.external_sort import ExternalSorter, MergeMemory

U64 = np.uint64
EDGES = pa.schema([("a", pa.uint64()), ("b", pa.uint64())])
ROOTS = pa.schema([("node", pa.uint64()), ("root", pa.uint64())])


def symmetric_edges(u: np.ndarray, v: np.ndarray) -> pa.Table:
    """Both directions of every edge (a node's neighbour list is then the rows with a == node)."""
    keep = u != v
    u, v = u[keep], v[keep]
    return pa.table({"a": np.concatenate([u, v]), "b": np.concatenate([v, u])}, schema=EDGES)


def _unique_edges(tables: Iterator[pa.Table]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(a, b) arrays of sorted tables without repeated rows, also across table boundaries."""
    last: tuple[int, int] | None = None
    for table in tables:
        a, b = table["a"].to_numpy(), table["b"].to_numpy()
        fresh = np.ones(len(a), dtype=bool)
        fresh[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        if last is not None and (int(a[0]), int(b[0])) == last:
            fresh[0] = False
        last = (int(a[-1]), int(b[-1]))
        yield a[fresh], b[fresh]


class _StarPass:
    """One round over edges sorted by (a, b): emits the large- or small-star edges, each node's current
    smallest neighbour as its root, and whether the graph already is a set of stars around minima.

    A group is the neighbour list of one node `a`; it may span tables, so its first (smallest)
    neighbour is carried over.
    """

    def __init__(self, large: bool):
        self.large = large
        self.converged = True
        self._carry: tuple[int, int] | None = None  # (node, smallest neighbour) of the group in progress

    def feed(self, a: np.ndarray, b: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """(emitted edges (u, v), roots (node, root)) for one table of the stream."""
        n = len(a)
        start = np.ones(n, dtype=bool)
        start[1:] = a[1:] != a[:-1]
        continued = self._carry is not None and int(a[0]) == self._carry[0]
        start[0] = not continued
        head = np.where(start, np.arange(n), 0)
        np.maximum.accumulate(head, out=head)
        first_b = b[head]
        if continued:
            first_b[: np.argmax(start) if start.any() else n] = U64(self._carry[1])
        self._carry = (int(a[-1]), int(first_b[-1]))
        smaller, larger = b < a, b > a
        has_smaller = first_b < a
        # a star around the minimum: every node has at most one smaller neighbour, and a node with one
        # has no larger neighbour
        if ((~start & smaller) | (larger & has_smaller)).any():
            self.converged = False
        m = np.where(has_smaller, first_b, a)  # min of the closed neighbourhood (large) or of N<=(a) (small)
        if self.large:
            edges = (b[larger], m[larger])
        else:
            pick = smaller & (b != m)
            lead = start & has_smaller
            edges = (np.concatenate([b[pick], a[lead]]), np.concatenate([m[pick], m[lead]]))
        return edges, (a[start], m[start])


def external_components(
    edge_chunks: Iterable[tuple[np.ndarray, np.ndarray]], folder: str | Path, memory: MergeMemory, max_rows: int
) -> Path:
    """Write `roots.arrow` (node, root) sorted by node, root = smallest node of the component; returns it.

    `edge_chunks` yields (u, v) arrays of at most `max_rows // 2` edges; at most 5 * max_rows rows
    are held at once: the table being read, what it emits (at most twice as many rows), the roots
    it yields, and the next round's sort buffer.
    """
    folder = Path(folder)
    sorter = ExternalSorter(folder / "edges-0", EDGES, ["a", "b"], max_rows, memory)
    for u, v in edge_chunks:
        table = symmetric_edges(u, v)
        memory.take(table.num_rows)
        sorter.add(table)
        memory.give(table.num_rows)
    large = True
    while True:
        memory.component_rounds += 1
        out = ExternalSorter(folder / f"edges-{memory.component_rounds}", EDGES, ["a", "b"], max_rows, memory)
        roots_path = folder / "roots.arrow"
        star = _StarPass(large)
        with pa.ipc.new_file(str(roots_path), ROOTS) as roots:
            for a, b in _unique_edges(sorter.sorted_tables()):
                if not len(a):
                    continue
                (u, v), (node, root) = star.feed(a, b)
                emitted = symmetric_edges(u, v)
                memory.take(emitted.num_rows + len(node))
                out.add(emitted)
                roots.write_table(pa.table({"node": node, "root": root}, schema=ROOTS))
                memory.give(emitted.num_rows + len(node))
        if star.converged:
            out.close()
            return roots_path
        sorter, large = out, not large


def read_roots(path: Path) -> Iterator[pa.Table]:
    """The (node, root) tables of `external_components`, in node order, one written batch at a time."""
    source = pa.OSFile(str(path))
    try:
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            yield pa.Table.from_batches([reader.get_batch(i)])
    finally:
        source.close()
