"""The Ray instance a run uses: the cluster at `--ray-address`, or an embedded one on this machine bound to
127.0.0.1 only, started for the run and stopped after it.

Owns starting and stopping it (early, beside the driver's own start-up, when the command line already says a
run will want it); running tasks on it is `ray_executor`'s.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

_RAY_CLUSTER_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
# the environment of the processes an embedded Ray starts: single-machine mode (loopback), no usage statistics
_EMBEDDED_ENV = {_RAY_CLUSTER_ENV: "0", "RAY_USAGE_STATS_ENABLED": "0"}
# What `ray.init` logs that says nothing to a user of the embedded instance (logger → the message's start): the
# SIGTERM handler it cannot set from the thread that starts it early (init_ray sets it on the main thread), and the
# notice that token authentication is on by default (`eurocurate run`'s mistakes are one line on stderr; a Ray
# *without* token authentication is still warned of)
_QUIET = {
    "ray._private.worker": "SIGTERM handler is not set because current thread is not the main thread.",
    "ray._private.authentication.authentication_token_setup": "Token authentication is enabled for this Ray cluster.",
}

log = logging.getLogger(__name__)
# How long a cluster address that refuses connections is tried again before the run gives up: `ray start --head`
# returns once its GCS listens, so this covers a head still starting, not a cluster that is not there
_REACH_WAIT_S = 10.0


class RayUnreachable(RuntimeError):
    """No Ray GCS answers at the `--ray-address` given (`ray.init` would wait on it without end)."""


def check_reachable(address: str, wait_s: float | None = None) -> None:
    """Raise RayUnreachable unless a Ray GCS answers at a `host:port` cluster address: a server accepts a TCP
    connection within `wait_s` and answers the opening of an HTTP/2 connection as a gRPC server does.

    `ray.init(address="host:port")` waits without end on an address where no GCS answers (measured with Ray 2.60,
    logging a retry every 30 s: still waiting after 5 minutes where nothing listens, after 90 s where an HTTP server
    listens and after 45 s on a real head's dashboard port, each stopped there), so a mistyped address would hang
    the run. "auto", "local" and "ray://" (Ray Client) addresses are Ray's own to resolve and are not checked. With
    `RAY_USE_TLS` on, the GCS expects a TLS handshake: only the TCP connection is checked. Another gRPC server at the
    address passes (this checks the protocol, not the service)."""
    if address in ("auto", "local") or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return  # not host:port: Ray says what is wrong with it
    host = host.strip("[]")
    wait_s = _REACH_WAIT_S if wait_s is None else wait_s
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=min(5.0, wait_s) or 1.0) as conn:
                if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
                    return
                answer = _grpc_answer(conn)
                if answer is None:
                    return
                raise RayUnreachable(
                    f"what listens at --ray-address {address} is not a Ray cluster ({answer}): the address is the "
                    "head's GCS port (`ray start --head` prints it, 6379 by default), not the dashboard's (8265); or "
                    "leave --ray-address out for an embedded Ray"
                )
        except OSError as e:
            if time.monotonic() >= deadline:
                raise RayUnreachable(
                    f"no Ray cluster answers at --ray-address {address} ({e.strerror or e}, tried for {wait_s:.0f} s): "
                    "start one with `ray start --head --port=PORT`, or leave --ray-address out for an embedded Ray"
                ) from None
            time.sleep(0.5)


# The client's opening of an HTTP/2 connection (RFC 9113 §3.4): the preface, then an empty SETTINGS frame. A gRPC
# server, the GCS among them, answers with a SETTINGS frame of its own: 9 bytes of frame header, type 0x04
_H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
_H2_SETTINGS = 0x04
_ANSWER_WAIT_S = 5.0


def _grpc_answer(conn: socket.socket) -> str | None:
    """None when the server at the other end of `conn` answers an HTTP/2 opening with a SETTINGS frame; else what it
    did instead, for the error message."""
    conn.settimeout(_ANSWER_WAIT_S)
    head = b""
    try:
        conn.sendall(_H2_PREFACE)
        while len(head) < 9:
            chunk = conn.recv(9 - len(head))
            if not chunk:
                break
            head += chunk
    except TimeoutError:
        return f"it answered nothing within {_ANSWER_WAIT_S:g} s" if not head else f"it answered {head!r}"
    except OSError as e:
        return f"the connection failed: {e.strerror or e}"
    if len(head) == 9 and head[3] == _H2_SETTINGS:
        return None
    if not head:
        return "it closed the connection without answering"
    if head.startswith((b"HTTP/1.", b"<")):  # a status line, or an error page sent without one (http.server's)
        return "a web server answered, in HTTP/1"
    return f"it answered {head!r}"


class _EarlyStart:
    """An embedded instance being started in a thread while the driver imports the stages, loads the spec and checks
    the inputs (about 1 s of a 2-core machine's wall on the dev corpus, against Ray's 2.5-4 s start, which is mostly
    waiting on its own processes).

    The thread lives as long as the instance: Ray starts its processes with PR_SET_PDEATHSIG, which Linux fires
    when the *thread* that forked them ends, so a thread that returned after `ray.init` would take GCS and raylet
    with it (measured: the driver's first `ray.put` then dies on a broken pipe to the object store)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.error: BaseException | None = None
        self.seconds = 0.0  # wall of the whole start, in the thread
        self._ready = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._start, name="eurocurate-ray-start", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        t0 = time.perf_counter()
        try:
            _start_embedded(self.workers)
        except BaseException as e:  # noqa: BLE001 - init_ray reports it, or starts again from the main thread
            self.error = e
        self.seconds = time.perf_counter() - t0
        self._ready.set()
        self._release.wait()  # until the instance is stopped (see the class docstring)

    def wait(self) -> None:
        """Until the start has ended, in success or not."""
        self._ready.wait()

    def release(self) -> None:
        """Let the thread end: only once the instance it started is stopped."""
        self._release.set()
        self._thread.join()


_early: _EarlyStart | None = None


def planned_embedded_workers(
    spec_path: str | Path,
    overrides: Sequence[str] = (),
    *,
    executor: str | None = None,
    workers: int | None = None,
    ray_address: str | None = None,
) -> int | None:
    """The workers of the embedded Ray a run of this command line will start, judged from the spec file's
    `execution` section, its `--set execution.*` overrides and the flags alone (before the stage catalogue is
    imported to validate the whole spec); None when it starts none (a local executor, a cluster address) or the spec
    cannot tell. Only a hint: `init_ray` starts the instance the run asks for whatever was started early."""
    if ray_address:
        return None
    import yaml

    from eurocurate.config import ExecutionSpec

    try:
        tree = yaml.safe_load(Path(spec_path).read_text(encoding="utf-8"))
        section = dict((tree or {}).get("execution") or {})
        for item in overrides:
            key, _, raw = item.partition("=")
            if key.strip().startswith("execution."):
                section[key.strip().removeprefix("execution.")] = yaml.safe_load(raw)
        execution = ExecutionSpec.model_validate(section)
    except Exception:  # noqa: BLE001 - a spec that does not load is load_spec's to report, with a clear message
        return None
    if (executor or execution.executor) != "ray":
        return None
    return workers or execution.workers


def start_ray_early(workers: int) -> None:
    """Start an embedded instance of `workers` CPUs in a thread, for the next `init_ray` of this process to use."""
    global _early
    ray = sys.modules.get("ray")
    if _early is None and not (ray is not None and ray.is_initialized()):
        _early = _EarlyStart(workers)


_running_early: _EarlyStart | None = None  # the start whose thread holds the running instance


def _take_early() -> _EarlyStart | None:
    """The early start, once it has ended (None when there was none)."""
    global _early, _running_early
    early, _early = _early, None
    if early is not None:
        _running_early = early  # before the wait: a Ctrl-C during it leaves the start for stop_ray to wait for and stop
        early.wait()
    return early


def init_ray(address: str | None, workers: int) -> float | None:
    """Join the Ray cluster at `address`, or start an embedded one of `workers` CPUs on loopback only (or take the
    one `start_ray_early` started, when it has as many: then its start's wall seconds are returned)."""
    import ray

    early = _take_early()
    if early is not None and ray.is_initialized():
        if address is None and early.workers == workers:
            from ray._private.utils import set_sigterm_handler

            set_sigterm_handler(lambda signum, frame: sys.exit(signum))  # what ray.init sets on the main thread
            return round(early.seconds, 3)
        log.info("embedded Ray started early does not fit the run: restarting", extra={"workers": early.workers})
        stop_ray()
    if address:
        check_reachable(address)
    if ray.is_initialized():
        return None
    if address:
        ray.init(address=address, **_init_kwargs())
    else:
        _start_embedded(workers)
    return None


def _init_kwargs() -> dict:
    return {"log_to_driver": False, "logging_level": logging.WARNING, "configure_logging": True}


class _DropMessage(logging.Filter):
    def __init__(self, start: str):
        super().__init__()
        self.start = start

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.start)


def _start_embedded(workers: int) -> None:
    """An embedded local instance, sized to the requested parallelism, reachable on loopback only."""
    import ray

    quiet = [(logging.getLogger(name), _DropMessage(start)) for name, start in _QUIET.items()]
    for logger, drop in quiet:
        logger.addFilter(drop)
    try:
        with _loopback_only_ray(), _without_dashboard_head():
            ray.init(
                address="local",
                num_cpus=workers,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                **_init_kwargs(),
            )
    finally:
        for logger, drop in quiet:
            logger.removeFilter(drop)


@contextmanager
def _without_dashboard_head() -> Iterator[None]:
    """Start no dashboard head process: with `include_dashboard=False` Ray 2.60 still starts one, for its usage
    statistics module alone (which this instance turns off), and `ray.init` waits for it to register before it
    starts the raylet. Left out, a start takes 3.6 s instead of 4.4 s (medians of 4 turns each, loaded machine) and
    one process fewer (0.85 CPU s). The node then records no dashboard URL, as Ray does for its minimal install;
    what the instance loses is the state and job-submission APIs, which nothing of a run asks of it. Ray's own
    `start_api_server` is put back when `ray.init` returns; a Ray without it starts as it does."""
    try:
        from ray._private.node import Node
    except ImportError:
        yield
        return
    original = getattr(Node, "start_api_server", None)
    if original is None:
        yield
        return

    def no_dashboard_head(self: Node, **_: object) -> None:
        self._webui_url = ""  # as Ray's minimal install: no dashboard server

    Node.start_api_server = no_dashboard_head
    try:
        yield
    finally:
        Node.start_api_server = original


@contextmanager
def _loopback_only_ray() -> Iterator[None]:
    """Make the Ray processes started inside bind 127.0.0.1 only (GCS, raylet, agents, workers), and send nothing
    off the machine.

    Ray 2.60 turns `_node_ip_address="127.0.0.1"` into the machine's routable address, and its servers bind
    all interfaces unless the node address is loopback. Only its single-machine mode (the one Ray uses on macOS
    and Windows, switched by RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0) keeps loopback: the driver reads the flag from
    `ray_constants` (so it is set there too, ray being imported already), the processes it starts from their
    environment, which they inherit. Ray's usage statistics, on by default for `ray.init`, are reported to
    ray.io from the processes it starts: RAY_USAGE_STATS_ENABLED=0 turns them off (a run makes no network
    connection). The environment is restored afterwards so that a later `--ray-address` run in this
    process joins a cluster on its routable address. tests/pipelines/engine/test_embedded_ray.py checks the
    sockets and the environment of the processes.
    """
    from ray._private import ray_constants

    saved_env = {name: os.environ.get(name) for name in _EMBEDDED_ENV}
    saved_flag = ray_constants.ENABLE_RAY_CLUSTER
    os.environ.update(_EMBEDDED_ENV)
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved_flag
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def stop_ray() -> None:
    """Stop the Ray connection (and an embedded instance) of this process, from its main thread. A process
    that never imported Ray (a local run) has none, and is not made to import it (0.3 CPU s) to find out."""
    if threading.current_thread() is not threading.main_thread():
        return
    global _running_early
    _take_early()  # an instance still starting is waited for, then stopped
    if _running_early is not None:
        _running_early.wait()  # one whose wait a Ctrl-C interrupted
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        _kill_monitor()
        ray.shutdown()
    if _running_early is not None:
        _running_early.release()
        _running_early = None


def _kill_monitor() -> None:
    """Kill the embedded instance's autoscaler monitor before `ray.shutdown`: on SIGTERM it reports its end
    through the GCS, which Ray has stopped just before, so it outlives Ray's 1 s grace and is killed then (1.0 s
    of every run's 1.4 s shutdown, measured; 0.4 s without). It holds nothing a local instance needs."""
    try:
        from ray._private import ray_constants, worker

        node = worker._global_node
        monitors = node.all_processes.get(ray_constants.PROCESS_TYPE_MONITOR, []) if node is not None else []
    except (ImportError, AttributeError):  # another Ray version: its own shutdown does it
        return
    for info in monitors:
        if info.process.poll() is None:
            info.process.kill()
            info.process.wait(timeout=5)
