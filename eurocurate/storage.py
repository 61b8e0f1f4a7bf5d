"""Where data lives: one place that turns a location (a local path or an fsspec URL) into a filesystem and a path.

Owns the accepted schemes, the refusal of credentials in URLs, the one-line `StorageError` of a location that
cannot be read, and the credential-free rendering of a location for logs and manifests (`display`).
It does not decide what a run reads or writes (pipelines/ingest/inputs.py, the engine) and never takes a
credential from a spec or the command line: S3 endpoint and keys come from the standard `AWS_*` variables
and profiles, which botocore reads itself (`AWS_ENDPOINT_URL` names an S3-compatible store).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import fsspec
from fsspec.implementations.local import LocalFileSystem

from eurocurate.errors import StorageError
from eurocurate.files import sha256_stream

# The schemes a location may use; `file://` and plain paths are local disk.
REMOTE_SCHEMES = ("s3", "gs", "gcs", "hf", "http", "https")
LOCAL_SCHEMES = ("file",)
# The filesystem package each remote scheme needs, for the error of a missing one.
_PACKAGE_OF = {
    "s3": "s3fs",
    "gs": "gcsfs",
    "gcs": "gcsfs",
    "hf": "huggingface_hub",
    "http": "aiohttp",
    "https": "aiohttp",
}
# Environment variables that change which endpoint or identity a filesystem uses: a change makes a new instance.
_ENV_PREFIXES = ("AWS_", "GOOGLE_", "HF_")


class MissingLocation(StorageError):
    """The location (or its bucket) does not exist."""


@dataclass(frozen=True)
class Location:
    """A place as a filesystem sees it: `fs` and `path` (no scheme), and `url`, the location as the user names it."""

    fs: fsspec.AbstractFileSystem
    path: str
    url: str

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def child(self, relative: str) -> Location:
        """The location `relative` (a `/`-separated path) below this one."""
        relative = relative.lstrip("/")
        return Location(self.fs, posixpath.join(self.path, relative), posixpath.join(self.url.rstrip("/"), relative))

    def parent(self) -> Location:
        """The folder holding this location."""
        return Location(self.fs, posixpath.dirname(self.path.rstrip("/")), posixpath.dirname(self.url.rstrip("/")))

    def relative_to(self, base: Location) -> str:
        """This location's path below `base` (`/`-separated), as a run records it."""
        root = base.path.rstrip("/") + "/"
        if not self.path.startswith(root):
            raise StorageError(f"{display(self.url)} is not under {display(base.url)}")
        return self.path[len(root) :]


def scheme_of(location: str | Path) -> str:
    """The scheme of a location (`""` for a plain local path)."""
    text = str(location)
    if "://" not in text:
        return ""
    return text.split("://", 1)[0].lower()


def is_remote(location: str | Path) -> bool:
    """True when `location` is an object-store or web URL rather than local disk."""
    return scheme_of(location) in REMOTE_SCHEMES


def display(location: str | Path) -> str:
    """`location` as it may be shown or written down: any user, password or query string replaced by `***`.

    Safe on every string, valid or not, so error messages about a refused URL do not repeat its secret."""
    text = str(location)
    if "://" not in text:
        return text
    scheme, rest = text.split("://", 1)
    if _has_userinfo(scheme, rest):
        # a secret may hold `/` (AWS secret keys do), so everything up to the last `@` goes
        rest = "***@" + rest.rsplit("@", 1)[1] if "@" in rest else "***"
    for mark in ("?", "#"):
        if mark in rest:
            rest = rest.split(mark, 1)[0] + mark + "***"
    return f"{scheme}://{rest}"


def _has_userinfo(scheme: str, rest: str) -> bool:
    """True when the authority of a URL (`rest`: after `scheme://`) holds a user or password.

    Checked on the text up to the first `/`, and also for a `:` there that is not a port: a password with a
    `/` in it ends the authority early (`s3://KEY:se/cret@bucket`), leaving `KEY:se` as the host."""
    authority = rest.split("/", 1)[0]
    if "@" in authority:
        return True
    if ":" not in authority:
        return False
    port = authority.rsplit(":", 1)[1]
    return scheme.lower() not in ("http", "https") or not port.isdigit()


def check(location: str | Path) -> str:
    """The location as a string after refusing what must never be one: credentials or a signature in the URL.

    Raises StorageError with what to do instead."""
    text = str(location).strip()
    if not text:
        raise StorageError("empty location: give a local path or a URL (s3://, gs://, hf://, https://, file://)")
    scheme = scheme_of(text)
    if not scheme:
        return text
    if scheme not in REMOTE_SCHEMES + LOCAL_SCHEMES:
        known = ", ".join(f"{s}://" for s in REMOTE_SCHEMES + LOCAL_SCHEMES)
        raise StorageError(
            f"unsupported scheme {scheme}:// in {display(text)}; expected a local path or one of {known}"
        )
    if _has_userinfo(scheme, text.split("://", 1)[1]):
        raise StorageError(
            f"{display(text)} carries a user name or password; credentials are never taken from a location "
            "(they would be written into logs and run.json): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
            "AWS_PROFILE (HF_TOKEN for hf://) in the environment instead"
        )
    try:
        parts = urlsplit(text)
    except ValueError as e:
        raise StorageError(f"not a valid URL: {display(text)} ({e})") from None
    if parts.query or parts.fragment:
        raise StorageError(
            f"{display(text)} has a query string (a presigned or tokenised URL?); locations are written into logs "
            "and run.json, so signatures and tokens are refused: give the plain URL and credentials through "
            "the AWS_* (or HF_TOKEN) environment variables"
        )
    if scheme != "file" and not parts.netloc:
        raise StorageError(f"{display(text)} names no bucket or host; expected {scheme}://BUCKET/PATH")
    return text


def _env_fingerprint() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)))


_FILESYSTEMS: dict[tuple[str, tuple[tuple[str, str], ...]], fsspec.AbstractFileSystem] = {}


def _filesystem(scheme: str) -> fsspec.AbstractFileSystem:
    # fsspec caches instances by constructor arguments only, so a changed AWS_ENDPOINT_URL or profile would
    # silently reuse the old client; ours is keyed by the environment that configures it.
    key = (scheme, _env_fingerprint())
    if key not in _FILESYSTEMS:
        try:
            _FILESYSTEMS[key] = fsspec.filesystem(scheme, skip_instance_cache=True)
        except ImportError:
            package = _PACKAGE_OF.get(scheme, scheme)
            raise StorageError(f"{scheme}:// locations need the {package} package: pip install {package}") from None
    return _FILESYSTEMS[key]


def locate(location: str | Path | Location) -> Location:
    """The filesystem and path of `location` (checked by `check`; no I/O)."""
    if isinstance(location, Location):
        return location
    text = check(location)
    scheme = scheme_of(text)
    if not scheme or scheme == "file":
        local = text[len("file://") :] if scheme == "file" else text
        path = str(Path(local).expanduser().absolute())
        return Location(LocalFileSystem(), path, path)
    fs = _filesystem(scheme)
    path = fs._strip_protocol(text)
    return Location(fs, path, text.rstrip("/") if path.rstrip("/") else text)


@contextmanager
def storage_errors(location: str | Path | Location) -> Iterator[None]:
    """Turn what a filesystem raises about `location` into one StorageError line (never a traceback)."""
    url = display(location.url if isinstance(location, Location) else location)
    try:
        yield
    except StorageError:
        raise
    except FileNotFoundError as e:
        raise MissingLocation(f"not found: {url}{_bucket_hint(e)}") from None
    except PermissionError:
        raise StorageError(
            f"access denied to {url}: check the credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE "
            "and the endpoint in AWS_ENDPOINT_URL"
        ) from None
    except Exception as e:  # the filesystem packages' own errors (botocore, aiohttp) are not a common type
        raise StorageError(f"cannot read {url}: {_one_line(e)}") from None


def _bucket_hint(error: BaseException) -> str:
    text = str(error)
    return " (the bucket does not exist)" if "bucket does not exist" in text.lower() else ""


def _one_line(error: BaseException) -> str:
    name = type(error).__name__
    message = " ".join(str(error).split())
    if name in {"NoCredentialsError", "PartialCredentialsError"}:
        return f"{message}; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
    if name in {"EndpointConnectionError", "ConnectTimeoutError", "ClientConnectorError"}:
        return f"{message}; is AWS_ENDPOINT_URL right and the store reachable?"
    return f"{name}: {message}" if message else name


def exists(location: str | Path | Location) -> bool:
    loc = locate(location)
    with storage_errors(loc):
        return loc.fs.exists(loc.path)


def is_dir(location: str | Path | Location) -> bool:
    loc = locate(location)
    with storage_errors(loc):
        return loc.fs.isdir(loc.path)


def open_file(location: str | Path | Location, mode: str = "rb") -> IO:
    """An open file at `location`; reading errors (missing, denied, unreachable) are a StorageError."""
    loc = locate(location)
    with storage_errors(loc):
        return loc.fs.open(loc.path, mode)


def read_bytes(location: str | Path | Location) -> bytes:
    loc = locate(location)
    with storage_errors(loc):
        return loc.fs.cat_file(loc.path)


def list_files(location: str | Path | Location) -> list[Location]:
    """Every file under folder `location` (recursively), sorted by path; `[location]` when it is a file."""
    loc = locate(location)
    with storage_errors(loc):
        if not loc.fs.isdir(loc.path):
            if not loc.fs.exists(loc.path):
                raise FileNotFoundError(loc.path)
            return [loc]
        paths = loc.fs.find(loc.path)
    return [loc.child(p[len(loc.path.rstrip("/")) + 1 :]) for p in sorted(paths)]


def glob(pattern: str | Path | Location) -> list[Location]:
    """The files matching `pattern` (`*`, `?`, `[..]`, `**`), sorted by path."""
    loc = locate(pattern)
    with storage_errors(loc):
        # with detail, one listing tells files from folders (no request per match)
        found = loc.fs.glob(loc.path, detail=True)
        files = sorted(p for p, info in found.items() if info.get("type") != "directory")
    return [_sibling(loc, p) for p in files]


def has_magic(location: str | Path) -> bool:
    """True when `location` is a glob pattern rather than one path."""
    return any(c in str(location) for c in "*?[")


def _sibling(pattern: Location, path: str) -> Location:
    if pattern.is_local:
        return Location(pattern.fs, path, path)
    scheme = scheme_of(pattern.url)
    return Location(pattern.fs, path, pattern.fs.unstrip_protocol(path) if scheme != "hf" else f"hf://{path}")


def common_folder(urls: list[str], folders: Sequence[str] = ()) -> str:
    """The deepest folder holding every one of `urls` and `folders` (all of one scheme), as a URL."""
    scheme = scheme_of(urls[0])

    def rest(url: str) -> str:
        return url.split("://", 1)[1] if scheme else url

    common = posixpath.commonpath(
        [*(posixpath.dirname(rest(u)) for u in urls), *(rest(f).rstrip("/") for f in folders)]
    )
    return f"{scheme}://{common}" if scheme else common


@contextmanager
def local_copy(location: str | Path | Location, folder: str | Path | None = None) -> Iterator[Path]:
    """A local file holding the bytes of `location`: the file itself when local, else a copy in `folder` (a fresh
    temporary folder by default) removed on exit. Readers that need a seekable file (FastWARC, pread) read remote
    inputs one file at a time this way."""
    loc = locate(location)
    if loc.is_local:
        if not os.path.isfile(loc.path):
            raise MissingLocation(f"not found: {loc.path}")
        yield Path(loc.path)
        return
    spool = Path(tempfile.mkdtemp(prefix="eurocurate-spool-", dir=folder))
    try:
        target = spool / (posixpath.basename(loc.path.rstrip("/")) or "file")
        with storage_errors(loc):
            loc.fs.get_file(loc.path, str(target))
        yield target
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def size(location: str | Path | Location) -> int:
    loc = locate(location)
    with storage_errors(loc):
        return int(loc.fs.size(loc.path) or 0)


def sha256(location: str | Path | Location, chunk: int = 1 << 20) -> tuple[str, int]:
    """The sha256 and size of the file at `location`, streamed (never held in memory whole)."""
    loc = locate(location)
    with storage_errors(loc), loc.fs.open(loc.path, "rb") as f:
        return sha256_stream(f, chunk)


def why_missing(location: str | Path | Location) -> str:
    """What to say about a location that does not exist: `does not exist`, or that its bucket does not."""
    loc = locate(location)
    if scheme_of(loc.url) in ("s3", "gs", "gcs"):
        bucket = loc.path.split("/", 1)[0]
        with storage_errors(loc):
            if not loc.fs.exists(bucket):
                return f"does not exist: its bucket {bucket} does not (or these credentials cannot see it)"
    return "does not exist"


def open_input(location: str | Path) -> IO[bytes]:
    """An input file opened for reading in binary: a local path exactly as `open` opens it (same errors), a URL
    through its filesystem (errors as StorageError). For readers that stream a file once, front to back."""
    if not is_remote(location) and scheme_of(location) != "file":
        return open(location, "rb")  # noqa: SIM115 - the caller's `with` closes it
    return open_file(location, "rb")


def local_mirror(location: str | Path | Location) -> Path:
    """A local folder with the files of folder `location`: itself when local, else a copy made once per machine
    (in the system's temporary folder, named by the URL and the listing's names and sizes, so a changed folder
    is copied again). For inputs read by memory map or many times over (dedup indexes of earlier releases)."""
    loc = locate(location)
    if loc.is_local:
        return Path(loc.path)
    files = list_files(loc)
    listing = "\n".join(f"{f.relative_to(loc)}\t{size(f)}" for f in files)
    key = hashlib.sha256(f"{display(loc.url)}\n{listing}".encode()).hexdigest()[:24]
    final = Path(tempfile.gettempdir()) / f"eurocurate-mirror-{key}"
    if final.is_dir():
        return final
    staging = Path(tempfile.mkdtemp(prefix=f"{final.name}.partial-", dir=final.parent))
    try:
        for f in files:
            target = staging / f.relative_to(loc)
            target.parent.mkdir(parents=True, exist_ok=True)
            with storage_errors(f):
                f.fs.get_file(f.path, str(target))
        os.rename(staging, final)  # atomic: a task on the same machine sees the whole copy or none
    except OSError:
        if not final.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final
