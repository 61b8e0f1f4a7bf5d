"""robots.txt parsed and matched per RFC 9309, with the rules of google/robotstxt (its reference parser).

Owns: lines to groups, the group that applies to a product token, longest match with Allow winning
ties, `*` and `$`, and the percent-encoding normal form both paths and patterns are compared in.
Does not own: HTTP status rules, which capture applies to a URL, AIPREF lines (robots.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# google/robotstxt ignores the bytes of a line past 8 x 2083 (the longest URL browsers accept), minus the NUL.
MAX_LINE_BYTES = 2083 * 8 - 1
_WS = " \t\n\v\f\r"  # ASCII whitespace only, as google strips; U+00A0 in a value is data
_EOL = re.compile(r"\r\n|\r|\n")
# A UTF-8 byte-order mark (or a prefix of it) at the very start, as text decoded from UTF-8 or octet by
# octet (robots.robots_text) shows it; google skips these bytes.
_BOM = re.compile("^(?:\ufeff|\u00ef\u00bb\u00bf|\u00ef\u00bb|\u00ef)")
_TOKEN = re.compile(r"[A-Za-z_-]*")
_HEX = "0123456789ABCDEF"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters a path is compared in as they are: RFC 3986 unreserved and reserved characters. `%`
# starts an escape; anything else (non-ASCII, space, controls, `"<>\^`{|}`) is percent-encoded.
_AS_IS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]*\Z")
_TO_ENCODE = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]%]+")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")  # a `%` without two hex digits after it stays as it is
_NO_COLON = re.compile(r"([^ \t]+)[ \t]+([^ \t]+)\Z")
_USER_AGENT_KEYS = ("user-agent", "useragent", "user agent")  # google accepts these two typos
_DISALLOW_KEYS = ("disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw")


def product_token(value: str) -> str:
    """The product token a `User-agent` value names: its leading `[A-Za-z_-]` characters (RFC 9309 §2.2.1),
    so `GPTBot/1.0` and `GPTBot (+https://openai.com)` name GPTBot. Empty when the value starts otherwise."""
    return _TOKEN.match(value).group()  # type: ignore[union-attr]  # matches at least the empty string


def is_valid_product_token(value: str) -> bool:
    return bool(value) and product_token(value) == value


def normalise(path: str, charset: str = "utf-8") -> str:
    """The form paths and patterns are compared in (RFC 9309 §2.2.2): escapes of unreserved characters
    decoded (`/%7Efoo` is `/~foo`), other escapes in upper case (`%aa` is `%AA`), octets outside
    US-ASCII percent-encoded from `charset` (`/ツ` is `/%E3%83%84`); `*`, `$`, `/`, `?` stay as written.
    """
    if _AS_IS.match(path):
        return path
    if "%" in path:
        path = _ESCAPE.sub(_unescape, path)
    return _TO_ENCODE.sub(lambda m: _escape(m.group(), charset), path)


def _unescape(m: re.Match[str]) -> str:
    decoded = chr(int(m.group(1), 16))
    return decoded if decoded in _UNRESERVED else "%" + m.group(1).upper()


def _escape(text: str, charset: str) -> str:
    try:
        # surrogateescape: a URL whose raw bytes were not UTF-8 gets those bytes back
        data = text.encode(charset, "surrogateescape")
    except UnicodeEncodeError:
        if charset != "utf-8":
            raise  # no single-byte form (see _single_byte)
        data = text.encode("utf-8", "surrogatepass")
    return "".join(f"%{_HEX[b >> 4]}{_HEX[b & 15]}" for b in data)


def _single_byte(value: str) -> tuple[str, int] | None:
    """Pattern and priority of a rule as a single-byte site writes its URLs (`/café` as `/caf%E9`).

    robots.robots_text keeps a non-UTF-8 file's octets as Latin-1 characters, so this gives back the
    octets the file held, as google matches them; the UTF-8 form matches the URL a browser makes of
    the same text. A rule matches both; for a UTF-8 file the extra form names a URL the site does not
    serve."""
    for charset in ("latin-1", "cp1252"):
        try:
            return _pattern(value, charset)
        except UnicodeEncodeError:
            continue
    return None


def request_path(url: str) -> str:
    """Path, params and query of a URL, without scheme, authority and fragment; always starts with `/`.

    As google's GetPathParamsQuery, so a URL given without a scheme (`example.com/a`) still has its path.
    """
    start = 2 if url.startswith("//") else 0
    early = _find_any(url, "/?;", start)
    proto = url.find("://", start)
    # a `://` after the first `/`, `?` or `;` is data, not the end of a scheme
    proto_end = start if proto < 0 or 0 <= early < proto else proto + 3
    path_start = _find_any(url, "/?;", proto_end)
    if path_start < 0:
        return "/"
    hash_pos = url.find("#", start)
    if 0 <= hash_pos < path_start:
        return "/"
    path = url[path_start : hash_pos if hash_pos >= 0 else len(url)]
    return path if path.startswith("/") else "/" + path


def _find_any(text: str, chars: str, start: int) -> int:
    found = [i for i in (text.find(c, start) for c in chars) if i >= 0]
    return min(found) if found else -1


class Rule:
    """One Allow or Disallow line: its pattern in the normal form and its priority (see _pattern)."""

    __slots__ = ("allow", "pattern", "priority", "line", "_literal", "_anchored")

    def __init__(self, allow: bool, pattern: str, priority: int, line: int):
        self.allow = allow
        self.pattern = pattern
        self.priority = priority
        self.line = line
        self._anchored = pattern.endswith("$")
        body = pattern[:-1] if self._anchored else pattern
        self._literal = None if "*" in body else body  # most rules: a plain prefix, compared directly

    def __repr__(self) -> str:
        return f"Rule({'Allow' if self.allow else 'Disallow'}: {self.pattern!r}, line {self.line})"

    def matches(self, path: str) -> bool:
        """Anchored at the start; `*` is any run of characters, `$` ends the path only as the last character."""
        if (literal := self._literal) is not None:
            return path == literal if self._anchored else path.startswith(literal)
        return _wildcard_match(path, self.pattern[:-1] if self._anchored else self.pattern, self._anchored)


def _wildcard_match(path: str, pattern: str, anchored: bool) -> bool:
    """Each literal piece is found at its earliest place after the previous one: a greedy scan that is
    exact for `*`-only patterns and linear in the path, whatever a hostile pattern holds."""
    pieces = pattern.split("*")
    if not path.startswith(pieces[0]):
        return False
    pos = len(pieces[0])
    for piece in pieces[1:-1]:
        pos = path.find(piece, pos)
        if pos < 0:
            return False
        pos += len(piece)
    last = pieces[-1]
    if anchored:
        return len(path) - len(last) >= pos and path.endswith(last)
    return path.find(last, pos) >= 0


@dataclass(slots=True)
class _Group:
    tokens: set[str] = field(default_factory=set)  # lower-cased product tokens
    is_global: bool = False
    rules: list[Rule] = field(default_factory=list)


def _key_type(key: str) -> str:
    key = key.lower()
    if key.startswith(_USER_AGENT_KEYS):
        return "user-agent"
    if key.startswith("allow"):
        return "allow"
    if key.startswith(_DISALLOW_KEYS):
        return "disallow"
    return "other"  # Sitemap, Crawl-delay, Request-rate, Content-Usage, anything unknown: ends no group


def _cut(line: str) -> str:
    """The line without the bytes google ignores past MAX_LINE_BYTES."""
    encoded = line.encode("utf-8", "surrogatepass")
    return encoded[:MAX_LINE_BYTES].decode("utf-8", "ignore") if len(encoded) > MAX_LINE_BYTES else line


def match_path(url: str) -> str:
    """The URL's path and query in the normal form rules are matched against. A `*` or `$` in a URL is
    data, compared as `%2A`, `%24`: a rule writes them so to match them (RFC 9309 §2.2.3)."""
    path = normalise(request_path(url))
    if "*" in path or "$" in path:
        path = path.replace("*", "%2A").replace("$", "%24")
    return path


def _pattern(value: str, charset: str = "utf-8") -> tuple[str, int]:
    """A rule's pattern in the normal form, and its priority: the octets it matches (RFC 9309 §2.2.2).

    `*` is a wildcard and `$` an anchor only as the last character (google); a `$` anywhere else is the
    character itself, spelled `%24` as match_path spells it but counted as the one octet it matches.
    """
    pattern = normalise(value, charset)
    core, end = (pattern[:-1], "$") if pattern.endswith("$") else (pattern, "")
    return (core.replace("$", "%24") + end if "$" in core else pattern), len(pattern)


class RobotsTxt:
    """A parsed robots.txt: `allowed(url, agent)` and `deciding_rule(path, agent)` per RFC 9309 §2.2."""

    def __init__(self, body: str):
        self._specific: dict[str, list[_Group]] = {}
        self._global: list[_Group] = []
        self._ordered: dict[str, list[Rule]] = {}  # agent → its rules by priority, built on first use
        kinds: dict[str, str] = {}
        group: _Group | None = None
        if body[:1] in ("\ufeff", "\u00ef"):
            body = _BOM.sub("", body, count=1)
        if "\r" in body:
            body = _EOL.sub("\n", body)
        for number, line in enumerate(body.split("\n"), start=1):
            if len(line) > MAX_LINE_BYTES // 4:
                line = _cut(line)
            if "#" in line:
                line = line[: line.index("#")]
            line = line.strip(_WS)
            if not line:
                continue
            sep = line.find(":")
            if sep >= 0:
                key, value = line[:sep].rstrip(_WS), line[sep + 1 :].lstrip(_WS)
                if not key:
                    continue
            elif m := _NO_COLON.match(line):  # google: `key value`, exactly two words, means `key: value`
                key, value = m.groups()
            else:
                continue
            if (kind := kinds.get(key)) is None:
                kind = kinds[key] = _key_type(key)
            if kind == "user-agent":
                if group is None or group.rules:
                    # a user-agent line after a rule starts a group; one after other lines joins the group
                    group = _Group()
                self._add_agent(group, value)
            elif group is not None and kind != "other":
                self._add_rule(group, kind == "allow", value, number)

    def _add_agent(self, group: _Group, value: str) -> None:
        # google: `*` alone or followed by a space is the global agent
        if value.startswith("*") and (len(value) == 1 or value[1] in _WS):
            if not group.is_global:
                group.is_global = True
                self._global.append(group)
            return
        token = product_token(value).lower()
        if token not in group.tokens:
            group.tokens.add(token)
            self._specific.setdefault(token, []).append(group)

    @staticmethod
    def _add_rule(group: _Group, allow: bool, value: str, number: int) -> None:
        pattern, priority = _pattern(value)
        group.rules.append(Rule(allow, pattern, priority, number))
        if not value.isascii() and (single := _single_byte(value)) is not None and single[0] != pattern:
            group.rules.append(Rule(allow, *single, number))
        if allow and "/index.htm" in value:
            # google: an allowed `…/index.htm(l)` also allows its directory (`…/$`)
            slash = value.rfind("/")
            if value.startswith("/index.htm", slash):
                directory, priority = _pattern(value[: slash + 1])
                group.rules.append(Rule(True, directory + "$", priority + 1, number))

    def rules_for(self, agent: str) -> list[Rule]:
        """The rules of every group naming the agent's product token, else of every `*` group (§2.2.1)."""
        groups = self._specific.get(agent.lower()) if agent != "*" else None
        return [rule for group in (groups or self._global) for rule in group.rules]

    def deciding_rule(self, path: str, agent: str) -> Rule | None:
        """The rule that decides for a path in match_path's form: the longest matching pattern, Allow on a
        tie; None when none matches or only empty patterns do (both mean allowed)."""
        if (rules := self._ordered.get(agent)) is None:
            rules = self._by_priority(agent)
        for rule in rules:
            if rule.matches(path):
                return rule
        return None

    def _by_priority(self, agent: str) -> list[Rule]:
        # an empty pattern matches everything with priority 0: it decides nothing (google, RFC 9309 §2.2.2)
        rules = [rule for rule in self.rules_for(agent) if rule.pattern]
        rules.sort(key=lambda rule: (-rule.priority, not rule.allow))
        self._ordered[agent] = rules
        return rules

    def allowed(self, url: str, agent: str) -> bool:
        rule = self.deciding_rule(match_path(url), agent)
        return rule is None or rule.allow
