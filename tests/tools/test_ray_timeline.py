"""The efficiency bound a Ray run's log allows: serial parts, task sizes and the order tasks start in."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from eurocurate.tools.ray_timeline import read_timeline


def _write_log(out: Path, groups: dict[str, list[float]], driver_serial: float = 0.0, ray_start: float = 0.0) -> Path:
    """A run log as the runner and the Ray executor write it: each group's tasks with these CPU seconds,
    started in rank order on two workers that needed no start-up."""
    lines, t = [], 0.0

    def line(message: str, **fields) -> None:
        lines.append({"time": "2026-12-04 16:00:00,000", "level": "INFO", "message": message, **fields})

    line("run started", driver_cpu_s=driver_serial)
    line("ray ready", seconds=ray_start, driver_cpu_s=driver_serial)
    for name, tasks in groups.items():
        line("stage group started", group=name, kind="map", tasks=len(tasks), driver_cpu_s=driver_serial)
        for rank, task_cpu in enumerate(tasks):
            t += 1
            pid = 100 + rank % 2
            line("task finished", group=name, rank=rank, node="n", pid=pid, started=t, seconds=task_cpu,
                 cpu_s=task_cpu, worker_cpu_s=task_cpu)  # fmt: skip
        line("stage group finished", group=name, kind="map", tasks=len(tasks), seconds=1.0, docs=1,
             driver_cpu_s=driver_serial)  # fmt: skip
    line("run finished", driver_cpu_s=driver_serial)
    line("run verified", driver_cpu_s=driver_serial)
    (out / "logs").mkdir(parents=True)
    (out / "logs" / "run.jsonl").write_bytes(b"\n".join(orjson.dumps(x) for x in lines) + b"\n")
    return out


def test_equal_tasks_in_an_even_number_allow_full_efficiency(tmp_path):
    timeline = read_timeline(_write_log(tmp_path, {"ingest": [2.0, 2.0, 2.0, 2.0]}))
    assert timeline.efficiency_bound(2) == pytest.approx(1.0)


def test_a_task_left_alone_at_the_end_costs_its_idle_worker(tmp_path):
    timeline = read_timeline(_write_log(tmp_path, {"ingest": [2.0, 2.0, 2.0]}))
    assert timeline.efficiency_bound(2) == pytest.approx(6 / (2 * 4))


def test_starting_the_largest_task_first_removes_the_tail_rank_order_leaves(tmp_path):
    timeline = read_timeline(_write_log(tmp_path, {"ingest": [1.0, 1.0, 2.0]}))
    assert timeline.replayed(2, "rank order") == pytest.approx(3.0)
    assert timeline.replayed(2, "largest first") == pytest.approx(2.0)
    assert timeline.efficiency_bound(2, "largest first") == pytest.approx(1.0)


def test_serial_parts_and_barriers_bound_the_run(tmp_path):
    groups = {"ingest": [2.0, 2.0], "merge": [1.0], "write": [1.0, 1.0]}  # a one-task barrier between two maps
    timeline = read_timeline(_write_log(tmp_path, groups, driver_serial=1.0, ray_start=2.0))
    one, two = 1.0 + 2.0 + 7.0, 1.0 + 2.0 + (2.0 + 1.0 + 1.0)
    assert timeline.efficiency_bound(2) == pytest.approx(one / (2 * two))
    assert timeline.efficiency_bound(2, with_ray_start=False) == pytest.approx(8.0 / (2 * 5.0))


def test_a_run_that_did_not_finish_is_refused(tmp_path):
    out = _write_log(tmp_path, {"ingest": [1.0]})
    log = out / "logs" / "run.jsonl"
    log.write_bytes(b"\n".join(x for x in log.read_bytes().splitlines() if b"run verified" not in x) + b"\n")
    with pytest.raises(ValueError, match="did not finish"):
        read_timeline(out)
