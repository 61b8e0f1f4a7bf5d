"""What makes a folder the output of a finished run: its run.json, written last by the runner.

Owns the check that commands working on a run (summary, report, erase) make first, and its error.
Reading run.json's content belongs to `run_manifest`; this module only says whether there is one.
"""

from __future__ import annotations

from pathlib import Path

from eurocurate.layout import RUN_MANIFEST as RUN_JSON


class NotARunError(ValueError):
    """The folder holds no run.json: it is not the output of a finished eurocurate run."""


def require_finished_run(out: str | Path) -> Path:
    """Return `out` as a Path if it is the output folder of a finished run; raise `NotARunError` otherwise."""
    out = Path(out)
    if not (out / RUN_JSON).is_file():
        raise NotARunError(f"{out / RUN_JSON} not found: not a finished eurocurate run")
    return out
