from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.files import PARQUET_OPTIONS, TMP_MARK, StreamingParquet, read_parquet, read_tables


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


_SCHEMA = pa.schema([("doc_id", pa.string()), ("n", pa.int64()), ("text", pa.large_string()), ("score", pa.float32())])
_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "doc_id": st.text(max_size=8),
            "n": st.none() | st.integers(-(2**63), 2**63 - 1),
            "text": st.none() | st.text(max_size=30),
            "score": st.none() | st.floats(width=32, allow_nan=False),
        }
    ),
    max_size=40,
)


@given(_ROWS, st.integers(1, 50), st.sampled_from([None, 3]))
def test_rows_appended_one_by_one_are_the_file_parquet_writes_from_the_whole_table(
    tmp_path_factory, rows, flush, group
):
    # the same bytes as the full batches of `flush` rows, then the rest (even none), written as tables: a resumed run
    # reproduces a file byte for byte
    folder = tmp_path_factory.mktemp("s")
    out = StreamingParquet(folder / "sub" / "s.parquet", _SCHEMA, flush_rows=flush, row_group_size=group)
    assert [out.append(r) for r in rows] == list(range(len(rows)))
    path = out.close()
    expected = folder / "expected.parquet"
    with pq.ParquetWriter(expected, _SCHEMA, **PARQUET_OPTIONS) as w:
        full = len(rows) - len(rows) % flush
        for batch in [*(rows[i : i + flush] for i in range(0, full, flush)), rows[full:]]:
            w.write_table(pa.Table.from_pylist(batch, schema=_SCHEMA), row_group_size=group)
    assert path.read_bytes() == expected.read_bytes()
    assert read_parquet(path).to_pylist() == rows
    assert not list(path.parent.glob(f"*{TMP_MARK}*"))


def test_an_aborted_file_leaves_nothing_under_its_name_nor_a_temporary(tmp_path):
    out = StreamingParquet(tmp_path / "a.parquet", _SCHEMA, flush_rows=1)
    out.append({"doc_id": "x", "n": 1})
    out.abort()
    assert list(tmp_path.iterdir()) == []
