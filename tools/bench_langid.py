"""Language-ID speed: documents/s per core (CPU time) of the whole identifier on 1-5 KB documents.

Measures `identify_document` (document -> primary language, score, shares) once the models are
loaded, as CPU time of this process. With $EUROCURATE_CORPUS: documents with the same share of every
EU-24 language and sizes spread evenly over 1,000-5,000 bytes of UTF-8, built from the assembled
pages' main text (truth.jsonl), plus the LibreOffice help pages whose main text (resiliparse) is
1-5 KB, as they are. Without it: the same construction from the demo text in `tools/demo_text/`
(paragraphs between navigation, cookie and footer lines).

    python -m eurocurate.tools.bench_langid [--docs 1200] [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1200, help="documents to build (default 1200: 50 per language)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the documents; the median is reported")
    parser.add_argument(
        "--fasttext-only", action="store_true", help="without the lingua second opinion, for comparison"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    sets = default_documents(args.docs)
    identifier = EuLanguageIdentifier(LangIdConfig(second_opinion=not args.fasttext_only))
    figures = {name: bench_langid(docs, repeat=args.repeat, identifier=identifier) for name, docs in sets.items()}
    n_docs = sum(r["docs"] for r in figures.values())
    cpu_s = sum(r["cpu_s"] for r in figures.values())
    result = {
        "docs": n_docs,
        "cpu_s": round(cpu_s, 4),
        "docs_per_s_per_core": round(n_docs / cpu_s, 1),
        "kb_per_doc": round(sum(r["kb_per_doc"] * r["docs"] for r in figures.values()) / n_docs, 3),
    }
    print(f"language ID{' (fastText only)' if args.fasttext_only else ''}, documents of 1-5 KB from {_source()}")
    for name, r in [*figures.items(), ("all", result)]:
        print(
            f"  {name:<12}{r['docs']:>6} docs  {r['kb_per_doc']:5.2f} KB/doc  {r['docs_per_s_per_core']:>8,.0f} "
            f"docs/s per core (CPU time)"
        )
    if args.json:
        args.json.write_bytes(
            orjson.dumps({**result, "sets": figures, "source": _source()}, option=orjson.OPT_INDENT_2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
