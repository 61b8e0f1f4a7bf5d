"""The evaluation corpus: where its content WARCs are, and the corpus as eurocurate's extractor and
language identifier see it (`eurocurate extract` then `eurocurate langid`, one dict per extracted record:
`warc_record_id`, `text`, `lang`, ...). Used by the evals, the threshold derivation and the benchmarks."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import orjson


def content_warcs(corpus: Path) -> list[Path]:
    """The corpus's content WARC files (`warc/eu24-dev-0*.warc.gz`; not robots captures, not `broken/`)."""
    return sorted((corpus / "warc").glob("eu24-dev-0*.warc.gz"))


def env_content_warcs() -> list[Path]:
    """`content_warcs` of the corpus `$EUROCURATE_CORPUS` names; empty when it is unset or has none."""
    corpus = os.environ.get("EUROCURATE_CORPUS")
    return content_warcs(Path(corpus)) if corpus else []


def given_or_corpus_warcs(warcs: list[Path], fail: Callable[[str], NoReturn]) -> list[Path]:
    """`warcs` when some are given, else `env_content_warcs()`; `fail` (an argument parser's `error`) is
    called with what to do when there are neither."""
    warcs = warcs or env_content_warcs()
    if not warcs:
        fail("no WARC files given and $EUROCURATE_CORPUS/warc has none; pass WARC paths or set EUROCURATE_CORPUS")
    return warcs


def extracted_and_identified(warcs: list[Path], work: Path, reuse: bool = False) -> list[dict]:
    """Runs the two commands into `work` and returns the labelled rows; with `reuse`, a `langid.jsonl`
    already in `work` (from an earlier call on the same WARCs and code) is read instead."""
    from eurocurate.cli import main as cli

    extracted, labelled = work / "extract.jsonl", work / "langid.jsonl"
    if reuse and labelled.is_file():
        return [orjson.loads(line) for line in labelled.read_bytes().splitlines()]
    if cli(["extract", *map(str, warcs), "-o", str(extracted)]) != 0:
        raise RuntimeError(f"eurocurate extract failed on {len(warcs)} WARC files")
    if cli(["langid", str(extracted), "-o", str(labelled)]) != 0:
        raise RuntimeError("eurocurate langid failed on the extracted records")
    return [orjson.loads(line) for line in labelled.read_bytes().splitlines()]
