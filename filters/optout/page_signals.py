"""Opt-out signals carried by the page itself: `X-Robots-Tag` and meta robots `noai`, AIPREF
`Content-Usage` headers, and the `<meta>` tags TDMRep reads.

Owns the parsing of those headers and tags; an agent-scoped directive (`X-Robots-Tag: otherbot: noai`,
`<meta name="otherbot" content="noai">`) counts only when its agent is in the configured set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eurocurate.filters.optout.robots import aipref_reserves

_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_HEAD_END = re.compile(r"</head\s*>|<body\b", re.IGNORECASE)
NOAI_DIRECTIVES = frozenset({"noai"})  # `noimageai` is about images and does not reserve text


@dataclass
class PageMetas:
    robots: list[tuple[str, str]] = field(default_factory=list)  # (meta name, content): robots and per-agent names
    tdm_reservation: list[str] = field(default_factory=list)
    tdm_policy: list[str] = field(default_factory=list)


def read_metas(html: str, head_limit: int = 65536) -> PageMetas:
    """`<meta>` tags of the document head (up to `</head>` or `<body>`, at most `head_limit` characters)."""
    head = html[:head_limit]
    if m := _HEAD_END.search(head):
        head = head[: m.start()]
    metas = PageMetas()
    for tag in _META.findall(head):
        attrs = {k.lower(): (a or b or c) for k, a, b, c in _ATTR.findall(tag)}
        name = attrs.get("name", "").strip().lower()
        content = attrs.get("content", "")
        if name == "tdm-reservation":
            metas.tdm_reservation.append(content)
        elif name == "tdm-policy":
            metas.tdm_policy.append(content)
        elif name:
            metas.robots.append((name, content))
    return metas


def _directives(value: str) -> set[str]:
    return {d.strip().lower() for d in value.split(",") if d.strip()}


def x_robots_noai(values: list[str], agents: tuple[str, ...]) -> str | None:
    """The X-Robots-Tag value that says `noai` for everyone or for an agent of the set, else None."""
    wanted = {a.lower() for a in agents}
    for value in values:
        scope, sep, rest = value.partition(":")
        # "otherbot: noai, noindex" is scoped; "noai, noindex" is not (a directive never contains ':')
        if sep and "," not in scope and scope.strip() and " " not in scope.strip():
            if scope.strip().lower() not in wanted:
                continue
            directives = _directives(rest)
        else:
            directives = _directives(value)
        if directives & NOAI_DIRECTIVES:
            return value
    return None


def meta_noai(metas: PageMetas, agents: tuple[str, ...]) -> str | None:
    wanted = {a.lower() for a in agents} | {"robots"}
    for name, content in metas.robots:
        if name in wanted and _directives(content) & NOAI_DIRECTIVES:
            return f'<meta name="{name}" content="{content}">'
    return None


def content_usage_header(values: list[str]) -> str | None:
    """The AIPREF `Content-Usage` header value that says no to AI training, else None."""
    for value in values:
        if aipref_reserves(value):
            return value
    return None
