"""Text shards: the curated documents as Parquet, one file per language per task (`OUT/text/<lang>/`), in
FineWeb-2's columns and meanings (`eurocurate.schema.TEXT_COLUMNS`) plus this project's own.

Records in each document's metadata where its row landed, so provenance (and erasure) can point to it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.files import StreamingParquet
from eurocurate.layout import TEXT
from eurocurate.pipelines.output.fineweb2 import common_crawl_dump, fineweb2_language, top_langs
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import TEXT_COLUMNS, TEXT_ID, Meta

_TYPES = {
    "text": pa.large_string(),
    "language_score": pa.float64(),
    "minhash_cluster_size": pa.int64(),
    "token_count": pa.int64(),
}  # as FineWeb-2 types them; every other column is a string
TEXT_SCHEMA = pa.schema([(c, _TYPES.get(c, pa.string())) for c in TEXT_COLUMNS])


def text_row(doc_id: str, text: str, md: dict) -> dict:
    """One text shard row in FineWeb-2's columns from a document's metadata. `token_count` (ids of the document
    in the run's token shards, EOS included) is known only when the spec tokenizes before writing text, as the
    bundled specs do; otherwise it is null."""
    lang = md.get(Meta.LANG) or "und"
    language, script = fineweb2_language(lang)
    return {
        TEXT_ID: doc_id,
        "text": text,
        "url": md.get(Meta.URL),
        "date": md.get(Meta.FETCH_DATE),
        "dump": md.get(Meta.CRAWL) or common_crawl_dump(md.get(Meta.SOURCE_PATH)),
        "file_path": md.get(Meta.SOURCE_PATH),
        "language": language,
        "language_score": md.get(Meta.LANG_SCORE),
        "language_script": script,
        "top_langs": top_langs(lang, md.get(Meta.LANG_SCORE)),
        "minhash_cluster_size": md.get(Meta.DEDUP_CLUSTER_SIZE),
        "token_count": md.get(Meta.N_TOKENS),
        "warc_record_id": md.get(Meta.WARC_RECORD_ID),
        "title": md.get(Meta.TITLE),
        "source_category": md.get(Meta.SOURCE_CATEGORY),
    }


def text_shard_name(lang: str, rank: int) -> str:
    return f"{TEXT}/{lang}/part-{rank:05d}.parquet"


class TextParquetWriter(PipelineStep):
    name = "text_writer"
    type = "💽 - WRITER"

    def __init__(self, out_dir: str, row_group_rows: int = 4096):
        super().__init__()
        self.out_dir = out_dir
        self.row_group_rows = row_group_rows

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for stale in Path(self.out_dir).glob(f"{TEXT}/*/part-{rank:05d}.parquet"):
            stale.unlink()
        files: dict[str, StreamingParquet] = {}
        try:
            for doc in data:
                md = doc.metadata
                lang = md.get(Meta.LANG) or "und"
                name = text_shard_name(lang, rank)
                if lang not in files:
                    files[lang] = StreamingParquet(
                        Path(self.out_dir) / name, TEXT_SCHEMA, row_group_size=self.row_group_rows
                    )
                row = files[lang].append(text_row(doc.id, doc.text, md))
                md[Meta.TEXT_SHARD] = name
                md[Meta.TEXT_ROW] = row
                self.stat_update("documents_written")
                yield doc
        except BaseException:
            for f in files.values():
                f.abort()
            raise
        for f in files.values():
            f.close()


class TextParquetParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row_group_rows: int = Field(4096, gt=0, description="Rows per Parquet row group.")


@register_stage(
    name="text_parquet",
    summary="Text shards OUT/text/<lang>/*.parquet",
    role="map",
    params=TextParquetParams,
    writes_output=True,
)
def build_text_parquet(p: TextParquetParams, ctx: BuildContext, key: str) -> StageParts:
    return StageParts(map_steps=[TextParquetWriter(ctx.out_dir, p.row_group_rows)])
