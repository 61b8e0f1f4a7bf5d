"""Opt-out signals carried by the page itself: `X-Robots-Tag` and meta robots `noai`, AIPREF
`Content-Usage` headers, and the `<meta>` tags TDMRep reads.

Owns the parsing of those headers and tags; an agent-scoped directive (`X-Robots-Tag: otherbot: noai`,
`<meta name="otherbot" content="noai">`) counts only when its agent is in the configured set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eurocurate.filters.optout.robots import aipref_reserves, wanted_names

_ATTR = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
# One pass over the head: comments, scripts and styles are stepped over whole (a `</head>` or `<meta>` written
# inside them is not one), the head ends at `</head>` or `<body`, and each `<meta>` on the way is read.
_HEAD_TOKENS = re.compile(
    r"(?P<skip><!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>)|(?P<end></head\s*>|<body\b)|"
    r"(?P<meta><meta\b[^>]*>)",
    re.IGNORECASE | re.DOTALL,
)
# How much of a page is read for its head: inline styles, scripts and JSON-LD put metas 100 KB and more in.
HEAD_LIMIT = 1 << 20
NOAI_DIRECTIVES = frozenset({"noai"})  # `noimageai` is about images and does not reserve text
# X-Robots-Tag directives that take a value after a colon (Google's list): `max-snippet: 50, noai` is not scoped
# to an agent named max-snippet
_VALUED_DIRECTIVES = frozenset({"max-snippet", "max-image-preview", "max-video-preview", "unavailable_after"})


@dataclass
class PageMetas:
    robots: list[tuple[str, str]] = field(default_factory=list)  # (meta name, content): robots and per-agent names
    tdm_reservation: list[str] = field(default_factory=list)
    tdm_policy: list[str] = field(default_factory=list)


def read_metas(html: str, head_limit: int = HEAD_LIMIT) -> PageMetas:
    """`<meta>` tags of the document head (up to `</head>` or `<body>` outside comments, scripts and styles, within
    the first `head_limit` characters)."""
    metas = PageMetas()
    for token in _HEAD_TOKENS.finditer(html, 0, head_limit):
        if token.lastgroup == "end":
            break
        if token.lastgroup != "meta":
            continue
        tag = token.group()
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
    wanted = wanted_names(agents)
    for value in values:
        scope, sep, rest = value.partition(":")
        # "otherbot: noai, noindex" is scoped; "noai, noindex" and "max-snippet: 50, noai" are not
        name = scope.strip().lower()
        if sep and "," not in scope and name and " " not in name and name not in _VALUED_DIRECTIVES:
            if name not in wanted:
                continue
            directives = _directives(rest)
        else:
            directives = _directives(value)
        if directives & NOAI_DIRECTIVES:
            return value
    return None


def meta_noai(metas: PageMetas, agents: tuple[str, ...]) -> str | None:
    wanted = wanted_names(agents) | {"robots"}
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
