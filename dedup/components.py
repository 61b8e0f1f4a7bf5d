"""Connected components of an edge list with vectorised union-find (hooking plus pointer jumping).

Memory is linear in the edges given, never in the corpus: only documents that share an LSH bucket
with another one appear here. Each component is labelled by its smallest node, so the result does
not depend on edge order.
"""

from __future__ import annotations

import numpy as np


def connected_components(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nodes, root of each node): nodes sorted ascending, root = the smallest node of its component."""
    if len(u) == 0:
        empty = np.zeros(0, dtype=u.dtype)
        return empty, empty
    nodes, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    ui, vi = inverse[: len(u)], inverse[len(u) :]
    parent = np.arange(len(nodes), dtype=np.int64)
    while True:
        ru, rv = parent[ui], parent[vi]
        differ = ru != rv
        if not differ.any():
            break
        ru, rv = ru[differ], rv[differ]
        # hook the larger root under the smaller: parent[x] <= x always holds, so no cycle can form
        np.minimum.at(parent, np.maximum(ru, rv), np.minimum(ru, rv))
        while True:  # pointer jumping until every node points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        ui, vi = ui[differ], vi[differ]
    return nodes, nodes[parent]
