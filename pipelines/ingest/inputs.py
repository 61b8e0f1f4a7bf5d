"""Input resolution: the files, folders and globs a user names → the sorted input files a source stage reads.

The one resolver of the project: the runner's inputs (`resolve_inputs`), the document reader's formats
(by suffix) and the opt-out stage's robots.txt captures (`spec_warc_files`) all go through
`find_input_files` (local disk) or `find_remote_files` (object stores and the web, `eurocurate.storage`).
A path list as Common Crawl publishes it (`warc.paths.gz` and a base URL) is an `InputList`.
Owns no reading; which suffixes a spec's source stage takes is `sources_stage`'s.
"""

from __future__ import annotations

import collections
import glob
import gzip
import itertools
import logging
import os
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

from eurocurate import storage
from eurocurate.config import SpecError
from eurocurate.errors import StorageError
from eurocurate.registry import InputSet

log = logging.getLogger(__name__)
T = TypeVar("T", Path, str)

# A Common Crawl crawl id as it appears in paths (`crawl-data/CC-MAIN-2024-10/segments/...`).
CRAWL_ID: Final = re.compile(r"CC-MAIN-\d{4}-\d{2}")
# Common Crawl keeps each segment's robots.txt captures in a folder beside its page WARCs.
PAGES_FOLDER: Final = "warc"
ROBOTS_FOLDER: Final = "robotstxt"
# A segment's folders beside `warc/` whose files are set aside when `warc/` is read (what each holds): they are not
# pages, or are the same pages again.
SET_ASIDE_BESIDE_PAGES: Final = {
    ROBOTS_FOLDER: "robots.txt captures, which the opt-out stage reads",
    "crawldiagnostics": "redirects and failed fetches",
    "wet": "the text of the same pages",
}
# What `warc_reader` takes (case-sensitive, as it always has); the document reader's formats are in `formats`.
WARC_SUFFIXES: Final = (".warc", ".warc.gz")


class InputError(ValueError):
    """Inputs that cannot be read; the message names the path."""


@dataclass(frozen=True)
class InputList:
    """Input files named by a list of paths relative to `base` (Common Crawl's `warc.paths.gz`, or a plain list).

    `paths` is a local file or URL, gzip-compressed or not; one path per line, `#` starts a comment."""

    paths: str
    base: str

    def __str__(self) -> str:
        return f"{storage.display(self.paths)} (relative to {storage.display(self.base)})"


def _describe_suffixes(suffixes: tuple[str, ...]) -> str:
    return " or ".join(suffixes) if len(suffixes) <= 2 else ", ".join(suffixes[:-1]) + " or " + suffixes[-1]


def _before_wildcard(parts: Sequence[str]) -> list[str]:
    """The parts of a glob pattern before its first part with a wildcard: the folder it searches."""
    return list(itertools.takewhile(lambda part: not glob.has_magic(part), parts))


def _expand_glob(pattern: str) -> list[Path]:
    """The paths `pattern` matches, `**` included, without following symbolic links to folders.

    `glob.glob(recursive=True)` follows them and never ends in a folder with a symlink loop (a link to `..`);
    pathlib's glob does not follow them (a folder input does, each real folder once: `_walk_files`). As with
    `glob`, names starting with a dot match only a pattern part that starts with one.
    """
    parts = Path(pattern).parts
    fixed = _before_wildcard(parts)
    base, rest = Path(*fixed), parts[len(fixed) :]
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
            found += [p for p in _walk_files(path) if accepted(p.name)]
        elif path.is_file():
            if not accepted(path.name):
                raise InputError(f"{path}: expected a {_describe_suffixes(suffixes)} file")
            found.append(path)
        elif glob.has_magic(pattern):
            found += [p for p in _expand_glob(pattern) if accepted(p.name) and p.is_file()]
        else:
            raise InputError(f"input {pattern} does not exist")
    # as the user named them (a linked file stays where its link is: the input root and the `sources` rules see
    # the tree the user sees), each file once however often and by whatever link it was named
    by_target: dict[str, Path] = {}
    for p in sorted(Path(os.path.abspath(p)) for p in found):
        by_target.setdefault(os.path.realpath(p), p)
    files = sorted(by_target.values())
    if not files:
        raise InputError(f"no {_describe_suffixes(suffixes)} files in {patterns}")
    return files


def _walk_files(folder: Path) -> Iterator[Path]:
    """Every file below `folder`, following links to folders (each real folder once: a link loop ends); a link to
    nothing is logged and skipped, never silently left out."""
    seen: set[str] = set()
    for here, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        for name in names:
            path = Path(here, name)
            if path.is_file():
                yield path
            elif path.is_symlink() and not path.exists():
                log.warning("input %s is a symbolic link to nothing: skipped", path)


def find_warc_files(patterns: list[str]) -> list[Path]:
    """Files, folders (recursively, .warc/.warc.gz) and globs expanded to sorted, de-duplicated absolute paths."""
    return find_input_files(patterns, WARC_SUFFIXES, ignore_case=False)


def find_remote_files(patterns: list[str], suffixes: tuple[str, ...], ignore_case: bool = True) -> list[str]:
    """`find_input_files` for URLs (s3://, gs://, hf://, https://): the sorted, de-duplicated URLs of the files
    below folders, matching globs or named, whose name ends with one of `suffixes`."""
    wanted = tuple(s.lower() for s in suffixes) if ignore_case else suffixes

    def accepted(name: str) -> bool:
        return (name.lower() if ignore_case else name).endswith(wanted)

    found: dict[str, str] = {}  # path in the store → URL
    for pattern in patterns:
        try:
            if storage.has_magic(pattern):
                matches = [m for m in storage.glob(pattern) if accepted(posixpath.basename(m.path))]
            elif storage.is_dir(pattern):
                matches = [m for m in storage.list_files(pattern) if accepted(posixpath.basename(m.path))]
            elif storage.exists(pattern):
                matches = storage.list_files(pattern)
                if not accepted(posixpath.basename(matches[0].path)):
                    raise InputError(f"{storage.display(pattern)}: expected a {_describe_suffixes(suffixes)} file")
            else:
                raise InputError(f"input {storage.display(pattern)} {storage.why_missing(pattern)}")
        except StorageError as e:
            raise InputError(str(e)) from None
        found.update((m.path, m.url) for m in matches)
    if not found:
        raise InputError(f"no {_describe_suffixes(suffixes)} files in {[storage.display(p) for p in patterns]}")
    return [found[p] for p in sorted(found)]


def _remote_input_set(
    patterns: list[str], suffixes: tuple[str, ...] | None, output: str | Path | None = None
) -> InputSet:
    schemes = {storage.scheme_of(p) for p in patterns}
    if len(schemes) > 1 or "" in schemes:
        raise InputError("inputs must all be local or all in the same store; got " + ", ".join(sorted(schemes)))
    in_output = None
    if output is not None and storage.is_remote(str(output)):
        out_url = storage.locate(str(output)).url.rstrip("/")

        def in_output(url: str) -> bool:
            return url.rstrip("/") == out_url or url.startswith(out_url + "/")

        for p in patterns:
            if in_output(storage.locate(_named_remote_folder(p)).url):
                raise InputError(
                    f"input {storage.display(p)} is inside the output folder {storage.display(str(output))}; "
                    "give inputs outside it"
                )
    urls = find_remote_files(
        patterns, WARC_SUFFIXES if suffixes is None else suffixes, ignore_case=suffixes is not None
    )
    if in_output is not None:
        urls = _outside_output(urls, in_output, str(output))
    # the folder the patterns name, as for local inputs: the same tree gives the same relative paths (and so the
    # same document ids and `sources` matches) wherever it is stored
    root = storage.locate(storage.common_folder(urls, [_named_remote_folder(p) for p in patterns]))
    return _input_set(root.url, [storage.locate(u).relative_to(root) for u in urls])


def _input_set(root: str, files: list[str]) -> InputSet:
    """The inputs, with the files of a Common Crawl segment's `robotstxt/`, `crawldiagnostics/` and `wet/` folders
    set aside when the segment's `warc/` folder is among them (a folder or glob above the segments was named):
    they hold robots.txt responses, failed fetches and the same pages as text. Named without `warc/` beside them,
    they are read."""
    with_pages = {posixpath.dirname(posixpath.dirname(f)) for f in files if _folder_name(f) == PAGES_FOLDER}
    aside = [
        f
        for f in files
        if _folder_name(f) in SET_ASIDE_BESIDE_PAGES and posixpath.dirname(posixpath.dirname(f)) in with_pages
    ]
    set_aside = set(aside)  # once, not once per file: a crawl's listing holds hundreds of thousands
    return InputSet(root=root, files=[f for f in files if f not in set_aside], set_aside=aside)


def _folder_name(relative: str) -> str:
    return posixpath.basename(posixpath.dirname(relative))


def describe_set_aside(inputs: InputSet) -> str:
    """One line on the files `_input_set` set aside ('' when none): how many, from which folders, and why."""
    if not inputs.set_aside:
        return ""
    by_folder = collections.Counter(_folder_name(f) for f in inputs.set_aside)
    parts = [f"{n} in {folder}/ ({SET_ASIDE_BESIDE_PAGES[folder]})" for folder, n in sorted(by_folder.items())]
    return (
        f"{len(inputs.set_aside)} file(s) of Common Crawl segment folders beside warc/ are not read as pages: "
        + "; ".join(parts)
    )


def read_input_list(listing: InputList, suffixes: tuple[str, ...] | None = None) -> InputSet:
    """The input files a path list names, relative to its base, in list order (duplicates once).

    A listed path is not checked for existence here (a Common Crawl list holds tens of thousands); the reader
    records a missing one as a dropped input. A path that leaves the base (`..`, absolute, a URL) is refused."""
    wanted = WARC_SUFFIXES if suffixes is None else suffixes
    ignore_case = suffixes is not None
    try:
        data = storage.read_bytes(listing.paths)
        base = storage.locate(listing.base)
    except StorageError as e:
        raise InputError(f"--input-list: {e}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise InputError(f"--input-list {storage.display(listing.paths)}: broken gzip ({e})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"--input-list {storage.display(listing.paths)}: not a UTF-8 text file of paths") from None
    files: dict[str, None] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"--input-list {storage.display(listing.paths)} line {number}"
        if "://" in line or line.startswith("/") or ".." in line.split("/"):
            raise InputError(f"{where}: {storage.display(line)!r} is not a path relative to --input-base")
        name = line.lower() if ignore_case else line
        if not name.endswith(tuple(s.lower() for s in wanted) if ignore_case else wanted):
            raise InputError(f"{where}: {line!r}: expected a {_describe_suffixes(wanted)} file")
        files[posixpath.normpath(line)] = None
    if not files:
        raise InputError(f"--input-list {storage.display(listing.paths)} names no file")
    return InputSet(root=base.url.rstrip("/") if not base.is_local else base.path, files=list(files))


def resolve_inputs(
    patterns: Sequence[str | InputList], suffixes: tuple[str, ...] | None = None, output: str | Path | None = None
) -> InputSet:
    """The input files, relative to their common root. `suffixes`: the file name endings the source stage
    reads (`sources_stage.accepted_suffixes(spec)`); None: WARC files, found exactly as `find_warc_files` does.
    Patterns are local paths, URLs (all in one store) or one `InputList`. `output`: the run's output folder (path
    or URL); when it lies inside an input folder, nothing under it is an input (a run never reads its own log,
    shards or reports, and a re-run finds the same inputs), and an input named inside it is refused."""
    lists = [p for p in patterns if isinstance(p, InputList)]
    if lists:
        if len(lists) > 1 or len(patterns) > 1:
            raise InputError("an input list is the only input of a run (give --input or --input-list, not both)")
        return read_input_list(lists[0], suffixes)
    names = [str(p) for p in patterns]
    try:
        if any(storage.is_remote(p) for p in names):
            return _remote_input_set(names, suffixes, output)
        names = [storage.locate(p).path if storage.scheme_of(p) == "file" else p for p in names]
    except StorageError as e:
        raise InputError(str(e)) from None
    in_output = _in_local_folder(output) if output is not None and not storage.is_remote(str(output)) else None
    if in_output is not None:
        for name in names:
            if in_output(_named_folder(name)):
                raise InputError(f"input {name} is inside the output folder {output}; give inputs outside it")
    files = find_warc_files(names) if suffixes is None else find_input_files(names, suffixes)
    if in_output is not None and any(_in_local_folder(_named_folder(n))(Path(output)) for n in names):
        files = _outside_output(files, in_output, str(output))
    for f in files:
        _require_utf8_name(f)
    root = Path(os.path.commonpath([*map(_named_folder, names), *(f.parent for f in files)]))
    return _input_set(str(root), [f.relative_to(root).as_posix() for f in files])


def _in_local_folder(folder: str | Path) -> Callable[[Path], bool]:
    """Whether a local path is `folder` or below it, as named or with links resolved."""
    named, real = Path(os.path.abspath(folder)), Path(os.path.realpath(folder))
    return lambda p: Path(os.path.abspath(p)).is_relative_to(named) or Path(os.path.realpath(p)).is_relative_to(real)


def _outside_output(files: list[T], in_output: Callable[[T], bool], output: str) -> list[T]:
    """`files` without those in the output folder (which an input folder holds): the run's own log, shards and
    reports, and whatever an earlier run of it wrote there, are no input; logged with their count."""
    kept = [f for f in files if not in_output(f)]
    if len(kept) < len(files):
        log.info(
            "files in the output folder are not read as inputs",
            extra={"output": storage.display(output), "files": len(files) - len(kept)},
        )
    if not kept:
        raise InputError(f"no input files outside the output folder {storage.display(output)}")
    return kept


def _require_utf8_name(path: Path) -> None:
    """A path the run can record: run.json, provenance and the document ids are UTF-8, and a name that is not (an
    old archive's Latin-1 `caf\xe9.warc.gz`) would stop the run when its state is first written."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")  # the bytes as they are: caf\xe9
        raise InputError(
            f"input {shown}: the file name is not valid UTF-8; rename it (e.g. convmv -f latin1 -t utf8 --notest)"
        ) from None


# The input root is the folder the user named, not the deepest folder holding the files found: a spec's `sources`
# rules (`match: 'eurlex/**'`) and Common Crawl's layout are written against the tree as the user sees it, and a
# folder whose files all sit in one subfolder would otherwise lose that subfolder from every relative path.
def _named_folder(pattern: str) -> Path:
    """The folder `pattern` names: itself for a folder, its folder for a file, the part before the first wildcard
    for a glob (absolute, links not followed, as the files found are)."""
    path = Path(pattern)
    if path.is_dir():
        return Path(os.path.abspath(path))
    if path.is_file():
        return Path(os.path.abspath(path)).parent
    return Path(os.path.abspath(Path(*_before_wildcard(path.parts))))  # the working folder when the first part is one


def _named_remote_folder(pattern: str) -> str:
    """`_named_folder` for a URL."""
    if storage.has_magic(pattern):
        scheme, rest = pattern.split("://", 1)
        parts = rest.split("/")
        return f"{scheme}://" + "/".join(_before_wildcard(parts) or parts[:1])  # a bucket name stays, wildcard or not
    return pattern.rstrip("/") if storage.is_dir(pattern) else posixpath.dirname(pattern)


def spec_warc_files(patterns: list[str], what: str) -> tuple[str, ...]:
    """The WARC files a stage parameter names (files, folders, globs) as absolute paths or URLs; none named: ().

    A pattern that finds nothing is a `SpecError` prefixed with `what` (the stage key and parameter), so
    that the spec, not the run, fails.
    """
    if not patterns:
        return ()
    try:
        if any(storage.is_remote(p) for p in patterns):
            return tuple(find_remote_files(patterns, WARC_SUFFIXES, ignore_case=False))
        return tuple(str(p) for p in find_warc_files(patterns))
    except (InputError, StorageError) as e:
        raise SpecError(f"{what}: {e}") from e


def crawl_of(path: str) -> str | None:
    """The Common Crawl crawl id in a path or URL (the last one, when several), else None."""
    found = CRAWL_ID.findall(path)
    return found[-1] if found else None


def robots_folders_beside(inputs: InputSet) -> list[str]:
    """The `robotstxt/` folders beside the inputs' `warc/` folders (Common Crawl's segment layout) that exist."""
    parents = sorted({posixpath.dirname(f) for f in inputs.files})
    root = storage.locate(inputs.root)
    folders = []
    for parent in parents:
        folder = root.child(parent) if parent else root  # the root itself when the input named a `warc/` folder
        if posixpath.basename(folder.path.rstrip("/")) != PAGES_FOLDER:
            continue
        sibling = folder.parent().child(ROBOTS_FOLDER)
        if storage.is_dir(sibling):
            folders.append(sibling.url)
    return folders
