"""The Ray instance a run uses: the cluster at `--ray-address`, or an embedded one on this machine bound to
127.0.0.1 only, started for the run and stopped after it.

Owns starting and stopping it; running tasks on it is `ray_executor`'s.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_RAY_CLUSTER_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
# the environment of the processes an embedded Ray starts: single-machine mode (loopback), no usage statistics
_EMBEDDED_ENV = {_RAY_CLUSTER_ENV: "0", "RAY_USAGE_STATS_ENABLED": "0"}


def init_ray(address: str | None, workers: int) -> None:
    """Join the Ray cluster at `address`, or start an embedded one of `workers` CPUs on loopback only."""
    import ray

    if ray.is_initialized():
        return
    kwargs = {"log_to_driver": False, "logging_level": logging.WARNING, "configure_logging": True}
    if address:
        ray.init(address=address, **kwargs)
    else:  # embedded local instance, sized to the requested parallelism, reachable on loopback only
        with _loopback_only_ray():
            ray.init(address="local", num_cpus=workers, include_dashboard=False, _node_ip_address="127.0.0.1", **kwargs)


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
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized() and threading.current_thread() is threading.main_thread():
        ray.shutdown()
