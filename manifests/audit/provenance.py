"""The provenance table: one row per kept document, from its input bytes to its rows in the outputs.

Written by the last step of the pipeline, per task (`OUT/provenance/part-<rank>.parquet`). Columns
that later stages add (opt-out evidence, PII counts, dedup cluster) join this table, not a new one.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from eurocurate.files import StreamingParquet
from eurocurate.layout import PROVENANCE
from eurocurate.schema import Meta

PROVENANCE_SCHEMA = pa.schema(
    [
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
        (Meta.TITLE, pa.string()),
        (Meta.HTML_LANG, pa.string()),
        (Meta.CANONICAL_URL, pa.string()),
        (Meta.LICENCE_LINKS, pa.list_(pa.string())),
        (Meta.PUBLISHED, pa.string()),
        (Meta.LANG, pa.string()),
        (Meta.LANG_SCORE, pa.float32()),
        (Meta.LANG_SHARES, pa.map_(pa.string(), pa.float64())),
        (Meta.QUALITY, pa.map_(pa.string(), pa.float64())),
        (Meta.OPTOUT, pa.map_(pa.string(), pa.string())),
        (Meta.PII_COUNTS, pa.map_(pa.string(), pa.int64())),
        (Meta.PII_CANDIDATES, pa.map_(pa.string(), pa.int64())),
        (Meta.PII_FINGERPRINTS, pa.list_(pa.string())),
        (Meta.CONTENT_HASH, pa.string()),
        (Meta.DEDUP_CLUSTER_ID, pa.string()),
        (Meta.DEDUP_CLUSTER_SIZE, pa.int64()),
        (Meta.TEXT_SHARD, pa.string()),
        (Meta.TEXT_ROW, pa.int64()),
        (Meta.TOKEN_SHARD, pa.string()),
        (Meta.TOKEN_ROW, pa.int64()),
        (Meta.N_TOKENS, pa.int64()),
    ]
)


def provenance_path(out_dir: str | Path, rank: int) -> Path:
    return Path(out_dir) / PROVENANCE / f"part-{rank:05d}.parquet"


class ProvenanceWriter(PipelineStep):
    """Final step of every pipeline; every document reaching it is a kept document."""

    name = "provenance_writer"
    type = "💽 - WRITER"

    def __init__(self, out_dir: str):
        super().__init__()
        self.out_dir = out_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        out = StreamingParquet(provenance_path(self.out_dir, rank), PROVENANCE_SCHEMA)
        try:
            for doc in data:
                md = doc.metadata
                row = {name: md.get(name) for name in PROVENANCE_SCHEMA.names}
                row["doc_id"] = doc.id
                for key, cast in (
                    (Meta.QUALITY, float),
                    (Meta.LANG_SHARES, float),
                    (Meta.OPTOUT, str),
                    (Meta.PII_COUNTS, int),
                    (Meta.PII_CANDIDATES, int),
                ):
                    row[key] = [(k, cast(v)) for k, v in sorted((md.get(key) or {}).items())]
                out.append(row)
                self.stat_update("documents_kept")
                yield doc
        except BaseException:
            out.abort()
            raise
        out.close()
