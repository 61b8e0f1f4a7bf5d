"""Packing token shards across tasks: per language, shards of a target size, optionally in a seeded global
shuffle, with every document's new (shard, row) handed back to provenance.

A barrier after the token writer: the per-task shards of each language are re-cut into
`shards/<lang>/packed-NNNNN.parquet` of about `target_tokens_per_shard` tokens. With a seed, rows are
shuffled globally per language by a two-pass external shuffle (rows to seeded random buckets on disk,
then each bucket permuted in memory), so memory is bounded by `shuffle_bucket_tokens`, not by the
corpus. Deterministic for a given input, config and seed. The per-task shards are deleted only after
every packed shard and the row mapping are written, so an interrupted packing re-runs from them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.files import StreamingParquet, write_table_atomic
from eurocurate.layout import SHARDS
from eurocurate.manifests.audit.shard_manifest import (
    PipelineRef,
    TokenizerRef,
    manifest_path,
    read_shard_manifest,
    write_shard_manifest,
)
from eurocurate.registry import Barrier, BuildContext, StageParts, register_stage
from eurocurate.schema import Meta

MAPPING_SCHEMA = pa.schema([("doc_id", pa.string()), ("token_shard", pa.string()), ("token_row", pa.int64())])
PACKED_PREFIX = "packed-"


def _task_shards(lang_dir: Path) -> list[Path]:
    return sorted(p for p in lang_dir.glob("part-*.parquet"))


class _PackedWriter:
    """Writes rows into packed shards of about `target` tokens, with a manifest each, and records the mapping."""

    def __init__(
        self, out: Path, lang: str, target: int, tokenizer: TokenizerRef, pipeline: PipelineRef, schema: pa.Schema
    ):
        self.out, self.lang, self.target, self.tokenizer, self.pipeline = out, lang, target, tokenizer, pipeline
        self.schema = schema
        self.index = 0
        self.file: StreamingParquet | None = None
        self.tokens = 0
        self.doc_ids: list[str] = []
        self.mapping: list[tuple[str, str, int]] = []

    def add(self, table: pa.Table) -> None:
        for row in table.to_pylist():
            if self.file is not None and self.tokens + row["n_tokens"] > self.target and self.file.rows:
                self._close()
            if self.file is None:
                path = self.out / SHARDS / self.lang / f"{PACKED_PREFIX}{self.index:05d}.parquet"
                self.file = StreamingParquet(path, self.schema, flush_rows=1024, row_group_size=1024)
                self.index += 1
            r = self.file.append(row)
            self.tokens += row["n_tokens"]
            self.doc_ids.append(row["doc_id"])
            self.mapping.append((row["doc_id"], self.file.final.relative_to(self.out).as_posix(), r))

    def _close(self) -> None:
        assert self.file is not None
        path = self.file.close()
        write_shard_manifest(self.out, path, rows=self.file.rows, tokens=self.tokens,
                             languages={self.lang: self.file.rows}, doc_ids=self.doc_ids, tokenizer=self.tokenizer,
                             pipeline=self.pipeline)  # fmt: skip
        self.file, self.tokens, self.doc_ids = None, 0, []

    def finish(self) -> None:
        if self.file is not None:
            self._close()


class ShardPacker(PipelineStep):
    """Barrier (one task): re-cuts every language's per-task token shards; writes the doc_id → row mapping."""

    name = "shard_packer"
    type = "💽 - WRITER"

    def __init__(
        self,
        out_dir: str,
        mapping_dir: str,
        target_tokens_per_shard: int,
        shuffle_seed: int | None,
        shuffle_bucket_tokens: int,
    ):
        super().__init__()
        self.out_dir = out_dir
        self.mapping_dir = mapping_dir
        self.target = target_tokens_per_shard
        self.seed = shuffle_seed
        self.bucket_tokens = shuffle_bucket_tokens

    def _pack_language(self, lang_dir: Path) -> list[tuple[str, str, int]]:
        out = Path(self.out_dir)
        shards = _task_shards(lang_dir)
        for stale in lang_dir.glob(f"{PACKED_PREFIX}*"):
            stale.unlink()  # from an interrupted attempt: this one rewrites them all
        first = read_shard_manifest(manifest_path(shards[0]))
        schema = pq.read_schema(shards[0])  # the writer's, with its id type
        writer = _PackedWriter(out, lang_dir.name, self.target, first.tokenizer, first.pipeline, schema)
        if self.seed is None:
            for shard in shards:
                for batch in pq.ParquetFile(shard).iter_batches(batch_size=1024):
                    writer.add(pa.Table.from_batches([batch]).cast(schema))
        else:
            total = sum(read_shard_manifest(manifest_path(s)).tokens for s in shards)
            n_buckets = max(1, -(-total // self.bucket_tokens))
            rng = np.random.default_rng([self.seed, *lang_dir.name.encode()])
            bucket_dir = Path(self.mapping_dir) / "buckets" / lang_dir.name
            buckets = [StreamingParquet(bucket_dir / f"{b:05d}.parquet", schema) for b in range(n_buckets)]
            for shard in shards:
                for batch in pq.ParquetFile(shard).iter_batches(batch_size=1024):
                    table = pa.Table.from_batches([batch]).cast(schema)
                    for row, b in zip(table.to_pylist(), rng.integers(0, n_buckets, table.num_rows).tolist()):
                        buckets[b].append(row)
            for bucket in buckets:
                if bucket.rows == 0:
                    bucket.abort()
                    continue
                table = pq.read_table(bucket.close())
                writer.add(table.take(rng.permutation(table.num_rows)))
                bucket.final.unlink()
        writer.finish()
        return writer.mapping

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        shards_dir = Path(self.out_dir) / SHARDS
        done = Path(self.mapping_dir) / "mapping.parquet"
        if not done.is_file():  # a finished packing (mapping written) only needs its clean-up below
            mapping: list[tuple[str, str, int]] = []
            for lang_dir in sorted(p for p in shards_dir.iterdir() if p.is_dir()) if shards_dir.is_dir() else []:
                if _task_shards(lang_dir):
                    mapping += self._pack_language(lang_dir)
            ids, paths, rows = (list(x) for x in zip(*mapping)) if mapping else ([], [], [])
            write_table_atomic(
                done, pa.table({"doc_id": ids, "token_shard": paths, "token_row": rows}, schema=MAPPING_SCHEMA)
            )
            self.stat_update("documents_packed", value=len(ids))
        for lang_dir in sorted(p for p in shards_dir.iterdir() if p.is_dir()) if shards_dir.is_dir() else []:
            for shard in _task_shards(lang_dir):
                manifest_path(shard).unlink(missing_ok=True)
                shard.unlink()
        return
        yield


class ApplyShardMapping(PipelineStep):
    """After the packing barrier: points each document's metadata at its row in the packed shards."""

    name = "shard_mapping"
    type = "💽 - WRITER"

    def __init__(self, mapping_dir: str):
        super().__init__()
        self.mapping_dir = mapping_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        t = pq.read_table(Path(self.mapping_dir) / "mapping.parquet")
        where = {
            d: (s, r)
            for d, s, r in zip(t["doc_id"].to_pylist(), t["token_shard"].to_pylist(), t["token_row"].to_pylist())
        }
        moved = Counter()
        for doc in data:
            if doc.id in where:
                doc.metadata[Meta.TOKEN_SHARD], doc.metadata[Meta.TOKEN_ROW] = where[doc.id]
                moved["documents"] += 1
            yield doc
        self.stat_update("documents_remapped", value=moved["documents"])


class ShardPackingParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_tokens_per_shard: int = Field(100_000_000, gt=0, description="Packed shards close before exceeding this.")
    shuffle_seed: int | None = Field(
        None, description="Seed of a global shuffle of each language's rows; none: input order."
    )
    shuffle_bucket_tokens: int = Field(
        50_000_000, gt=0, description="Tokens per on-disk bucket of the external shuffle (bounds the packer's memory)."
    )


@register_stage(
    name="shard_packing",
    summary="Token shards re-cut per language to a target size across tasks, optionally globally shuffled (seeded)",
    role="barrier",
    params=ShardPackingParams,
    requires=("token_shards",),
    writes_output=True,
)
def build_shard_packing(p: ShardPackingParams, ctx: BuildContext, key: str) -> StageParts:
    mapping = str(Path(ctx.work_dir) / key / "data")

    def build(inputs: str) -> list[PipelineStep]:  # the barrier reads the shards, not the intermediate files
        return [ShardPacker(ctx.out_dir, mapping, p.target_tokens_per_shard, p.shuffle_seed, p.shuffle_bucket_tokens)]

    return StageParts(barrier=Barrier(key, 1, build), after_barrier=[ApplyShardMapping(mapping)])
