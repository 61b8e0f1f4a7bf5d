"""The `url_dedup` stage: one document per normalised URL, the latest fetch (ties: first in input order).

Map side writes (url_hash, fetch_date, order_key, doc_id) per rank under `<work_dir>/<key>/urls/`;
barrier task `b` of `buckets` takes the hashes with `hash % buckets == b` (in passes of at most
`max_rows_in_memory` rows) and lists the losers; the next map stage drops them with the kept doc_id.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.dedup.minhash import stable_hash64
from eurocurate.dedup.url import normalise_url
from eurocurate.manifests.files import StreamingParquet, write_table_atomic
from eurocurate.registry import Barrier, BuildContext, StageParts
from eurocurate.schema import Reason, Meta
from eurocurate.stage import Drop, LedgerStage

REASON_URL_DUPLICATE = Reason.URL_DUPLICATE
URLS_SCHEMA = pa.schema(
    [("url_hash", pa.uint64()), ("fetch_date", pa.string()), ("order_key", pa.string()), ("doc_id", pa.string()), ("url", pa.string())]
)
DROPS_SCHEMA = pa.schema([("doc_id", pa.string()), ("duplicate_of", pa.string()), ("rank", pa.int32()), ("url", pa.string())])


class UrlDedupParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buckets: int = Field(2, ge=1, le=4096, description="Partitions of URL-hash space, processed as parallel barrier tasks.")
    max_rows_in_memory: int = Field(
        4_000_000, ge=1_000, description="URL rows one barrier task holds at once; more passes when the corpus needs it."
    )


def url_key(url: str) -> int:
    return stable_hash64(normalise_url(url), 11)


class UrlHasher(PipelineStep):
    """Map side: records each document's normalised-URL hash and fetch date; documents pass unchanged."""

    name = "url_hasher"
    type = "🫂 - DEDUP"

    def __init__(self, urls_dir: str):
        super().__init__()
        self.urls_dir = urls_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        out = StreamingParquet(Path(self.urls_dir) / f"urls-{rank:05d}.parquet", URLS_SCHEMA, flush_rows=8192)
        try:
            for doc in data or []:
                url = doc.metadata.get(Meta.URL)
                if url:
                    with self.track_time():
                        out.append(
                            {
                                "url_hash": url_key(url),
                                "fetch_date": doc.metadata.get(Meta.FETCH_DATE) or "",
                                "order_key": doc.metadata.get(Meta.ORDER_KEY) or "",
                                "doc_id": doc.id,
                                "url": url,
                            }
                        )
                yield doc
        except BaseException:
            out.abort()
            raise
        out.close()


def find_url_duplicates(rows: pa.Table) -> pa.Table:
    """(doc_id, duplicate_of, url) for every row whose normalised URL has a later (or earlier-ordered equal) fetch."""
    if rows.num_rows == 0:
        return pa.table({"doc_id": pa.array([], pa.string()), "duplicate_of": pa.array([], pa.string()), "url": pa.array([], pa.string())})
    t = rows.sort_by([("url_hash", "ascending"), ("fetch_date", "descending"), ("order_key", "ascending"), ("doc_id", "ascending")])
    h = t["url_hash"].to_numpy()
    first = np.concatenate([[True], h[1:] != h[:-1]])
    head = np.flatnonzero(first)[np.cumsum(first) - 1]
    dup = np.flatnonzero(~first)
    return pa.table(
        {
            "doc_id": t["doc_id"].take(pa.array(dup)),
            "duplicate_of": t["doc_id"].take(pa.array(head[dup])),
            "url": t["url"].take(pa.array(dup)),
            "rank": t["rank"].take(pa.array(dup)),
        }
    )


class UrlDuplicateIndex(PipelineStep):
    """Barrier: URL-hash partition `rank` of `world_size`; writes `drops-<rank>.parquet`."""

    name = "url_dedup_index"
    type = "🫂 - DEDUP"

    def __init__(self, urls_dir: str, drops_dir: str, max_rows_in_memory: int):
        super().__init__()
        self.urls_dir, self.drops_dir, self.max_rows = urls_dir, drops_dir, max_rows_in_memory

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        files = sorted(Path(self.urls_dir).glob("urls-?????.parquet"))
        total = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        passes = max(1, math.ceil(total / world_size / self.max_rows))
        out = []
        for q in range(passes):
            parts = []
            for f in files:
                t = pq.read_table(f)
                t = t.filter(pa.array(t["url_hash"].to_numpy() % np.uint64(world_size * passes) == q * world_size + rank))
                parts.append(t.append_column("rank", pa.array(np.full(t.num_rows, int(f.name[5:10]), np.int32))))
            if parts:
                out.append(find_url_duplicates(pa.concat_tables(parts)))
        table = pa.concat_tables(out).select(["doc_id", "duplicate_of", "rank", "url"]).cast(DROPS_SCHEMA) if out else DROPS_SCHEMA.empty_table()
        self.stat_update("url_duplicates_found", value=table.num_rows)
        write_table_atomic(Path(self.drops_dir) / f"drops-{rank:05d}.parquet", table)
        return
        yield


class UrlDuplicateFilter(LedgerStage):
    """Map side after the barrier: drops older fetches of a URL kept elsewhere."""

    name = "url_dedup"

    def __init__(self, out_dir: str, drops_dir: str):
        super().__init__(out_dir)
        self.drops_dir = drops_dir
        self._rank = 0
        self._drops: dict[str, tuple[str, str]] | None = None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._rank, self._drops = rank, None  # one process may run several ranks with this object
        yield from super().run(data, rank, world_size)

    def _load(self) -> dict[str, tuple[str, str]]:
        if self._drops is None:
            self._drops = {}
            for f in sorted(Path(self.drops_dir).glob("drops-?????.parquet")):
                t = pq.read_table(f, filters=[("rank", "=", self._rank)]).to_pydict()
                self._drops.update(zip(t["doc_id"], zip(t["duplicate_of"], t["url"])))
        return self._drops

    def judge(self, doc: Document) -> Drop | None:
        hit = self._load().get(doc.id)
        return None if hit is None else Drop(REASON_URL_DUPLICATE, f"duplicate_of={hit[0]} url={normalise_url(hit[1])}")


def build_url_dedup_stage(params: UrlDedupParams, ctx: BuildContext, key: str) -> StageParts:
    root = Path(ctx.work_dir) / key
    urls, drops = str(root / "urls"), str(root / "drops")
    return StageParts(
        map_steps=[UrlHasher(urls)],
        barrier=Barrier(key, params.buckets, lambda inputs_dir: [UrlDuplicateIndex(urls, drops, params.max_rows_in_memory)]),
        after_barrier=[UrlDuplicateFilter(ctx.out_dir, drops)],
    )
