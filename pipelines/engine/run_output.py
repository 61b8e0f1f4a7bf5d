"""Where a run writes: a local folder, or a folder on object storage (`s3://…`) seen through a local copy.

For a URL the driver keeps a copy of the outputs and the run state (never the intermediate files), refreshed from
the store after each stage group; tasks publish their own outputs (`remote_tasks`); at the end the driver's new
files (stats, logs, reports, run.json last) are committed in one plan (`eurocurate.remote_output`). The lock is a
lease object there, a flock here. For a local folder every method is a no-op and `local` is the folder itself.
Owns that choice and the driver's side of the copy; the runner decides what to write.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from eurocurate.errors import StorageError
from eurocurate.layout import LOGS
from eurocurate.object_lock import ObjectLock
from eurocurate.pipelines.engine.compiler import DagNode, PipelineDAG
from eurocurate.pipelines.engine.remote_tasks import TaskSync, driver_reads
from eurocurate.pipelines.engine.run_lock import RunLock
from eurocurate.remote_output import RemoteOutput, changes, scratch_root, snapshot
from eurocurate.storage import display, is_remote, scheme_of

WRITABLE_SCHEMES = ("s3", "gs", "gcs")


def local_copy_dir(output: str) -> Path:
    """The driver's copy of the output at URL `output` on this machine (the same for every run of it)."""
    digest = hashlib.sha256(display(output).rstrip("/").encode()).hexdigest()[:16]
    return scratch_root() / f"eurocurate-out-{digest}"


class RunOutput:
    """The output of one run: `local` is where the driver reads and writes it."""

    def __init__(self, output: str | Path):
        output = str(output)
        self.remote: RemoteOutput | None = None
        if is_remote(output):
            if scheme_of(output) not in WRITABLE_SCHEMES:
                raise StorageError(
                    f"--output {display(output)}: a run writes to a local folder or to object storage "
                    f"({', '.join(s + '://' for s in WRITABLE_SCHEMES)}), not to {scheme_of(output)}://"
                )
            self.remote = RemoteOutput(output)
            self.local = local_copy_dir(output)
        else:
            self.local = Path(output).resolve()
        self.url = display(output) if self.remote else str(self.local)
        self._known: dict[str, str] = {}
        self._before: dict[str, tuple[int, int]] = {}

    def lock(self, run_id: str) -> ObjectLock | RunLock:
        return ObjectLock(self.remote.loc, run_id) if self.remote else RunLock(self.local, run_id)

    def begin(self) -> list[str]:
        """Under the lock: settle an interrupted commit, then start the copy afresh from the store (the CLI's
        log already open in `logs/` stays). One line per commit settled."""
        if self.remote is None:
            return []
        settled = self.remote.settle()
        self.local.mkdir(parents=True, exist_ok=True)
        for entry in self.local.iterdir():
            if entry.name == LOGS:
                continue
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        self._known = {}
        self.remote.pull(self.local, driver_reads, self._known)
        return settled

    def refresh(self) -> None:
        """Bring in what tasks published since (completions, stats, logs, outputs)."""
        if self.remote is not None:
            self.remote.pull(self.local, driver_reads, self._known)

    def publish(self, rels: list[str]) -> None:
        """Upload files the driver wrote that tasks or a resume need before the end (the run state)."""
        if self.remote is not None:
            self.remote.push(self.local, rels)

    def forget(self, names: list[str]) -> None:
        """Remove files or folders (paths relative to the output) the driver removed from its copy."""
        if self.remote is None or not names:
            return
        gone = [
            rel
            for rel in self.remote.committed()
            if any(rel == n.rstrip("/") or rel.startswith(n.rstrip("/") + "/") for n in names)
        ]
        self.remote.delete(gone)

    def task_sync(self, node: DagNode, dag: PipelineDAG) -> TaskSync | None:
        """How the tasks of `node` reach the store (None for a local output): which group's hand-over files they
        read — the map group before a barrier, the one before the barrier before a map group (compiler.py)."""
        if self.remote is None:
            return None
        i = dag.nodes.index(node)
        before = [n for n in dag.nodes[:i] if n.kind == "map"]
        return TaskSync(
            url=self.remote.loc.url,
            driver_root=str(self.local),
            group=node.name,
            kind=node.kind,
            hand_over_from=before[-1].name if before else None,
        )

    def mark(self) -> None:
        """Remember the copy as the store has it; `commit` publishes what changes after this."""
        self.refresh()
        self._before = snapshot(self.local) if self.remote is not None else {}

    def commit(self) -> None:
        """Publish the driver's changes since `mark` as one commit (run.json last)."""
        if self.remote is not None:
            written, removed = changes(self._before, self.local)
            self.remote.commit(self.local, written, removed)
            self._before = snapshot(self.local)
