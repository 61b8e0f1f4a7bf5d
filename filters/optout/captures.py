"""The opt-out evidence a crawl archived beside the pages: robots.txt and `/.well-known/tdmrep.json`
captures read from WARC files, indexed by normalised host.

When a host was captured more than once, the latest capture (by WARC-Date, then file order) is the
one that applies; a page of a Common Crawl crawl is judged by its own crawl's latest capture of its host
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
from eurocurate.filters.optout.robots import RobotsCapture, normalise_host, robots_text
from eurocurate.filters.optout.tdmrep import TdmRule, parse_tdmrep_file
from eurocurate.pipelines.ingest.decode import decode_payload
from eurocurate.pipelines.ingest.inputs import crawl_of
from eurocurate.pipelines.ingest.records import parse_http_block
from eurocurate.pipelines.ingest.warc import iter_warc_records

log = logging.getLogger(__name__)
TDMREP_PATH = "/.well-known/tdmrep.json"
MAX_REDIRECTS = 5  # RFC 9309 §2.3.1.2: follow at least five consecutive redirects


def _robots_target(location: str) -> str | None:
    """The host a robots.txt redirect leads to, when it leads to a robots.txt (else None: not a robots.txt)."""
    try:
        parts = urlsplit(location)
    except ValueError:
        return None
    return normalise_host(location) if parts.hostname and parts.path == "/robots.txt" else None


@dataclass
class CaptureIndex:
    robots: dict[str, RobotsCapture] = field(default_factory=dict)  # host → latest capture of any crawl
    robots_by_crawl: dict[str, dict[str, RobotsCapture]] = field(default_factory=dict)  # crawl id → host → capture
    tdmrep: dict[str, tuple[list[TdmRule], str]] = field(default_factory=dict)  # host → (rules, evidence)
    files: list[dict] = field(default_factory=list)  # path, sha256, records
    skipped: int = 0

    def _held(self, host: str, crawl: str | None) -> RobotsCapture | None:
        own = self.robots_by_crawl.get(crawl, {}).get(host) if crawl else None
        return own if own is not None else self.robots.get(host)

    def robots_for(self, host: str, crawl: str | None) -> RobotsCapture | None:
        """The capture a page of `host` fetched in `crawl` is judged by: its own crawl's, else the latest of any; a
        redirect followed to the capture of its target's host (RFC 9309 §2.3.1.2: at most five hops), whose rules
        then apply to `host`. A redirect whose target no capture holds comes back as it is."""
        capture = self._held(host, crawl)
        hops: list[str] = []
        while capture is not None and capture.redirects and capture.location and len(hops) < MAX_REDIRECTS:
            target = _robots_target(capture.location)
            following = self._held(target, crawl) if target else None
            if following is None or following is capture:
                break
            hops.append(capture.describe())
            capture = following
        return replace(capture, via=" via ".join(reversed(hops))) if hops and capture is not None else capture

    def captured_hosts(self) -> list[str]:
        """Hosts whose robots.txt rules the captures hold (a redirect to no capture is not one), sorted."""
        return sorted(h for h in self.robots if (c := self.robots_for(h, None)) is not None and not c.redirects)


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
        host = normalise_host(raw.url)
        kind = "robots" if url_path == "/robots.txt" else "tdmrep"
        date = raw.date or ""
        if kind == "robots":
            # robots.txt is UTF-8 by RFC 9309; a non-UTF-8 file keeps its octets (see robots_text)
            location = urljoin(raw.url, http.location) if http.location else None
            capture = RobotsCapture(host, http.status, robots_text(http.body), raw.record_id, raw.date, location)
            if _to_itself(capture) and _holds_rules(index, crawl, host):
                continue  # http:// → https:// of the same host: the host's own robots.txt is the other capture
            if crawl is not None and crawl_dates.get((crawl, host), "") <= date:
                crawl_dates[(crawl, host)] = date
                index.robots_by_crawl.setdefault(crawl, {})[host] = capture
        held = index.robots.get(host) if kind == "robots" else None
        replaces_self_redirect = held is not None and _to_itself(held) and not _to_itself(capture)
        if dates.get((kind, host), "") > date and not replaces_self_redirect:
            continue  # an earlier capture than the one we hold
        dates[(kind, host)] = date
        n += 1
        if kind == "robots":
            index.robots[host] = capture
        elif 200 <= http.status < 300:
            rules = parse_tdmrep_file(_body_text(http.body, http.content_type))
            index.tdmrep[host] = (rules, f"{TDMREP_PATH} of {host} ({raw.date}, {raw.record_id})")
        else:
            index.tdmrep.pop(host, None)  # a newer capture says the file is gone
    return n


def _to_itself(capture: RobotsCapture) -> bool:
    """A redirect to the robots.txt of its own host (another scheme or port): the index keys captures by host."""
    return capture.redirects and capture.location is not None and _robots_target(capture.location) == capture.host


def _holds_rules(index: CaptureIndex, crawl: str | None, host: str) -> bool:
    held = [index.robots.get(host), index.robots_by_crawl.get(crawl, {}).get(host) if crawl else None]
    return any(c is not None and not _to_itself(c) for c in held)


@lru_cache(maxsize=4)
def cached_captures(paths: tuple[str, ...]) -> CaptureIndex:
    """One index per worker process: every task on the same worker shares it."""
    return load_captures(paths)
