"""The in-use locks of heliport's table folders and the pruning of other versions' folders (langid.heliport_cache):
fake folders, other processes really holding or taking the locks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from eurocurate.langid import heliport_cache
from eurocurate.langid.heliport_cache import prune_tables


def _holding(root, key: str) -> subprocess.Popen:
    """Another process that maps `key`'s tables (it took their in-use lock as shared_tables does) and keeps running
    until its stdin closes."""
    return subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path\n"
         "from eurocurate.langid.heliport_cache import mark_in_use\n"
         f"mark_in_use(Path(sys.argv[1]), {key!r}); print('holding', flush=True); sys.stdin.read()", str(root)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_pruning_removes_other_versions_tables_and_dead_builds_but_never_tables_a_process_is_using(tmp_path):
    root = tmp_path / "cache"
    keep, old, used = "heliport-1.1-cccccccccccccccc", "heliport-0.9-aaaaaaaaaaaaaaaa", "heliport-1.0-bbbbbbbbbbbbbbbb"
    for name in (keep, old, used, f".{old}.x1y2z3", "other-tool"):  # a dead build's staging; a folder not ours
        (root / name).mkdir(parents=True)
        (root / name / "words.hashes.npy").write_bytes(b"\0" * 1024)
    # another process maps the tables of `used` (it took their in-use lock as shared_tables does) and keeps running
    holder = _holding(root, used)
    try:
        assert holder.stdout.readline().strip() == "holding"
        removed = prune_tables(root, keep=keep)
        assert sorted(p.name for p in removed) == [f".{old}.x1y2z3", old]
        assert {p.name for p in root.iterdir()} == {".lock", "other-tool", keep, used, f"{used}.in-use"}
    finally:
        holder.communicate(input="", timeout=60)  # the process ends: its lock goes with it
    assert [p.name for p in prune_tables(root, keep=keep)] == [used]
    assert {p.name for p in root.iterdir()} == {".lock", "other-tool", keep}


def test_a_process_that_waited_on_tables_being_pruned_holds_the_lock_of_the_folder_that_now_stands(tmp_path):
    """A worker starting while a pruner removes its key's folder waits, then marks the new lock file (the one a
    rebuild of its tables is guarded by), not the removed one: a later pruning must see it in use."""
    root, key = tmp_path / "cache", "heliport-1.0-bbbbbbbbbbbbbbbb"
    root.mkdir()
    lock_file = root / f"{key}.in-use"
    pruner = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys\n"
         "f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('pruning', flush=True)\n"
         "sys.stdin.read(); import os; os.unlink(sys.argv[1])", str(lock_file)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert pruner.stdout.readline().strip() == "pruning"
    worker = threading.Thread(target=heliport_cache.mark_in_use, args=(root, key))
    worker.start()
    worker.join(timeout=0.5)
    assert worker.is_alive()  # waiting for the pruner
    pruner.communicate(input="", timeout=60)  # removes the lock file, then its lock goes with the process
    worker.join(timeout=60)
    held = heliport_cache._held[lock_file]
    assert lock_file.is_file() and os.fstat(held.fileno()).st_ino == lock_file.stat().st_ino
    (root / key).mkdir()
    assert prune_tables(root, keep="heliport-1.1-cccccccccccccccc") == []  # in use by this process: kept


def test_another_install_of_the_same_heliport_version_is_not_pruned(tmp_path):
    root = tmp_path / "cache"
    other_install, keep = "heliport-1.1-dddddddddddddddd", "heliport-1.1-cccccccccccccccc"
    for name in (other_install, keep):
        (root / name).mkdir(parents=True)
    assert prune_tables(root, keep=keep) == []
    assert (root / other_install).is_dir()


def test_the_tables_of_a_same_version_install_that_is_gone_are_pruned_and_those_of_one_that_exists_are_kept(tmp_path):
    """Each virtualenv's heliport has a key of its own (its files' modification times): the tables of every
    virtualenv ever made stayed, 130 MB each (58 folders, 7.6 GB, on a machine that ran CI clones)."""
    root = tmp_path / "cache"
    keep, here, gone, older, used = (f"heliport-1.1-{c * 16}" for c in "abcde")
    installs = {here: tmp_path / "venv-here", gone: tmp_path / "venv-deleted", used: tmp_path / "venv-deleted-too"}
    installs[here].mkdir()
    for name in (keep, here, gone, older, used):
        (root / name).mkdir(parents=True)
        if name in installs:  # `older`: built by an earlier eurocurate, its manifest names no install
            (root / name / "manifest.json").write_text(f'{{"package_dir": "{installs[name]}"}}')

    def key_of(package_dir):
        if not package_dir.is_dir():
            raise FileNotFoundError(package_dir)
        return next(key for key, folder in installs.items() if folder == package_dir)

    holder = _holding(root, used)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert sorted(p.name for p in prune_tables(root, keep=keep, key_of=key_of)) == [gone, older]
    finally:
        holder.communicate(input="", timeout=60)
    assert {p.name for p in root.iterdir() if p.is_dir()} == {keep, here, used}  # `used`: a process still maps it
    assert [p.name for p in prune_tables(root, keep=keep, key_of=key_of)] == [used]
