"""Near-duplicate detection as plain functions over folders: sign documents into a signature folder,
bucket every partition, merge into decisions, optionally publish the release index. The pipeline
stage, `dedup_jsonl`, the evaluation and the benchmark all go through these.

The merge runs in memory while the partitions' edges fit in `max_docs_in_memory`, and spills to
disk (`spilled_clusters`) with the same decisions when they do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eurocurate.dedup.clusters import write_decisions, write_release_index
from eurocurate.dedup.lsh import finish_all_partitions, partition_edge_count, partition_edges, run_partition_claimed
from eurocurate.dedup.minhash import MinhashConfig, band_keys
from eurocurate.dedup.minhash_pieces import sign_texts
from eurocurate.dedup.signature_store import KeySource, SignatureFileWriter, all_sources
from eurocurate.dedup.spilled_clusters import write_decisions_spilled
from eurocurate.dedup.verification import DEFAULT_MIN_JACCARD, GramSets, similar_pairs

DEFAULT_MAX_DOCS_IN_MEMORY = 8_000_000
DEFAULT_MAX_KEYS_IN_MEMORY = 8_000_000
# the on-disk merge holds five buffers of cap // 5 rows and an external sort needs at least 8 rows each
MIN_DOCS_IN_MEMORY = 40


@dataclass(frozen=True)
class LshLayout:
    """Where one dedup run keeps its files: signatures (map side), partition edges, decisions."""

    root: str

    @property
    def sigs(self) -> str:
        return str(Path(self.root) / "sigs")

    @property
    def parts(self) -> str:
        return str(Path(self.root) / "parts")

    @property
    def decisions(self) -> str:
        return str(Path(self.root) / "decisions")

    @property
    def merge_spill(self) -> str:
        return str(Path(self.root) / "merge_spill")


def sign_batch(
    writer: SignatureFileWriter,
    texts: list[str],
    doc_ids: list[str],
    order_keys: list[str | None],
    langs: list[str | None],
) -> None:
    config = writer.config
    sig, sets = sign_texts(texts, config, writer.with_grams)  # in bounded memory, whatever a text's length
    keys = band_keys(sig, config, langs if config.per_language else None)
    writer.append(keys, doc_ids, order_keys, langs, sets)


def sign_documents(
    rows: Iterable[tuple[str, str, str | None, str | None]],
    sig_dir: str,
    rank: int,
    config: MinhashConfig,
    batch_size: int = 256,
    with_grams: bool = True,
) -> int:
    """Write the signature files of rank `rank` for (doc_id, text, order_key, lang) rows (and, with
    `with_grams`, their n-gram sets, which verification reads: it is on by default); returns rows."""
    writer = SignatureFileWriter(sig_dir, rank, config, with_grams)
    batch: list[tuple] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                ids, texts, orders, langs = zip(*batch)
                sign_batch(writer, list(texts), list(ids), list(orders), list(langs))
                batch = []
        if batch:
            ids, texts, orders, langs = zip(*batch)
            sign_batch(writer, list(texts), list(ids), list(orders), list(langs))
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return writer.rows


def sources_of(layout: LshLayout, index_dirs: list[str], config: MinhashConfig) -> list[KeySource]:
    return all_sources(layout.sigs, index_dirs, config)


def _similar(
    sources: list[KeySource], min_jaccard: float | None
) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    """The pair predicate of verification, or None (link every LSH candidate) without `min_jaccard`."""
    return None if min_jaccard is None else similar_pairs(GramSets(sources), min_jaccard)


def bucket_partition(
    layout: LshLayout,
    index_dirs: list[str],
    config: MinhashConfig,
    part: int,
    n_parts: int,
    max_keys_in_memory: int,
    min_jaccard: float | None = DEFAULT_MIN_JACCARD,
) -> None:
    sources = sources_of(layout, index_dirs, config)
    similar = _similar(sources, min_jaccard)
    run_partition_claimed(
        layout.parts, part, lambda: partition_edges(sources, part, n_parts, max_keys_in_memory, similar=similar)
    )


def merge_partitions(
    layout: LshLayout,
    index_dirs: list[str],
    config: MinhashConfig,
    n_parts: int,
    max_keys_in_memory: int,
    write_index_to: str | None = None,
    max_docs_in_memory: int = DEFAULT_MAX_DOCS_IN_MEMORY,
    min_jaccard: float | None = DEFAULT_MIN_JACCARD,
) -> dict:
    """Finish any partition not done yet, then write decisions (and the release index); returns counts.

    With more partition edges than `max_docs_in_memory` the merge spills (counts then say how).
    """
    sources = sources_of(layout, index_dirs, config)
    similar = _similar(sources, min_jaccard)
    finish_all_partitions(
        layout.parts,
        n_parts,
        lambda p: lambda: partition_edges(sources, p, n_parts, max_keys_in_memory, similar=similar),
    )
    if partition_edge_count(layout.parts, n_parts) <= max_docs_in_memory:
        counts = write_decisions(sources, layout.parts, n_parts, layout.decisions)
    else:
        counts, memory = write_decisions_spilled(
            sources, layout.parts, n_parts, layout.decisions, max_docs_in_memory, layout.merge_spill
        )
        counts.update(
            merge_runs_spilled=memory.runs_spilled,
            merge_component_rounds=memory.component_rounds,
            merge_peak_rows=memory.peak,
        )
    counts["documents"] = sum(s.rows for s in sources if not s.earlier)
    counts["earlier_documents"] = sum(s.rows for s in sources if s.earlier)
    if write_index_to:
        counts["indexed"] = write_release_index(sources, layout.decisions, write_index_to, config)
    return counts


def find_near_duplicates(
    rows: Iterable[tuple[str, str, str | None, str | None]],
    work_dir: str,
    config: MinhashConfig,
    n_parts: int = 1,
    max_keys_in_memory: int = DEFAULT_MAX_KEYS_IN_MEMORY,
    index_dirs: list[str] | None = None,
    write_index_to: str | None = None,
    max_docs_in_memory: int = DEFAULT_MAX_DOCS_IN_MEMORY,
    min_jaccard: float | None = DEFAULT_MIN_JACCARD,
) -> tuple[LshLayout, dict]:
    """The whole near-dedup in one process: sign, bucket, merge. Decisions land in `layout.decisions`.

    Candidate pairs are linked only when their exact n-gram Jaccard reaches `min_jaccard`; None links
    every LSH candidate unverified.
    """
    layout = LshLayout(work_dir)
    sign_documents(rows, layout.sigs, 0, config, with_grams=min_jaccard is not None)
    counts = merge_partitions(
        layout, index_dirs or [], config, n_parts, max_keys_in_memory, write_index_to, max_docs_in_memory, min_jaccard
    )
    return layout, counts
