"""W3C TDMRep (Text and Data Mining Reservation Protocol): the host file, the HTTP header, the HTML meta.

Precedence as the protocol defines it: `/.well-known/tdmrep.json` < `tdm-reservation` header < HTML
`<meta name="tdm-reservation">`; the most specific source present decides, so a page's meta `0`
lifts a host-wide reservation. Values other than 0 and 1 are ignored and counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from eurocurate.filters.optout.rfc9309 import match_path, normalise


@dataclass(frozen=True, slots=True)
class TdmRule:
    location: str
    reservation: int | None
    policy: str | None


@dataclass(frozen=True, slots=True)
class TdmDecision:
    reserved: bool | None  # None: no TDMRep signal at all
    source: str | None  # file | header | meta
    evidence: str
    ignored_values: int = 0


def parse_tdmrep_file(body: str) -> list[TdmRule]:
    """Rules of a tdmrep.json (a JSON array of {location, tdm-reservation, tdm-policy}); [] when malformed."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, TypeError):
        return []
    if not isinstance(data, list):
        return []
    rules = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("location"), str):
            value = item.get("tdm-reservation")
            rules.append(TdmRule(item["location"], value if value in (0, 1) else None, item.get("tdm-policy")))
    return rules


def location_matches(location: str, path: str) -> bool:
    """TDMRep locations are path patterns in the robots.txt style: prefix match, `*` any run, `$` end.

    Matched piece by piece (each piece found at its leftmost place after the previous one), in time
    linear in the path: a regular expression of the pattern backtracks, and a location like
    `/*a*a*a*a*a*a*a*a*a*a*b` in a hostile tdmrep.json held one URL for minutes.
    """
    anchored = location.endswith("$")
    first, *rest = location.rstrip("$").split("*")
    if not path.startswith(first):
        return False
    if not rest:
        return len(path) == len(first) if anchored else True
    pos = len(first)
    for piece in rest[:-1]:
        found = path.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    last = rest[-1]
    if anchored:
        return path.endswith(last) and len(path) - len(last) >= pos
    return path.find(last, pos) >= 0


def match_file(rules: list[TdmRule], url: str) -> TdmRule | None:
    """The first rule whose location matches the URL's path (rules are read in document order).

    Both are compared in one normal form (TDMRep: a percent-encoded character that is not reserved is decoded
    before comparing), robots.txt's (`rfc9309.normalise`): `/~anna/` matches `/%7Eanna/x`, and `/café/` matches
    `/caf%C3%A9/x` and `/caf%c3%a9/x`. `*` and `$` in a location keep their meaning; in the URL they are data."""
    path = match_path(url)
    for rule in rules:
        if location_matches(normalise(rule.location), path):
            return rule
    return None


def _value(raw: str) -> int | None:
    raw = raw.strip().strip('"')
    return int(raw) if raw in ("0", "1") else None


def decide_tdmrep(url: str, file_rules: list[TdmRule] | None, headers: list[str], metas: list[str]) -> TdmDecision:
    ignored = 0
    decision = TdmDecision(None, None, "")
    if file_rules:
        rule = match_file(file_rules, url)
        if rule is not None and rule.reservation is not None:
            decision = TdmDecision(
                bool(rule.reservation),
                "file",
                f"tdmrep.json location {rule.location!r} tdm-reservation={rule.reservation}"
                + (f" policy {rule.policy}" if rule.policy else ""),
            )
        elif rule is not None:
            ignored += 1
    for source, values in (("header", headers), ("meta", metas)):
        for raw in values:  # a later value of the same source overrides an earlier one
            value = _value(raw)
            if value is None:
                ignored += 1
                continue
            decision = TdmDecision(bool(value), source, f"tdm-reservation {source}={value}")
    return TdmDecision(decision.reserved, decision.source, decision.evidence, ignored)
