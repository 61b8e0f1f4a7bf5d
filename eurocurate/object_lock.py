"""The run lock of an output folder on object storage: a lease object `OUT/.eurocurate.lock` taken with
conditional writes, since an object store has no flock.

Acquire: create the object only if absent (`If-None-Match: *`). A live holder renews its lease every third of
its length by rewriting the object only if it is still the one it wrote (`If-Match: <ETag>`); a lease past its
expiry is stale (its holder died) and is taken over the same way, so of two runs racing for it one wins. Release
deletes the object only if it is still ours. SeaweedFS, MinIO, R2 and S3 (since 2024) honour both conditions;
tests/test_object_lock.py checks them against a real SeaweedFS. Expiry compares the holder's clock with ours, so
clocks must agree to well within a lease (60 s by default). Owns the lease; what a run does under it is not its.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime

import orjson
from fsspec.asyn import sync

from eurocurate.errors import StorageError
from eurocurate.storage import Location, display, locate, storage_errors

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 60.0


class OutputLocked(RuntimeError):
    """Another live run holds the output folder's lock; the message names it."""


def _precondition_failed(error: BaseException) -> bool:
    """s3fs turns a 412 into an OSError (FileExistsError for If-None-Match); the botocore error is its cause."""
    cause = error.__cause__
    code = getattr(cause, "response", {}).get("Error", {}).get("Code") if cause is not None else None
    return isinstance(error, FileExistsError) or code in {"PreconditionFailed", "412"}


def _holder(info: dict) -> str:
    try:
        return f"pid {info['pid']} on {info['host']}, started {info['started_at']}, run {info['run_id']}"
    except (KeyError, TypeError):
        return "a run whose lock object is unreadable"


class ObjectLock:
    """An exclusive lease on the output folder at `out` (an s3:// URL); `with ObjectLock(out, run_id): ...`.

    Raises `OutputLocked` when a live lease is held by another run."""

    def __init__(self, out: str | Location, run_id: str, lease_s: float | None = None):
        self.loc = locate(out).child(".eurocurate.lock")
        self.run_id = run_id
        # EUROCURATE_LOCK_LEASE_S: shorter leases free a dead run's folder sooner but need a store answering in time
        self.lease_s = lease_s or float(os.environ.get("EUROCURATE_LOCK_LEASE_S", DEFAULT_LEASE_S))
        self.lost = False  # set when a renewal finds the lease taken by another run
        self._etag: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._bucket, _, self._key = self.loc.path.partition("/")

    def _body(self) -> bytes:
        now = time.time()
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "expires_at": now + self.lease_s,
            "nonce": uuid.uuid4().hex,  # two writes never share an ETag (it is the body's MD5)
        }
        return orjson.dumps(info)

    def _put(self, **condition: str) -> str | None:
        """Write a fresh lease under `condition`; its ETag, or None when the condition did not hold."""
        with storage_errors(self.loc):
            try:
                reply = self.loc.fs.call_s3(
                    "put_object", Bucket=self._bucket, Key=self._key, Body=self._body(), **condition
                )
            except OSError as e:
                if _precondition_failed(e):
                    return None
                raise
        return reply["ETag"]

    def _current(self) -> tuple[dict, str] | None:
        """The lease as stored and its ETag, read in one request (so the two belong together); None if absent."""
        fs = self.loc.fs

        async def get() -> tuple[bytes, str]:
            reply = await fs._call_s3("get_object", Bucket=self._bucket, Key=self._key)
            async with reply["Body"] as body:
                return await body.read(), reply["ETag"]

        with storage_errors(self.loc):
            try:
                data, etag = sync(fs.loop, get)
            except FileNotFoundError:
                return None
        try:
            info = orjson.loads(data)
        except ValueError:
            info = {}
        return (info if isinstance(info, dict) else {}), etag

    def acquire(self) -> ObjectLock:
        etag = self._put(IfNoneMatch="*")
        if etag is None:
            current = self._current()
            if current is None:  # released between our two requests
                etag = self._put(IfNoneMatch="*")
            else:
                info, seen = current
                expires = info.get("expires_at")
                if isinstance(expires, (int, float)) and expires < time.time():
                    etag = self._put(IfMatch=seen)
                    if etag is not None:
                        log.warning("stale run lock taken over", extra={"lock": display(self.loc.url), "was": info})
            if etag is None:
                now = self._current()
                holder = _holder(now[0]) if now else "another run"
                raise OutputLocked(
                    f"{display(self.loc.url).rsplit('/', 1)[0]} is in use by another eurocurate run ({holder}); "
                    f"wait for it to finish (or for its lease to expire, {self.lease_s:.0f} s after it died) or "
                    f"choose another --output"
                )
        self._etag = etag
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew_loop, name="eurocurate-lock-lease", daemon=True)
        self._renewer.start()
        return self

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                etag = self._put(IfMatch=self._etag)
            except StorageError as e:  # the store is unreachable for a moment: try again at the next beat
                log.warning("run lock lease not renewed", extra={"lock": display(self.loc.url), "error": str(e)})
                continue
            if etag is None:
                self.lost = True
                log.error("run lock lost: another run took the lease", extra={"lock": display(self.loc.url)})
                return
            self._etag = etag

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if self._etag is None or self.lost:
            return
        try:
            with storage_errors(self.loc):
                self.loc.fs.call_s3("delete_object", Bucket=self._bucket, Key=self._key, IfMatch=self._etag)
        except StorageError as e:  # someone took it over (our lease had lapsed): theirs now
            log.warning("run lock not released", extra={"lock": display(self.loc.url), "error": str(e)})
        self._etag = None

    def __enter__(self) -> ObjectLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
