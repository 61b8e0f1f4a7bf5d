"""The provenance table: one row per kept document, from its input bytes to its rows in the outputs.

Written by the last step of the pipeline, per task (`OUT/provenance/part-<rank>.parquet`). Owns the
table's base columns (document id, ingest and source keys first, output positions last) and the
assembly of its schema; the columns between them are declared by the stages that write them
(`provenance_columns=` of `@register_stage`), so a stage adds its evidence here without editing this file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from eurocurate.config import SpecError
from eurocurate.files import StreamingParquet
from eurocurate.layout import PROVENANCE
from eurocurate.registry import builtin_stages, get_stage
from eurocurate.schema import Meta

# written by every source stage and by the spec's `source:` block
BASE_HEAD: tuple[tuple[str, pa.DataType], ...] = (
    ("doc_id", pa.string()),
    (Meta.SOURCE_PATH, pa.string()),
    (Meta.SOURCE_OFFSET, pa.int64()),
    (Meta.WARC_RECORD_ID, pa.string()),
    (Meta.URL, pa.string()),
    (Meta.FETCH_DATE, pa.string()),
    (Meta.CONTENT_TYPE, pa.string()),
    (Meta.HTTP_STATUS, pa.int32()),
    (Meta.CHARSET, pa.string()),
    (Meta.CHARSET_ORIGIN, pa.string()),
    (Meta.SOURCE_CATEGORY, pa.string()),
    (Meta.LICENCE, pa.string()),
    (Meta.PUBLISHER, pa.string()),
)
# where the document landed in the outputs (erasure finds the rows to rewrite through these)
BASE_TAIL: tuple[tuple[str, pa.DataType], ...] = (
    (Meta.TEXT_SHARD, pa.string()),
    (Meta.TEXT_ROW, pa.int64()),
    (Meta.TOKEN_SHARD, pa.string()),
    (Meta.TOKEN_ROW, pa.int64()),
    (Meta.N_TOKENS, pa.int64()),
)


def provenance_schema(stage_names: Iterable[str] = ()) -> pa.Schema:
    """The table's schema: base columns, the columns of every built-in stage (in catalogue order, whether
    or not the spec uses it, so that every run's table has one shape), then those of the other stages named.
    """
    builtin = builtin_stages()
    stages = list(builtin.values()) + [get_stage(n) for n in dict.fromkeys(stage_names) if n not in builtin]
    fields = list(BASE_HEAD)
    owner = {name: "the base columns" for name, _ in (*BASE_HEAD, *BASE_TAIL)}
    for stage in stages:
        for name, dtype in stage.provenance_columns:
            if name in owner:
                raise SpecError(
                    f"stage {stage.name!r} declares provenance column {name!r}, already declared by {owner[name]}"
                )
            owner[name] = f"stage {stage.name!r}"
            fields.append((name, dtype))
    return pa.schema([*fields, *BASE_TAIL])


def _map_cast(dtype: pa.DataType) -> type | None:
    """How a map column's values are coerced (a stage may hand numpy or int values to a float map)."""
    if not pa.types.is_map(dtype):
        return None
    item = dtype.item_type
    return float if pa.types.is_floating(item) else int if pa.types.is_integer(item) else str


def provenance_path(out_dir: str | Path, rank: int) -> Path:
    return Path(out_dir) / PROVENANCE / f"part-{rank:05d}.parquet"


class ProvenanceWriter(PipelineStep):
    """Final step of every pipeline; every document reaching it is a kept document."""

    name = "provenance_writer"
    type = "💽 - WRITER"

    def __init__(self, out_dir: str, schema: pa.Schema | None = None):
        super().__init__()
        self.out_dir = out_dir
        self.schema = provenance_schema() if schema is None else schema

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        out = StreamingParquet(provenance_path(self.out_dir, rank), self.schema)
        names = self.schema.names
        doc_id = names.index("doc_id")
        maps = [(i, cast) for i, f in enumerate(self.schema) if (cast := _map_cast(f.type)) is not None]
        try:
            for doc in data:
                md = doc.metadata
                row = [md.get(name) for name in names]  # in column order: no dict per row
                row[doc_id] = doc.id
                for i, cast in maps:
                    row[i] = [(k, cast(v)) for k, v in sorted(row[i].items())] if row[i] else []
                out.append_values(row)
                self.stat_update("documents_kept")
                yield doc
        except BaseException:
            out.abort()
            raise
        out.close()
