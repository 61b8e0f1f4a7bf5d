"""The run lock of an output folder: `OUT/.eurocurate.lock`, held with `fcntl.flock` for a run's whole life.

The kernel releases a flock when its holder's file descriptor closes, so the lock frees itself on any exit,
`kill -9` included; a lock file whose flock is free is therefore stale (its run died) and is taken over.
The file's content (pid, host, start time, run id) is for the operator's message only, never for the decision.
Owns the lock; what a run does with the folder while holding it is the runner's.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from pathlib import Path

import orjson

from eurocurate.manifests.audit.run_manifest import now_iso
from eurocurate.object_lock import OutputLocked as OutputLocked  # one error for both kinds of lock

log = logging.getLogger(__name__)

LOCK_FILE = ".eurocurate.lock"


def _holder(path: Path) -> str:
    try:
        info = orjson.loads(path.read_bytes())
        return f"pid {info['pid']} on {info['host']}, started {info['started_at']}, run {info['run_id']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a run whose lock file is unreadable"


def live_holder(out: str | Path) -> str | None:
    """Who holds `out`'s run lock when a live process does (pid, host, start, run id), else None; for readers that
    must not read a folder a run is writing. It only tries a shared lock for an instant and never writes the file
    (a read-only folder, a dataset downloaded from the Hub, has none and is not locked)."""
    path = Path(out) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # no lock file (never run here, or a downloaded dataset), or one this user cannot open
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(path)
    finally:
        os.close(fd)  # closing the descriptor releases the shared lock if it was taken
    return None


class RunLock:
    """An exclusive lock on `out`, e.g. `with RunLock(out, run_id): ...`; raises `OutputLocked` when held."""

    def __init__(self, out: str | Path, run_id: str):
        self.path = Path(out) / LOCK_FILE
        self.run_id = run_id
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        stale = self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputLocked(
                f"{self.path.parent} is in use by another eurocurate run ({_holder(self.path)}); wait for it to "
                f"finish or choose another --output"
            ) from None
        if stale and os.fstat(fd).st_size:
            log.warning("stale run lock taken over", extra={"lock": str(self.path), "was": _holder(self.path)})
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": now_iso(), "run_id": self.run_id}
        os.ftruncate(fd, 0)
        os.pwrite(fd, orjson.dumps(info), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        # the file stays: unlinking it would let a third run lock a new inode while a second still waits on this one
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
