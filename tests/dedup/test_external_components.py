import numpy as np
import pyarrow as pa

from eurocurate.dedup.components import connected_components
from eurocurate.dedup.external_components import ROOTS, external_components, read_roots
from eurocurate.dedup.external_sort import MergeMemory


def _external(u: np.ndarray, v: np.ndarray, folder, max_rows: int) -> tuple[dict[int, int], MergeMemory]:
    memory = MergeMemory(cap=5 * max_rows)
    chunks = [(u[i : i + max_rows // 2], v[i : i + max_rows // 2]) for i in range(0, len(u), max_rows // 2)]
    roots = pa.concat_tables(
        [ROOTS.empty_table(), *read_roots(external_components(iter(chunks), folder, memory, max_rows))]
    )
    assert roots["node"].to_numpy().tolist() == sorted(roots["node"].to_numpy().tolist())
    return dict(zip(roots["node"].to_numpy().tolist(), roots["root"].to_numpy().tolist())), memory


def test_external_components_equal_union_find_on_random_graphs_with_long_chains(tmp_path):
    rng = np.random.default_rng(11)
    for trial, random_edges in enumerate((800, 2500)):
        ids = rng.permutation(1 << 20)[:3000].astype(np.uint64)  # sparse, shuffled ids: chains zig-zag
        u, v = rng.integers(0, 3000, random_edges), rng.integers(0, 3000, random_edges)
        chain = np.arange(600)
        u, v = ids[np.concatenate([u, chain[:-1]])], ids[np.concatenate([v, chain[1:]])]
        got, memory = _external(u, v, tmp_path / str(trial), max_rows=800)
        nodes, roots = connected_components(u[u != v], v[u != v])
        assert got == dict(zip(nodes.tolist(), roots.tolist()))
        assert memory.component_rounds > 2 and memory.runs_spilled > 1 and memory.peak <= memory.cap


def test_external_components_of_no_edges_is_empty(tmp_path):
    got, memory = _external(np.zeros(0, np.uint64), np.zeros(0, np.uint64), tmp_path, max_rows=200)
    assert got == {} and memory.component_rounds == 1
