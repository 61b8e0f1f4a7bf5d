"""Suppression lists: URLs, URL prefixes, hosts and registrable domains that must never enter the
data (erasure requests, takedowns, operator decisions), applied at ingest and versioned by digest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from eurocurate import storage
from eurocurate.dedup.url import url_match_key, url_prefix_key
from eurocurate.filters.optout.robots import normalise_host


class SuppressionList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    urls: list[str] = Field(default_factory=list, description="Exact URLs.")
    url_prefixes: list[str] = Field(default_factory=list, description="Any URL starting with one of these.")
    hosts: list[str] = Field(default_factory=list, description="Exact hosts (www.example.eu).")
    domains: list[str] = Field(default_factory=list, description="A domain and all its subdomains (example.eu).")
    fingerprints: list[str] = Field(
        default_factory=list,
        description="Keyed PII fingerprints (TYPE:hmac) of erased subjects; the pii stage drops documents holding "
        "them.",
    )
    _urls: frozenset[str] = PrivateAttr(frozenset())
    _prefixes: tuple[tuple[str, str], ...] = PrivateAttr(())
    _hosts: frozenset[str] = PrivateAttr(frozenset())
    _domains: tuple[str, ...] = PrivateAttr(())

    def model_post_init(self, context: object) -> None:
        # URLs in the form an erasure request matches them (`url_match_key`: host case, default port, tracking
        # parameters, fragment, http/https, trailing slash), so a page is suppressed however either side wrote it
        self._urls = frozenset(url_match_key(u) for u in self.urls)
        self._prefixes = tuple((p, url_prefix_key(p)) for p in self.url_prefixes)
        self._hosts = frozenset(normalise_host(h) for h in self.hosts)
        self._domains = tuple(normalise_host(d) for d in self.domains)

    @classmethod
    def from_file(cls, path: str | Path) -> SuppressionList:
        data = yaml.safe_load(storage.read_bytes(path).decode("utf-8")) or {}
        return cls.model_validate(data)

    def merged(self, other: SuppressionList) -> SuppressionList:
        return SuppressionList(
            **{k: sorted(set(getattr(self, k)) | set(getattr(other, k))) for k in type(self).model_fields}
        )

    def digest(self) -> str:
        canonical = {k: sorted(v) for k, v in self.model_dump().items()}
        return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()

    def match(self, url: str) -> str | None:
        """The entry that suppresses `url`, as `kind:value`, or None."""
        key = url_match_key(url) if url else ""
        if key and key in self._urls:
            return f"url:{url}"
        for prefix, prefix_key in self._prefixes:
            if key.startswith(prefix_key):
                return f"url_prefix:{prefix}"
        host = normalise_host(url)
        if host in self._hosts:
            return f"host:{host}"
        for d in self._domains:
            if host == d or host.endswith("." + d):
                return f"domain:{d}"
        return None
