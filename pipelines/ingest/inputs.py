"""Input resolution: the files, folders and globs a user names → the sorted input files a source stage reads.

The one resolver of the project: the runner's inputs (`resolve_inputs`), the document reader's formats
(by suffix) and the opt-out stage's robots.txt captures (`spec_warc_files`) all go through
`find_input_files`. Owns no reading; which suffixes a spec's source stage takes is `sources_stage`'s.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Final

from eurocurate.config import SpecError
from eurocurate.registry import InputSet

# What `warc_reader` takes (case-sensitive, as it always has); the document reader's formats are in `formats`.
WARC_SUFFIXES: Final = (".warc", ".warc.gz")


class InputError(ValueError):
    """Inputs that cannot be read; the message names the path."""


def _describe_suffixes(suffixes: tuple[str, ...]) -> str:
    return " or ".join(suffixes) if len(suffixes) <= 2 else ", ".join(suffixes[:-1]) + " or " + suffixes[-1]


def _expand_glob(pattern: str) -> list[Path]:
    """The paths `pattern` matches, `**` included, without following symbolic links to folders.

    `glob.glob(recursive=True)` follows them and never ends in a folder with a symlink loop (a link to `..`);
    pathlib's walk, the one a folder input already uses, does not follow them. As with `glob`, names starting
    with a dot match only a pattern part that starts with one.
    """
    parts = Path(pattern).parts
    first_magic = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    base = Path(*parts[:first_magic]) if first_magic else Path()
    rest = parts[first_magic:]
    if not base.is_dir():
        return []
    dotted = any(part.startswith(".") for part in rest)
    matches = base.glob("/".join(rest))
    return [m for m in matches if dotted or not any(x.startswith(".") for x in m.relative_to(base).parts)]


def find_input_files(patterns: list[str], suffixes: tuple[str, ...], ignore_case: bool = True) -> list[Path]:
    """Files, folders (recursively) and globs expanded to the sorted, de-duplicated absolute paths of the files
    whose name ends with one of `suffixes`; a file named explicitly must have one of them."""
    wanted = tuple(s.lower() for s in suffixes) if ignore_case else suffixes

    def accepted(name: str) -> bool:
        return (name.lower() if ignore_case else name).endswith(wanted)

    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and accepted(p.name)]
        elif path.is_file():
            if not accepted(path.name):
                raise InputError(f"{path}: expected a {_describe_suffixes(suffixes)} file")
            found.append(path)
        elif glob.has_magic(pattern):
            found += [p for p in _expand_glob(pattern) if accepted(p.name) and p.is_file()]
        else:
            raise InputError(f"input {pattern} does not exist")
    files = sorted({p.resolve() for p in found})
    if not files:
        raise InputError(f"no {_describe_suffixes(suffixes)} files in {patterns}")
    return files


def find_warc_files(patterns: list[str]) -> list[Path]:
    """Files, folders (recursively, .warc/.warc.gz) and globs expanded to sorted, de-duplicated absolute paths."""
    return find_input_files(patterns, WARC_SUFFIXES, ignore_case=False)


def resolve_inputs(patterns: list[str], suffixes: tuple[str, ...] | None = None) -> InputSet:
    """The input files, relative to their common root. `suffixes`: the file name endings the source stage
    reads (`sources_stage.accepted_suffixes(spec)`); None: WARC files, found exactly as `find_warc_files` does."""
    files = find_warc_files(patterns) if suffixes is None else find_input_files(patterns, suffixes)
    root = Path(os.path.commonpath([f.parent for f in files]))
    return InputSet(root=str(root), files=[f.relative_to(root).as_posix() for f in files])


def spec_warc_files(patterns: list[str], what: str) -> tuple[str, ...]:
    """The WARC files a stage parameter names (files, folders, globs) as absolute paths; none named: ().

    A pattern that finds nothing is a `SpecError` prefixed with `what` (the stage key and parameter), so
    that the spec, not the run, fails.
    """
    if not patterns:
        return ()
    try:
        return tuple(str(p) for p in find_warc_files(patterns))
    except InputError as e:
        raise SpecError(f"{what}: {e}") from e
