"""The opt-out evidence a crawl archived beside the pages: robots.txt and `/.well-known/tdmrep.json`
captures read from WARC files, indexed by normalised host.

When a host was captured more than once, the latest capture (by WARC-Date, then file order) is the
one that applies; every decision names the capture it used.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from eurocurate.filters.optout.robots import RobotsCapture, normalise_host, robots_text
from eurocurate.filters.optout.tdmrep import TdmRule, parse_tdmrep_file
from eurocurate.pipelines.ingest.decode import decode_payload
from eurocurate.pipelines.ingest.records import parse_http_block
from eurocurate.pipelines.ingest.warc import iter_warc_records

log = logging.getLogger(__name__)
TDMREP_PATH = "/.well-known/tdmrep.json"


@dataclass
class CaptureIndex:
    robots: dict[str, RobotsCapture] = field(default_factory=dict)
    tdmrep: dict[str, tuple[list[TdmRule], str]] = field(default_factory=dict)  # host → (rules, evidence)
    files: list[dict] = field(default_factory=list)  # path, sha256, records
    skipped: int = 0


def _body_text(body: bytes, content_type: str | None) -> str:
    decoded = decode_payload(body, content_type)
    return decoded.text if decoded is not None else body.decode("utf-8", "replace")


def load_captures(paths: tuple[str, ...]) -> CaptureIndex:
    index = CaptureIndex()
    dates: dict[tuple[str, str], str] = {}
    for path in paths:
        p = Path(path)
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        n = 0
        for raw in iter_warc_records(p):
            if raw.record_type != "response" or not raw.url or raw.problem is not None:
                index.skipped += raw.record_type in ("response", "unreadable")
                continue
            url_path = urlsplit(raw.url).path
            if url_path not in ("/robots.txt", TDMREP_PATH):
                continue
            http = parse_http_block(raw.block)
            if not hasattr(http, "status"):
                index.skipped += 1
                continue
            host = normalise_host(raw.url)
            kind = "robots" if url_path == "/robots.txt" else "tdmrep"
            date = raw.date or ""
            if dates.get((kind, host), "") > date:
                continue  # an earlier capture than the one we hold
            dates[(kind, host)] = date
            n += 1
            if kind == "robots":
                # robots.txt is UTF-8 by RFC 9309; a non-UTF-8 file keeps its octets (see robots_text)
                index.robots[host] = RobotsCapture(host, http.status, robots_text(http.body), raw.record_id, raw.date)
            elif 200 <= http.status < 300:
                rules = parse_tdmrep_file(_body_text(http.body, http.content_type))
                index.tdmrep[host] = (rules, f"{TDMREP_PATH} of {host} ({raw.date}, {raw.record_id})")
            else:
                index.tdmrep.pop(host, None)  # a newer capture says the file is gone
        index.files.append({"path": str(p.resolve()), "sha256": digest, "captures": n})
        log.info("opt-out captures loaded", extra={"path": str(p), "captures": n})
    return index


@lru_cache(maxsize=4)
def cached_captures(paths: tuple[str, ...]) -> CaptureIndex:
    """One index per worker process: every task on the same worker shares it."""
    return load_captures(paths)
