"""Free TCP ports for the servers the tests start (SeaweedFS, `ray start` nodes), chosen where nothing takes them
by chance.

A port asked of the kernel with `bind(("127.0.0.1", 0))` comes from the ephemeral range
(`/proc/sys/net/ipv4/ip_local_port_range`, 32768-60999 on Linux), the same range the kernel draws the source port of
every outgoing connection from. Between the test closing its probe socket and the server binding the port (seconds,
while a `ray start` imports), any connection on the machine may take it, and the server then dies at start. So the
ports are drawn at random below the ephemeral range and above Ray's defaults (6379, 8265, 10001 and workers
10002-19999), and each one, with the `span` ports after the first when a range is asked for, is checked free by
binding it. No port is handed out twice in a process, so a node's ports never fall in the worker range of a node
started before it (a range is bound only as its workers start).
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_LOW = 20000  # above Ray's default ports (workers 10002-19999)
_LINUX_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
_HANDED_OUT: set[int] = set()


def _high() -> int:
    """The last port below the kernel's ephemeral range (32767 where the range cannot be read)."""
    try:
        first = int(_LINUX_EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first = 32768
    return first - 1 if first - 1 > _LOW + 1000 else 32767


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(n: int, span: int = 0) -> list[int]:
    """`n` distinct free ports below the ephemeral range; with `span`, the first one starts a run of `span` + 1 free
    ports (a `--min-worker-port`..`--max-worker-port` range)."""
    rng = random.SystemRandom()
    high = _high()
    chosen: list[int] = []
    for i in range(n):
        width = span + 1 if i == 0 else 1
        for _ in range(10_000):
            first = rng.randint(_LOW, high - width + 1)
            run = range(first, first + width)
            if not _HANDED_OUT.intersection(run) and all(_bindable(p) for p in run):
                _HANDED_OUT.update(run)
                chosen.append(first)
                break
        else:
            raise RuntimeError(f"no free run of {width} ports between {_LOW} and {high}")
    return chosen
