"""The `eurocurate` command: run a pipeline, verify an output, list stages.

Only this layer prints; everything below logs. Each command is a module of this package with `NAME`,
`HELP`, `add_parser(subparsers)` and `main(args) -> int`, a thin layer over one library function
(docs/library.md). Errors a user can fix exit with code 2 and one actionable line; a failed run exits 1;
`run`, `erase`, `summary` or `report` on a folder another run or writer holds exits 3; Ctrl-C exits 130 with one line
(docs/operations.md lists every code).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence
from types import ModuleType

from eurocurate.cli.common import EXIT_INTERRUPTED, EXIT_LOCKED, error
from eurocurate.manifests.audit.run_manifest import RunManifestError

# In the order `eurocurate --help` lists them.
COMMANDS = (
    "run", "check", "verify", "pii", "erase", "inspect", "summary", "report", "pull", "export", "langid", "extract",
    "dedup", "publish", "stages",
)  # fmt: skip


def command_module(name: str) -> ModuleType:
    """The module of command `name` (`eurocurate.cli.<name>`)."""
    return importlib.import_module(f"{__name__}.{name}")


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The `eurocurate` parser with full sub-parsers for `commands` (None: all of them).

    The others are listed with their help line only: their options may read defaults from the stage
    catalogue, whose import costs about a second, so `eurocurate verify` does not pay for `dedup`'s.
    """
    wanted = set(COMMANDS if commands is None else commands)
    parser = argparse.ArgumentParser(prog="eurocurate", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        module = command_module(name)
        if name in wanted:
            module.add_parser(sub).set_defaults(func=module.main)
        else:
            sub.add_parser(name, help=module.HELP)
    return parser


def _named_command(argv: Sequence[str]) -> list[str]:
    # the top-level parser takes no option but --help, so the first command name in argv is the command
    return [next(a for a in argv if a in COMMANDS)] if any(a in COMMANDS for a in argv) else []


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` names; its exit code. Ctrl-C (SIGINT) at any point is one line and 130, never a
    traceback: what a run completed stays in OUT's run state, so re-running the same command resumes it."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # raised in the main thread wherever it was; the commands' `finally`s have run
        return _interrupted(argv)


def _interrupted(argv: list[str] | None) -> int:
    from eurocurate.cli.common import console

    command = _named_command(sys.argv[1:] if argv is None else argv)
    resume = "; re-run the same command to resume" if command == ["run"] else ""
    console.print(f"[red]interrupted[/]{resume}")
    return EXIT_INTERRUPTED


def _main(argv: list[str] | None) -> int:
    from eurocurate.config import SpecError
    from eurocurate.errors import StorageError
    from eurocurate.manifests.audit.run_folder import NotARunError
    from eurocurate.object_lock import OutputLocked

    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_named_command(argv)).parse_args(argv)
    from eurocurate.cli.common import console
    from eurocurate.cli.remote_folder import local_folder

    try:
        with local_folder(args) as settled:  # a run folder named by URL: a local copy, committed back by writers
            for line in settled:
                console.print(line)
            return args.func(args)
    except OutputLocked as e:  # another run or writer holds the folder (erase, summary, report; run has its own)
        error(e)
        return EXIT_LOCKED
    except (SpecError, StorageError, NotARunError, RunManifestError) as e:
        return error(e)
