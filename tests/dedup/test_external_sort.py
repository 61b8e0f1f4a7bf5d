import numpy as np
import pyarrow as pa

from eurocurate.dedup.external_sort import ExternalSorter, MergeMemory

SCHEMA = pa.schema([("group", pa.uint64()), ("name", pa.string()), ("n", pa.int64())])


def _tables(rng, rows: int, per_table: int) -> list[pa.Table]:
    group = rng.integers(0, 50, rows).astype(np.uint64)
    name = [f"k{x}" for x in rng.integers(0, 1000, rows)]
    n = np.arange(rows)  # unique, so the expected order is total
    table = pa.table({"group": group, "name": name, "n": n}, schema=SCHEMA)
    return [table.slice(i, per_table) for i in range(0, rows, per_table)]


def test_spilled_sort_equals_the_in_memory_sort_and_never_holds_more_than_its_budget(tmp_path):
    rng = np.random.default_rng(7)
    tables = _tables(rng, 20_000, 999)
    keys = ["group", "name", "n"]
    memory = MergeMemory(cap=300)
    sorter = ExternalSorter(tmp_path / "s", SCHEMA, keys, max_rows=300, memory=memory)
    for t in tables:
        sorter.add(t)
    got = pa.concat_tables(list(sorter.sorted_tables()))
    expected = pa.concat_tables(tables).sort_by([(k, "ascending") for k in keys])
    assert got.equals(expected)
    assert memory.runs_spilled > 67  # 20,000 rows in runs of 300, plus the runs of intermediate passes
    assert memory.merge_passes > 1  # more runs than one merge may open at once
    assert memory.peak <= 300 and memory.held == 0
    assert not (tmp_path / "s").exists()


def test_a_sort_that_fits_stays_in_memory(tmp_path):
    memory = MergeMemory(cap=1000)
    sorter = ExternalSorter(tmp_path / "s", SCHEMA, ["n"], max_rows=1000, memory=memory)
    sorter.add(pa.table({"group": np.zeros(3, np.uint64), "name": ["c", "a", "b"], "n": [3, 1, 2]}, schema=SCHEMA))
    assert pa.concat_tables(list(sorter.sorted_tables()))["name"].to_pylist() == ["a", "b", "c"]
    assert memory.runs_spilled == 0 and not (tmp_path / "s").exists()
