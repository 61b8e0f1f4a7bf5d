"""Inputs on object storage (a real SeaweedFS on 127.0.0.1): a run reading WARCs and robots.txt captures from
s3:// and writing its output to s3:// keeps exactly what the same run keeps on local disk, writes no credential
anywhere, and a bad location is one line on stderr, never a traceback."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate import storage
from eurocurate.cli import main
from eurocurate.layout import OutputLayout
from eurocurate.manifests.audit.run_manifest import parse_run_manifest
from eurocurate.remote_output import output_copy
from tests.conftest import REPO, robots_of
from tests.s3_server import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.slow

# pipelines/web.yaml as the acceptance names it, scaled for a test: a small tokenizer, one local worker
WEB = str(REPO / "pipelines" / "web.yaml")
SMALL = [
    "--set", "stages.tokenizer.vocab_size=600",
    "--set", "stages.tokenizer.sample_chars_per_lang=20000",
    "--set", "execution.executor=local",
    "--set", "execution.workers=1",
]  # fmt: skip


def upload(folder: Path, url: str) -> None:
    """Every file under `folder` to `url`, keeping the relative paths."""
    base = storage.locate(url)
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        base.fs.put_file(str(f), base.child(f.relative_to(folder).as_posix()).path)


def read_run_manifest(out: Path):
    return parse_run_manifest((out / "run.json").read_bytes())


def kept(out: Path) -> dict[str, pa.Table]:
    """What a run kept, in a comparable form: provenance, text and token shards, each sorted."""
    layout = OutputLayout(out)
    provenance = pa.concat_tables([pq.read_table(f) for f in layout.provenance_files()]).sort_by("doc_id")
    text = pa.concat_tables([pq.read_table(f) for f in layout.text_files()]).sort_by("id")
    shards = pa.concat_tables([pq.read_table(f) for f in layout.shard_files()])
    return {"provenance": provenance, "text": text, "shards": shards}


@pytest.fixture(scope="module")
def web_runs(s3_server, demo_inputs, tmp_path_factory):
    """The same web.yaml run twice: from and to local disk, then inputs, robots captures and output in a bucket
    (issue #18's acceptance 1, as written)."""
    base = tmp_path_factory.mktemp("remote_inputs")
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            env.delenv(name)
        for name, value in s3_server.env().items():
            env.setenv(name, value)
        bucket = "acceptance-remote-inputs"
        fs = storage.locate(f"s3://{bucket}").fs
        fs.mkdir(bucket)
        upload(demo_inputs, f"s3://{bucket}/warc/")
        upload(robots_of(demo_inputs), f"s3://{bucket}/robots/")
        local, remote = base / "local", f"s3://{bucket}/out"
        robots = robots_of(demo_inputs)
        assert main(["run", WEB, "-i", str(demo_inputs), "-o", str(local), *SMALL,
                     "--set", f"stages.optout.robots_warcs=[{robots}]"]) == 0  # fmt: skip
        assert main(["run", WEB, "-i", f"s3://{bucket}/warc/", "-o", remote, *SMALL,
                     "--set", f"stages.optout.robots_warcs=[s3://{bucket}/robots/]"]) == 0  # fmt: skip
        yield local, remote, bucket
        fs.rm(bucket, recursive=True)


def test_a_run_from_s3_to_s3_keeps_exactly_the_documents_the_same_run_keeps_on_local_disk(web_runs):
    local, remote, _ = web_runs
    here = kept(local)
    with output_copy(remote) as copy:
        there, manifest = kept(copy), read_run_manifest(copy)
    assert here["provenance"].num_rows > 0
    assert there["provenance"].column("doc_id").to_pylist() == here["provenance"].column("doc_id").to_pylist()
    for name in ("provenance", "text", "shards"):
        assert there[name].equals(here[name]), name
    # the robots.txt captures were read from the bucket and decided the same pages
    assert all(i.path.startswith("s3://acceptance-remote-inputs/warc/") for i in manifest.inputs)
    assert [i.sha256 for i in manifest.inputs] == [i.sha256 for i in read_run_manifest(local).inputs]
    assert main(["verify", remote]) == 0


def test_no_credential_is_written_into_any_output_log_or_manifest(web_runs):
    _, remote, bucket = web_runs
    fs = storage.locate(remote).fs
    objects = fs.find(f"{bucket}/out")  # every object of the output: run.json, logs, shards, run state
    assert any(o.endswith("/run.json") for o in objects) and any("/logs/" in o for o in objects)
    leaks = []
    for name in objects:
        data = fs.cat_file(name)
        if name.endswith(".gz"):
            data += gzip.decompress(data)
        for secret in (ACCESS_KEY, SECRET_KEY):
            if secret.encode() in data:
                leaks.append(f"{name}: {secret[:6]}…")
    assert not leaks
    assert f"s3://{bucket}/warc" in fs.cat_file(f"{bucket}/out/run.json").decode()  # inputs named, without secrets


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (f"s3://{ACCESS_KEY}:{SECRET_KEY}@acceptance/warc/", "carries a user name or password"),
        (
            f"https://acceptance.s3.example/warc/a.warc.gz?X-Amz-Credential={ACCESS_KEY}&X-Amz-Signature={SECRET_KEY}",
            "presigned",
        ),
        ("s3://no-such-bucket-remote-inputs/warc/", "its bucket no-such-bucket-remote-inputs does not"),
    ],
)
def test_a_bad_input_location_is_one_line_without_secrets(s3, tmp_path, capsys, location, expected):
    assert main(["run", WEB, "-i", location, "-o", str(tmp_path / "out"), *SMALL]) == 2
    err = capsys.readouterr().err
    assert expected in " ".join(err.split())
    assert "Traceback" not in err and ACCESS_KEY not in err and SECRET_KEY not in err
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_an_unreachable_store_is_one_line_naming_aws_endpoint_url(s3, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert main(["run", WEB, "-i", f"{s3}/warc/", "-o", str(tmp_path / "out"), *SMALL]) == 2
    err = capsys.readouterr().err
    assert "AWS_ENDPOINT_URL" in err and "Traceback" not in err
    assert SECRET_KEY not in err


def test_robots_captures_named_by_a_url_that_does_not_exist_fail_the_spec(s3, demo_inputs, tmp_path, capsys):
    code = main(["run", WEB, "-i", str(demo_inputs), "-o", str(tmp_path / "out"), *SMALL,
                 "--set", f"stages.optout.robots_warcs=[{s3}/robots/]"])  # fmt: skip
    assert code == 2
    assert f"robots_warcs: input {s3}/robots/ does not exist" in " ".join(capsys.readouterr().err.split())


def test_extract_langid_pii_and_dedup_read_urls_as_they_read_local_files(s3, demo_inputs, tmp_path):
    upload(demo_inputs, f"{s3}/warc/")
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert main(["extract", str(demo_inputs), "-o", str(local / "extract.jsonl")]) == 0
    assert main(["extract", f"{s3}/warc/", "-o", str(remote / "extract.jsonl")]) == 0
    assert (remote / "extract.jsonl").read_bytes() == (local / "extract.jsonl").read_bytes()
    storage.locate(f"{s3}/docs.jsonl").fs.put_file(
        str(local / "extract.jsonl"), storage.locate(f"{s3}/docs.jsonl").path
    )
    for command in (["langid"], ["pii"], ["dedup"]):
        name = command[0]
        assert main([*command, str(local / "extract.jsonl"), "-o", str(local / f"{name}.jsonl")]) == 0
        assert main([*command, f"{s3}/docs.jsonl", "-o", str(remote / f"{name}.jsonl")]) == 0
        assert (remote / f"{name}.jsonl").read_bytes() == (local / f"{name}.jsonl").read_bytes(), name


@pytest.mark.parametrize("setting", ["stages.optout.robots_warcs=[{url}]", "sources_file={url}"])
def test_credentials_in_a_spec_location_are_refused_without_repeating_them(demo_inputs, tmp_path, capsys, setting):
    url = f"s3://{ACCESS_KEY}:{SECRET_KEY[:10]}/{SECRET_KEY[10:]}@acceptance/robots/"
    code = main(["run", WEB, "-i", str(demo_inputs), "-o", str(tmp_path / "out"), *SMALL,
                 "--set", setting.format(url=url)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "user name or password" in " ".join(err.split())
    assert ACCESS_KEY not in err and SECRET_KEY[:10] not in err and SECRET_KEY[10:] not in err
    assert not (tmp_path / "out").exists()
