"""Progress of running tasks, seen from the driver: heartbeat files written by tasks, read by the CLI.

Tasks may run in other processes or on other Ray nodes, so progress travels through small JSON files
under the node's work folder (a shared filesystem, as datatrove's completions already require).
`Heartbeat` writes them at most once a second; `read_progress` sums them for the progress display.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

_MIN_INTERVAL_S = 1.0


class Heartbeat:
    """Progress of one task: documents seen, units done of a known total (bytes or rows)."""

    def __init__(self, work_dir: str | Path, rank: int, total: float):
        self.path = Path(work_dir) / "progress" / f"{rank:05d}.json"
        self.total = float(total)
        self.docs = 0
        self.done = 0.0
        self._last = 0.0
        self._write(finished=False)

    def update(self, docs: int, done: float) -> None:
        self.docs += docs
        self.done = done
        now = time.monotonic()
        if now - self._last >= _MIN_INTERVAL_S:
            self._write(finished=False)

    def finish(self) -> None:
        self.done = self.total
        self._write(finished=True)

    def _write(self, finished: bool) -> None:
        self._last = time.monotonic()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        tmp.write_bytes(orjson.dumps({"docs": self.docs, "done": self.done, "total": self.total, "finished": finished}))
        os.replace(tmp, self.path)


@dataclass(frozen=True, slots=True)
class NodeProgress:
    docs: int
    done: float
    total: float
    tasks_finished: int


def read_progress(work_dir: str | Path) -> NodeProgress:
    docs, done, total, finished = 0, 0.0, 0.0, 0
    for p in (Path(work_dir) / "progress").glob("*.json"):
        try:
            beat = orjson.loads(p.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue  # replaced while we read it; the next poll sees it
        docs += beat["docs"]
        done += beat["done"]
        total += beat["total"]
        finished += bool(beat["finished"])
    return NodeProgress(docs, done, total, finished)


class ProgressDisplay:
    """Per-stage progress on the terminal: a live rich bar on a TTY, a line every `every_s` otherwise."""

    def __init__(self, console, live: bool, every_s: float = 15.0):
        self.console = console
        self.live = live
        self.every_s = every_s
        self._progress = None
        self._task = None
        self._last_line = 0.0

    def start(self, node: str, kind: str, tasks: int, total: float | None, unit: str) -> None:
        self.node, self.kind, self.tasks, self.total, self.unit = node, kind, tasks, total, unit
        self.t0 = time.monotonic()
        self._last_line = self.t0
        if self.live:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description:<11}"),
                BarColumn(bar_width=20),
                TextColumn("{task.fields[docs]:>8,} docs {task.fields[rate]:>6.0f}/s  tasks {task.fields[tasks]}  ETA"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(node, total=total or None, docs=0, rate=0.0, tasks=f"0/{tasks}")

    def due(self) -> bool:
        """Whether `poll` would show anything now: always for the live bar, every `every_s` for the plain lines
        (reading the heartbeat files of hundreds of tasks twice a second cost ~0.8% of a small run's CPU)."""
        return self._progress is not None or time.monotonic() - self._last_line >= self.every_s

    def poll(self, p: NodeProgress) -> None:
        elapsed = max(time.monotonic() - self.t0, 1e-6)
        rate = p.docs / elapsed
        total = self.total if self.total else (p.total or None)
        if self._progress is not None:
            self._progress.update(
                self._task,
                completed=p.done,
                total=total,
                docs=p.docs,
                rate=rate,
                tasks=f"{p.tasks_finished}/{self.tasks}",
            )
        elif time.monotonic() - self._last_line >= self.every_s:
            self._last_line = time.monotonic()
            eta = ""
            if total and p.done and rate:
                remaining = (total - p.done) * elapsed / p.done
                eta = f", ETA {remaining:.0f}s"
            self.console.print(
                f"  {self.node}: {p.docs:,} docs, {rate:.0f} docs/s, tasks {p.tasks_finished}/{self.tasks}{eta}"
            )

    def abandon(self) -> None:
        """End a live bar where it stands (the run was interrupted), so the terminal is left as it was."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def stop(self, p: NodeProgress, skipped: bool) -> float:
        elapsed = time.monotonic() - self.t0
        if self._progress is not None:
            self.poll(p)
            self._progress.stop()
            self._progress = None
        if skipped:
            self.console.print(f"  {self.node}: already complete (resumed run), skipped")
        else:
            rate = p.docs / elapsed if elapsed else 0.0
            self.console.print(
                f"  {self.node} ({self.kind}): {self.tasks} task(s), {p.docs:,} docs in {elapsed:.1f}s "
                f"({rate:,.0f} docs/s)"
            )
        return elapsed
