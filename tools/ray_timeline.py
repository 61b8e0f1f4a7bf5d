"""A Ray run's timeline from its run log, and the parallel efficiency its task sizes and serial parts allow.

`python -m eurocurate.tools.ray_timeline OUT [--workers N]` reads `OUT/logs/run.jsonl` (the `ray ready`,
`stage group started/finished` and per-task `task finished` lines the runner and `ray_executor` write) and
prints, per stage group, its tasks' CPU seconds and the makespan of those tasks on N workers, then the bound.

The bound is computed in CPU seconds, so a loaded machine changes it little: each task is replayed as its own
CPU seconds, started in the order the run started them (and, for comparison, in rank order and largest
first) on N workers that take the next task when free; the groups run one after the other, and the serial
parts (Ray's start, the driver's work before, between and after the groups; wall seconds, the only measure
the log has of them) are added. Efficiency bound = (serial + all task CPU) / (N × replayed run); the part
it misses is the share of the run in which fewer than N tasks could run. It does not see a second worker's
extra model loads (they are in the task CPU of both sides) nor contention for memory bandwidth.
"""

from __future__ import annotations

import argparse
import heapq
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

from eurocurate.layout import LOGS

_ORDERS = ("as run", "rank order", "largest first")


@dataclass
class GroupTimeline:
    name: str
    kind: str = ""
    started: float = 0.0
    finished: float = 0.0
    tasks: list[dict] = field(default_factory=list)  # `task finished` fields: rank, pid, started, seconds, cpu_s

    @property
    def cpu_s(self) -> float:
        return sum(t["cpu_s"] for t in self.tasks)

    def makespan(self, workers: int, order: str) -> float:
        """The tasks' CPU seconds replayed on `workers` workers, each taking the next task of `order` when free."""
        if order == "as run":
            tasks = sorted(self.tasks, key=lambda t: t["started"])
        elif order == "rank order":
            tasks = sorted(self.tasks, key=lambda t: t["rank"])
        else:
            tasks = sorted(self.tasks, key=lambda t: -t["cpu_s"])
        free = [0.0] * max(1, min(workers, len(tasks)))
        for t in tasks:
            heapq.heapreplace(free, free[0] + t["cpu_s"])
        return max(free) if tasks else 0.0


@dataclass
class RunTimeline:
    ray_start_s: float
    serial_driver_s: float  # before the first group (Ray's start excluded), between groups, after the last
    groups: list[GroupTimeline]

    @property
    def serial_s(self) -> float:
        return self.ray_start_s + self.serial_driver_s

    def replayed(self, workers: int, order: str) -> float:
        return self.serial_s + sum(g.makespan(workers, order) for g in self.groups)

    def efficiency_bound(self, workers: int, order: str = "as run") -> float:
        one = self.serial_s + sum(g.cpu_s for g in self.groups)
        return one / (workers * self.replayed(workers, order))


def _epoch(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def read_timeline(out: Path) -> RunTimeline:
    """The timeline of the last invocation recorded in `out`'s run log (a resumed run appends to it)."""
    lines = [orjson.loads(x) for x in (out / LOGS / "run.jsonl").read_bytes().splitlines() if x.strip()]
    starts = [i for i, x in enumerate(lines) if x["message"] == "run started"]
    if not starts:
        raise ValueError(f"{out / LOGS / 'run.jsonl'} records no run")
    lines = lines[starts[-1] :]
    begin = _epoch(lines[0]["time"])
    end = next((_epoch(x["time"]) for x in lines if x["message"] == "run finished"), _epoch(lines[-1]["time"]))
    ray_start = next((x["seconds"] for x in lines if x["message"] == "ray ready"), 0.0)
    groups: dict[str, GroupTimeline] = {}
    for x in lines:
        if x["message"] == "stage group started":
            groups[x["group"]] = GroupTimeline(x["group"], x["kind"], started=_epoch(x["time"]))
        elif x["message"] == "stage group finished":
            groups[x["group"]].finished = _epoch(x["time"])
        elif x["message"] == "task finished":
            groups[x["group"]].tasks.append(x)
    ran = [g for g in groups.values() if g.finished]
    in_groups = sum(g.finished - g.started for g in ran)
    return RunTimeline(ray_start, max(0.0, end - begin - in_groups - ray_start), ran)


def describe(timeline: RunTimeline, workers: int) -> str:
    rows = [
        f"serial: Ray start {timeline.ray_start_s:.1f} s, driver outside the groups {timeline.serial_driver_s:.1f} s",
        "| group | kind | tasks | task CPU s | largest task CPU s | wall s | replayed on "
        f"{workers} (as run) s | ideal s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for g in timeline.groups:
        largest = max((t["cpu_s"] for t in g.tasks), default=0.0)
        rows.append(
            f"| {g.name} | {g.kind} | {len(g.tasks)} | {g.cpu_s:.1f} | {largest:.1f} | {g.finished - g.started:.1f} | "
            f"{g.makespan(workers, 'as run'):.1f} | {g.cpu_s / workers:.1f} |"
        )
    for order in _ORDERS:
        rows.append(
            f"efficiency bound on {workers} workers, tasks {order}: {timeline.efficiency_bound(workers, order):.0%} "
            f"(replayed run {timeline.replayed(workers, order):.1f} s)"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="OUT of a Ray run (its logs/run.jsonl)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(describe(read_timeline(args.output), args.workers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
