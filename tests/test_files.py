from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.files import read_parquet, read_tables


def _table() -> pa.Table:
    return pa.table({"doc_id": ["a", "b", None], "n": pa.array([1, None, 3], pa.int64()), "lang": ["de", "fr", "de"]})


def test_read_parquet_gives_what_read_table_gives_for_a_file(tmp_path):
    pq.write_table(_table(), tmp_path / "t.parquet", row_group_size=2)
    assert read_parquet(tmp_path / "t.parquet").equals(pq.read_table(tmp_path / "t.parquet"))
    picked = read_parquet(tmp_path / "t.parquet", ["lang", "doc_id"])
    assert picked.equals(pq.read_table(tmp_path / "t.parquet", columns=["lang", "doc_id"]))
    assert picked.column_names == ["lang", "doc_id"]


def test_read_tables_concatenates_files_in_order_and_is_none_without_files(tmp_path):
    for i in range(2):
        pq.write_table(_table().slice(i, 2), tmp_path / f"{i}.parquet")
    both = read_tables([tmp_path / "0.parquet", tmp_path / "1.parquet"], ["doc_id"])
    assert both["doc_id"].to_pylist() == ["a", "b", "b", None]
    assert read_tables([]) is None


def test_reading_a_parquet_file_does_not_go_through_pyarrow_dataset(tmp_path):
    pq.write_table(_table(), tmp_path / "t.parquet")
    code = (
        "import sys; from eurocurate.files import read_parquet; "
        f"t = read_parquet({str(tmp_path / 't.parquet')!r}); print(t.num_rows, 'pyarrow.dataset' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["3", "False"]
