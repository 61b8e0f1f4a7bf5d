"""Curated datasets re-entering the pipeline: JSONL (plain, gzip, zstd) and Parquet rows with a `text`."""

import gzip

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate.pipelines.ingest.datasets import jsonl_documents, parquet_documents
from eurocurate.schema import Meta, Reason

ROWS = [
    {
        "text": "Der Rat hat den Haushalt angenommen.",
        "id": "a-1",
        "url": "https://rat.example.de/haushalt",
        "metadata": {"dump": "CC-MAIN-2024-10", "title": "Haushalt"},
    },
    {
        "text": "La Commission a publié son rapport.",
        "metadata": {"url": "https://ec.example.eu/rapport", "date": "2024-02-01"},
    },
    {"id": 7, "url": "https://no-text.example.eu/"},
    {"text": "   "},
]
MAX = 1 << 20


def _jsonl_bytes() -> bytes:
    lines = [orjson.dumps(r) for r in ROWS]
    lines.insert(2, b"{not json")
    lines.insert(3, b"")  # a blank line is no row
    lines.append(b"[1, 2]")
    return b"\n".join(lines) + b"\n"


def _write(path, data: bytes) -> None:
    if path.name.lower().endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    elif path.name.lower().endswith(".zst"):
        with pa.output_stream(str(path), compression="zstd") as out:
            out.write(data)
        return
    path.write_bytes(data)


# the reader is chosen by suffix in any case; so is the codec (pyarrow's own detection reads lower case only)
@pytest.mark.parametrize("name", ["rows.jsonl", "rows.jsonl.gz", "rows.jsonl.zst", "ROWS.JSONL.GZ", "rows.jsonl.ZST"])
def test_jsonl_rows_become_plain_text_documents_with_their_ids_and_urls(tmp_path, name):
    path = tmp_path / name
    _write(path, _jsonl_bytes())
    got = list(jsonl_documents(path, MAX))
    reasons = [d.problem.reason if d.problem else None for d in got]
    assert reasons == [
        None,
        None,
        Reason.MALFORMED_ROW,
        Reason.NO_TEXT_FIELD,
        Reason.EMPTY_PAYLOAD,
        Reason.MALFORMED_ROW,
    ]
    first, second = got[0], got[1]
    assert first.text == ROWS[0]["text"] and first.metadata[Meta.CONTENT_TYPE] == "text/plain"
    assert first.metadata[Meta.SOURCE_ID] == "a-1" and first.metadata[Meta.URL] == "https://rat.example.de/haushalt"
    assert first.metadata[Meta.TITLE] == "Haushalt"  # found inside `metadata`, as datatrove writes it
    assert first.metadata[Meta.SOURCE_METADATA] == ROWS[0]["metadata"]
    assert (
        second.metadata[Meta.URL] == "https://ec.example.eu/rapport"
        and second.metadata[Meta.FETCH_DATE] == "2024-02-01"
    )
    assert got[3].metadata[Meta.SOURCE_ID] == "7"
    assert [d.key for d in got] == [f"row{i}" for i in range(6)] and len({d.key for d in got}) == 6


def test_an_oversize_jsonl_line_is_skipped_without_losing_the_next_one(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(orjson.dumps({"text": "x" * 5000}) + b"\n" + orjson.dumps({"text": "small row"}) + b"\n")
    got = list(jsonl_documents(path, 1000))
    assert got[0].problem.reason == Reason.OVERSIZE and "max_bytes 1000" in got[0].problem.evidence
    assert got[1].problem is None and got[1].text == "small row"


def test_a_broken_gzip_stream_is_one_drop_after_the_rows_before_it(tmp_path):
    data = gzip.compress(b"".join(orjson.dumps({"text": f"row {i} " * 50}) + b"\n" for i in range(200)), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    got = list(jsonl_documents(path, MAX))
    assert got[-1].problem.reason == Reason.CORRUPT_FILE
    assert all(d.problem is None for d in got[:-1]) and len(got) > 1


def test_parquet_rows_are_read_in_batches_with_sizes_checked(tmp_path):
    table = pa.table(
        {
            "doc_id": ["x1", "x2", "x3", "x4"],
            "text": ["Il Consiglio ha approvato il bilancio.", None, "y" * 3000, "Rada przyjęła budżet."],
            "url": ["https://consiglio.example.it/", None, None, "https://rada.example.pl/"],
            "metadata": [{"lang": "it"}, None, None, {"lang": "pl"}],
        }
    )
    path = tmp_path / "rows.parquet"
    pq.write_table(table, path, row_group_size=2)
    got = list(parquet_documents(path, 1000))
    assert [d.problem.reason if d.problem else None for d in got] == [None, Reason.NO_TEXT_FIELD, Reason.OVERSIZE, None]
    assert got[0].metadata[Meta.SOURCE_ID] == "x1" and got[0].metadata[Meta.SOURCE_METADATA] == {"lang": "it"}
    assert got[3].text == "Rada przyjęła budżet." and got[3].metadata[Meta.INPUT_FORMAT] == "parquet"


def test_parquet_without_a_text_column_or_not_parquet_at_all_is_one_drop(tmp_path):
    pq.write_table(pa.table({"content": ["a"]}), tmp_path / "no-text.parquet")
    [doc] = list(parquet_documents(tmp_path / "no-text.parquet", MAX))
    assert doc.problem.reason == Reason.NO_TEXT_FIELD and "no `text` column" in doc.problem.evidence
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 not really")
    [doc] = list(parquet_documents(tmp_path / "junk.parquet", MAX))
    assert doc.problem.reason == Reason.CORRUPT_FILE


def test_a_parquet_batch_never_holds_more_text_than_max_bytes_allows(tmp_path):
    """One dictionary value repeated: 11 rows of 2 MB stored in a few KB. Read in the 1,024-row batches of before, all
    of them were held (and converted) at once; now a row group whose text could exceed max_bytes is read a row at a
    time, and an oversize row is a drop."""
    from eurocurate.pipelines.ingest.datasets import _batch_rows

    big = "a" * 2_000_000
    table = pa.table({"text": pa.array(["ok"] + [big] * 11 + ["fine"], pa.large_string())})
    path = tmp_path / "bomb.parquet"
    pq.write_table(table, path, compression="zstd")
    assert path.stat().st_size < 20_000
    pf = pq.ParquetFile(path)
    assert _batch_rows(pf, 0, 1_000_000) == 1
    got = list(parquet_documents(path, 1_000_000))
    assert [d.problem.reason if d.problem else d.text for d in got] == ["ok", *[Reason.OVERSIZE] * 11, "fine"]
    small = tmp_path / "small.parquet"
    pq.write_table(pa.table({"text": ["Rada przyjęła budżet."] * 100}), small)
    assert _batch_rows(pq.ParquetFile(small), 0, 1_000_000) == 1024  # small row groups keep whole batches


def test_a_byte_order_mark_before_the_first_jsonl_row_does_not_make_it_malformed(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "Der Rat tagte."}\n{"text": "Er beschloss den Haushalt."}\n')
    assert [(d.problem, d.text) for d in jsonl_documents(path, MAX)] == [
        (None, "Der Rat tagte."), (None, "Er beschloss den Haushalt.")
    ]  # fmt: skip
