"""The test servers' ports (tests/ports.py) lie outside the kernel's ephemeral range and are never handed out twice."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.ports import _LINUX_EPHEMERAL, _high, free_ports


def test_ports_and_a_worker_range_are_free_distinct_and_below_the_ephemeral_range():
    first, *others = free_ports(6, span=40)
    again = free_ports(6, span=40)
    spans = set(range(first, first + 41)) | set(range(again[0], again[0] + 41))
    singles = others + again[1:]
    assert len(spans) == 82 and len(set(singles)) == 10 and not spans.intersection(singles)
    assert all(20000 <= p <= _high() for p in [*spans, *singles])
    for port in [*spans, *singles]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # free when handed out


def test_the_high_end_is_below_linuxs_ephemeral_range():
    if not Path(_LINUX_EPHEMERAL).exists():
        pytest.skip(f"{_LINUX_EPHEMERAL} is missing: not Linux, whose ephemeral range this test reads")
    assert _high() < int(_LINUX_EPHEMERAL.read_text().split()[0])
