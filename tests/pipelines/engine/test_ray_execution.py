"""Real Ray: a head and a second worker node started with `ray start` (stopped through their own process groups, never
`ray stop`), and an interrupted run resumed."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from eurocurate.files import sha256_file
from eurocurate.tools.ray_timeline import read_timeline
from tests.conftest import robots_of, write_spec
from tests.ports import free_ports
from tests.ray_nodes import start_until_alive, stop_node

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
# token authentication on, with a token of this test run, for every process of the test cluster
RAY_ENV = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}


@dataclass(frozen=True)
class Cluster:
    address: str  # the head's GCS, what --ray-address takes
    dashboard: str  # the head's dashboard (HTTP)


@pytest.fixture(scope="module")
def two_node_cluster(tmp_path_factory):
    """A head node (with its dashboard) and a second worker node on this machine, each with one CPU, bound to
    loopback, stopped through their own process groups."""
    root = tmp_path_factory.mktemp("cluster")
    folders = [root / "head", root / "worker"]
    dashboard: list[str] = []

    def head_args() -> tuple[str, list[str]]:
        gcs, dash, client = free_ports(3)
        dashboard[:] = [f"127.0.0.1:{dash}"]
        return f"127.0.0.1:{gcs}", ["--head", f"--port={gcs}", "--dashboard-host=127.0.0.1",
                                    f"--dashboard-port={dash}", f"--ray-client-server-port={client}"]  # fmt: skip

    head, address = start_until_alive(folders[0], RAY_ENV, 1, head_args)
    nodes = [head]
    try:
        worker, _ = start_until_alive(folders[1], RAY_ENV, 2, lambda: (address, [f"--address={address}"]))
        nodes.append(worker)
        yield Cluster(address, dashboard[0])
    finally:
        for node, folder in reversed(list(zip(nodes, folders))):
            stop_node(node, folder)


def _eurocurate(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "eurocurate"), *args],
        env=RAY_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **kw,
    )


def _shard_hashes(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): sha256_file(p) for p in sorted((out / "shards").rglob("*.parquet"))}


def _ids(out: Path, sub: str) -> list[str]:
    files = sorted((out / sub).glob("*.parquet"))
    return pa.concat_tables([pq.read_table(f, columns=["doc_id"]) for f in files])["doc_id"].to_pylist()


def test_pipeline_runs_on_an_existing_two_node_cluster(two_node_cluster, demo_inputs, tmp_path, local_run):
    address = two_node_cluster.address
    spec = write_spec(tmp_path / "spec.yaml", robots=robots_of(demo_inputs))
    out = tmp_path / "out"
    proc = _eurocurate("run", str(spec), "--input", str(demo_inputs), "--output", str(out),
                       "--ray-address", address, "--workers", "2")  # fmt: skip
    log, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, log
    assert "ray @ 127.0.0.1" in log and "documents read" in log
    assert subprocess.run([str(BIN / "eurocurate"), "verify", str(out)], capture_output=True).returncode == 0

    # the work really was spread: the pipeline's tasks ran on both nodes
    probe = (
        "import ray, json\n"
        "from ray.util.state import list_tasks\n"
        f"ray.init(address={address!r}, logging_level='ERROR')\n"
        f"tasks = list_tasks(address={address!r}, limit=10000, detail=True)\n"
        "tasks = [t for t in tasks if t.name.startswith(('ingest:', 'map'))]\n"
        "print(json.dumps({'task_nodes': sorted({t.node_id for t in tasks}), 'n': len(tasks),"
        " 'alive': sum(n['Alive'] for n in ray.nodes())}))\n"
    )
    seen = subprocess.run([sys.executable, "-c", probe], env=RAY_ENV, capture_output=True, text=True, timeout=120)
    assert seen.returncode == 0, seen.stderr[-3000:]
    facts = orjson.loads(seen.stdout.strip().splitlines()[-1])
    assert facts["alive"] == 2 and len(facts["task_nodes"]) == 2 and facts["n"] >= 9, facts

    # same input and config: the same shards, byte for byte, as the in-process local executor made
    assert _shard_hashes(out) == _shard_hashes(local_run)
    run = orjson.loads((out / "run.json").read_bytes())
    assert run["execution"]["ray_address"] == address


def test_the_dashboard_address_pasted_for_the_cluster_is_refused_and_the_gcs_one_passes(two_node_cluster):
    """The head prints both; `ray.init` on the dashboard's waits without end (Ray 2.60, measured)."""
    from eurocurate.pipelines.engine.embedded_ray import RayUnreachable, check_reachable

    host, port = two_node_cluster.dashboard.rsplit(":", 1)
    deadline = time.monotonic() + 60
    while True:  # the dashboard may come up after `ray start` has returned
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the test cluster's dashboard never listened"
            time.sleep(0.5)
    with pytest.raises(RayUnreachable, match="is not a Ray cluster .a web server answered, in HTTP/1.*8265"):
        check_reachable(two_node_cluster.dashboard, wait_s=1)
    check_reachable(two_node_cluster.address, wait_s=1)


def test_a_killed_run_resumes_to_identical_shards_without_lost_or_duplicated_documents(tmp_path):
    from eurocurate.cli import main
    from eurocurate.tools.demo_corpus import build_demo_corpus

    inputs = tmp_path / "in"
    build_demo_corpus(inputs, files=6, pages_per_language=5)  # six ingest tasks of about a second each
    reference = tmp_path / "reference"
    local_spec = write_spec(tmp_path / "local.yaml", robots=robots_of(inputs), executor="local", workers=1)
    assert main(["run", str(local_spec), "--input", str(inputs), "--output", str(reference)]) == 0

    spec = write_spec(tmp_path / "spec.yaml", robots=robots_of(inputs))  # default executor: embedded Ray
    out = tmp_path / "out"
    args = ["run", str(spec), "--input", str(inputs), "--output", str(out), "--workers", "1"]
    proc = _eurocurate(*args)
    completions = out / "_work" / "ingest" / "completions"
    deadline = time.monotonic() + 300
    while not (completions.is_dir() and any(completions.iterdir())):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the run never finished its first task"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and everything it started, mid-run
    proc.wait()
    completed = {int(p.name) for p in completions.iterdir()}
    done_before = len(completed)
    assert 0 < done_before < 7 and not (out / "run.json").exists()

    resumed = _eurocurate(*args)
    log, _ = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, log
    assert subprocess.run([str(BIN / "eurocurate"), "verify", str(out)], capture_output=True).returncode == 0
    run = orjson.loads((out / "run.json").read_bytes())
    assert run["stages"][0]["in"] == orjson.loads((reference / "run.json").read_bytes())["stages"][0]["in"]

    assert _shard_hashes(out) == _shard_hashes(reference)
    # the resumed invocation ran none of the ingest tasks complete before it, each of the others at most once (a
    # task of the killed run may still complete after the kill: its worker dies with the raylet, not at once)
    timeline = read_timeline(out)
    ran = [t["rank"] for g in timeline.groups if g.name == "ingest" for t in g.tasks]
    tasks = len(run["inputs"])  # one ingest task per input file
    assert len(ran) == len(set(ran)) and set(ran) <= set(range(tasks)) - completed
    assert {int(p.name) for p in completions.iterdir()} == set(range(tasks))
    assert 0 < timeline.efficiency_bound(2) <= 1
    kept, excluded = _ids(out, "provenance"), _ids(out, "exclusions")
    assert len(kept) == len(set(kept)) and len(excluded) == len(set(excluded))
    assert sorted(kept) == sorted(_ids(reference, "provenance"))
    assert sorted(excluded) == sorted(_ids(reference, "exclusions"))
