"""Near-dedup at scale on Ray: N synthetic documents with a known duplicate structure, signatures,
LSH partitions and the merge as Ray tasks on 2 local workers; prints documents/s, peak RSS, index
bytes per document and pair recall/precision against the known structure.

    python -m eurocurate.tools.bench_dedup --docs 2000000

Structure (deterministic from --seed): documents come in blocks of ten; positions 0-6 are originals,
7 and 8 near copies (--replace of the words changed) of position 0 of another block, 9 an exact copy
of position 1 of a third block. A document's text is a function of its index only, so every task
generates its own shard and nothing but file paths crosses process boundaries.

Peak RSS is per task: each task resets its process's high-water mark when it starts (Ray reuses
worker processes); the merge runs in a new process of its own, so that its figure is not hidden by
what a reused worker kept. `--max-docs-in-memory` below the number of partition edges makes the
merge spill to disk (`dedup/spilled_clusters.py`); several values merge the same partitions again
and check that the decisions are identical. `--min-jaccard` verifies candidate pairs exactly.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.dedup.clusters import decisions_path
from eurocurate.dedup.lsh import partition_edge_count
from eurocurate.dedup.minhash import FINEWEB_MINHASH, MinhashConfig, _mix
from eurocurate.dedup.near_duplicates import (
    DEFAULT_MAX_DOCS_IN_MEMORY,
    DEFAULT_MAX_KEYS_IN_MEMORY,
    LshLayout,
    bucket_partition,
    merge_partitions,
    sign_documents,
)
from eurocurate.tools.bench_meter import reset_peak_rss

U64 = np.uint64
VOCAB = np.array([f"w{i}" for i in range(60_000)], dtype=object)


def _coprime(n: int, start: int) -> int:
    m = start
    while math.gcd(m, n) != 1:
        m += 1
    return m


class SyntheticCorpus:
    def __init__(self, docs: int, words: int, replace: float, seed: int):
        self.docs, self.words, self.replace, self.seed = docs, words, replace, seed
        self.blocks = max(1, docs // 10)
        self.near_mult = _coprime(self.blocks, 7919)
        self.exact_mult = _coprime(self.blocks, 104729)

    def sources(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(base text id, whether the copy is near) per document index; the base id is also the true cluster."""
        block, pos = idx // 10, idx % 10
        base = idx.copy()
        near = (pos == 7) | (pos == 8)
        exact = pos == 9
        base[near] = ((block[near] * self.near_mult + 13) % self.blocks) * 10
        base[exact] = ((block[exact] * self.exact_mult + 7) % self.blocks) * 10 + 1
        tail = idx >= self.blocks * 10  # documents after the last full block are originals
        base[tail], near[tail] = idx[tail], False
        return base, near

    def texts(self, lo: int, hi: int) -> list[str]:
        idx = np.arange(lo, hi, dtype=np.int64)
        base, near = self.sources(idx)
        pos = np.arange(self.words, dtype=np.uint64)
        with np.errstate(over="ignore"):
            h = _mix((base.astype(U64)[:, None] * U64(self.words) + pos) ^ U64(self.seed))
            words = (h % U64(len(VOCAB))).astype(np.int64)
            r = _mix((idx.astype(U64)[:, None] * U64(self.words) + pos) ^ U64(self.seed + 1))
        changed = near[:, None] & ((r % U64(10_000)) < U64(int(self.replace * 10_000)))
        out = []
        for row, ch, rr in zip(words, changed, r):
            tokens = VOCAB[row]
            if ch.any():
                tokens = tokens.copy()
                tokens[ch] = [f"x{v}" for v in (rr[ch] >> U64(20)).tolist()]
            out.append(" ".join(tokens))
        return out


def _rss_mb() -> float:
    """Peak resident set of this process in MB: VmHWM where Linux has it (ru_maxrss would carry the
    parent's peak over into a spawned child), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sign_shard(
    corpus: SyntheticCorpus,
    lo: int,
    hi: int,
    rank: int,
    layout: LshLayout,
    config: MinhashConfig,
    with_grams: bool = False,
) -> dict:
    reset_peak_rss()
    start = time.perf_counter()
    gen = 0.0

    def stream():
        nonlocal gen
        for a in range(lo, hi, 4096):
            t = time.perf_counter()
            texts = corpus.texts(a, min(a + 4096, hi))
            gen += time.perf_counter() - t
            yield from ((str(a + i), text, f"{a + i:012d}", None) for i, text in enumerate(texts))

    n = sign_documents(stream(), layout.sigs, rank, config, with_grams=with_grams)
    total = time.perf_counter() - start
    return {"docs": n, "seconds": total, "generate_seconds": gen, "rss_mb": _rss_mb()}


def partition_task(
    layout: LshLayout, config: MinhashConfig, part: int, parts: int, max_keys: int, min_jaccard: float | None = None
) -> dict:
    reset_peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    bucket_partition(layout, [], config, part, parts, max_keys, min_jaccard)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "rss_mb": _rss_mb()}


def _merge_here(layout: LshLayout, config: MinhashConfig, parts: int, max_keys: int, max_docs: int) -> dict:
    at_start = _rss_mb()  # a fresh interpreter with numpy, pyarrow and eurocurate imported
    start, cpu = time.perf_counter(), time.process_time()
    counts = merge_partitions(layout, [], config, parts, max_keys, max_docs_in_memory=max_docs)
    counts["partition_edges"] = partition_edge_count(layout.parts, parts)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "rss_mb": _rss_mb(),
        "rss_mb_at_start": at_start,
        **counts,
    }


def merge_task(layout: LshLayout, config: MinhashConfig, parts: int, max_keys: int, max_docs: int) -> dict:
    """The merge in a new process: a reused Ray worker keeps the heap of earlier tasks, which would
    hide the merge's own peak."""
    from eurocurate.tools.bench_dedup import _merge_here as merge  # by module, not __main__: the child imports it

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(merge, layout, config, parts, max_keys, max_docs).result()


def pair_scores(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Pair recall and precision of a predicted clustering against the true one (labels per document)."""

    def pairs(labels: np.ndarray) -> int:
        _, counts = np.unique(labels, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    n = max(int(truth.max()), int(predicted.max())) + 1
    both = pairs(truth.astype(np.int64) * n + predicted)
    true_pairs, pred_pairs = pairs(truth), pairs(predicted)
    return both / max(true_pairs, 1), both / max(pred_pairs, 1)


def predicted_labels(layout: LshLayout, shards: list[tuple[int, int]], n: int) -> np.ndarray:
    labels = np.arange(n, dtype=np.int64)
    for rank, _ in enumerate(shards):
        path = decisions_path(layout.decisions, rank)
        if path.is_file():
            t = pq.read_table(path, columns=["doc_id", "cluster_id"])
            labels[np.asarray(t["doc_id"].to_pylist(), dtype=np.int64)] = np.asarray(
                t["cluster_id"].to_pylist(), dtype=np.int64
            )
    return labels


def _decisions(layout: LshLayout, ranks: int) -> pa.Table:
    paths = [decisions_path(layout.decisions, r) for r in range(ranks)]
    return pa.concat_tables([pq.read_table(p) for p in paths if p.is_file()])


def _merge_figures(cap: int, merged: dict) -> dict:
    return {
        "merge_max_docs_in_memory": cap,
        "merge_seconds": round(merged["seconds"], 1),
        "merge_cpu_seconds": round(merged["cpu_seconds"], 1),
        "merge_peak_rss_mb": round(merged["rss_mb"], 1),
        "merge_rss_mb_at_start": round(merged["rss_mb_at_start"], 1),
        "merge_runs_spilled": merged.get("merge_runs_spilled", 0),
        "merge_component_rounds": merged.get("merge_component_rounds", 0),
        "merge_peak_rows": merged.get("merge_peak_rows", "in memory"),
    }


def run(args: argparse.Namespace) -> dict:
    import ray

    config = MinhashConfig(args.bands, args.rows, args.ngram)
    corpus = SyntheticCorpus(args.docs, args.words, args.replace, args.seed)
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench_dedup-"))
    layout = LshLayout(str(work / "lsh"))
    step = math.ceil(args.docs / args.shards)
    shards = [(lo, min(lo + step, args.docs)) for lo in range(0, args.docs, step)]
    ray.init(
        address="local",
        num_cpus=args.workers,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
    )
    try:
        t0 = time.perf_counter()
        sign = ray.remote(sign_shard)
        with_grams = args.min_jaccard is not None
        signed = ray.get(
            [sign.remote(corpus, lo, hi, r, layout, config, with_grams) for r, (lo, hi) in enumerate(shards)]
        )
        t1 = time.perf_counter()
        part = ray.remote(partition_task)
        parted = ray.get(
            [part.remote(layout, config, p, args.parts, args.max_keys, args.min_jaccard) for p in range(args.parts)]
        )
        t2 = time.perf_counter()
        merged = ray.get(
            ray.remote(merge_task).remote(layout, config, args.parts, args.max_keys, args.max_docs_in_memory[0])
        )
        t3 = time.perf_counter()
        reference = _decisions(layout, len(shards))
        other_merges = []
        for cap in args.max_docs_in_memory[1:]:  # the same partitions merged again under another cap
            shutil.rmtree(layout.decisions)
            other = ray.get(ray.remote(merge_task).remote(layout, config, args.parts, args.max_keys, cap))
            other_merges.append(
                {"cap": cap, **other, "same_decisions": _decisions(layout, len(shards)).equals(reference)}
            )
    finally:
        ray.shutdown()
    truth, _ = corpus.sources(np.arange(args.docs, dtype=np.int64))
    recall, precision = pair_scores(truth, predicted_labels(layout, shards, args.docs))
    keys_bytes = sum(p.stat().st_size for p in Path(layout.sigs).glob("keys-*.u64"))
    docs_bytes = sum(p.stat().st_size for p in Path(layout.sigs).glob("docs-*.parquet"))
    gram_bytes = sum(p.stat().st_size for p in Path(layout.sigs).glob("grams-*"))
    sign_cpu = sum(s["seconds"] - s["generate_seconds"] for s in signed)
    result = {
        "docs": args.docs,
        "words_per_doc": args.words,
        "mean_doc_bytes": round(float(np.mean([len(t.encode()) for t in corpus.texts(0, min(1000, args.docs))])), 1),
        "config": f"{config.bands}x{config.rows}, {config.ngram}-grams",
        "seconds_total": round(t3 - t0, 1),
        "seconds_sign": round(t1 - t0, 1),
        "seconds_lsh_partitions": round(t2 - t1, 1),
        "cpu_seconds_lsh_partitions": round(sum(x["cpu_seconds"] for x in parted), 1),
        "seconds_merge": round(t3 - t2, 1),
        "docs_per_s_end_to_end": round(args.docs / (t3 - t0)),
        "signature_docs_per_s_per_core": round(args.docs / sign_cpu),
        "peak_rss_mb_worker": round(max(x["rss_mb"] for x in signed + parted + [merged]), 1),
        "peak_rss_mb_partition_tasks": round(max(x["rss_mb"] for x in parted), 1),
        "index_bytes_per_doc_band_keys": round(keys_bytes / args.docs, 1),
        "index_bytes_per_doc_doc_table_on_disk": round(docs_bytes / args.docs, 1),
        "verification_min_jaccard": args.min_jaccard,
        "work_bytes_per_doc_ngram_sets": round(gram_bytes / args.docs, 1),
        "clustered_docs": merged["clustered"],
        "partition_edges": merged["partition_edges"],
        **_merge_figures(args.max_docs_in_memory[0], merged),
        "pair_recall": round(recall, 4),
        "pair_precision": round(precision, 4),
    }
    for other in other_merges:
        cap = other["cap"]
        result.update({f"{k}@cap={cap}": v for k, v in _merge_figures(cap, other).items()})
        result[f"same_decisions@cap={cap}"] = other["same_decisions"]
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", type=int, default=2_000_000, help="synthetic documents (default 2,000,000)")
    p.add_argument("--words", type=int, default=600, help="words per document (600 ~ 4 KB)")
    p.add_argument("--replace", type=float, default=0.01, help="share of words changed in a near copy")
    p.add_argument("--bands", type=int, default=FINEWEB_MINHASH.bands, help="default FineWeb's")
    p.add_argument("--rows", type=int, default=FINEWEB_MINHASH.rows, help="default FineWeb's")
    p.add_argument("--ngram", type=int, default=FINEWEB_MINHASH.ngram, help="default FineWeb's")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--shards", type=int, default=16, help="map tasks (signature files)")
    p.add_argument("--parts", type=int, default=4, help="LSH partitions (barrier tasks)")
    p.add_argument(
        "--max-keys", type=int, default=DEFAULT_MAX_KEYS_IN_MEMORY, help="band keys a partition task holds at once"
    )
    p.add_argument(
        "--max-docs-in-memory",
        type=int,
        nargs="+",
        default=[DEFAULT_MAX_DOCS_IN_MEMORY],
        help="clustered documents the merge holds at once (spills above); several values merge the same "
        "partitions once per value",
    )
    p.add_argument(
        "--min-jaccard",
        type=float,
        default=None,
        help="verify candidate pairs at this exact n-gram Jaccard (default: off)",
    )
    p.add_argument("--seed", type=int, default=20261125)
    p.add_argument("--work-dir", default=None)
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--min-recall", type=float, default=0.95)
    p.add_argument("--min-precision", type=float, default=0.99)
    args = p.parse_args(argv)
    result = run(args)
    width = max(map(len, result))
    for k, v in result.items():
        print(f"{k:<{width}}  {v}")
    ok = result["pair_recall"] >= args.min_recall and result["pair_precision"] >= args.min_precision
    ok = ok and all(v for k, v in result.items() if k.startswith("same_decisions"))
    print("PASS" if ok else f"FAIL: recall/precision below {args.min_recall}/{args.min_precision}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
