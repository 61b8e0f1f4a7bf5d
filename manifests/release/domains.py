"""Where a run's text comes from, by registrable domain: sizes, the AI Act top-domain list, the robots.txt
coverage per host, and the published `reports/domains.csv`.

Owns how a URL becomes a domain (host via URL parsing, never userinfo or port; registrable domain via the
Public Suffix List) and how a published CSV cell is made safe to open in a spreadsheet. It does not decide
opt-outs (filters/optout) nor write files (release.summary writes what this returns).
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from eurocurate.files import read_parquet, read_tables
from eurocurate.filters.optout.robots import normalise_host, origin_of
from eurocurate.layout import OutputLayout
from eurocurate.manifests.audit.run_manifest import RunManifest
from eurocurate.schema import Meta, Reason

UNKNOWN = "unknown"
# a cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and Google Sheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """`value` as a published CSV cell: a string a spreadsheet would read as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    """A published CSV table, every cell neutralised against formula injection (`csv_cell`)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([csv_cell(h) for h in header])
    w.writerows([[csv_cell(c) for c in row] for row in rows])
    return buf.getvalue()


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def url_host(url: str | None) -> str:
    """The normalised host of `url` (lower case, IDNA, no userinfo, no port), or `unknown`."""
    if not url or "://" not in url:
        return UNKNOWN
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return UNKNOWN
    return normalise_host(host) if host else UNKNOWN


def registrable_domain(host: str) -> str:
    """The registrable domain of a host by the Public Suffix List (`news.bbc.co.uk` → `bbc.co.uk`); the host
    itself when it has none (an IP address, a bare public suffix)."""
    host = host.lower()
    return _psl().privatesuffix(host) or host


def url_domain(url: str | None) -> str:
    host = url_host(url)
    return host if host == UNKNOWN else registrable_domain(host)


def top_domains(sizes: dict[str, int], sme: bool = False) -> list[tuple[str, int]]:
    """The template's top-domain list: the top 10% of domains by content size (SMEs: 5%, at most 1,000)."""
    ranked = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    share = 0.05 if sme else 0.10
    n = math.ceil(len(ranked) * share)
    if sme:
        n = min(n, 1000)
    return ranked[:n]


def domain_sizes(out: Path) -> dict[str, int]:
    """Bytes of kept text per registrable domain, from the text shards."""
    sizes: dict[str, int] = defaultdict(int)
    for f in OutputLayout(out).text_files():
        t = read_parquet(f, ["url", "text"])
        lengths = pc.binary_length(pc.cast(t["text"], pa.large_binary())).to_pylist()
        for url, n in zip(t["url"].to_pylist(), lengths):
            sizes[url_domain(url)] += n
    return dict(sizes)


@dataclass(frozen=True)
class RobotsCoverage:
    """Which hosts of a run had a robots.txt capture. `checked`: an opt-out stage read robots.txt at all;
    `known`: the run recorded its captured hosts (runs before that record have none)."""

    checked: bool
    known: bool
    missing_robots: str | None = None
    hosts_with: list[str] = field(default_factory=list)
    hosts_without: list[str] = field(default_factory=list)
    # of those, the hosts with a document in the kept text: what the published data holds
    kept_with: list[str] = field(default_factory=list)
    kept_without: list[str] = field(default_factory=list)

    def domain_status(self, domain: str) -> str:
        """One cell for the domains table (the kept text's domains): whether robots.txt of the domain's hosts that
        have kept documents could be checked."""
        if not self.checked:
            return "not checked (no robots.txt opt-out check ran)"
        if not self.known:
            return "unknown (run predates per-host records)"
        with_ = [h for h in self.kept_with if _in_domain(h, domain)]
        without = [h for h in self.kept_without if _in_domain(h, domain)]
        if not without:
            return "captured"
        decided = f"no capture, missing_robots={self.missing_robots}"
        if not with_:
            return decided
        return f"{decided} for {len(without)} of {len(with_) + len(without)} hosts: {', '.join(without)}"

    def warning(self) -> str | None:
        """The run-time warning: how many hosts had no capture and what `missing_robots` decided; None if none."""
        if not self.checked or not self.known or not self.hosts_without:
            return None
        n, total = len(self.hosts_without), len(self.hosts_with) + len(self.hosts_without)
        if self.missing_robots == "reserve":
            effect = f"their pages were dropped as reserved ({Reason.OPTOUT_ROBOTS_UNREACHABLE})"
        else:
            effect = f"the opt-out stage let their pages through without a robots.txt check, and {self.kept_sentence()}"
        return (
            f"{n} of {total} host(s) had no robots.txt capture; missing_robots={self.missing_robots}: {effect} "
            f"(reports/domains.csv lists the kept text's domains with their coverage)"
        )

    def kept_sentence(self) -> str:
        """How many of the hosts without a capture have documents in the kept text (later stages may have dropped
        all of a host's pages)."""
        if not self.kept_without:
            return "none of them has a document in the kept text (later stages dropped all their pages)"
        return f"{len(self.kept_without):,} of them have documents in the kept text ({some_of(self.kept_without)})"


def some_of(hosts: list[str], shown: int = 10) -> str:
    """The first `shown` hosts, and how many more: a list a sentence can hold."""
    more = len(hosts) - shown
    return ", ".join(hosts[:shown]) + (f" and {more:,} more" if more > 0 else "")


def _in_domain(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def robots_coverage(out: Path, run: RunManifest) -> RobotsCoverage:
    """Hosts the opt-out stage saw (kept documents and those dropped at or after it), split by whether
    a robots.txt capture existed for them."""
    policy = run.policies.optout
    if policy is None or "robots" not in policy.protocols:
        return RobotsCoverage(checked=False, known=False)
    if policy.robots_captured_hosts is None:
        return RobotsCoverage(checked=True, known=False, missing_robots=policy.missing_robots)
    layout = OutputLayout(out)
    urls: list[str | None] = []
    prov = read_tables(layout.provenance_files(), [Meta.URL])
    if prov is not None:
        urls += prov[Meta.URL].to_pylist()
    kept = {url_host(u) for u in urls} - {UNKNOWN}
    names = [s.stage for s in run.stages]
    seen_from = names[names.index("optout") :] if "optout" in names else names
    ledger = read_tables(sorted(layout.exclusions.glob("*.parquet")), ["url", "stage"])
    if ledger is not None:
        urls += [u for u, s in zip(ledger["url"].to_pylist(), ledger["stage"].to_pylist()) if s in seen_from]
    hosts = {url_host(u) for u in urls} - {UNKNOWN}
    captured = set(policy.robots_captured_hosts)
    if policy.robots_captured_origins is not None:
        # a host is covered when every page of it seen was checked by its own origin's robots.txt: an https:// page
        # of a host whose http:// file alone was captured went unchecked
        origins = set(policy.robots_captured_origins)
        unchecked = {url_host(u) for u in urls if origin_of(u or "") not in origins} - {UNKNOWN}
        captured = hosts - unchecked
    return RobotsCoverage(
        checked=True,
        known=True,
        missing_robots=policy.missing_robots,
        hosts_with=sorted(hosts & captured),
        hosts_without=sorted(hosts - captured),
        kept_with=sorted(kept & captured),
        kept_without=sorted(kept - captured),
    )


def domains_csv(out: Path, run: RunManifest, sme: bool = False) -> str:
    """`reports/domains.csv`: every registrable domain of the kept text, by size, with its robots.txt coverage."""
    sizes = domain_sizes(out)
    top = {d for d, _ in top_domains(sizes, sme)}
    coverage = robots_coverage(out, run)
    total = sum(sizes.values()) or 1
    rows = [
        [rank, domain, n, f"{n / total:.6f}", domain in top, coverage.domain_status(domain)]
        for rank, (domain, n) in enumerate(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])), 1)
    ]
    return csv_text(["rank", "registrable_domain", "text_bytes", "share", "in_top_list", "robots_txt"], rows)
