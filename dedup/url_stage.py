"""The `url_dedup` stage: one document per normalised URL, the latest fetch (ties: first in input order).

Map side writes (url_hash, fetch_date, order_key, doc_id) per rank under `<work_dir>/<key>/urls/`;
barrier task `b` of `buckets` takes the hashes with `hash % buckets == b` (in passes of at most
`max_rows_in_memory` rows) and lists the losers; the next map stage drops them with the kept doc_id.

Incremental: with `index_dir`, a URL an earlier release published drops every fetch of it in this
run (`dedup.url_in_earlier_release`); with `write_index`, the documents that pass are published as
`OUT/dedup_index/<key>/urls-RRRRR.parquet` (url_hash, doc_id, normalised url) for the next release.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field, field_validator

from eurocurate import storage
from eurocurate.config import SpecError
from eurocurate.dedup.minhash import stable_hash64
from eurocurate.dedup.url import URL_HASH_KEY, normalise_url, url_key
from eurocurate.errors import StorageError
from eurocurate.files import StreamingParquet, write_bytes_atomic, write_table_atomic
from eurocurate.layout import DEDUP_INDEX
from eurocurate.registry import Barrier, BuildContext, StageParts, register_stage
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

INDEX_SUBDIR = DEDUP_INDEX
URL_INDEX_CONFIG = {"scheme": "url-normalise-v1", "key": "blake2b-64, key 11, of normalise_url"}
URLS_SCHEMA = pa.schema(
    [
        ("url_hash", pa.uint64()),
        ("fetch_date", pa.string()),
        ("order_key", pa.string()),
        ("doc_id", pa.string()),
        ("url", pa.string()),
    ]
)
DROPS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("duplicate_of", pa.string()),
        ("rank", pa.int32()),
        ("url", pa.string()),
        ("earlier", pa.bool_()),
    ]
)
INDEX_SCHEMA = pa.schema([("url_hash", pa.uint64()), ("doc_id", pa.string()), ("url", pa.string())])


class UrlIndexMismatch(ValueError):
    """A folder given as a URL index is not one (or was written by another URL scheme)."""


class UrlDedupParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buckets: int = Field(
        2, ge=1, le=4096, description="Partitions of URL-hash space, processed as parallel barrier tasks."
    )
    max_rows_in_memory: int = Field(
        4_000_000,
        ge=1_000,
        description="URL rows one barrier task holds at once; more passes when the corpus needs it.",
    )
    index_dir: list[str] = Field(
        default_factory=list,
        description="URL index folders of earlier releases (OUT/dedup_index/<key> of their runs); a document whose "
        "normalised URL one of them published is dropped as dedup.url_in_earlier_release.",
    )
    write_index: bool = Field(
        False,
        description="Publish the normalised URLs of the documents that pass as OUT/dedup_index/<key> for later "
        "releases.",
    )

    @field_validator("index_dir", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


def check_url_index(folder: str | Path) -> None:
    config = storage.locate(folder).child("config.json")
    if not storage.exists(config):
        raise UrlIndexMismatch(
            f"{storage.display(folder)} is not a URL dedup index (no config.json); expected "
            "OUT/dedup_index/<url_dedup key> of a release"
        )
    found = json.loads(storage.read_bytes(config))
    if found != URL_INDEX_CONFIG:
        raise UrlIndexMismatch(
            f"{storage.display(folder)} holds {found}, not a URL index of this version ({URL_INDEX_CONFIG}); "
            f"give url_dedup the index its own stage wrote (a MinHash index belongs to minhash_dedup)"
        )


def url_index_files(index_dirs: list[str]) -> list[Path]:
    files = []
    for folder in index_dirs:
        check_url_index(folder)
        files += sorted(storage.local_mirror(folder).glob("urls-?????.parquet"))
    return files


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
                                "fetch_date": sortable_utc(doc.metadata.get(Meta.FETCH_DATE)),
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


def sortable_utc(value: object) -> str:
    """A fetch date as UTC text of one fixed form, so that text order is time order: `10:00+02:00` is before
    `09:00Z`, and `09:00:00.500Z` after `09:00:00Z` (compared as written, both came out the other way). A date
    without a zone is read as UTC; one that is no ISO 8601 date sorts before every date ("")."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def find_url_duplicates(rows: pa.Table, published: pa.Table | None = None) -> pa.Table:
    """(doc_id, duplicate_of, url, rank, earlier) for every row of `rows` that loses its normalised URL:
    to a later (or equally dated, earlier-ordered) fetch, or (`earlier`) to the document an earlier
    release published under it. `published` has the columns url_hash and doc_id of release indexes."""
    if rows.num_rows == 0:
        return DROPS_SCHEMA.empty_table()
    rows = rows.select(["url_hash", "fetch_date", "order_key", "doc_id", "url", "rank"]).append_column(
        "published", pa.array(np.zeros(rows.num_rows, dtype=bool))
    )
    if published is not None and published.num_rows:
        n = published.num_rows
        old = pa.table(
            {
                "url_hash": published["url_hash"],
                "fetch_date": pa.array([""] * n, pa.string()),
                "order_key": pa.array([""] * n, pa.string()),
                "doc_id": published["doc_id"],
                "url": pa.array([""] * n, pa.string()),
                "rank": pa.array(np.full(n, -1, np.int32)),
                "published": pa.array(np.ones(n, dtype=bool)),
            }
        )
        rows = pa.concat_tables([rows, old.cast(rows.schema)])
    t = rows.sort_by(
        [
            ("url_hash", "ascending"),
            ("published", "descending"),
            ("fetch_date", "descending"),
            ("order_key", "ascending"),
            ("doc_id", "ascending"),
        ]
    )
    h = t["url_hash"].to_numpy()
    is_published = t["published"].to_numpy(zero_copy_only=False)
    first = np.concatenate([[True], h[1:] != h[:-1]])
    head = np.flatnonzero(first)[np.cumsum(first) - 1]
    dup = np.flatnonzero(~first & ~is_published)
    return pa.table(
        {
            "doc_id": t["doc_id"].take(pa.array(dup)),
            "duplicate_of": t["doc_id"].take(pa.array(head[dup])),
            "rank": t["rank"].take(pa.array(dup)),
            "url": t["url"].take(pa.array(dup)),
            "earlier": pa.array(is_published[head[dup]]),
        },
        schema=DROPS_SCHEMA,
    )


class UrlDuplicateIndex(PipelineStep):
    """Barrier: URL-hash partition `rank` of `world_size`; writes `drops-<rank>.parquet`."""

    name = "url_dedup_index"
    type = "🫂 - DEDUP"

    def __init__(self, urls_dir: str, drops_dir: str, max_rows_in_memory: int, index_dirs: list[str] | None = None):
        super().__init__()
        self.urls_dir, self.drops_dir, self.max_rows = urls_dir, drops_dir, max_rows_in_memory
        self.index_dirs = list(index_dirs or [])

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        files = sorted(Path(self.urls_dir).glob("urls-?????.parquet"))
        published_files = url_index_files(self.index_dirs)
        total = sum(pq.ParquetFile(f).metadata.num_rows for f in files + published_files)
        passes = max(1, math.ceil(total / world_size / self.max_rows))
        modulus = np.uint64(world_size * passes)
        out = []
        for q in range(passes):
            mine = q * world_size + rank
            parts = []
            for f in files:
                t = pq.read_table(f)
                t = t.filter(pa.array(t["url_hash"].to_numpy() % modulus == mine))
                parts.append(t.append_column("rank", pa.array(np.full(t.num_rows, int(f.name[5:10]), np.int32))))
            published = [pq.read_table(f, columns=["url_hash", "doc_id"]) for f in published_files]
            published = [t.filter(pa.array(t["url_hash"].to_numpy() % modulus == mine)) for t in published]
            if parts:
                out.append(
                    find_url_duplicates(pa.concat_tables(parts), pa.concat_tables(published) if published else None)
                )
        table = pa.concat_tables(out) if out else DROPS_SCHEMA.empty_table()
        earlier = int(np.sum(table["earlier"].to_numpy(zero_copy_only=False))) if table.num_rows else 0
        self.stat_update("url_duplicates_found", value=table.num_rows - earlier)
        self.stat_update("url_in_earlier_release_found", value=earlier)
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
        self._drops: dict[str, tuple[str, str, bool]] | None = None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._rank, self._drops = rank, None  # one process may run several ranks with this object
        yield from super().run(data, rank, world_size)

    def _load(self) -> dict[str, tuple[str, str, bool]]:
        if self._drops is None:
            self._drops = {}
            for f in sorted(Path(self.drops_dir).glob("drops-?????.parquet")):
                t = pq.read_table(f, filters=[("rank", "=", self._rank)]).to_pydict()
                self._drops.update(zip(t["doc_id"], zip(t["duplicate_of"], t["url"], t["earlier"])))
        return self._drops

    def judge(self, doc: Document) -> Drop | None:
        hit = self._load().get(doc.id)
        if hit is None:
            return None
        original, url, earlier = hit
        return Drop(
            Reason.URL_IN_EARLIER_RELEASE if earlier else Reason.URL_DUPLICATE,
            f"duplicate_of={original} url={normalise_url(url)}",
        )


class UrlIndexWriter(PipelineStep):
    """Map side after the filter: publishes (url_hash, doc_id, normalised url) of every document that
    passed URL dedup as `urls-<rank>.parquet` of the release's URL index; documents pass unchanged."""

    name = "url_index_writer"
    type = "🫂 - DEDUP"

    def __init__(self, index_dir: str):
        super().__init__()
        self.index_dir = index_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        folder = Path(self.index_dir)
        out = StreamingParquet(folder / f"urls-{rank:05d}.parquet", INDEX_SCHEMA, flush_rows=8192)
        try:
            for doc in data or []:
                url = doc.metadata.get(Meta.URL)
                if url:
                    normal = normalise_url(url)
                    out.append({"url_hash": stable_hash64(normal, URL_HASH_KEY), "doc_id": doc.id, "url": normal})
                yield doc
        except BaseException:
            out.abort()
            raise
        out.close()
        self.stat_update("urls_indexed", value=out.rows)
        config = json.dumps(URL_INDEX_CONFIG, sort_keys=True).encode()
        if not (folder / "config.json").is_file() or (folder / "config.json").read_bytes() != config:
            write_bytes_atomic(folder / "config.json", config)


@register_stage(
    name="url_dedup",
    summary="URL dedup on the normalised URL; keeps the latest fetch",
    role="barrier",
    params=UrlDedupParams,
    reasons={
        Reason.URL_DUPLICATE: "another fetch of the same normalised URL is kept (the latest)",
        Reason.URL_IN_EARLIER_RELEASE: "an earlier release published the normalised URL",
    },
)
def build_url_dedup_stage(params: UrlDedupParams, ctx: BuildContext, key: str) -> StageParts:
    for folder in params.index_dir:
        try:
            check_url_index(folder)
        except (UrlIndexMismatch, StorageError) as e:
            raise SpecError(f"stage {key!r}: index_dir {e}") from e
    root = Path(ctx.work_dir) / key
    urls, drops = str(root / "urls"), str(root / "drops")
    index_dirs = list(params.index_dir)
    after: list[PipelineStep] = [UrlDuplicateFilter(ctx.out_dir, drops)]
    if params.write_index:
        after.append(UrlIndexWriter(str(Path(ctx.out_dir) / INDEX_SUBDIR / key)))
    return StageParts(
        map_steps=[UrlHasher(urls)],
        barrier=Barrier(
            key,
            params.buckets,
            lambda inputs_dir: [UrlDuplicateIndex(urls, drops, params.max_rows_in_memory, index_dirs)],
        ),
        after_barrier=after,
    )
