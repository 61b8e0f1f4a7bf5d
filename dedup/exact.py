"""Exact-content deduplication in three parts: hash in the map stage, find duplicates in a bucketed
barrier, drop them in the next map stage.

The normalised content hash (invisible format characters removed (`invisible`), NFKC, case-folded, whitespace
collapsed) is computed per document; the
barrier groups equal hashes (bucket `hash mod tasks`, so buckets run in parallel) and keeps the first
document in input order; every other copy is dropped with the `doc_id` it duplicates as evidence.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.dedup.invisible import without_invisible
from eurocurate.files import read_parquet, read_tables, write_table_atomic
from eurocurate.registry import Barrier, BuildContext, StageParts, register_stage
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage
from eurocurate.text import collapsed_parts

DUPLICATES_SCHEMA = pa.schema([("doc_id", pa.string()), ("duplicate_of", pa.string())])


def content_hash(text: str) -> str:
    # invisible characters go first: NFKC then composes a letter and an accent a soft hyphen stood between
    folded = unicodedata.normalize("NFKC", without_invisible(text)).casefold()
    digest = hashlib.blake2b(digest_size=16)
    for part in collapsed_parts(folded):  # a long text in slices, never a Python string per word of all of it
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


class ContentHasher(PipelineStep):
    """Map side: stores the normalised content hash in metadata (no document leaves or is dropped)."""

    name = "content_hasher"
    type = "🫂 - DEDUP"

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            with self.track_time():
                doc.metadata[Meta.CONTENT_HASH] = content_hash(doc.text)
            yield doc


def of_bucket(index: pa.Table, bucket: int, n_buckets: int) -> pa.Table:
    """The rows of `index` whose content hash falls in `bucket` of `n_buckets` (by its first 32 bits)."""
    if n_buckets == 1:
        return index
    bucket_of = pc.cast(pc.utf8_slice_codeunits(index["content_hash"], 0, 8), pa.string())
    mask = pa.array([int(h, 16) % n_buckets == bucket for h in bucket_of.to_pylist()], pa.bool_())
    return index.filter(mask)


def find_exact_duplicates(index: pa.Table, bucket: int, n_buckets: int) -> pa.Table:
    """(doc_id, duplicate_of) for every document whose hash an earlier document (by order_key) has.

    `index` has columns doc_id, content_hash, order_key; only hashes of this bucket are considered.
    """
    mine = of_bucket(index, bucket, n_buckets).sort_by([("content_hash", "ascending"), ("order_key", "ascending")])
    hashes = mine["content_hash"].to_pylist()
    ids = mine["doc_id"].to_pylist()
    dup_ids, originals = [], []
    first_id, prev = None, None
    for h, doc_id in zip(hashes, ids):
        if h == prev:
            dup_ids.append(doc_id)
            originals.append(first_id)
        else:
            first_id, prev = doc_id, h
    return pa.table({"doc_id": dup_ids, "duplicate_of": originals}, schema=DUPLICATES_SCHEMA)


class ExactDuplicateIndex(PipelineStep):
    """Barrier: reads the hash columns of every intermediate file, writes one duplicates file per bucket."""

    name = "exact_dedup_index"
    type = "🫂 - DEDUP"

    def __init__(self, inputs_dir: str, output_dir: str):
        super().__init__()
        self.inputs_dir = inputs_dir
        self.output_dir = output_dir

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        files = sorted(Path(self.inputs_dir).glob("*.parquet"))
        cols = ["id", Meta.CONTENT_HASH, Meta.ORDER_KEY]
        # each file's rows of this task's bucket only: a task holds its share of the hashes, not all of them
        index = pa.concat_tables(
            [of_bucket(read_parquet(f, cols), rank, world_size) for f in files]
        ) if files else None  # fmt: skip
        if index is None or index.num_rows == 0:
            table = DUPLICATES_SCHEMA.empty_table()
        else:
            index = index.rename_columns(["doc_id", "content_hash", "order_key"])
            table = find_exact_duplicates(index, 0, 1)  # rows of this bucket already: not filtered a second time
        self.stat_update("documents_indexed", value=0 if index is None else index.num_rows)
        self.stat_update("duplicates_found", value=table.num_rows)
        write_table_atomic(Path(self.output_dir) / f"duplicates-{rank:05d}.parquet", table)
        return
        yield


class ExactDuplicateFilter(LedgerStage):
    """Map side after the barrier: drops documents listed as duplicates."""

    name = "exact_dedup"

    def __init__(self, out_dir: str, duplicates_dir: str):
        super().__init__(out_dir)
        self.duplicates_dir = duplicates_dir
        self._dups: dict[str, str] | None = None
        self._copies: Counter[str] = Counter()

    def _load(self) -> dict[str, str]:
        if self._dups is None:
            files = sorted(Path(self.duplicates_dir).glob("duplicates-*.parquet"))
            table = read_tables(files)
            table = DUPLICATES_SCHEMA.empty_table() if table is None else table
            self._dups = dict(zip(table["doc_id"].to_pylist(), table["duplicate_of"].to_pylist()))
            self._copies = Counter(self._dups.values())
        return self._dups

    def judge(self, doc: Document) -> Drop | None:
        original = self._load().get(doc.id)
        if original is None:
            if copies := self._copies.get(doc.id):
                # the near-dedup cluster it stands for counts them too (FineWeb-2's minhash_cluster_size, which
                # rehydration reads, counts every copy of a page: its pipeline has no exact dedup before MinHash)
                doc.metadata[Meta.EXACT_COPIES] = copies
            return None
        return Drop(Reason.EXACT_DUPLICATE, f"duplicate_of={original}")


class ExactDedupParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buckets: int = Field(1, ge=1, description="Hash buckets, processed as parallel barrier tasks.")


@register_stage(
    name="exact_dedup",
    summary="Exact dedup on normalised content hash",
    role="barrier",
    params=ExactDedupParams,
    provenance_columns=[(Meta.CONTENT_HASH, pa.string())],
    reasons={Reason.EXACT_DUPLICATE: "same normalised content as an earlier document (evidence: its doc_id)"},
)
def build_exact_dedup(p: ExactDedupParams, ctx: BuildContext, key: str) -> StageParts:
    dups = str(Path(ctx.work_dir) / key / "data")
    return StageParts(
        map_steps=[ContentHasher()],
        barrier=Barrier(key, p.buckets, lambda inputs: [ExactDuplicateIndex(inputs, dups)]),
        after_barrier=[ExactDuplicateFilter(ctx.out_dir, dups)],
    )
