"""The final merge: union-find over every partition's edges, one keeper per cluster, one decision row
per clustered document of this run, written per map rank so that each later task loads only its own.

The keeper is the first document in input order (`order_key`); a document of an earlier release
precedes everything in this run, and a cluster holding one makes all of this run's members
`in_earlier_release`. Memory is linear in the clustered documents, never in the corpus; above
`max_docs_in_memory` partition edges `spilled_clusters` writes the same rows from disk-sorted runs.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from eurocurate.dedup.components import connected_components
from eurocurate.dedup.lsh import partition_path, read_partition
from eurocurate.dedup.minhash import MinhashConfig
from eurocurate.dedup.signature_store import ROW_BITS, KeySource, write_config, write_index_subset
from eurocurate.files import read_parquet, write_table_atomic

U64 = np.uint64
KEEP, NEAR, EARLIER = "keep", "near", "earlier"
DECISIONS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("verdict", pa.string()),  # keep | near | earlier
        ("duplicate_of", pa.string()),
        ("cluster_id", pa.string()),
        ("cluster_size", pa.int64()),
    ]
)


def decisions_path(folder: str | Path, rank: int) -> Path:
    return Path(folder) / f"decisions-{rank:05d}.parquet"


def merged_components(parts_dir: str | Path, n_parts: int) -> tuple[np.ndarray, np.ndarray]:
    us, vs = [], []
    for p in range(n_parts):
        nodes, roots = read_partition(partition_path(parts_dir, p))
        us.append(roots)
        vs.append(nodes)
    return connected_components(np.concatenate(us), np.concatenate(vs))


def cluster_table(sources: list[KeySource], nodes: np.ndarray, roots: np.ndarray) -> pa.Table:
    """Members of every cluster with doc_id and ordering columns, sorted keeper-first within a cluster."""
    src = (nodes >> U64(ROW_BITS)).astype(np.int64)
    row = (nodes & U64((1 << ROW_BITS) - 1)).astype(np.int64)
    parts = []
    for index in np.unique(src):
        mine = np.flatnonzero(src == index)
        source = sources[index]
        docs = source.read_docs(["doc_id", "order_key"]).take(pa.array(row[mine]))
        parts.append(
            pa.table(
                {
                    "root": pa.array(roots[mine]),
                    "new": pa.array(np.full(len(mine), not source.earlier)),
                    "order_key": pc.fill_null(docs["order_key"], ""),
                    "gid": pa.array(nodes[mine]),
                    "doc_id": docs["doc_id"],
                    "source": pa.array(src[mine]),
                    "row": pa.array(row[mine]),
                }
            )
        )
    if not parts:
        return pa.table({"root": pa.array([], pa.uint64()), "new": pa.array([], pa.bool_())})
    table = pa.concat_tables(parts)
    return table.sort_by(
        [("root", "ascending"), ("new", "ascending"), ("order_key", "ascending"), ("gid", "ascending")]
    )


def decide(table: pa.Table) -> dict[str, np.ndarray | list]:
    """Per member: verdict, keeper doc_id (duplicate_of), cluster size; `table` as from `cluster_table`."""
    n = table.num_rows
    if n == 0:
        return {"verdict": [], "duplicate_of": [], "size": np.zeros(0, np.int64)}
    root = table["root"].to_numpy()
    first = np.concatenate([[True], root[1:] != root[:-1]])
    cluster = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, n))
    doc_ids = table["doc_id"].to_pylist()
    new = table["new"].to_numpy(zero_copy_only=False)
    keeper_new = new[starts]  # sorted earlier-first: the keeper is new only if the cluster has no earlier doc
    verdict = np.where(first, KEEP, np.where(keeper_new[cluster], NEAR, EARLIER))
    keeper = [doc_ids[starts[c]] for c in cluster]
    return {"verdict": verdict.tolist(), "duplicate_of": keeper, "size": sizes[cluster]}


def write_decisions(sources: list[KeySource], parts_dir: str | Path, n_parts: int, decisions_dir: str | Path) -> dict:
    """Merge all partitions and write `decisions-RRRRR.parquet` per map rank of this run; returns counts."""
    nodes, roots = merged_components(parts_dir, n_parts)
    table = cluster_table(sources, nodes, roots)
    d = decide(table)
    by_rank: dict[int, list[int]] = defaultdict(list)
    sources_col = table["source"].to_numpy() if table.num_rows else np.zeros(0, np.int64)
    for i, s in enumerate(sources_col):
        if not sources[s].earlier:
            by_rank[sources[s].rank].append(i)
    doc_ids = table["doc_id"].to_pylist() if table.num_rows else []
    counts = {KEEP: 0, NEAR: 0, EARLIER: 0}
    for source in sources:
        if source.earlier:
            continue
        idx = by_rank.get(source.rank, [])
        rows = {
            "doc_id": [doc_ids[i] for i in idx],
            "verdict": [d["verdict"][i] for i in idx],
            "duplicate_of": [d["duplicate_of"][i] for i in idx],
            "cluster_id": [d["duplicate_of"][i] for i in idx],
            "cluster_size": [int(d["size"][i]) for i in idx],
        }
        for v in rows["verdict"]:
            counts[v] += 1
        write_table_atomic(decisions_path(decisions_dir, source.rank), pa.table(rows, schema=DECISIONS_SCHEMA))
    return {
        "clustered": int(table.num_rows),
        "kept_in_clusters": counts[KEEP],
        "near": counts[NEAR],
        "earlier": counts[EARLIER],
    }


def dropped_rows(decisions_dir: str | Path, source: KeySource) -> set[str]:
    path = decisions_path(decisions_dir, source.rank)
    if not path.is_file():
        return set()
    t = read_parquet(path, ["doc_id", "verdict"])
    return {doc for doc, v in zip(t["doc_id"].to_pylist(), t["verdict"].to_pylist()) if v != KEEP}


def write_release_index(
    sources: list[KeySource],
    decisions_dir: str | Path,
    index_dir: str | Path,
    config: MinhashConfig,
    chunk_rows: int = 1 << 16,
) -> int:
    """Publish this run's surviving documents' band keys as the index the next release deduplicates against."""
    written = 0
    for source in sources:
        if source.earlier:
            continue
        dropped = dropped_rows(decisions_dir, source)
        ids = source.read_docs(["doc_id"])["doc_id"].to_pylist()
        keep = np.array([i for i, doc in enumerate(ids) if doc not in dropped], dtype=np.int64)
        written += write_index_subset(source, keep, index_dir, source.rank, chunk_rows)
    write_config(index_dir, config)
    return written
