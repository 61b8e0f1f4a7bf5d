"""Runs whose output is on object storage (a real SeaweedFS on 127.0.0.1): the same documents as on disk,
verified at the URL, one run at a time, resumed after a kill, erased from and recovered without a shared disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fsspec
import orjson
import pyarrow.parquet as pq
import pytest

from eurocurate.cli import main
from eurocurate.cli.common import EXIT_LOCKED
from eurocurate.object_lock import ObjectLock
from eurocurate.remote_output import RemoteOutput, output_copy
from tests.conftest import robots_of, write_spec
from tests.s3_server import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3_env(s3_server, tmp_path_factory):
    """The AWS_* variables of the session's S3 server, a bucket of this module, and scratch copies under tmp."""
    scratch = tmp_path_factory.mktemp("scratch")
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            mp.delenv(name)
        for name, value in {**s3_server.env(), "AWS_CONFIG_FILE": os.devnull}.items():
            mp.setenv(name, value)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        mp.setenv("EUROCURATE_SCRATCH", str(scratch))
        fs = fsspec.filesystem("s3", skip_instance_cache=True)
        fs.mkdir("object-storage-runs")
        yield "s3://object-storage-runs"
        fs.rm("object-storage-runs", recursive=True)


@pytest.fixture(scope="module")
def spec(tmp_path_factory, demo_inputs) -> Path:
    """The spec `local_run` ran (conftest), so the two runs are comparable."""
    folder = tmp_path_factory.mktemp("spec")
    return write_spec(folder / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)


@pytest.fixture(scope="module")
def s3_run(s3_env, spec, demo_inputs) -> str:
    url = f"{s3_env}/run"
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", url]) == 0
    return url


def _run_json(url: str) -> dict:
    remote = RemoteOutput(url)
    return orjson.loads(remote.fs.cat_file(f"{remote.root}/run.json"))


def _hashes(run: dict, prefix: str) -> dict[str, str]:
    return {o["path"]: o["sha256"] for o in run["outputs"] if o["path"].startswith(prefix)}


def _kept_ids(folder: Path) -> list[str]:
    return sorted(
        i for f in sorted((folder / "provenance").glob("*.parquet")) for i in pq.read_table(f)["doc_id"].to_pylist()
    )


def test_a_run_into_s3_keeps_exactly_what_the_same_run_keeps_on_disk_and_verifies_at_the_url(s3_run, local_run, capsys):
    run, reference = _run_json(s3_run), orjson.loads((local_run / "run.json").read_bytes())
    assert run["totals"] == reference["totals"]
    with output_copy(s3_run) as copy:
        assert _kept_ids(copy) == _kept_ids(local_run)
    for prefix in ("text/", "provenance/", "exclusions/", "shards/"):
        ours = {k: v for k, v in _hashes(run, prefix).items() if not k.endswith(".manifest.json")}  # they hold times
        assert ours == {k: v for k, v in _hashes(reference, prefix).items() if not k.endswith(".manifest.json")}
    assert main(["verify", s3_run]) == 0
    assert f"OK {s3_run}" in capsys.readouterr().out
    remote = RemoteOutput(s3_run)
    objects = remote.committed()
    assert "run.json" in objects and not any(rel.startswith(("_commit/", ".eurocurate.lock")) for rel in objects)
    for obj in remote._find().values():  # run state and task logs included: no credential anywhere
        data = remote.fs.cat_file(obj["name"])
        assert ACCESS_KEY.encode() not in data and SECRET_KEY.encode() not in data, obj["name"]


def test_a_second_run_on_an_s3_output_is_refused_while_another_holds_its_lock(s3_run, spec, demo_inputs, capsys):
    with ObjectLock(s3_run, "the-other-run"):
        assert main(["run", str(spec), "--input", str(demo_inputs), "--output", s3_run]) == EXIT_LOCKED
    assert "the-other-run" in capsys.readouterr().err


def test_pull_reads_a_run_on_s3_as_it_reads_the_same_run_on_disk(s3_run, local_run, tmp_path):
    """A trainer pulls fixed-length rows straight from the bucket: the same rows, in the same order, as from disk."""
    from_store, from_disk = tmp_path / "store.parquet", tmp_path / "disk.parquet"
    assert main(["pull", s3_run, "--langs", "de,fr,pl", "--seq-len", "512", "--seed", "1", "-o", str(from_store)]) == 0
    assert (
        main(["pull", str(local_run), "--langs", "de,fr,pl", "--seq-len", "512", "--seed", "1", "-o", str(from_disk)])
        == 0
    )
    rows, expected = pq.read_table(from_store), pq.read_table(from_disk)
    assert rows.num_rows > 0 and rows.equals(expected)
    assert {len(ids) for ids in rows["input_ids"].to_pylist()} == {512}


def test_an_erasure_on_s3_interrupted_mid_commit_is_seen_whole_by_readers_and_finished_by_recover(
    s3_run, s3_env, local_run, monkeypatch
):
    url = f"{s3_env}/erased"
    remote = RemoteOutput(s3_run)
    remote.fs.copy(f"{remote.root}/", f"{remote.root.rsplit('/', 1)[0]}/erased/", recursive=True)
    victim = pq.read_table(sorted((local_run / "provenance").glob("*.parquet"))[0])["url"][0].as_py()
    real_copy = remote.fs.copy  # the commands share this filesystem object (storage.locate keeps one per env)
    copies = []

    def killed_after_two_copies(src, dst, **kw):
        if len(copies) == 2:
            raise KeyboardInterrupt("the erasing process died mid-commit")
        copies.append(dst)
        return real_copy(src, dst, **kw)

    with monkeypatch.context() as m:
        m.setattr(remote.fs, "copy", killed_after_two_copies)
        # the interrupt leaves the command through every context it is in; the CLI then answers it with 130
        assert main(["erase", url, "--url", victim, "--reason", "test"]) == 130
    assert len(copies) == 2  # it stopped where it was interrupted
    # a reader sees the erasure whole (the plan is the commit point), though the store is half-way
    assert main(["verify", url]) == 0
    with output_copy(url) as copy:
        assert victim not in {
            u for f in (copy / "provenance").glob("*.parquet") for u in pq.read_table(f)["url"].to_pylist()
        }
    assert main(["erase", url, "--recover"]) == 0
    erased = RemoteOutput(url)
    assert not any(rel.startswith("_commit/") for rel in erased._find())
    assert main(["verify", url]) == 0
    log = [orjson.loads(line) for line in erased.fs.cat_file(f"{erased.root}/erasure_log.jsonl").splitlines()]
    assert [e["documents"] for e in log] == [1]


def test_a_killed_run_on_s3_resumes_from_the_store_to_identical_shard_hashes(s3_env, spec, demo_inputs, local_run):
    url = f"{s3_env}/killed"
    env = {**os.environ, "EUROCURATE_LOCK_LEASE_S": "3"}  # the killed run's lease lapses quickly
    args = [sys.executable, "-m", "eurocurate.cli", "run", str(spec), "--input", str(demo_inputs), "--output", url]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    remote = RemoteOutput(url)
    deadline = time.monotonic() + 900  # a safety net on a loaded machine, not a speed requirement
    while not any("/completions/" in rel for rel in remote._find("_work/map1")):  # past the first barrier
        assert proc.poll() is None, proc.stdout.read().decode()
        assert time.monotonic() < deadline, "the run never got past its first barrier"
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert "run.json" not in remote.committed()

    os.environ["EUROCURATE_LOCK_LEASE_S"] = "3"
    try:
        for _ in range(20):  # the dead run's lease is refused until it expires
            code = main(["run", str(spec), "--input", str(demo_inputs), "--output", url])
            if code != EXIT_LOCKED:
                break
            time.sleep(1)
    finally:
        del os.environ["EUROCURATE_LOCK_LEASE_S"]
    assert code == 0
    run, reference = _run_json(url), orjson.loads((local_run / "run.json").read_bytes())
    shards = {k: v for k, v in _hashes(run, "shards/").items() if k.endswith(".parquet")}
    assert shards and shards == {k: v for k, v in _hashes(reference, "shards/").items() if k.endswith(".parquet")}
    assert run["totals"] == reference["totals"]
    assert main(["verify", url]) == 0
