"""Whose output folder is this: the checks a run makes on OUT before it writes there, and `--restart`.

A run writes only into an empty folder, a folder holding its own run state (a resume), or a eurocurate run
output it was told to start over (`--restart`). Owns those decisions and the clean-up of temporary files of
dead tasks on resume; the lock that makes them race-free is `run_lock`'s, the run state itself the runner's.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from eurocurate.files import remove_temporaries
from eurocurate.layout import (
    CARD,
    CROISSANT,
    DEDUP_INDEX,
    ERASURE_LOG,
    ERASURE_STAGING,
    LOGS,
    OUTPUT_DIRS,
    REPORTS,
    RUN_MANIFEST,
    STATS,
    SUPPRESSION_FILE,
    WORK,
    OutputLayout,
)
from eurocurate.pipelines.engine.run_lock import LOCK_FILE

log = logging.getLogger(__name__)

# Everything a run (and the commands after it: erase, report, publish) writes at the top of OUT.
RUN_ENTRIES = frozenset(
    {*OUTPUT_DIRS, RUN_MANIFEST, REPORTS, STATS, LOGS, WORK, DEDUP_INDEX, ERASURE_LOG, ERASURE_STAGING, CARD, CROISSANT}
    | {SUPPRESSION_FILE, LOCK_FILE}
)
# Kept by --restart: erasures are commitments about people's data, which later runs of the folder apply at ingest.
_KEPT_ON_RESTART = frozenset({LOCK_FILE, LOGS, SUPPRESSION_FILE, ERASURE_LOG})
# What a fresh run may find without taking the folder for someone else's: what --restart keeps (the CLI also
# opens OUT/logs before the run starts) and the work folder of an attempt that completed no task.
_FRESH_ENTRIES = _KEPT_ON_RESTART | {WORK}


class FolderNotOurs(RuntimeError):
    """OUT holds files that are not a resumable run of this spec; the message says what to do."""


class UnanchoredErasureLog(FolderNotOurs):
    """--restart would keep an erasure log whose newest entry is not the one the run's run.json anchors."""


def _check_erasure_log_anchor(out: Path) -> None:
    """--restart keeps the erasure log, and the new run anchors its newest entry in its run.json as it finds it: an
    entry edited since the last erasure would be anchored as if it were the record, so the restart is refused."""
    from eurocurate.manifests.audit.erasure_log import log_head
    from eurocurate.manifests.audit.run_manifest import RunManifestError, read_run_manifest

    if not OutputLayout(out).run_manifest.is_file():
        return
    try:
        anchored = read_run_manifest(out).erasure_log_head
    except RunManifestError:
        return  # a run.json this eurocurate cannot read anchors nothing it could compare
    if anchored is not None and log_head(out) != anchored:
        raise UnanchoredErasureLog(
            f"--restart: {OutputLayout(out).erasure_log} is not the erasure log {RUN_MANIFEST} anchors (its newest "
            f"entry was edited, removed or added to; `eurocurate verify {out}` says which); restore it from a backup "
            "first, since the restarted run would record it as it is"
        )


def _foreign(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name not in RUN_ENTRIES)


def check_ownership(out: Path) -> None:
    """Refuse a folder without run state (`_work/state.json`) that holds anything but a fresh run's own files."""
    if out.exists() and not out.is_dir():
        raise FolderNotOurs(f"{out} is a file; --output names a folder (new, empty, or a run's)")
    if not out.is_dir() or OutputLayout(out).state.is_file():
        return  # new folder, or a run's state that the runner compares with this spec and inputs
    foreign = _foreign(out)
    if foreign:
        raise FolderNotOurs(
            f"{out} is not empty and holds files that are not a eurocurate run ({', '.join(foreign[:3])}"
            f"{', …' if len(foreign) > 3 else ''}); choose an empty or new --output"
        )
    if OutputLayout(out).run_manifest.is_file() or ({p.name for p in out.iterdir()} - _FRESH_ENTRIES):
        raise FolderNotOurs(
            f"{out} holds a eurocurate run output without its run state ({WORK}/ was deleted), so it cannot be "
            f"resumed; re-run with --restart to start it over, or choose another --output"
        )


def restart(out: Path, keep_work: bool = False) -> list[str]:
    """Remove the previous run's outputs from `out` (a eurocurate run output); the names removed.

    `keep_work`: leave `_work/` (the task logs of an attempt that failed; the next fresh run removes it)."""
    if not out.is_dir():
        return []
    foreign = _foreign(out)
    if foreign:
        raise FolderNotOurs(
            f"--restart: {out} holds files that are not a eurocurate run ({', '.join(foreign[:3])}); "
            f"it removes run outputs only, choose an empty or new --output"
        )
    _check_erasure_log_anchor(out)
    removed = []
    for entry in sorted(out.iterdir()):
        if entry.name in _KEPT_ON_RESTART or (keep_work and entry.name == WORK):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(entry.name)
    log.info("output folder restarted", extra={"output": str(out), "removed": removed})
    return removed


def clean_dead_temporaries(out: Path) -> list[Path]:
    """Temporary files left by killed tasks, removed; call it holding the run lock (no live task writes then)."""
    removed = remove_temporaries(out)
    if removed:
        log.warning("temporary files of dead tasks removed", extra={"count": len(removed), "first": str(removed[0])})
    return removed
