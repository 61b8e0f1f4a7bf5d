"""A two-node Ray cluster without a shared filesystem, from s3:// to s3:// on a real SeaweedFS.

Each node is a `ray start` (head, then a worker joining it) with its own working folder, temp dir and scratch
folder (EUROCURATE_SCRATCH) and explicit free ports; the tasks reach inputs and outputs through the store only.
The nodes are stopped through their own process groups (never `ray stop`, which would stop other clusters).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import fsspec
import orjson
import pytest

from eurocurate.cli import main
from eurocurate.remote_output import RemoteOutput
from tests.conftest import write_spec
from tests.ports import free_ports
from tests.ray_nodes import start_until_alive, stop_node

pytestmark = pytest.mark.slow
BUCKET = "ray-cluster-runs"


@pytest.fixture(scope="module")
def cluster_env(s3_server, tmp_path_factory, demo_inputs):
    """The store's AWS_* variables, a token for the cluster, the demo corpus uploaded to s3://BUCKET/warc and its
    robots captures to s3://BUCKET/robots, and the driver's own scratch folder."""
    from tests.conftest import robots_of

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= s3_server.env() | {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env |= {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    env["EUROCURATE_SCRATCH"] = str(tmp_path_factory.mktemp("driver-scratch"))
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            mp.delenv(name)
        for name, value in env.items():
            mp.setenv(name, value)
        fs = fsspec.filesystem("s3", skip_instance_cache=True)
        fs.mkdir(BUCKET)
        fs.put(str(demo_inputs) + "/", f"{BUCKET}/warc/", recursive=True)
        fs.put(str(robots_of(demo_inputs)) + "/", f"{BUCKET}/robots/", recursive=True)
        yield env
        fs.rm(BUCKET, recursive=True)


@pytest.fixture(scope="module")
def two_nodes(cluster_env, tmp_path_factory):
    """A head and a worker node, one CPU each, nothing shared but the store; yields the head's address."""
    root = tmp_path_factory.mktemp("cluster")
    folders = [root / "head", root / "worker"]

    def head_args() -> tuple[str, list[str]]:
        gcs, client = free_ports(2)
        return f"127.0.0.1:{gcs}", ["--head", f"--port={gcs}", "--include-dashboard=false",
                                    f"--ray-client-server-port={client}"]  # fmt: skip

    head, address = start_until_alive(folders[0], cluster_env, 1, head_args)
    nodes = [head]
    try:
        worker, _ = start_until_alive(folders[1], cluster_env, 2, lambda: (address, [f"--address={address}"]))
        nodes.append(worker)
        yield address
    finally:
        for node, folder in reversed(list(zip(nodes, folders))):
            stop_node(node, folder)


@pytest.fixture(scope="module")
def cluster_spec(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cluster-spec")
    return write_spec(folder / "spec.yaml", robots=f"s3://{BUCKET}/robots/", workers=2)  # type: ignore[arg-type]


def _run_json(url: str) -> dict:
    remote = RemoteOutput(url)
    return orjson.loads(remote.fs.cat_file(f"{remote.root}/run.json"))


def _shards(run: dict) -> dict[str, str]:
    return {
        o["path"]: o["sha256"]
        for o in run["outputs"]
        if o["path"].startswith("shards/") and o["path"].endswith(".parquet")
    }


def _tasks_per_node(url: str) -> dict[str, int]:
    remote = RemoteOutput(url)
    per_node: dict[str, int] = {}
    for line in remote.fs.cat_file(f"{remote.root}/logs/run.jsonl").splitlines():
        entry = orjson.loads(line)
        for node, n in (entry.get("tasks_per_node") or {}).items():
            per_node[node] = per_node.get(node, 0) + n
    return per_node


def _driver(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """The driver in a process of its own (Ray keeps the first auth token a process loads)."""
    return subprocess.Popen([sys.executable, "-m", "eurocurate.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)  # fmt: skip


def test_a_two_node_cluster_without_a_shared_disk_runs_s3_to_s3_and_the_output_verifies(
    two_nodes, cluster_env, cluster_spec, local_run
):
    url = f"s3://{BUCKET}/out"
    args = ["run", str(cluster_spec), "--input", f"s3://{BUCKET}/warc/", "--output", url, "--ray-address", two_nodes]
    driver = _driver(args, cluster_env)
    log, _ = driver.communicate(timeout=900)
    assert driver.returncode == 0, log
    assert main(["verify", url]) == 0
    per_node = _tasks_per_node(url)
    assert len(per_node) == 2, per_node  # both nodes ran tasks, each in its own scratch folder
    run, reference = _run_json(url), orjson.loads((local_run / "run.json").read_bytes())
    assert run["totals"] == reference["totals"]
    assert _shards(run) == _shards(reference)  # the same bytes as the in-process local run from local disk


def test_a_cluster_run_killed_midway_resumes_to_identical_shard_hashes(two_nodes, cluster_env, cluster_spec, local_run):
    url = f"s3://{BUCKET}/killed"
    args = ["run", str(cluster_spec), "--input", f"s3://{BUCKET}/warc/", "--output", url, "--ray-address", two_nodes]
    env = {**cluster_env, "EUROCURATE_LOCK_LEASE_S": "3"}
    proc = _driver(args, env)
    remote = RemoteOutput(url)
    deadline = time.monotonic() + 900  # a safety net on a loaded machine, not a speed requirement
    while not any("/completions/" in rel for rel in remote._find("_work/map1")):  # past the first barrier
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the run never got past its first barrier"
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver dies; its tasks on the cluster are cancelled with its job
    proc.wait()
    assert "run.json" not in remote.committed()
    for _ in range(30):  # the dead driver's lease is refused until it lapses
        resumed = subprocess.run([sys.executable, "-m", "eurocurate.cli", *args], env=env, capture_output=True,
                                 text=True, timeout=600)  # fmt: skip
        if resumed.returncode != 3:
            break
        time.sleep(1)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    run = _run_json(url)
    assert _shards(run) == _shards(orjson.loads((local_run / "run.json").read_bytes()))
    assert main(["verify", url]) == 0
