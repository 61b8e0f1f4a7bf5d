"""Language-ID speed: documents/s per core (CPU time) of the whole identifier on 1-5 KB documents.

Measures `identify_document` (document -> primary language, score, shares) once the models are
loaded, as CPU time, in a fresh Python process like a pipeline worker: its peak RSS is the memory language ID
costs one worker (interpreter and imports included). `--baseline-python` runs the same measurement, on the
same documents, with another installation (e.g. main's `.venv/bin/python`) for a before/after table. Two figures per
set: the fastest of the repeated passes (documents read before: what the identifier keeps of a text it read is
reused) and the first reading of the documents after the first 48 (what a pipeline worker meets: pages it never
read).
With $EUROCURATE_CORPUS: documents with the same share of every
EU-24 language and sizes spread evenly over 1,000-5,000 bytes of UTF-8, built from the assembled
pages' main text (truth.jsonl), plus the LibreOffice help pages whose main text (resiliparse) is
1-5 KB, as they are. Without it: the same construction from the demo text in `tools/demo_text/`
(paragraphs between navigation, cookie and footer lines).

    python -m eurocurate.tools.bench_langid [--docs 1200] [--repeat 3] [--json out.json]
        [--baseline-python /path/to/other/.venv/bin/python]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.schema import EU24
from eurocurate.tools.corpus_view import content_warcs

log = logging.getLogger(__name__)

MIN_BYTES, MAX_BYTES = 1000, 5000
_STEP = 397  # spreads sizes evenly over the 1-5 KB range, a different size for each language in turn


def corpus_paragraph_pools(corpus: Path) -> dict[str, list[str]]:
    """Main text of the corpus's assembled pages, per EU-24 language."""
    truth = corpus / "truth.jsonl"
    if not truth.is_file():
        raise FileNotFoundError(f"{truth} not found; expected $EUROCURATE_CORPUS to be the eu24-dev corpus folder")
    pools: dict[str, list[str]] = {}
    for line in truth.read_bytes().splitlines():
        t = orjson.loads(line)
        if t.get("source") == "assembled" and t.get("main_text") and t.get("gold_lang") in EU24:
            pools.setdefault(t["gold_lang"], []).append(t["main_text"])
    return pools


def demo_paragraph_pools() -> dict[str, list[str]]:
    """Pages of the demo text, per language: navigation lines, cookie notice, paragraphs, footer."""
    from eurocurate.tools.demo_corpus import load_texts

    pools: dict[str, list[str]] = {}
    for lang, t in load_texts().items():
        pages = []
        for k in range(len(t.paragraphs)):
            body = t.paragraphs[k:] + t.paragraphs[:k]
            pages.append("\n".join([*t.nav[:4], t.cookie, *body, t.footer]))
        pools[lang] = pages
    return pools


def corpus_libreoffice_texts(corpus: Path) -> list[str]:
    """Main text (resiliparse, main content) of the corpus's LibreOffice help pages of 1-5 KB; [] without
    resiliparse."""
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    except ImportError:
        log.warning("bench_langid: resiliparse/fastwarc not installed; LibreOffice pages left out")
        return []
    ids = set()
    for line in (corpus / "truth.jsonl").read_bytes().splitlines():
        t = orjson.loads(line)
        if t.get("source") == "libreoffice":
            ids.add(t["record_id"])
    texts = []
    for path in content_warcs(corpus):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
                if rec.headers.get("WARC-Record-ID") not in ids:
                    continue
                body = rec.reader.read()
                text = extract_plain_text(bytes_to_str(body, detect_encoding(body)), main_content=True)
                if MIN_BYTES <= len(text.encode("utf-8")) <= MAX_BYTES:
                    texts.append(text)
    return texts


def build_documents(pools: dict[str, list[str]], n_docs: int) -> list[str]:
    """`n_docs` documents of 1-5 KB, languages in turn, each the pages of one language joined and cut to size."""
    langs = sorted(pools)
    docs = []
    for k in range(n_docs):
        pool = pools[langs[k % len(langs)]]
        size = MIN_BYTES + (k * _STEP) % (MAX_BYTES - MIN_BYTES)
        parts, n, j = [], 0, k
        while n < size:
            page = pool[j % len(pool)]
            parts.append(page)
            n += len(page.encode("utf-8")) + 1
            j += 7
        docs.append("\n".join(parts).encode("utf-8")[:size].decode("utf-8", errors="ignore"))
    return docs


def default_documents(n_docs: int = 1200) -> dict[str, list[str]]:
    """The benchmark's document sets by name: `eu24` (built, every EU-24 language alike) and, from the corpus,
    `libreoffice` (real help pages in 16 languages)."""
    corpus = os.environ.get("EUROCURATE_CORPUS")
    if corpus and (Path(corpus) / "truth.jsonl").is_file():
        sets = {"eu24": build_documents(corpus_paragraph_pools(Path(corpus)), n_docs)}
        libreoffice = corpus_libreoffice_texts(Path(corpus))
        if libreoffice:
            sets["libreoffice"] = libreoffice
        return sets
    return {"eu24": build_documents(demo_paragraph_pools(), n_docs)}


def _source() -> str:
    corpus = os.environ.get("EUROCURATE_CORPUS")
    if corpus and (Path(corpus) / "truth.jsonl").is_file():
        return f"$EUROCURATE_CORPUS ({corpus}): assembled pages' main text, LibreOffice pages"
    return "demo text (EUROCURATE_CORPUS not set)"


def bench_langid(
    docs: list[str] | None = None,
    *,
    n_docs: int = 1200,
    repeat: int = 3,
    config: LangIdConfig | None = None,
    identifier: EuLanguageIdentifier | None = None,
) -> dict[str, float]:
    """{docs, cpu_s, docs_per_s_per_core, kb_per_doc} of `identify_document` on `docs` (default: `default_documents`).

    The models are loaded and warmed up first; `cpu_s` is the median over `repeat` passes of this process's
    CPU time for one pass (on a shared machine CPU time still grows with the other processes' load).
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    if docs is None:
        docs = [text for texts in default_documents(n_docs).values() for text in texts]
        log.info("bench_langid: %d documents from %s", len(docs), _source())
    if not docs:
        raise ValueError("no documents to measure")
    ident = identifier if identifier is not None else EuLanguageIdentifier(config or LangIdConfig())
    for text in docs[:48]:  # first calls build lingua's per-group detectors
        identify_document(ident, text)
    passes = []
    for _ in range(repeat):
        start = time.process_time()
        for text in docs:
            identify_document(ident, text)
        passes.append(time.process_time() - start)
    cpu_s = statistics.median(passes)
    kb = sum(len(t.encode("utf-8")) for t in docs) / len(docs) / 1000
    return {
        "docs": len(docs),
        "cpu_s": round(cpu_s, 4),
        "docs_per_s_per_core": round(len(docs) / cpu_s, 1),
        "kb_per_doc": round(kb, 3),
    }


# One pipeline worker's language ID, in a fresh interpreter: only the API every version of the package has
# (`LangIdConfig`, `EuLanguageIdentifier`, `identify_document`), so another installation runs it unchanged.
_WORKER = r"""
import json, statistics, sys, time

def rss_mb(field):  # VmHWM: this process's peak (ru_maxrss would include the parent's, copied at fork)
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

interpreter_mb = rss_mb("VmRSS")
sets, config, repeat = json.load(open(sys.argv[1])), json.loads(sys.argv[2]), int(sys.argv[3])
from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
began = time.process_time()
ident = EuLanguageIdentifier(LangIdConfig(**config))
load_cpu_s = time.process_time() - began
loaded_mb = rss_mb("VmRSS")
figures = {}
for name, docs in sets.items():
    for text in docs[:48]:
        identify_document(ident, text)
    began = time.process_time()
    for text in docs[48:]:  # never read before: what a pipeline worker meets
        identify_document(ident, text)
    first = time.process_time() - began
    passes = []
    for _ in range(repeat):
        began = time.process_time()
        for text in docs:
            identify_document(ident, text)
        passes.append(time.process_time() - began)
    kb = sum(len(t.encode("utf-8")) for t in docs) / len(docs) / 1000
    figures[name] = {"docs": len(docs), "passes_cpu_s": [round(p, 4) for p in passes], "kb_per_doc": round(kb, 3),
                     "first_cpu_s": round(first, 4), "first_docs": len(docs[48:])}
print(json.dumps({"sets": figures, "interpreter_rss_mb": round(interpreter_mb, 1),
                  "loaded_rss_mb": round(loaded_mb, 1), "peak_rss_mb": round(rss_mb("VmHWM"), 1),
                  "private_rss_mb": round(rss_mb("RssAnon"), 1), "file_rss_mb": round(rss_mb("RssFile"), 1),
                  "load_cpu_s": round(load_cpu_s, 2)}))
"""


def _run_worker(path: str, python: str, config: dict[str, object], repeat: int) -> dict:
    done = subprocess.run(
        [python, "-c", _WORKER, path, orjson.dumps(config).decode(), str(repeat)],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),  # not a source tree: `python` imports its own installation
    )
    if done.returncode != 0:
        raise RuntimeError(f"language-ID worker under {python} failed:\n{done.stderr[-2000:]}")
    return orjson.loads(done.stdout.strip().splitlines()[-1])


def bench_workers(
    sets: dict[str, list[str]],
    pythons: dict[str, str],
    *,
    configs: dict[str, dict[str, object]] | None = None,
    repeat: int = 3,
    rounds: int = 2,
) -> dict[str, dict]:
    """Language ID as one pipeline worker runs it, in a fresh process per installation (`pythons`: name ->
    interpreter) and round: documents/s per core from the fastest of all passes (CPU time, models loaded; on a
    shared machine the other processes only ever slow a pass down), per set and overall, and the highest peak
    RSS of the worker process (`peak_rss_mb`: interpreter, imports, models and the documents' work;
    `loaded_rss_mb`: right after the models loaded). The installations take turns, round after round, so a
    change in the machine's load falls on all of them (in turns A B, B A, ...).

    `configs[name]`: `LangIdConfig` fields, which that installation must know. The documents reach the workers
    in a temporary JSON file, read before anything is imported.
    """
    if repeat < 1 or rounds < 1:
        raise ValueError(f"repeat and rounds must be at least 1, got {repeat} and {rounds}")
    runs: dict[str, list[dict]] = {name: [] for name in pythons}
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        f.write(orjson.dumps(sets))
        f.flush()
        for r in range(rounds):
            order = list(pythons.items())
            for name, python in order if r % 2 == 0 else order[::-1]:  # A B, B A, ...: neither always goes first
                runs[name].append(_run_worker(f.name, python, (configs or {}).get(name, {}), repeat))
    results = {}
    for name, rs in runs.items():
        per_set = {}
        for set_name, docs in sets.items():
            cpu_s = min(t for r in rs for t in r["sets"][set_name]["passes_cpu_s"])
            first = min(r["sets"][set_name]["first_cpu_s"] for r in rs)
            first_docs = rs[0]["sets"][set_name]["first_docs"]
            per_set[set_name] = {
                "docs": len(docs),
                "cpu_s": round(cpu_s, 4),
                "docs_per_s_per_core": round(len(docs) / cpu_s, 1),
                "kb_per_doc": rs[0]["sets"][set_name]["kb_per_doc"],
                "first_docs": first_docs,
                "first_cpu_s": first,
                "first_docs_per_s_per_core": round(first_docs / first, 1) if first > 0 else 0.0,
            }
        n_docs = sum(r["docs"] for r in per_set.values())
        cpu_s = sum(r["cpu_s"] for r in per_set.values())
        first_docs = sum(r["first_docs"] for r in per_set.values())
        first_cpu_s = sum(r["first_cpu_s"] for r in per_set.values())
        results[name] = {
            "python": pythons[name],
            "sets": per_set,
            "all": {
                "docs": n_docs,
                "cpu_s": round(cpu_s, 4),
                "docs_per_s_per_core": round(n_docs / cpu_s, 1),
                "kb_per_doc": round(sum(r["kb_per_doc"] * r["docs"] for r in per_set.values()) / n_docs, 3),
                "first_docs": first_docs,
                "first_cpu_s": round(first_cpu_s, 4),
                "first_docs_per_s_per_core": round(first_docs / first_cpu_s, 1) if first_cpu_s > 0 else 0.0,
            },
            **{
                k: max(r[k] for r in rs)
                for k in ("peak_rss_mb", "loaded_rss_mb", "interpreter_rss_mb", "private_rss_mb", "file_rss_mb")
            },
            "load_cpu_s": min(r["load_cpu_s"] for r in rs),
            "passes": repeat * rounds,
        }
    return results


def _print_worker(title: str, r: dict) -> None:
    print(title)
    for name, s in [*r["sets"].items(), ("all", r["all"])]:
        print(
            f"  {name:<12}{s['docs']:>6} docs  {s['kb_per_doc']:5.2f} KB/doc  {s['docs_per_s_per_core']:>8,.0f} "
            f"docs/s per core (CPU time, fastest pass: documents read before), "
            f"{s['first_docs_per_s_per_core']:,.0f} on their first reading"
        )
    print(
        f"  peak RSS of the worker {r['peak_rss_mb']:,.0f} MiB (after loading the models {r['loaded_rss_mb']:,.0f}; "
        f"bare interpreter {r['interpreter_rss_mb']:,.0f}); models loaded in {r['load_cpu_s']:.1f} CPU s"
    )
    print(
        f"  at the end: private {r['private_rss_mb']:,.0f} MiB, file-backed {r['file_rss_mb']:,.0f} MiB (libraries and "
        f"heliport's memory-mapped tables: the page cache's, shared by every worker of the node)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1200, help="documents to build (default 1200: 50 per language)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the documents per worker process")
    parser.add_argument("--rounds", type=int, default=2, help="worker processes per installation, taking turns")
    parser.add_argument("--fasttext-only", action="store_true", help="without the second opinions, for comparison")
    parser.add_argument(
        "--baseline-python",
        help="another installation's interpreter (e.g. /work/main/.venv/bin/python) measured the same way, "
        "on the same documents, for comparison",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    sets = default_documents(args.docs)
    config = {"second_opinion": False} if args.fasttext_only else {}
    pythons = {"this version": sys.executable}
    if args.baseline_python:
        pythons["baseline"] = args.baseline_python
    results = bench_workers(
        sets, pythons, configs=dict.fromkeys(pythons, config), repeat=args.repeat, rounds=args.rounds
    )
    what = " (fastText only)" if args.fasttext_only else ""
    for name, r in results.items():
        _print_worker(f"language ID{what}, {name} ({r['python']}), one worker, {r['passes']} passes, the fastest "
                      f"reported; documents of 1-5 KB from {_source()}", r)  # fmt: skip
    if args.baseline_python:
        ours, base = results["this version"], results["baseline"]
        speed = ours["all"]["docs_per_s_per_core"] / base["all"]["docs_per_s_per_core"]
        first = ours["all"]["first_docs_per_s_per_core"] / base["all"]["first_docs_per_s_per_core"]
        print(
            f"this version / baseline: {speed:.2f}x documents/s per core ({first:.2f}x on the first reading); peak RSS "
            f"of a worker {ours['peak_rss_mb']:,.0f} / {base['peak_rss_mb']:,.0f} MiB"
        )
    out = {**results, "source": _source()}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(out, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
