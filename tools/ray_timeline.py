"""A Ray run's timeline from its run log, and the parallel efficiency its task sizes and serial parts allow.

`python -m eurocurate.tools.ray_timeline OUT [--workers N]` reads `OUT/logs/run.jsonl` (the runner's `run
started`, `ray ready`, `stage group started/finished`, `run finished`, `run verified` lines and `ray_executor`'s
per-task `task finished` lines) and prints, per stage group, its tasks' CPU seconds and their makespan on N
workers, then the bound.

The bound is computed in CPU seconds, so a loaded machine changes it little: each task is replayed as its own
CPU seconds, started in the order the run started them (and, for comparison, in rank order and largest
first) on N workers that take the next task when free and start with their own start-up CPU (a worker's CPU
before its first task: Ray's worker boot, imports, unpickling the steps); the groups run one after the other,
and the serial parts are added: the driver's CPU before and between the groups and after the last one (spec
compile, manifest, verification), and Ray's start (wall seconds the run waited for it: its CPU is in other
processes, and an embedded Ray starts beside the driver's imports and checks, whose CPU then counts as serial
too, so the bound is on the low side; on a loaded machine this figure is inflated, so the bound is also given
without it). Efficiency bound =
(serial + one worker's start-up + all task CPU) / (N × replayed run); what it misses is the share of the run
in which fewer than N tasks could run. Not in it: contention for the cores and memory between the workers
and Ray's own processes (compare the task CPU of a 1-worker and a 2-worker run for that).
"""

from __future__ import annotations

import argparse
import heapq
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from eurocurate.layout import LOGS

ORDERS = ("as run", "rank order", "largest first")


@dataclass
class GroupTimeline:
    name: str
    kind: str
    wall_s: float = 0.0
    driver_cpu_s: float = 0.0  # the driver's CPU while the group ran (waiting, polling progress): not serial
    tasks: list[dict] = field(default_factory=list)  # `task finished` fields: rank, pid, started, cpu_s, ...

    @property
    def cpu_s(self) -> float:
        return sum(t["cpu_s"] for t in self.tasks)

    def ordered(self, order: str) -> list[dict]:
        if order == "as run":
            return sorted(self.tasks, key=lambda t: t["started"])
        if order == "rank order":
            return sorted(self.tasks, key=lambda t: t["rank"])
        return sorted(self.tasks, key=lambda t: (-t["cpu_s"], t["rank"]))


@dataclass
class RunTimeline:
    ray_start_s: float  # wall the run waited for Ray (after the driver's start-up, when Ray started beside it)
    driver_serial_cpu_s: float  # the driver's CPU outside the groups and Ray's start
    worker_startup_cpu_s: dict[int, float]  # worker pid → its CPU before its first task
    groups: list[GroupTimeline]
    ray_started_early_s: float | None = None  # wall of Ray's whole start, when it began beside the driver's

    def serial_s(self, with_ray_start: bool = True) -> float:
        return self.driver_serial_cpu_s + (self.ray_start_s if with_ray_start else 0.0)

    def replayed(self, workers: int, order: str, with_ray_start: bool = True) -> float:
        """The groups one after the other on `workers` workers, each worker free after its own start-up."""
        startups = sorted(self.worker_startup_cpu_s.values(), reverse=True)[:workers]
        startups += [max(startups, default=0.0)] * (workers - len(startups))
        free = list(startups)
        heapq.heapify(free)
        clock = 0.0
        for g in self.groups:
            free = [max(f, clock) for f in free]
            heapq.heapify(free)
            for t in g.ordered(order):
                heapq.heapreplace(free, free[0] + t["cpu_s"])
            clock = max(free)
        return self.serial_s(with_ray_start) + clock

    def one_worker(self, with_ray_start: bool = True) -> float:
        startup = max(self.worker_startup_cpu_s.values(), default=0.0)
        return self.serial_s(with_ray_start) + startup + sum(g.cpu_s for g in self.groups)

    def efficiency_bound(self, workers: int, order: str = "as run", with_ray_start: bool = True) -> float:
        return self.one_worker(with_ray_start) / (workers * self.replayed(workers, order, with_ray_start))


def read_timeline(out: Path) -> RunTimeline:
    """The timeline of the last invocation recorded in `out`'s run log (a resumed run appends to it)."""
    path = out / LOGS / "run.jsonl"
    lines = [orjson.loads(x) for x in path.read_bytes().splitlines() if x.strip()]
    starts = [i for i, x in enumerate(lines) if x["message"] == "run started"]
    if not starts:
        raise ValueError(f"{path} records no run")
    lines = lines[starts[-1] :]
    cpu = {x["message"]: x.get("driver_cpu_s") for x in lines}
    if cpu.get("run verified") is None or cpu.get("run started") is None:
        raise ValueError(f"{path}: the last run did not finish, or was run by a version that logs no driver CPU")
    ray = next((x for x in lines if x["message"] == "ray ready"), None)
    groups: dict[str, GroupTimeline] = {}
    group_driver_start: dict[str, float] = {}
    for x in lines:
        if x["message"] == "stage group started":
            groups[x["group"]] = GroupTimeline(x["group"], x["kind"])
            group_driver_start[x["group"]] = x["driver_cpu_s"]
        elif x["message"] == "stage group finished":
            g = groups[x["group"]]
            g.wall_s = x["seconds"]
            g.driver_cpu_s = x["driver_cpu_s"] - group_driver_start[x["group"]]
        elif x["message"] == "task finished":
            groups[x["group"]].tasks.append(x)
    ray_driver_cpu = (ray["driver_cpu_s"] - cpu["run started"]) if ray else 0.0  # in the Ray start's wall
    in_groups = sum(g.driver_cpu_s for g in groups.values())
    driver_serial = cpu["run verified"] - in_groups - ray_driver_cpu
    first_task: dict[int, dict] = {}
    for g in groups.values():
        for t in g.tasks:
            if t["pid"] not in first_task or t["started"] < first_task[t["pid"]]["started"]:
                first_task[t["pid"]] = t
    startup = {pid: max(0.0, t["worker_cpu_s"] - t["cpu_s"]) for pid, t in first_task.items()}
    ran = [g for g in groups.values() if g.tasks]
    return RunTimeline(ray["seconds"] if ray else 0.0, driver_serial, startup, ran, (ray or {}).get("started_early_s"))


def describe(timeline: RunTimeline, workers: int) -> str:
    startups = ", ".join(f"{s:.1f}" for s in timeline.worker_startup_cpu_s.values())
    early = timeline.ray_started_early_s
    overlap = f", the rest of its {early:.1f} s beside the driver's start-up" if early is not None else ""
    rows = [
        f"serial: Ray start {timeline.ray_start_s:.1f} s (wall{overlap}), driver outside the groups "
        f"{timeline.driver_serial_cpu_s:.1f} CPU s; worker start-up CPU s: {startups or '-'}",
        "",
        f"| group | kind | tasks | task CPU s | largest task CPU s | wall s | replayed on {workers}, as run, CPU s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for g in timeline.groups:
        one = RunTimeline(0.0, 0.0, {}, [g])
        largest = max(t["cpu_s"] for t in g.tasks)
        rows.append(
            f"| {g.name} | {g.kind} | {len(g.tasks)} | {g.cpu_s:.1f} | {largest:.1f} | {g.wall_s:.1f} | "
            f"{one.replayed(workers, 'as run'):.1f} |"
        )
    rows.append("")
    for order in ORDERS:
        rows.append(
            f"efficiency bound on {workers} workers, tasks {order}: "
            f"{timeline.efficiency_bound(workers, order):.0%} with Ray's start, "
            f"{timeline.efficiency_bound(workers, order, with_ray_start=False):.0%} without "
            f"(replayed run {timeline.replayed(workers, order):.1f} s; one worker "
            f"{timeline.one_worker():.1f} s)"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="OUT of a finished Ray run (its logs/run.jsonl)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(describe(read_timeline(args.output), args.workers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
