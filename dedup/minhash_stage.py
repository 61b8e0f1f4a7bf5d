"""The `minhash_dedup` stage: signatures in the map stage, LSH bucketing and clustering in a barrier of
`buckets` parallel tasks, drops (and cluster metadata on survivors) in the next map stage.

Files under `<work_dir>/<key>/`: `sigs/` (band keys per map rank), `parts/` (edges per band-hash
partition), `decisions/` (one row per clustered document, per map rank). With `write_index` the
surviving documents' keys are published under `<out_dir>/dedup_index/<key>/` for the next release.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field, field_validator

from eurocurate.config import SpecError
from eurocurate.dedup.clusters import EARLIER, KEEP, decisions_path
from eurocurate.dedup.minhash import DEFAULT_BANDS, DEFAULT_NGRAM, DEFAULT_ROWS, MinhashConfig
from eurocurate.dedup.near_duplicates import (
    DEFAULT_MAX_DOCS_IN_MEMORY,
    DEFAULT_MAX_KEYS_IN_MEMORY,
    LshLayout,
    bucket_partition,
    merge_partitions,
    sign_batch,
)
from eurocurate.dedup.signature_store import IndexMismatch, SignatureFileWriter, check_config
from eurocurate.dedup.verification import DEFAULT_MIN_JACCARD
from eurocurate.errors import StorageError
from eurocurate.files import read_parquet
from eurocurate.layout import DEDUP_INDEX
from eurocurate.registry import Barrier, BuildContext, StageParts, register_stage
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

log = logging.getLogger(__name__)
INDEX_SUBDIR = DEDUP_INDEX


class MinhashDedupParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bands: int = Field(
        DEFAULT_BANDS,
        ge=1,
        le=512,
        description="LSH bands (FineWeb: 14). 28 bands of 4 rows find every near copy of the evaluation corpus with "
        "verification; FineWeb's 14x8 finds 72% of them.",
    )
    rows: int = Field(
        DEFAULT_ROWS, ge=1, le=64, description="MinHash values per band (FineWeb: 8); bands*rows values per document."
    )
    ngram: int = Field(DEFAULT_NGRAM, ge=1, le=32, description="Word n-gram length of the shingles (FineWeb: 5).")
    per_language: bool = Field(
        False, description="Only documents of the same `lang` can be duplicates (language mixed into every band key)."
    )
    buckets: int = Field(
        2, ge=1, le=4096, description="Partitions of band-hash space, processed as parallel barrier tasks."
    )
    max_keys_in_memory: int = Field(
        DEFAULT_MAX_KEYS_IN_MEMORY,
        ge=10_000,
        description="Band keys one barrier task holds at once (peak about 45 bytes each with sort buffers: 8M keys ~ "
        "360 MB); a partition takes more passes over the signature files when the corpus needs it. Bounds peak memory.",
    )
    max_docs_in_memory: int = Field(
        DEFAULT_MAX_DOCS_IN_MEMORY,
        ge=1_000,
        description="Bounds the final merge: while the partitions' edges (one per clustered document and partition it "
        "was found in) are at most this many, it runs in memory (about 230 bytes each: 8M ~ 1.8 GB); with more, it "
        "sorts on disk holding at most this many rows (about 300-450 bytes each) and gives the same decisions.",
    )
    min_jaccard: float | None = Field(
        DEFAULT_MIN_JACCARD,
        ge=0.0,
        le=1.0,
        description="Link two LSH candidates only if the exact Jaccard similarity of their word n-gram sets reaches "
        "this (the sets are written beside the signatures: ~4 bytes per distinct n-gram). Stops templated pages that "
        "share boilerplate bands from clustering; 0.55 keeps every near copy of the evaluation corpus (2-5% of words "
        "changed, Jaccard 0.58-0.9). null: no verification, LSH candidates are linked as they are.",
    )
    batch_size: int = Field(256, ge=1, description="Documents per vectorised signature batch in the map stage.")
    seed: int = Field(
        1, ge=0, description="Seed of the hash functions; an index is only comparable under the same seed."
    )
    index_dir: list[str] = Field(
        default_factory=list,
        description="Index folders of earlier releases (OUT/dedup_index/<key> of their runs); documents "
        "near-duplicating one of them are dropped as dedup.in_earlier_release.",
    )
    write_index: bool = Field(False, description="Publish this run's surviving documents as OUT/dedup_index/<key>.")

    @field_validator("index_dir", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    def config(self) -> MinhashConfig:
        return MinhashConfig(self.bands, self.rows, self.ngram, self.per_language, self.seed)


class MinhashSigner(PipelineStep):
    """Map side: writes the LSH band keys (and, for verification, n-gram sets) of every document to
    `sigs/`; documents pass unchanged."""

    name = "minhash_signer"
    type = "🫂 - DEDUP"

    def __init__(self, sig_dir: str, config: MinhashConfig, batch_size: int = 256, with_grams: bool = True):
        super().__init__()
        self.sig_dir = sig_dir
        self.config = config
        self.batch_size = batch_size
        self.with_grams = with_grams

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        writer = SignatureFileWriter(self.sig_dir, rank, self.config, self.with_grams)
        batch: list[Document] = []
        try:
            for doc in data or []:
                batch.append(doc)
                if len(batch) >= self.batch_size:
                    self._sign(writer, batch)
                    yield from batch
                    batch = []
            if batch:
                self._sign(writer, batch)
                yield from batch
        except BaseException:
            writer.abort()
            raise
        writer.close()

    def _sign(self, writer: SignatureFileWriter, batch: list[Document]) -> None:
        with self.track_time(unit="batch"):
            sign_batch(
                writer,
                [d.text for d in batch],
                [d.id for d in batch],
                [d.metadata.get(Meta.ORDER_KEY) for d in batch],
                [d.metadata.get(Meta.LANG) for d in batch],
            )
        self.stat_update("documents_signed", value=len(batch))


class MinhashBucketer(PipelineStep):
    """Barrier, every task: LSH bucketing of partition `rank` of band-hash space into component edges."""

    name = "minhash_lsh_bucketer"
    type = "🫂 - DEDUP"

    def __init__(self, layout: LshLayout, params: MinhashDedupParams):
        super().__init__()
        self.layout, self.params = layout, params

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        p = self.params
        with self.track_time():
            bucket_partition(
                self.layout, p.index_dir, p.config(), rank, world_size, p.max_keys_in_memory, p.min_jaccard
            )
        return
        yield


class MinhashClusterMerger(PipelineStep):
    """Barrier, task 0 only: finishes partitions nobody holds, merges them, writes decisions (and the index)."""

    name = "minhash_cluster_merger"
    type = "🫂 - DEDUP"

    def __init__(self, layout: LshLayout, params: MinhashDedupParams, index_out: str | None):
        super().__init__()
        self.layout, self.params, self.index_out = layout, params, index_out

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if rank != 0:
            return
        p = self.params
        with self.track_time():
            counts = merge_partitions(
                self.layout,
                p.index_dir,
                p.config(),
                world_size,
                p.max_keys_in_memory,
                self.index_out,
                p.max_docs_in_memory,
                p.min_jaccard,
            )
        for key, value in counts.items():
            self.stat_update(key, value=value)
        log.info("minhash clusters merged", extra=counts)
        return
        yield


class NearDuplicateFilter(LedgerStage):
    """Map side after the barrier: drops every non-kept cluster member, labels survivors with their cluster."""

    name = "minhash_dedup"

    def __init__(self, out_dir: str, decisions_dir: str):
        super().__init__(out_dir)
        self.decisions_dir = decisions_dir
        self._rank = 0
        self._decisions: dict[str, tuple[str, str, str, int]] | None = None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        # decisions are per rank, and one process may run several ranks with the same step object
        self._rank, self._decisions = rank, None
        yield from super().run(data, rank, world_size)

    def _load(self) -> dict[str, tuple[str, str, str, int]]:
        if self._decisions is None:
            path = decisions_path(self.decisions_dir, self._rank)
            self._decisions = {}
            if path.is_file():
                t = read_parquet(path).to_pydict()
                self._decisions = {
                    d: (v, o, c, s)
                    for d, v, o, c, s in zip(
                        t["doc_id"], t["verdict"], t["duplicate_of"], t["cluster_id"], t["cluster_size"]
                    )
                }
        return self._decisions

    def judge(self, doc: Document) -> Drop | None:
        verdict, original, cluster, size = self._load().get(doc.id, (KEEP, doc.id, doc.id, 1))
        if verdict == KEEP:
            doc.metadata[Meta.DEDUP_CLUSTER_ID] = cluster
            # with the exact copies of the kept document that exact dedup dropped before (not yet those of the
            # cluster's other members: their counts are not brought to the keeper)
            doc.metadata[Meta.DEDUP_CLUSTER_SIZE] = size + int(doc.metadata.get(Meta.EXACT_COPIES) or 0)
            return None
        reason = Reason.IN_EARLIER_RELEASE if verdict == EARLIER else Reason.NEAR_DUPLICATE
        return Drop(reason, f"duplicate_of={original} cluster={cluster} size={size}")


@register_stage(
    name="minhash_dedup",
    summary="MinHash-LSH near-dedup on word n-grams; cluster id and size kept; incremental against earlier releases",
    role="barrier",
    params=MinhashDedupParams,
    provenance_columns=[(Meta.DEDUP_CLUSTER_ID, pa.string()), (Meta.DEDUP_CLUSTER_SIZE, pa.int64())],
    reasons={
        Reason.NEAR_DUPLICATE: "a near duplicate of the cluster's kept document",
        Reason.IN_EARLIER_RELEASE: "a near duplicate of a document an earlier release published",
    },
)
def build_minhash_stage(params: MinhashDedupParams, ctx: BuildContext, key: str) -> StageParts:
    config = params.config()
    for folder in params.index_dir:
        # here, not when the barrier reads the index: a mismatch found there cost the whole map stage
        try:
            check_config(folder, config)
        except (IndexMismatch, StorageError) as e:
            raise SpecError(f"stage {key!r}: index_dir {e}") from None
    layout = LshLayout(str(Path(ctx.work_dir) / key))
    index_out = str(Path(ctx.out_dir) / INDEX_SUBDIR / key) if params.write_index else None

    def build(inputs_dir: str) -> list[PipelineStep]:  # reads sigs/, not the intermediate Parquet
        return [MinhashBucketer(layout, params), MinhashClusterMerger(layout, params, index_out)]

    return StageParts(
        map_steps=[MinhashSigner(layout.sigs, config, params.batch_size, with_grams=params.min_jaccard is not None)],
        barrier=Barrier(key, params.buckets, build),
        after_barrier=[NearDuplicateFilter(ctx.out_dir, layout.decisions)],
    )
