"""The embedded Ray a run starts listens on loopback only: GCS, raylet, agents and workers (#16), and reports no
usage statistics."""

from __future__ import annotations

import ipaddress
import os

import psutil
import pytest

from eurocurate.pipelines.engine.embedded_ray import init_ray, stop_ray

pytestmark = pytest.mark.slow


def _listening(pids: set[int]) -> list[tuple[str, int, str]]:
    found = []
    for conn in psutil.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.pid in pids:
            try:
                name = psutil.Process(conn.pid).name()
            except psutil.NoSuchProcess:
                continue
            found.append((conn.laddr.ip, conn.laddr.port, name))
    return found


def _is_loopback(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    mapped = getattr(addr, "ipv4_mapped", None)  # "::ffff:127.0.0.1": an IPv6 socket bound to IPv4 loopback
    return (mapped or addr).is_loopback


def test_every_listening_socket_of_the_embedded_ray_is_on_loopback():
    import ray

    before = {p.pid for p in psutil.Process().children(recursive=True)}  # other tests' servers in a whole-suite run
    # as this process had it (Ray's own client code sets it once a process joined a cluster, as earlier tests do)
    user_setting = os.environ.get("RAY_USAGE_STATS_ENABLED")
    init_ray(None, 1)
    try:

        @ray.remote
        def pid() -> int:
            return os.getpid()

        worker = ray.get(pid.remote())  # a worker process (and its gRPC server) exists now
        tree = {os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))}
        assert worker in tree
        sockets = _listening(tree)
        names = {name for _, _, name in sockets}
        assert any("gcs_server" in n for n in names) and any("raylet" in n for n in names)
        exposed = [s for s in sockets if not _is_loopback(s[0])]
        assert not exposed, f"Ray servers listening beyond loopback: {exposed}"
        # no usage statistics to ray.io from any process it started (the dashboard head reports them); the agents'
        # environment reads empty (setproctitle writes over it), they inherit the raylet's
        started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
        environments = {p.name(): p.environ() for p in started}
        readable = {name: env for name, env in environments.items() if env}
        assert {"gcs_server", "raylet"} <= set(readable)
        assert all(env.get("RAY_USAGE_STATS_ENABLED") == "0" for env in readable.values())
    finally:
        stop_ray()
    from ray._private import ray_constants

    assert ray_constants.ENABLE_RAY_CLUSTER and "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER" not in os.environ
    # a later --ray-address run finds the user's environment
    assert os.environ.get("RAY_USAGE_STATS_ENABLED") == user_setting


def _ray_processes(before: set[int]) -> list[psutil.Process]:
    """The Ray processes this process started since `before` (its children that are not other tests' servers)."""
    procs = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE:
                procs.append(p)
        except psutil.NoSuchProcess:
            continue
    return procs


def test_a_run_takes_over_the_ray_started_early_and_stopping_leaves_no_process():
    import ray

    from eurocurate.pipelines.engine.embedded_ray import start_ray_early

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    start_ray_early(1)
    try:
        started = init_ray(None, 1)  # waits for the early start and takes it over
        assert started is not None and started > 0
        assert ray.is_initialized() and ray.cluster_resources()["CPU"] == 1
        assert ray.get(ray.remote(lambda: os.getpid()).remote()) != os.getpid()  # tasks run on its workers
        ray_procs = _ray_processes(before)
        ray_pids = {p.pid for p in ray_procs}
        names = {p.name() for p in ray_procs}
        assert {"gcs_server", "raylet"} <= names
        # no dashboard head (Ray starts one even without the dashboard, for usage statistics this instance turns off)
        assert not [p for p in ray_procs if any(a.endswith("dashboard/dashboard.py") for a in p.cmdline())]
    finally:
        stop_ray()
    assert not ray.is_initialized()
    assert not [p for p in _ray_processes(before) if p.pid in ray_pids]  # the monitor killed, the rest stopped


def test_an_early_ray_of_another_size_is_replaced_by_the_one_the_run_asks_for():
    import ray

    from eurocurate.pipelines.engine.embedded_ray import start_ray_early

    start_ray_early(1)
    try:
        assert init_ray(None, 2) is None  # not taken over: started again
        assert ray.cluster_resources()["CPU"] == 2
    finally:
        stop_ray()


def test_a_command_that_fails_before_its_run_stops_the_ray_it_started_early(tmp_path):
    import ray

    from eurocurate.cli import main
    from tests.conftest import write_spec

    spec = write_spec(tmp_path / "spec.yaml")  # the default executor: embedded Ray, started at once
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    code = main(["run", str(spec), "--input", str(tmp_path / "no-such.warc.gz"), "--output", str(tmp_path / "out")])
    assert code == 2  # the input mistake, reported as ever
    assert not ray.is_initialized() and not _ray_processes(before)
