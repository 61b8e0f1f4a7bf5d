"""CPU and memory of datatrove steps run in one process: the timing wrapper of the benchmarks.

Each step's `run` is wrapped (`metered`), and the wrapper adds up the CPU time spent inside the step
minus what its upstream took; CPU of child processes reaped while the step runs (trafilatura's forked
sandbox) is charged the same way. Peak RSS is read per phase, the kernel's high-water mark reset
between phases. Owns no pipeline and no step: `bench_reference` builds the steps and reports.
"""

from __future__ import annotations

import inspect
import resource
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StageMeter:
    """What one step cost in one run: process CPU exclusive of its upstream, plus CPU of child
    processes reaped while it ran, documents through it, and datatrove's own counters."""

    name: str
    phase: str
    docs_in: int = 0
    docs_out: int = 0
    chars_in: int = 0
    cpu_s: float = 0.0
    child_cpu_s: float = 0.0
    sink: bool = False
    peak_rss_mb: float = 0.0
    datatrove_wall_s: float = 0.0
    datatrove_stats: dict[str, float] = field(default_factory=dict)


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_now() -> tuple[float, float]:
    """(this process, reaped children): trafilatura's sandbox is a forked child, reaped when the
    extractor's generator ends, so children's CPU has to be charged exclusively like our own."""
    return time.process_time(), children_cpu()


def metered(step: Any, data: Iterable | None, meter: StageMeter, rank: int = 0, world_size: int = 1) -> Iterator:
    """Run `step` over `data`, charging to `meter` the CPU spent inside it and not upstream.

    Works for generator steps (filters, readers, writers) and for steps whose `run` is a plain
    function that consumes everything (MinHash stages, DocumentTokenizer); the latter are sinks.
    A step without input (a reader) counts what it yields as its input too.
    """
    own = children = 0.0  # CPU inside the step, upstream included, then upstream subtracted

    def charge(began: tuple[float, float], sign: float) -> None:
        nonlocal own, children
        now = cpu_now()
        own += sign * (now[0] - began[0])
        children += sign * (now[1] - began[1])

    def feed() -> Iterator:
        it = iter(data)
        while True:
            began = cpu_now()
            try:
                doc = next(it)
            except StopIteration:
                charge(began, -1.0)
                return
            charge(began, -1.0)
            meter.docs_in += 1
            meter.chars_in += len(doc.text)
            yield doc

    began = cpu_now()
    result = step.run(feed() if data is not None else None, rank, world_size)
    charge(began, 1.0)
    if inspect.isgenerator(result):
        while True:
            began = cpu_now()
            try:
                doc = next(result)
            except StopIteration:
                charge(began, 1.0)
                break
            charge(began, 1.0)
            meter.docs_out += 1
            if data is None:
                meter.docs_in += 1
                meter.chars_in += len(doc.text)
            yield doc
    else:
        meter.sink = True
    meter.cpu_s += own
    meter.child_cpu_s += children
    meter.datatrove_wall_s = step.stats.time_stats.total
    meter.datatrove_stats = {k: v.total for k, v in step.stats.stats.items() if not k.startswith("doc_len")}


def drain(docs: Iterable) -> None:
    for _ in docs:
        pass


def reset_peak_rss() -> None:
    """Reset the kernel's RSS high-water mark (Linux ≥ 4.0) so ru_maxrss reads the coming phase's peak."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # then the figure is the process peak so far


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024
