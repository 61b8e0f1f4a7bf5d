"""Token shard writer: `OUT/shards/<lang>/part-<rank>-<k>.parquet`, size-bounded, zstd, with manifests.
Token ids are stored in the smallest type that holds the vocabulary (uint16 up to 65,536 tokens, else uint32).

Rows are in input order within a task, so shards are byte-identical for the same input and config
(a resumed run reproduces them). Each closed shard gets its `.manifest.json` at once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.files import StreamingParquet
from eurocurate.layout import SHARDS
from eurocurate.manifests.audit.shard_manifest import PipelineRef, TokenizerRef, manifest_path, write_shard_manifest
from eurocurate.pipelines.output.special_tokens import id_type
from eurocurate.pipelines.output.tokenize import INPUT_IDS, read_tokenizer_meta
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import Meta


def token_schema(ids: pa.DataType) -> pa.Schema:
    """The token shard schema with `input_ids` of type `ids` (the smallest that holds the vocabulary)."""
    return pa.schema(
        [
            ("doc_id", pa.string()),
            ("input_ids", pa.list_(ids)),
            ("n_tokens", pa.uint32()),
            ("lang", pa.string()),
            ("lang_score", pa.float32()),
            ("source_category", pa.string()),
            # a list of (key, value) structs rather than an Arrow map: `datasets` has no map type
            ("quality", pa.list_(pa.struct([("key", pa.string()), ("value", pa.float64())]))),
        ]
    )


def id_lists(ids: list[np.ndarray], value_type: pa.DataType) -> pa.ListArray:
    """One list of ids per document, from the tokenizer's arrays: offsets and one concatenation, where converting
    the arrays one by one took 30 times as long."""
    offsets = np.zeros(len(ids) + 1, dtype=np.int32)
    np.cumsum([len(a) for a in ids], out=offsets[1:])
    values = np.concatenate(ids) if ids else np.zeros(0, dtype=np.uint32)
    # ids below the vocabulary size, which id_type() chose to hold them: the narrowing loses nothing
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values.astype(value_type.to_pandas_dtype())))


def quality_lists(rows: list[list[tuple[str, float]]], list_type: pa.DataType) -> pa.ListArray:
    """The `quality` column from each document's sorted (signal, value) pairs: keys and values as two flat columns
    under one list of offsets, where converting a dict per pair into a struct took two and a half times as long."""
    offsets = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum([len(pairs) for pairs in rows], out=offsets[1:])
    struct = list_type.value_type
    keys = pa.array([k for pairs in rows for k, _ in pairs], struct.field("key").type)
    values = pa.array([float(v) for pairs in rows for _, v in pairs], struct.field("value").type)
    pairs = pa.StructArray.from_arrays([keys, values], fields=list(struct))
    return pa.ListArray.from_arrays(pa.array(offsets), pairs, type=list_type)


class _OpenShard:
    def __init__(self, out: Path, name: str, schema: pa.Schema, row_group_rows: int):
        self.name = name  # relative to OUT, as provenance records it
        value_type = schema.field("input_ids").type.value_type
        quality_type = schema.field("quality").type
        self.file = StreamingParquet(
            out / name,
            schema,
            flush_rows=row_group_rows,
            row_group_size=row_group_rows,
            converters={
                "input_ids": lambda ids: id_lists(ids, value_type),
                "quality": lambda rows: quality_lists(rows, quality_type),
            },
        )
        self.tokens = 0
        self.doc_ids: list[str] = []
        self.langs: Counter[str] = Counter()


class TokenShardWriter(PipelineStep):
    name = "token_shard_writer"
    type = "💽 - WRITER"

    def __init__(self, out_dir: str, pipeline: dict, max_tokens_per_shard: int, row_group_rows: int = 1024):
        super().__init__()
        self.out_dir = out_dir
        self.pipeline = pipeline
        self.max_tokens_per_shard = max_tokens_per_shard
        self.row_group_rows = row_group_rows

    def _close(self, shard: _OpenShard, tokenizer: TokenizerRef) -> None:
        path = shard.file.close()
        write_shard_manifest(
            Path(self.out_dir),
            path,
            rows=shard.file.rows,
            tokens=shard.tokens,
            languages=dict(sorted(shard.langs.items())),
            doc_ids=shard.doc_ids,
            tokenizer=tokenizer,
            pipeline=PipelineRef.model_validate(self.pipeline),
        )
        self.stat_update("shards_written")

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        out = Path(self.out_dir)
        for stale in list(out.glob(f"{SHARDS}/*/part-{rank:05d}-*.parquet")):
            stale.unlink()
            manifest_path(stale).unlink(missing_ok=True)
        meta = read_tokenizer_meta(out)
        tokenizer = TokenizerRef(id=meta["id"], sha256=meta["sha256"])
        schema = token_schema(id_type(meta["vocab_size"]))
        open_shards: dict[str, _OpenShard] = {}
        counters: Counter[str] = Counter()
        try:
            for doc in data:
                md = doc.metadata
                lang = md.get(Meta.LANG) or "und"
                ids = md.pop(INPUT_IDS)
                shard = open_shards.get(lang)
                if shard is not None and shard.tokens + len(ids) > self.max_tokens_per_shard and shard.file.rows:
                    self._close(shard, tokenizer)
                    shard = None
                if shard is None:
                    k = counters[lang]
                    counters[lang] += 1
                    name = f"{SHARDS}/{lang}/part-{rank:05d}-{k:04d}.parquet"
                    shard = open_shards[lang] = _OpenShard(out, name, schema, self.row_group_rows)
                quality = md.get(Meta.QUALITY) or {}
                row = shard.file.append(
                    {
                        "doc_id": doc.id,
                        "input_ids": ids,
                        "n_tokens": len(ids),
                        "lang": lang,
                        "lang_score": md.get(Meta.LANG_SCORE),
                        "source_category": md.get(Meta.SOURCE_CATEGORY),
                        "quality": sorted(quality.items()),
                    }
                )
                shard.tokens += len(ids)
                shard.doc_ids.append(doc.id)
                shard.langs[lang] += 1
                md[Meta.TOKEN_SHARD] = shard.name
                md[Meta.TOKEN_ROW] = row
                yield doc
        except BaseException:
            for shard in open_shards.values():
                shard.file.abort()
            raise
        for shard in open_shards.values():
            self._close(shard, tokenizer)


class TokenShardParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_tokens_per_shard: int = Field(50_000_000, gt=0, description="A shard is closed before exceeding this.")
    row_group_rows: int = Field(1024, gt=0, description="Rows per row group (streaming granularity).")


@register_stage(
    name="token_shards",
    summary="Tokenized Parquet shards OUT/shards/<lang>/*.parquet with manifests",
    role="map",
    params=TokenShardParams,
    requires=("tokenizer",),
    writes_output=True,
)
def build_token_shards(p: TokenShardParams, ctx: BuildContext, key: str) -> StageParts:
    return StageParts(
        map_steps=[TokenShardWriter(ctx.out_dir, ctx.pipeline_ref, p.max_tokens_per_shard, p.row_group_rows)]
    )
