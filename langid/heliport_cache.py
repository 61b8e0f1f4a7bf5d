"""Which heliport table folders of a node's cache are in use, and removing those of other versions nobody uses.

Owns the in-use locks and the pruning: a process that may read a cache folder's tables holds a shared flock on
`<root>/<key>.in-use` for its lifetime (the kernel releases it when the process ends, however it ends); pruning
removes a folder only after taking that lock exclusively without waiting, so tables a process may have mapped are
never removed. Pruning runs under the build's lock (`<root>/.lock`), which also makes every staging folder it finds
a leftover of a build that died. Building, checking and loading the tables is `langid.heliport_tables`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Final

import orjson

log = logging.getLogger(__name__)

BUILD_LOCK: Final = ".lock"  # held exclusively while tables are built and while folders are pruned
TABLES_PREFIX: Final = "heliport-"  # every cache folder's name (`heliport_tables.source_key`)
IN_USE_SUFFIX: Final = ".in-use"
_held: dict[Path, IO[str]] = {}  # lock files this process holds shared, kept open (closing would release the lock)


def mark_in_use(root: Path, key: str) -> None:
    """Hold `key`'s in-use lock shared from now until the process ends (a no-op when already held, or when the cache
    folder cannot be written: then no process can prune it either)."""
    path = root / f"{key}{IN_USE_SUFFIX}"
    if path in _held:
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        while True:
            f = open(path, "a")  # noqa: SIM115 (kept open for the process's life)
            fcntl.flock(f, fcntl.LOCK_SH)  # waits while a pruner removes this key's tables
            if _same_file(f, path):
                break
            f.close()  # the pruner removed the lock file waited on: take the new one
    except OSError as e:
        log.debug("heliport tables: cannot mark %s in use (%s)", key, e)
        return
    _held[path] = f


def _same_file(f: IO[str], path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(f.fileno()).st_ino
    except FileNotFoundError:
        return False


def prune_tables(root: Path, keep: str, key_of: Callable[[Path], str] | None = None) -> list[Path]:
    """Take the build's lock of the cache `root`, then `prune_unused`. Returns the folders removed."""
    try:
        lock = open(root / BUILD_LOCK, "w")  # noqa: SIM115 (closed by the with below)
    except OSError as e:
        raise OSError(f"cannot lock the heliport tables cache {root} ({e})") from e
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return prune_unused(root, keep, key_of)


def prune_unused(root: Path, keep: str, key_of: Callable[[Path], str] | None = None) -> list[Path]:
    """Remove from the cache `root` the table folders of every key but `keep` that no process is using, and staging
    folders of builds that died. The caller holds the build's lock. Returns the folders removed.

    Another install of the same heliport version (another virtualenv: its files' modification times differ, so its
    key does) is kept while it exists: pruning it would make two installs rebuild each other's tables at every switch.
    With `key_of` (the key of a heliport install folder), one whose install is gone or reinstalled, or whose tables
    do not say which install they were built from (an earlier eurocurate's), is removed like another version's:
    without it every virtualenv ever made left 130 MB behind (58 folders, 7.6 GB, on a machine that ran CI clones)."""
    removed = []
    same_version = keep.rsplit("-", 1)[0] + "-"
    for entry in sorted(root.iterdir()):
        if not entry.is_dir() or entry.name == keep:
            continue
        if entry.name.startswith(same_version) and (key_of is None or _installed(entry, key_of)):
            continue
        if entry.name.startswith(f".{TABLES_PREFIX}"):  # a staging folder: its build held the lock and died
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        elif entry.name.startswith(TABLES_PREFIX) and _remove_unused(root, entry):
            removed.append(entry)
    for path in root.glob(f"{TABLES_PREFIX}*{IN_USE_SUFFIX}"):  # lock files of folders gone
        folder = root / path.name.removesuffix(IN_USE_SUFFIX)
        if folder.name != keep and not folder.exists():
            _remove_unused(root, folder)
    if removed:
        log.info("heliport tables: removed %s (other heliport versions, used by no process)", [p.name for p in removed])
    return removed


def _installed(folder: Path, key_of: Callable[[Path], str]) -> bool:
    """Whether the heliport install `folder`'s tables were built from (its manifest's `package_dir`) still exists
    with the files they were built from."""
    try:
        package_dir = orjson.loads((folder / "manifest.json").read_bytes()).get("package_dir")
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return False
    if not isinstance(package_dir, str):
        return False
    try:
        return key_of(Path(package_dir)) == folder.name
    except Exception:  # noqa: BLE001 (a folder gone, a file missing: the install is not there any more)
        return False


def _remove_unused(root: Path, folder: Path) -> bool:
    """Remove `folder` and its in-use lock file when no process holds the lock; False when one does."""
    path = root / f"{folder.name}{IN_USE_SUFFIX}"
    try:
        with open(path, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("heliport tables: kept %s, in use by a running process", folder.name)
                return False
            shutil.rmtree(folder, ignore_errors=True)
            path.unlink(missing_ok=True)  # before the lock goes: a process waiting on it sees it is stale
    except OSError as e:
        log.warning("heliport tables: could not remove %s (%s)", folder, e)
        return False
    return not folder.exists()
