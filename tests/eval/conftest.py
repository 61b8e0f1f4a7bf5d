"""Evaluations on $EUROCURATE_CORPUS: one pipeline run over the corpus, shared by every eval test."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate.tools.corpus_view import content_warcs
from eurocurate.tools.longtail.artefacts import CACHE_ENV, DEFAULT_CACHE, UNAVAILABLE
from tests.conftest import write_spec

CORPUS_ENV = "EUROCURATE_CORPUS"


def corpus_dir() -> Path | None:
    value = os.environ.get(CORPUS_ENV)
    return Path(value) if value and (Path(value) / "truth.jsonl").is_file() else None


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if path is None:
        pytest.skip(
            f"{CORPUS_ENV} is not set to a corpus folder with truth.jsonl; "
            f"set it (CI uses ../shared/corpus) to run the evaluations"
        )
    return path


def built_by_make_eval(
    env: str, *, what: str, command: str, holds: str, is_built: Callable[[Path], bool], sources: str
) -> Path:
    """The folder `$env` names, which `make eval` builds with `command` before the evals and then sets `env` to;
    skips (saying why and what would make the eval run) when the variable is unset, when the builder could not have
    its sources (it writes `UNAVAILABLE` with the reason instead: `sources` says where it can) or when the folder
    holds no `holds`."""
    how = f"`make eval` builds it ({command}) and sets it"
    cache = os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    value = os.environ.get(env)
    if not value:
        pytest.skip(f"{env} is not set to the folder of {what}; {how}")
    folder = Path(value)
    unavailable = folder / UNAVAILABLE
    if unavailable.is_file():
        reason = unavailable.read_text(encoding="utf-8").strip()
        pytest.skip(f"{what} could not be built: {reason}. It runs where {sources} once (then cached under {cache})")
    if not is_built(folder):
        pytest.skip(f"{folder} holds no {holds}; {how}")
    return folder


@pytest.fixture(scope="session")
def truth(corpus) -> list[dict]:
    return [orjson.loads(line) for line in (corpus / "truth.jsonl").read_bytes().splitlines()]


@pytest.fixture(scope="session")
def corpus_run(corpus, tmp_path_factory) -> Path:
    """The demo pipeline over every content WARC of the corpus and its broken files, on embedded Ray."""
    from eurocurate.cli import main

    base = tmp_path_factory.mktemp("corpus_run")
    spec = write_spec(
        base / "spec.yaml", robots=corpus / "warc" / "eu24-dev-robotstxt.warc.gz", executor="ray", workers=2
    )
    out = base / "out"
    inputs = [str(p) for p in content_warcs(corpus)] + [str(corpus / "warc" / "broken")]
    args = ["run", str(spec), "--output", str(out)]
    for i in inputs:
        args += ["--input", i]
    assert main(args) == 0
    return out


def read_all(out: Path, sub: str) -> list[dict]:
    files = sorted((out / sub).glob("*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files]).to_pylist() if files else []


@pytest.fixture(scope="session")
def labelled_corpus_dir(corpus, tmp_path_factory) -> Path:
    """A folder holding the corpus as `eurocurate extract` + `eurocurate langid` see it (langid.jsonl),
    made once per session; `corpus_view.extracted_and_identified(..., reuse=True)` reads it back."""
    from eurocurate.tools.corpus_view import extracted_and_identified

    work = tmp_path_factory.mktemp("labelled_corpus")
    extracted_and_identified(content_warcs(corpus), work)
    return work
