"""Curated datasets re-entering the pipeline: JSON Lines (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`) and Parquet
rows with a string `text`, and optionally `id`/`doc_id`, `url`, `title`, `fetch_date`/`date`, `metadata`.

The text is already plain text (marked so, the extractor passes it through). A row's own id and
metadata object are kept under `source_id` / `source_metadata`, never mixed into the pipeline's keys;
`url`, `title` and the date are also looked up inside `metadata` (datatrove writes them there).
Decompression is pyarrow's (gzip, zstd), so no codec package is needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import io
from collections.abc import Iterator, Mapping
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT, SourceDocument
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

_BATCH_ROWS = 1024
_SKIP_CHUNK = 1 << 20
# Row fields (top level, else inside `metadata`) → document metadata keys.
_FIELDS = ((Meta.URL, ("url",)), (Meta.TITLE, ("title",)), (Meta.FETCH_DATE, ("fetch_date", "date")))
_ID_FIELDS = ("id", "doc_id")
_COLUMNS = ("text", "metadata", *_ID_FIELDS, *(name for _, names in _FIELDS for name in names))


def _jsonable(value: object) -> object:
    """A value as JSON can hold it (Parquet gives datetimes, decimals, bytes and map pairs)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | bytes | dt.timedelta):
        return str(value)
    return value


def row_document(row: Mapping[str, object], index: int, fmt: str) -> SourceDocument:
    """The document of one dataset row (the caller has checked the size limit)."""
    md: dict[str, object] = {Meta.INPUT_FORMAT: fmt, Meta.CONTENT_TYPE: PLAIN_TEXT}
    extra = row.get("metadata")
    if isinstance(extra, str):
        with contextlib.suppress(orjson.JSONDecodeError):  # not JSON: kept as the string it is
            extra = orjson.loads(extra)
    if extra is not None:
        md[Meta.SOURCE_METADATA] = _jsonable(extra)
    nested = extra if isinstance(extra, Mapping) else {}
    for key, names in _FIELDS:
        value = next((v for n in names for v in (row.get(n), nested.get(n)) if v is not None), None)
        if value is not None:
            md[key] = str(_jsonable(value))
    source_id = next((row[n] for n in _ID_FIELDS if row.get(n) is not None), None)
    if source_id is not None:
        md[Meta.SOURCE_ID] = str(source_id)
    text = row.get("text")
    key = f"row{index}"
    if not isinstance(text, str):
        found = "no `text`" if text is None else f"`text` of type {type(text).__name__}"
        return SourceDocument(key, index, "", md, Drop(Reason.NO_TEXT_FIELD, f"row {index}: {found}"))
    if not text.strip():
        return SourceDocument(key, index, "", md, Drop(Reason.EMPTY_PAYLOAD, f"row {index}: empty `text`"))
    return SourceDocument(key, index, text, md)


def _compression(name: str) -> str | None:
    """The codec of a `.jsonl.gz` / `.jsonl.zst` file, whatever the case of its name (pyarrow's "detect" reads only
    lower-case suffixes: `ROWS.JSONL.GZ` would be read as gzip bytes, every line a malformed row)."""
    lower = name.lower()
    return "gzip" if lower.endswith(".gz") else "zstd" if lower.endswith(".zst") else None


_UTF8_BOM = b"\xef\xbb\xbf"


def jsonl_documents(path: Path, max_bytes: int) -> Iterator[SourceDocument]:
    """One document per non-blank line; a line over `max_bytes` is skipped without reading it whole."""
    index = 0
    try:
        with io.BufferedReader(pa.input_stream(str(path), compression=_compression(path.name))) as stream:
            while line := stream.readline(max_bytes + 1):
                body = line.rstrip(b"\r\n")
                if index == 0 and body.startswith(_UTF8_BOM):  # an editor's byte-order mark is no part of the row
                    body = body[len(_UTF8_BOM) :]
                if len(body) > max_bytes:
                    size = len(line) + (0 if line.endswith(b"\n") else _skip_line(stream))
                    yield SourceDocument(
                        f"row{index}", index, "", {Meta.INPUT_FORMAT: "jsonl"},
                        Drop(Reason.OVERSIZE, f"line {index + 1}: {size} bytes > max_bytes {max_bytes}"),
                    )  # fmt: skip
                elif body.strip():
                    yield _jsonl_row(body, index)
                else:
                    continue  # blank lines are no rows
                index += 1
    except (OSError, ValueError, pa.ArrowException) as e:  # a broken gzip/zstd stream
        yield SourceDocument(
            f"row{index}", index, "", {Meta.INPUT_FORMAT: "jsonl"},
            Drop(Reason.CORRUPT_FILE, f"{path.name}: unreadable from line {index + 1} on: {e}"[:500]),
        )  # fmt: skip


def _skip_line(stream: io.BufferedReader) -> int:
    skipped = 0
    while chunk := stream.readline(_SKIP_CHUNK):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _jsonl_row(body: bytes, index: int) -> SourceDocument:
    try:
        row = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        return SourceDocument(
            f"row{index}",
            index,
            "",
            {Meta.INPUT_FORMAT: "jsonl"},
            Drop(Reason.MALFORMED_ROW, f"line {index + 1}: {e}"[:300]),
        )
    if not isinstance(row, dict):
        evidence = f"line {index + 1}: a JSON {type(row).__name__}, not an object"
        return SourceDocument(
            f"row{index}", index, "", {Meta.INPUT_FORMAT: "jsonl"}, Drop(Reason.MALFORMED_ROW, evidence)
        )
    return row_document(row, index, "jsonl")


def _batch_rows(pf: pq.ParquetFile, group: int, max_bytes: int) -> int:
    """Rows per batch in row group `group`: no more than the `text` column chunk's uncompressed size allows within
    `max_bytes`. Any one row's text may be as long as the whole chunk (one value, or a dictionary value repeated:
    1,024 rows of 200 MB came out of a 13 KB file), so a batch of n rows may hold n times the chunk: n is 1 unless
    n chunks fit in `max_bytes`. A typical row group (tens of MB) is then read a row at a time (~15,000 rows/s)."""
    meta = pf.metadata.row_group(group)
    text = next((meta.column(i) for i in range(meta.num_columns) if meta.column(i).path_in_schema == "text"), None)
    if text is None:
        return _BATCH_ROWS
    return max(1, min(_BATCH_ROWS, max_bytes // max(1, text.total_uncompressed_size)))


def parquet_documents(path: Path, max_bytes: int) -> Iterator[SourceDocument]:
    """One document per row, read in batches that hold at most `max_bytes` of text (`_batch_rows`); a row over
    `max_bytes` is an oversize drop, read (as Arrow data, once) but never converted to a Python string. Memory is
    bounded by the larger of `max_bytes` and the largest row, not by the batch size times the largest row."""
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as e:
        yield SourceDocument(
            "", 0, "", {Meta.INPUT_FORMAT: "parquet"}, Drop(Reason.CORRUPT_FILE, f"{path.name}: {e}"[:500])
        )
        return
    names = set(pf.schema_arrow.names)
    text_type = pf.schema_arrow.field("text").type if "text" in names else None
    if text_type is None or not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type)):
        found = "no `text` column" if text_type is None else f"`text` column of type {text_type}"
        yield SourceDocument(
            "", 0, "", {Meta.INPUT_FORMAT: "parquet"}, Drop(Reason.NO_TEXT_FIELD, f"{path.name}: {found}")
        )
        return
    index = 0
    columns = [c for c in _COLUMNS if c in names]
    try:
        for group in range(pf.num_row_groups):
            rows = _batch_rows(pf, group, max_bytes)
            for batch in pf.iter_batches(batch_size=rows, row_groups=[group], columns=columns):
                sizes = pc.fill_null(pc.binary_length(batch.column("text")), 0)
                small = pc.less_equal(sizes, max_bytes)
                kept = iter(batch.filter(small).to_pylist())  # an oversize row is never made a Python string
                for size, fits in zip(sizes.to_pylist(), small.to_pylist()):
                    if fits:
                        yield row_document(next(kept), index, "parquet")
                    else:
                        evidence = f"row {index}: `text` of {size} bytes > max_bytes {max_bytes}"
                        yield SourceDocument(
                            f"row{index}", index, "", {Meta.INPUT_FORMAT: "parquet"}, Drop(Reason.OVERSIZE, evidence)
                        )
                    index += 1
    except (OSError, pa.ArrowException) as e:
        evidence = f"{path.name}: unreadable from row {index} on: {e}"[:500]
        yield SourceDocument(
            f"row{index}", index, "", {Meta.INPUT_FORMAT: "parquet"}, Drop(Reason.CORRUPT_FILE, evidence)
        )
