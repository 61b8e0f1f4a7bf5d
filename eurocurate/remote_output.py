"""An output folder on object storage (`s3://…`), worked on through local copies, committed without renames.

Object stores have no rename, so a change to a run's output is committed with a plan: the new objects are staged
under `_commit/<id>/files/`, then `_commit/<id>/plan.json` is written (the commit point), then they are copied into
place (run.json last), the plan's deletions made and the plan removed. `settle` finishes a plan a crash left (roll
forward) and removes staged objects without a plan (roll back); a reader that meets a pending plan sees the folder as
the plan leaves it, so nobody sees half a commit. Owns listing, pulling, pushing and commits; what a run or a
command does in its local copy is theirs (`pipelines/engine/remote_tasks.py`, `output_copy` below for commands).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from eurocurate.files import TMP_MARK
from eurocurate.layout import RUN_MANIFEST, WORK
from eurocurate.storage import Location, display, is_remote, locate, storage_errors

log = logging.getLogger(__name__)

COMMITS = "_commit"  # _commit/<id>/files/<rel> staged objects, _commit/<id>/plan.json the commit record
PLAN = "plan.json"
LOCK_OBJECT = ".eurocurate.lock"
# Never copied between the store and a local copy: the lease, commit records, temporary names of live writers.
_NEVER_PULLED = (COMMITS + "/", LOCK_OBJECT)


@dataclass(frozen=True)
class StoredObject:
    """One object of the folder as the committed view shows it: where to read it, its size and ETag."""

    path: str
    size: int
    etag: str


@dataclass
class TransferCounts:
    """Requests and bytes this process exchanged with the store (the cost figures of docs/data-engineer.md)."""

    gets: int = 0
    puts: int = 0
    lists: int = 0
    deletes: int = 0
    copies: int = 0
    bytes_down: int = 0
    bytes_up: int = 0

    def add(self, other: TransferCounts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


TRANSFERS = TransferCounts()


def _local_files(root: Path) -> dict[str, tuple[int, int]]:
    """rel → (size, mtime_ns) of every finished file under `root` (temporaries of live writers left out)."""
    if not root.is_dir():
        return {}
    files = {}
    for p in root.rglob("*"):
        if p.is_file() and TMP_MARK not in p.name:
            st = p.stat()
            files[p.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return files


def changes(before: dict[str, tuple[int, int]], root: Path) -> tuple[list[str], list[str]]:
    """What changed under `root` since the snapshot `before` (`snapshot(root)`): (written, removed), sorted."""
    after = _local_files(root)
    written = sorted(rel for rel, stat in after.items() if before.get(rel) != stat)
    removed = sorted(rel for rel in before if rel not in after)
    return written, removed


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return _local_files(root)


class RemoteOutput:
    """The output folder at `location` (a URL). Paths given to and returned by its methods are relative to it."""

    def __init__(self, location: str | Location):
        self.loc = locate(location)
        self.fs = self.loc.fs
        self.root = self.loc.path.rstrip("/")

    @property
    def url(self) -> str:
        return display(self.loc.url)

    def _abs(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def _find(self, rel: str = "") -> dict[str, dict]:
        base = self._abs(rel).rstrip("/") if rel else self.root
        with storage_errors(self.loc):
            self.fs.invalidate_cache(base)
            found = self.fs.find(base, detail=True)
        TRANSFERS.lists += 1 + len(found) // 1000
        prefix = self.root + "/"
        # SeaweedFS lists the folders its filer keeps (empty ones too) as entries of type "directory"
        return {
            p[len(prefix) :]: info
            for p, info in found.items()
            if p.startswith(prefix) and info.get("type") != "directory"
        }

    def exists(self) -> bool:
        return bool(self._find())

    def committed(self, under: str = "") -> dict[str, StoredObject]:
        """rel → object of the folder as its last commit leaves it (a pending plan applied), below `under`."""
        found = self._find(under)
        plans = self._find(COMMITS) if not under.startswith(COMMITS) else {}
        view = {
            rel: StoredObject(self._abs(rel), int(info.get("size", 0)), str(info.get("ETag", "")))
            for rel, info in found.items()
            if not rel.startswith(_NEVER_PULLED)
        }
        for plan_rel in sorted(r for r in plans if r.endswith("/" + PLAN)):
            plan = self._read_plan(plan_rel)
            if plan is None:
                continue
            staged = plan_rel.rsplit("/", 1)[0] + "/files/"
            for rel in plan["delete"]:
                view.pop(rel, None)
            for rel in plan["put"]:
                info = plans.get(staged + rel)
                if info is not None and rel.startswith(under):
                    view[rel] = StoredObject(self._abs(staged + rel), int(info["size"]), str(info.get("ETag", "")))
        return view

    def _read_plan(self, plan_rel: str) -> dict | None:
        try:
            with storage_errors(self.loc):
                data = self.fs.cat_file(self._abs(plan_rel))
        except OSError:
            return None  # applied and removed since we listed it
        TRANSFERS.gets += 1
        return orjson.loads(data)

    def pull(self, local: Path, wanted: Callable[[str], bool], known: dict[str, str] | None = None) -> list[str]:
        """Download the committed objects `wanted(rel)` selects into `local`: those missing there, and those
        whose ETag differs from `known` (rel → ETag of what was pulled before; updated, and a file pulled before
        whose object is gone is removed from `local` too). The rels pulled."""
        pulled = []
        view = self.committed()
        for rel in [r for r in known or {} if r not in view]:
            (local / rel).unlink(missing_ok=True)
            del known[rel]
        for rel, obj in sorted(view.items()):
            if not wanted(rel):
                continue
            target = local / rel
            if target.is_file() and (known is None or known.get(rel) in (None, obj.etag)):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}{TMP_MARK}pull")
            with storage_errors(self.loc):
                self.fs.get_file(obj.path, str(tmp))
            tmp.replace(target)
            TRANSFERS.gets += 1
            TRANSFERS.bytes_down += obj.size
            if known is not None:
                known[rel] = obj.etag
            pulled.append(rel)
        return pulled

    def push(self, local: Path, rels: Iterable[str]) -> None:
        """Upload `local/rel` to the folder's `rel`, in the order given (callers put the commit markers last)."""
        for rel in rels:
            with storage_errors(self.loc):
                self.fs.put_file(str(local / rel), self._abs(rel))
            TRANSFERS.puts += 1
            TRANSFERS.bytes_up += (local / rel).stat().st_size

    def delete(self, rels: Iterable[str]) -> None:
        paths = [self._abs(r) for r in rels]
        if not paths:
            return
        with storage_errors(self.loc):
            self.fs.rm(paths)
        TRANSFERS.deletes += 1 + len(paths) // 1000

    def delete_under(self, prefixes: Iterable[str]) -> list[str]:
        """Remove every object whose rel starts with one of `prefixes`; the rels removed."""
        prefixes = tuple(prefixes)
        gone = sorted(rel for rel in self._find() if rel.startswith(prefixes))
        self.delete(gone)
        return gone

    def commit(self, local: Path, put: list[str], delete: list[str] = ()) -> str | None:
        """Publish `put` (rels of files under `local`) and remove `delete` as one commit; its id (None: no change).

        run.json, when among `put`, is the last object to change, so a reader of run.json finds its files."""
        put = sorted(put, key=lambda rel: (rel == RUN_MANIFEST, rel))
        delete = sorted(set(delete) - set(put))
        if not put and not delete:
            return None
        commit_id = uuid.uuid4().hex[:12]
        staged = f"{COMMITS}/{commit_id}/files/"
        for rel in put:
            with storage_errors(self.loc):
                self.fs.put_file(str(local / rel), self._abs(staged + rel))
            TRANSFERS.puts += 1
            TRANSFERS.bytes_up += (local / rel).stat().st_size
        plan = {"commit_id": commit_id, "put": put, "delete": delete}
        with storage_errors(self.loc):
            self.fs.pipe_file(self._abs(f"{COMMITS}/{commit_id}/{PLAN}"), orjson.dumps(plan))  # the commit point
        TRANSFERS.puts += 1
        self._apply(commit_id, plan)
        log.info("committed", extra={"output": self.url, "commit": commit_id, "put": len(put), "deleted": len(delete)})
        return commit_id

    def _apply(self, commit_id: str, plan: dict) -> None:
        staged = f"{COMMITS}/{commit_id}/files/"
        for rel in plan["put"]:
            with storage_errors(self.loc):
                self.fs.copy(self._abs(staged + rel), self._abs(rel))
            TRANSFERS.copies += 1
        self.delete(plan["delete"])
        # the plan goes first: staged objects left without it by a crash here are rolled back, harmlessly
        self.delete([f"{COMMITS}/{commit_id}/{PLAN}"])
        self.delete_under([f"{COMMITS}/{commit_id}/"])

    def settle(self) -> list[str]:
        """Finish commits a crash interrupted after their plan (roll forward), drop staging without one (roll
        back); one line per commit settled. Call it holding the folder's lock."""
        found = self._find(COMMITS)
        done = []
        for commit_id in sorted({rel.split("/")[1] for rel in found}):
            plan = (
                self._read_plan(f"{COMMITS}/{commit_id}/{PLAN}") if f"{COMMITS}/{commit_id}/{PLAN}" in found else None
            )
            if plan is None:
                self.delete_under([f"{COMMITS}/{commit_id}/"])
                done.append(f"commit {commit_id} was interrupted before its plan: rolled back")
            else:
                self._apply(commit_id, plan)
                done.append(f"commit {commit_id} was interrupted after its plan: finished it")
            log.warning(done[-1], extra={"output": self.url})
        return done


def scratch_root() -> Path:
    """Where local copies of remote outputs live on this machine: $EUROCURATE_SCRATCH, else the temp folder."""
    import os

    return Path(os.environ.get("EUROCURATE_SCRATCH") or tempfile.gettempdir())


def _command_view(rel: str) -> bool:
    return not rel.startswith((WORK + "/", *_NEVER_PULLED))


@contextmanager
def output_copy(output: str | Path, write: bool = False, settled: list[str] | None = None) -> Iterator[Path]:
    """The output folder as a local path for a command: `output` itself when local; for a URL a fresh local copy
    of its committed state (run state and intermediate files left out), whose changes are committed back when
    `write` and the block ends without an error. A writer holds the folder's run lock and first settles an
    interrupted commit (one line each appended to `settled`)."""
    if not is_remote(output):
        yield Path(output)
        return
    from eurocurate.object_lock import ObjectLock

    remote = RemoteOutput(str(output))
    tmp = Path(tempfile.mkdtemp(prefix="eurocurate-out-", dir=scratch_root()))
    lock = ObjectLock(str(output), f"command-{uuid.uuid4().hex[:8]}").acquire() if write else None
    try:
        if write:
            done = remote.settle()
            if settled is not None:
                settled.extend(done)
        local = tmp / "out"
        local.mkdir()
        remote.pull(local, _command_view)
        before = snapshot(local)
        yield local
        if write:
            written, removed = changes(before, local)
            remote.commit(local, written, removed)
    finally:
        if lock is not None:
            lock.release()
        shutil.rmtree(tmp, ignore_errors=True)
