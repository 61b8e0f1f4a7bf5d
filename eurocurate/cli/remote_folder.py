"""The run folder a command names, when it is a URL (`s3://…`): the command works on a local copy of it.

`verify`, `inspect`, `publish` and `pull` read the copy; `erase`, `summary` and `report` write into it and their
changes are committed back as one commit (`eurocurate.remote_output`) under the folder's run lock. A local folder
those three write into is held under its run lock (`OUT/.eurocurate.lock`) too, so an erasure cannot interleave with
a run or another erasure of it. Owns which command reads which argument and whether it writes; the copy and the
commit are `remote_output`'s.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eurocurate.storage import display, is_remote

# command → the argument naming the run folder
FOLDER_ARGUMENT = {
    "verify": "output",
    "inspect": "output",
    "erase": "output",
    "summary": "output",
    "report": "output",
    "publish": "output",
    "pull": "source",
}
WRITERS = frozenset({"erase", "summary", "report"})


@contextmanager
def local_folder(args: argparse.Namespace) -> Iterator[list[str]]:
    """Point the command's folder argument at a local copy while it runs, when it names a URL; yields the
    lines of interrupted commits settled first (printed by the caller)."""
    name = FOLDER_ARGUMENT.get(args.command)
    location = getattr(args, name, None) if name else None
    write = args.command in WRITERS and not getattr(args, "dry_run", False)
    if location is None or not is_remote(location):
        if write and location is not None and Path(location).is_dir():
            from eurocurate.pipelines.engine.run_lock import RunLock

            with RunLock(location, run_id=f"eurocurate {args.command}"):
                yield []
        else:
            yield []
        return
    from eurocurate.remote_output import output_copy

    settled: list[str] = []
    with output_copy(location, write=write, settled=settled) as local:
        setattr(args, name, str(local))
        args.shown_folder = display(location)
        yield settled
