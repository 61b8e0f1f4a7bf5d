"""robots.txt evaluated offline per RFC 9309, from captures (a robots WARC, as Common Crawl publishes them).

Owns: which capture applies to a URL (by normalised host), the status rules (2xx parse, 4xx allow,
5xx/unreachable disallow), the size limit, and the question "is this URL reserved for any agent of the
set". Groups, product tokens, longest match, Allow-wins-ties, `*` and `$` are rfc9309.py's. AIPREF's
`Content-Usage` rules in robots.txt are read here too, since they live in the same file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import idna

from eurocurate.filters.optout.rfc9309 import RobotsTxt, Rule, match_path, product_token

# RFC 9309 §2.5: crawlers may limit the size they parse; 500 KiB is the minimum they must read.
MAX_ROBOTS_BYTES = 512 * 1024
_CONTENT_USAGE = re.compile(r"^\s*content-usage\s*:\s*(?:(/\S*)\s+)?(.+?)\s*$", re.IGNORECASE)
_USER_AGENT = re.compile(r"^\s*user-agent\s*:\s*(\S+)", re.IGNORECASE)


def normalise_host(url_or_host: str) -> str:
    """Lower-case host, IDNA 2008 (UTS #46, non-transitional) punycode when it is not ASCII, without port or trailing
    dot: `straße.example` is `xn--strae-oqa.example`, as browsers and crawlers write it (Python's own `idna` codec is
    IDNA 2003, which maps it to `strasse.example`, another site)."""
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
    host = (host or "").strip().rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return host


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, the scope of its robots.txt and tdmrep.json (RFC 9309 §2.3): scheme lower
    case, host as `normalise_host` gives it, the port only when it is not the scheme's default. None for a URL
    without a host, or with a port that is no number."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = normalise_host(url) if parts.hostname else ""
    if not host or not parts.scheme:
        return None
    scheme = parts.scheme.lower()
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS.get(scheme) else "")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def robots_text(body: bytes) -> str:
    """A robots.txt body as text: UTF-8 (RFC 9309 §2.3), else each octet as the Latin-1 character of the
    same value. Nothing is lost either way: a path a site wrote in a single-byte charset keeps its octets,
    which is how google matches it (`/caf\\xe9` matches `/caf%E9`)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


@dataclass(frozen=True, slots=True)
class RobotsCapture:
    """One fetch of ORIGIN/robots.txt: HTTP status (None = unreachable) and body."""

    origin: str  # scheme://host[:port] (`origin_of`)
    status: int | None
    body: str
    record_id: str | None = None
    fetch_date: str | None = None
    location: str | None = None  # a redirect's absolute target URL
    via: str | None = None  # the redirect(s) that led here from the page's host, described

    @property
    def redirects(self) -> bool:
        return self.status is not None and 300 <= self.status < 400

    def describe(self) -> str:
        status = "unreachable" if self.status is None else self.status
        shown = f"{self.origin}/robots.txt ({status}, {self.fetch_date}, {self.record_id})"
        return f"{shown}, reached by redirect from {self.via}" if self.via else shown


@dataclass(frozen=True, slots=True)
class RobotsDecision:
    reserved: bool | None  # None: no capture for this host (policy decides)
    agent: str | None
    evidence: str


def _aipref_rules(body: str, agents: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path prefix, preferences) of `Content-Usage` lines in groups that apply to the agent set, or
    outside groups. A `User-agent` value names its product token (`GPTBot/1.0` is GPTBot)."""
    wanted = wanted_names(agents)
    rules: list[tuple[str, str]] = []
    group: set[str] = set()
    in_agents = False
    for line in body.removeprefix("\ufeff").splitlines():
        line = line.split("#", 1)[0]
        if m := _USER_AGENT.match(line):
            agent = "*" if m.group(1).startswith("*") else product_token(m.group(1)).lower()
            group = group | {agent} if in_agents else {agent}
            in_agents = True
            continue
        in_agents = False
        if (m := _CONTENT_USAGE.match(line)) and (not group or group & wanted or "*" in group):
            rules.append((m.group(1) or "/", m.group(2)))
    return rules


def aipref_reserves(preferences: str) -> bool:
    """True when an AIPREF preference string says no to AI training (`train-ai=n`, `train-genai=n`)."""
    for item in preferences.replace(";", ",").split(","):
        key, _, value = item.strip().partition("=")
        if key.strip().lower() in ("train-ai", "train-genai") and value.strip().strip('"').lower() in ("n", "no", "?0"):
            return True
    return False


def decide_robots(url: str, capture: RobotsCapture | None, agents: tuple[str, ...]) -> RobotsDecision:
    """Is `url` disallowed for any agent of the set by the captured robots.txt of its origin?"""
    if capture is None:
        return RobotsDecision(None, None, "no robots.txt capture of this origin")
    if capture.status is None or capture.status >= 500:
        # RFC 9309 §2.3.1.4: unreachable or server error means complete disallow
        return RobotsDecision(True, None, f"{capture.describe()}: unreachable or server error, complete disallow")
    if 400 <= capture.status < 500:
        return RobotsDecision(False, None, f"{capture.describe()}: unavailable, complete allow (RFC 9309 §2.3.1.3)")
    if capture.redirects:
        # RFC 9309 §2.3.1.2: a redirect is followed (`CaptureIndex.robots_for`, up to five hops); one whose target
        # the captures do not hold read no rules, so the page is judged as a host without a capture
        target = capture.location or "no Location"
        return RobotsDecision(None, None, f"{capture.describe()}: redirects to {target}, which no capture holds")
    if not 200 <= capture.status < 300:
        return RobotsDecision(False, None, f"{capture.describe()}: status treated as unavailable, complete allow")
    path, readings = match_path(url), _readings(capture.body)
    for agent in agents:
        names = agent_names(agent)
        if any(not _allowed(reading.deciding_rule(path, name)) for reading in readings for name in names):
            return RobotsDecision(True, agent, f"{capture.describe()}: {agent} may not fetch {path_of(url)}")
    return RobotsDecision(False, None, f"{capture.describe()}: allowed for {', '.join(agents)}")


def _allowed(rule: Rule | None) -> bool:
    return rule is None or rule.allow


def agent_names(agent: str) -> tuple[str, ...]:
    """An agent of the set as given and, when it is more than a product token (`MyBot/2.0`, a whole
    User-Agent string), its leading token too: the URL is reserved when either reading reserves it."""
    token = product_token(agent)
    return (agent, token) if token and token != agent else (agent,)


def wanted_names(agents: tuple[str, ...]) -> set[str]:
    """The lower-case names a robots.txt group, header or meta may address the agent set by: each agent and its
    product token (`MyBot/2.0`: mybot)."""
    return {name.lower() for agent in agents for name in agent_names(agent)}


@lru_cache(maxsize=64)
def _readings(body: str) -> tuple[RobotsTxt, ...]:
    """The parses a conforming crawler could act on: the whole file and, past 512 KiB, its first 512 KiB.

    RFC 9309 §2.5 lets a crawler stop at 500 KiB, or read on. A URL is reserved when either reading
    reserves it: a Disallow past the limit counts, and an Allow past it cannot lift a reservation made
    within it. The cut drops the partial last line, so a rule is never shortened into a broader one.
    One parse per capture body (a string hashes once): every URL of a host reuses it.
    """
    whole = RobotsTxt(body)
    if len(body) * 4 <= MAX_ROBOTS_BYTES or len(encoded := body.encode("utf-8", "surrogatepass")) <= MAX_ROBOTS_BYTES:
        return (whole,)
    head = encoded[:MAX_ROBOTS_BYTES]
    head = head[: max(head.rfind(b"\n"), head.rfind(b"\r")) + 1]
    return whole, RobotsTxt(head.decode("utf-8", "ignore"))


def decide_aipref_robots(url: str, capture: RobotsCapture | None, agents: tuple[str, ...]) -> RobotsDecision:
    """AIPREF `Content-Usage` rule in robots.txt: the longest matching path prefix decides."""
    if capture is None or capture.status is None or not 200 <= capture.status < 300:
        return RobotsDecision(None, None, "")
    path = path_of(url)
    matching = [(p, prefs) for p, prefs in _aipref_rules(capture.body[:MAX_ROBOTS_BYTES], agents) if path.startswith(p)]
    if not matching:
        return RobotsDecision(None, None, "")
    prefix, prefs = max(matching, key=lambda r: len(r[0]))
    reserved = aipref_reserves(prefs)
    return RobotsDecision(reserved, None, f"{capture.describe()}: Content-Usage {prefix} {prefs}")
