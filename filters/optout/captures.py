"""The opt-out evidence a crawl archived beside the pages: robots.txt and `/.well-known/tdmrep.json`
captures read from WARC files, indexed by origin (scheme, normalised host, port).

When an origin was captured more than once, the latest capture (by WARC-Date, then file order) is the
one that applies; a page of a Common Crawl crawl is judged by its own crawl's latest capture of its origin
(`robots_for`), the crawl id taken from the capture file's path. Every decision names the capture it used.
Capture files may be URLs (`eurocurate.storage`): each is copied to a local temporary file while it is read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from eurocurate import storage
from eurocurate.files import sha256_file
from eurocurate.filters.optout.robots import RobotsCapture, normalise_host, origin_of, robots_text
from eurocurate.filters.optout.tdmrep import TdmRule, parse_tdmrep_file
from eurocurate.pipelines.ingest.decode import decode_payload
from eurocurate.pipelines.ingest.inputs import crawl_of
from eurocurate.pipelines.ingest.records import parse_http_block
from eurocurate.pipelines.ingest.warc import iter_warc_records

log = logging.getLogger(__name__)
TDMREP_PATH = "/.well-known/tdmrep.json"
MAX_REDIRECTS = 5  # RFC 9309 §2.3.1.2: follow at least five consecutive redirects


def _robots_target(location: str) -> str | None:
    """The origin a robots.txt redirect leads to, when it leads to a robots.txt (else None: not a robots.txt)."""
    try:
        path = urlsplit(location).path
    except ValueError:
        return None
    return origin_of(location) if path == "/robots.txt" else None


@dataclass
class CaptureIndex:
    """Captures by origin (`robots.origin_of`: scheme, host and port, RFC 9309 §2.3): `http://` and `https://`
    robots.txt files of a host, or one on another port, are different files that decide for different pages."""

    robots: dict[str, RobotsCapture] = field(default_factory=dict)  # origin → latest capture of any crawl
    robots_by_crawl: dict[str, dict[str, RobotsCapture]] = field(default_factory=dict)  # crawl id → origin → capture
    tdmrep: dict[str, tuple[list[TdmRule], str]] = field(default_factory=dict)  # origin → (rules, evidence)
    files: list[dict] = field(default_factory=list)  # path, sha256, records
    skipped: int = 0

    def _held(self, origin: str, crawl: str | None) -> RobotsCapture | None:
        own = self.robots_by_crawl.get(crawl, {}).get(origin) if crawl else None
        return own if own is not None else self.robots.get(origin)

    def robots_for(self, origin: str | None, crawl: str | None) -> RobotsCapture | None:
        """The capture a page of `origin` fetched in `crawl` is judged by: its own crawl's, else the latest of any; a
        redirect followed to the capture of its target (RFC 9309 §2.3.1.2: at most five hops), whose rules then
        apply to `origin`. A redirect whose target no capture holds comes back as it is."""
        capture = self._held(origin, crawl) if origin else None
        hops: list[str] = []
        while capture is not None and capture.redirects and capture.location and len(hops) < MAX_REDIRECTS:
            target = _robots_target(capture.location)
            following = self._held(target, crawl) if target else None
            if following is None or following is capture:
                break
            hops.append(capture.describe())
            capture = following
        return replace(capture, via=" via ".join(reversed(hops))) if hops and capture is not None else capture

    def captured_origins(self) -> list[str]:
        """Origins whose robots.txt rules the captures hold (a redirect to no capture is not one), sorted."""
        return sorted(o for o in self.robots if (c := self.robots_for(o, None)) is not None and not c.redirects)

    def captured_hosts(self) -> list[str]:
        """The hosts of `captured_origins`, sorted."""
        return sorted({normalise_host(o) for o in self.captured_origins()})


def _body_text(body: bytes, content_type: str | None) -> str:
    decoded = decode_payload(body, content_type)
    return decoded.text if decoded is not None else body.decode("utf-8", "replace")


def load_captures(paths: tuple[str, ...]) -> CaptureIndex:
    index = CaptureIndex()
    dates: dict[tuple[str, str], str] = {}
    crawl_dates: dict[tuple[str, str], str] = {}
    for path in paths:
        with storage.local_copy(path) as p:
            n = _load_file(index, p, crawl_of(path), dates, crawl_dates)
            digest = sha256_file(p)
        shown = storage.display(path) if storage.is_remote(path) else str(Path(path).resolve())
        index.files.append({"path": shown, "sha256": digest, "captures": n})
        log.info("opt-out captures loaded", extra={"path": shown, "captures": n})
    return index


def _load_file(
    index: CaptureIndex,
    p: Path,
    crawl: str | None,
    dates: dict[tuple[str, str], str],
    crawl_dates: dict[tuple[str, str], str],
) -> int:
    """Add the captures of one WARC file (of crawl `crawl`) to `index`; how many were the latest when read."""
    n = 0
    for raw in iter_warc_records(p):
        if raw.record_type != "response" or not raw.url or raw.problem is not None:
            index.skipped += raw.record_type in ("response", "unreadable")
            continue
        try:
            url_path = urlsplit(raw.url).path
        except ValueError:  # `http://[bad/robots.txt`: this record is unusable, the file's others are not
            index.skipped += 1
            log.warning("opt-out capture skipped: malformed URL", extra={"url": raw.url[:200], "path": str(p)})
            continue
        if url_path not in ("/robots.txt", TDMREP_PATH):
            continue
        http = parse_http_block(raw.block)
        if not hasattr(http, "status"):
            index.skipped += 1
            continue
        origin = origin_of(raw.url)
        if origin is None:  # a port that is no number: unusable, like a malformed URL
            index.skipped += 1
            continue
        kind = "robots" if url_path == "/robots.txt" else "tdmrep"
        date = raw.date or ""
        if kind == "robots":
            # robots.txt is UTF-8 by RFC 9309; a non-UTF-8 file keeps its octets (see robots_text)
            location = urljoin(raw.url, http.location) if http.location else None
            capture = RobotsCapture(origin, http.status, robots_text(http.body), raw.record_id, raw.date, location)
            if crawl is not None and crawl_dates.get((crawl, origin), "") <= date:
                crawl_dates[(crawl, origin)] = date
                index.robots_by_crawl.setdefault(crawl, {})[origin] = capture
        if dates.get((kind, origin), "") > date:
            continue  # an earlier capture than the one we hold
        dates[(kind, origin)] = date
        n += 1
        if kind == "robots":
            index.robots[origin] = capture
        elif 200 <= http.status < 300:
            rules = parse_tdmrep_file(_body_text(http.body, http.content_type))
            index.tdmrep[origin] = (rules, f"{TDMREP_PATH} of {origin} ({raw.date}, {raw.record_id})")
        else:
            index.tdmrep.pop(origin, None)  # a newer capture says the file is gone
    return n


@lru_cache(maxsize=4)
def cached_captures(paths: tuple[str, ...]) -> CaptureIndex:
    """One index per worker process: every task on the same worker shares it."""
    return load_captures(paths)
