"""Page facts read from the parsed HTML head: title, `<html lang>`, canonical URL, licence links, date.

Owns only what a page declares about itself in markup (cheap CSS lookups on a lexbor tree); it does
not decide what the main text is (`extract.fast`) nor interpret a licence (the provenance stage does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

_MAX_TITLE = 500
_MAX_LANG = 35
_MAX_URL = 2000
_MAX_LICENCE_LINKS = 10
# Publication date declarations, most specific first (Open Graph article, schema.org, Dublin Core, plain).
_DATE_SELECTORS: Final = (
    'meta[property="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="dcterms.created"]',
    'meta[name="DC.date.issued"]',
    'meta[name="dc.date"]',
    'meta[name="DC.date"]',
    'meta[name="date"]',
    'meta[name="pubdate"]',
)
_CANONICAL: Final = "link[rel~=canonical][href]"
_LICENCE_LINK: Final = "link[rel~=license][href]"
_LICENCE_ANCHOR: Final = "a[rel~=license][href]"
# Every element a fact comes from, found in one walk of the tree in document order (a lookup per fact walked it
# four times); which fact an element gives is then asked of it alone (`css_matches`, lexbor's own matching).
_FACT_ELEMENTS: Final = ":is(" + ",".join(("title", _CANONICAL, _LICENCE_LINK, _LICENCE_ANCHOR, *_DATE_SELECTORS)) + ")"


@dataclass(slots=True)
class PageFacts:
    """What the page says about itself; None (or empty) where it says nothing."""

    title: str | None = None
    html_lang: str | None = None
    canonical_url: str | None = None
    licence_links: list[str] = field(default_factory=list)
    published: str | None = None


def read_page_facts(tree: LexborHTMLParser, url: str | None = None) -> PageFacts:
    """Facts of a parsed page; relative URLs are resolved against the page URL when it is known."""
    facts = PageFacts()
    root = tree.root
    if root is not None:
        lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
        if lang and lang.strip():
            facts.html_lang = lang.strip()[:_MAX_LANG]
    title = canonical = None
    licence_nodes, dated = [], []
    for node in tree.css(_FACT_ELEMENTS):
        tag = node.tag
        if tag == "title":
            if title is None:
                title = node
        elif tag == "meta":  # only the date selectors name a meta element
            dated.append(node)
        elif tag == "a":  # only the licence anchor selector names an anchor
            licence_nodes.append(node)
        else:  # a link: canonical, licence or both (a link element has no children: the match is its own)
            if canonical is None and node.css_matches(_CANONICAL):
                canonical = node
            if node.css_matches(_LICENCE_LINK):
                licence_nodes.append(node)
    if title is not None:
        text = " ".join(title.text().split())
        facts.title = text[:_MAX_TITLE] or None
    if canonical is not None:
        facts.canonical_url = _absolute(canonical.attributes.get("href"), url)
    seen: dict[str, None] = {}
    for node in licence_nodes:
        href = _absolute(node.attributes.get("href"), url)
        if href:
            seen.setdefault(href)
        if len(seen) >= _MAX_LICENCE_LINKS:
            break
    facts.licence_links = list(seen)
    for selector in _DATE_SELECTORS if dated else ():  # the first element each selector names, in their order
        node = next((n for n in dated if n.css_matches(selector)), None)
        value = node.attributes.get("content") if node is not None else None
        if value and value.strip():
            facts.published = value.strip()[:64]
            break
    return facts


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href or not href.strip():
        return None
    href = href.strip()
    try:
        return (urljoin(base, href) if base else href)[:_MAX_URL]
    except ValueError:  # malformed base or href (e.g. a bad IPv6 literal): keep what the page wrote
        return href[:_MAX_URL]
