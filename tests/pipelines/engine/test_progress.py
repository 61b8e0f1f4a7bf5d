"""The driver's progress display: heartbeat files summed, and read only when the display would show them."""

from __future__ import annotations

import io

from rich.console import Console

from eurocurate.pipelines.engine.progress import Heartbeat, ProgressDisplay, read_progress


def test_heartbeats_of_all_tasks_are_summed_and_finished_tasks_counted(tmp_path):
    a, b = Heartbeat(tmp_path, 0, total=100), Heartbeat(tmp_path, 1, total=50)
    a.update(docs=7, done=40.0)  # the first update after creation is within a second: not written yet
    b.finish()
    p = read_progress(tmp_path)
    assert (p.docs, p.done, p.total, p.tasks_finished) == (0, 50.0, 150.0, 1)
    a.finish()
    p = read_progress(tmp_path)
    assert (p.docs, p.done, p.tasks_finished) == (7, 150.0, 2)


def test_plain_display_prints_a_line_only_every_interval_and_is_due_only_then(tmp_path):
    out = io.StringIO()
    display = ProgressDisplay(Console(file=out, width=200), live=False, every_s=3600)
    display.start("extract", "map", tasks=2, total=None, unit="docs")
    assert not display.due()  # the driver does not read the heartbeat files for nothing
    Heartbeat(tmp_path, 0, total=10).finish()
    display.stop(read_progress(tmp_path), skipped=False)
    assert "extract (map): 2 task(s), 0 docs" in out.getvalue()

    out = io.StringIO()
    display = ProgressDisplay(Console(file=out, width=200), live=False, every_s=0)
    display.start("extract", "map", tasks=2, total=None, unit="docs")
    assert display.due()
    display.poll(read_progress(tmp_path))
    assert "extract: 0 docs" in out.getvalue() and "tasks 1/2" in out.getvalue()
