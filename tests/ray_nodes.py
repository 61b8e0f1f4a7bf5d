"""Ray nodes for the tests: each a `ray start --block` of this interpreter in its own process group, with its own
working folder, temp dir, scratch folder and explicit free ports, stopped through its process group (never `ray
stop`, which stops every Ray on the machine, a user's own cluster included)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ports import free_ports


def start_node(folder: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """`ray start --block` of this interpreter (so workers import this checkout) in its own process group.

    Its Ray temp dir is a short folder of its own under /tmp: Ray's socket paths must stay under 108 bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scratch").mkdir(exist_ok=True)
    ray_tmp = tempfile.mkdtemp(prefix="ec-ray-", dir="/tmp")
    (folder / "ray-temp-dir").write_text(ray_tmp)
    workers, *ports = free_ports(7, span=40)
    command = [
        sys.executable, "-m", "ray.scripts.scripts", "start", "--block", "--num-cpus=1",
        "--node-ip-address=127.0.0.1", "--disable-usage-stats", f"--temp-dir={ray_tmp}",
        f"--node-manager-port={ports[0]}", f"--object-manager-port={ports[1]}",
        f"--min-worker-port={workers}", f"--max-worker-port={workers + 40}",
        f"--dashboard-agent-listen-port={ports[2]}", f"--dashboard-agent-grpc-port={ports[3]}",
        f"--runtime-env-agent-port={ports[4]}", f"--metrics-export-port={ports[5]}", *args,
    ]  # fmt: skip
    node_env = {**env, "EUROCURATE_SCRATCH": str(folder / "scratch")}
    log = open(folder / "ray-start.log", "wb")  # noqa: SIM115 - the node writes to it for its whole life
    return subprocess.Popen(
        command, cwd=folder, env=node_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_node(proc: subprocess.Popen, folder: Path) -> None:
    """SIGTERM to the node's process group, SIGKILL 10 s later if it is still there: a node whose driver was killed
    midway did not exit on SIGTERM within 30 s (the suite's teardowns took 31-32 s), and SIGKILL reaches every
    process of the group."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)  # the node's own process group: its raylet, GCS, agents and workers
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    shutil.rmtree((folder / "ray-temp-dir").read_text(), ignore_errors=True)


def alive_nodes(address: str, env: dict[str, str], node: subprocess.Popen) -> tuple[int, str]:
    """How many nodes of the cluster at `address` are alive, and what the probe said when it could not tell.

    `ray.init` waits, without end, on a GCS that is not listening: the probe is given up when `node` exits or after
    60 s, and counts as no node yet; the caller decides from the node's own process whether to wait on."""
    probe = (
        f"import ray; ray.init(address={address!r}, logging_level='ERROR'); print(sum(n['Alive'] for n in ray.nodes()))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", probe], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        deadline = time.monotonic() + 60
        while proc.poll() is None and node.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
            return 0, "the probe was given up: " + ("the node exited" if node.poll() is not None else "60 s")
        out, err = proc.communicate()
    if proc.returncode != 0:
        return 0, err[-3000:]
    return int(out.strip().splitlines()[-1]), ""


def start_until_alive(
    folder: Path, env: dict[str, str], want: int, choose: Callable[[], tuple[str, list[str]]]
) -> tuple[subprocess.Popen, str]:
    """A node started with the (address, arguments) `choose()` gives, once `want` nodes are alive at that address.

    A node that exits while starting is started again with what `choose()` gives next, up to three times: its ports
    were free when chosen but another server may bind one before the node does. A node that stays up but does not
    join in 180 s is an error at once (a safety net on a loaded machine, not a speed requirement). The errors carry
    every attempt's log and the last probe's output."""
    said: list[str] = []
    for attempt in range(1, 4):
        address, args = choose()
        node = start_node(folder, env, *args)
        deadline, last = time.monotonic() + 180, ""
        while node.poll() is None and time.monotonic() < deadline:
            alive, last = alive_nodes(address, env, node)
            if alive >= want:
                return node, address
            time.sleep(1)
        exited = node.poll() is not None
        log = (folder / "ray-start.log").read_text(errors="replace")
        stop_node(node, folder)
        said.append(f"attempt {attempt}, {' '.join(args)}: {'exited' if exited else 'alive'}\n{log}\nprobe: {last}")
        if not exited:
            break
    pytest.fail(f"no {want} alive node(s) at {address}:\n" + "\n\n".join(said))
