"""Main text of one HTML page: the reference path (trafilatura as is) and the fast path.

The fast path parses once with lexbor (selectolax), reads the page facts from that tree and deletes the
elements trafilatura would delete anyway. A page whose single main container is plain prose (paragraphs,
no link lists, no boilerplate class names) is read directly; any other page is read by trafilatura's
precision rules ported to lexbor (`extract.rules`), lxml never involved. Where those rules find little
for the page's size while most of its text lies outside what they found, the page's dominant container
is read instead (`extract.region.extract_region_text`, the short structured pages of documentation
sites); only a page without one, or whose container gives less than the rules, goes to trafilatura's
full cascade (its rules compared with readability and jusText), on the page narrowed to its main
container. Settings the port does not implement (favour_precision or tables off) take trafilatura's
fast mode instead of the port. Owns no pipeline wiring (see `extract.stage.HtmlExtractor`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

import trafilatura
from selectolax.lexbor import LexborHTMLParser, LexborNode

from eurocurate.pipelines.extract.blocks import exceeds, inside, trim
from eurocurate.pipelines.extract.facts import PageFacts, read_page_facts
from eurocurate.pipelines.extract.region import extract_region_text
from eurocurate.pipelines.extract.rules import MIN_EXTRACTED_CHARS, extract_main_text

# trafilatura logs every page it cannot extract at WARNING; the ledger already records those
logging.getLogger("trafilatura").setLevel(logging.ERROR)

ExtractionMode = Literal["reference", "fast"]

# How a page's text was obtained; counted per path by the stage.
PATH_REFERENCE: Final = "reference"
PATH_DIRECT: Final = "direct"
PATH_RULES: Final = "rules"
PATH_REGION: Final = "region"
PATH_TRAFILATURA_FAST: Final = "trafilatura_fast"
PATH_TRAFILATURA_FULL: Final = "trafilatura_full"

# Elements trafilatura's tree cleaning deletes unconditionally (settings.MANUALLY_CLEANED minus `form`,
# `figure` and `head`, which it treats conditionally or we still read). Deleting them in C before lxml
# ever sees the page is what makes trafilatura's XPath passes cheap. lexbor walks the tree once per tag, so the
# tags whose subtrees hold the most nodes go first (the order of the dev corpus's every third page): the walks
# after them are shorter, 10% of the stripping's time; any order leaves the same tree.
_STRIP_TAGS: Final = [
    "nav", "aside", "footer", "script", "svg", "button", "link", "label", "input", "noscript", "select", "style",
    "picture", "option", "fieldset", "iframe", "textarea", "map", "area", "menu", "template", "video", "object",
    "audio", "progress", "legend", "canvas", "math", "frame", "frameset", "embed", "applet", "menuitem", "dialog",
    "optgroup", "datalist", "output", "marquee",
]  # fmt: skip
# Main-content containers, most specific first; used only when one element clearly dominates.
_REGION_SELECTORS: Final = ("[itemprop=articleBody]", "article", "main", "[role=main]")
# ... all found in one walk of the tree; which of them an element matches is then read from its tag and attributes
# as lexbor compares them (whole values, case-sensitive)
_ANY_REGION: Final = ":is(" + ",".join(_REGION_SELECTORS) + ")"
_REGION_TESTS: Final[tuple[Callable[[str, dict[str, str | None]], bool], ...]] = (
    lambda tag, a: a.get("itemprop") == "articleBody",
    lambda tag, a: tag == "article",
    lambda tag, a: tag == "main",
    lambda tag, a: a.get("role") == "main",
)
_REGION_MIN_CHARS = 500  # a smaller container is as likely a teaser as the article
_RIVAL_SHARE = 0.2  # a second container with more than this share of the best one's text: ambiguous
# Rules (or trafilatura fast) output shorter than trafilatura's own minimum (MIN_EXTRACTED_SIZE) or than
# this share of the page's text is too little: the dominant container or the full cascade decides. On
# trafilatura's evaluation pages the cascade changes the result only where the output is under ~15% of
# the page; escalating more costs time, not F1.
_ESCALATE_SHARE = 0.15
_ESCALATE_MIN_CHARS = MIN_EXTRACTED_CHARS
# ... unless it holds this share of the page's text: with nothing substantial left outside it, no other
# reading finds more (a short page read whole).
_COVERED_SHARE = 0.8
# Direct read of a clean container.
_BLOCKS: Final = "h1,h2,h3,h4,h5,h6,p,li,pre,blockquote,dt,dd"
_DIRECT_MIN_CHARS = 200
_DIRECT_MAX_LINK_SHARE = 0.1
_DIRECT_MIN_COVERAGE = 0.9  # share of the container's text that sits in leaf blocks
# Inside a container, these say "not article prose": tables, forms, figures, and the class/id vocabulary
# of share bars, comment threads, bylines, related links, ads and newsletter boxes.
_NOT_PROSE_ELEMENTS: Final = "table,form,figure,figcaption,header,ol ol,ul ul,[hidden]"
_NOT_PROSE_WORDS: Final = (
    "share", "social", "comment", "related", "author", "byline", "meta", "tag", "caption",
    "newsletter", "subscribe", "promo", "advert", "sponsor", "widget", "sidebar", "breadcrumb",
    "cookie", "consent", "banner", "teaser", "recommend", "popular", "signup", "login", "rating",
    "credit", "copyright", "disclaimer", "footer", "nav", "menu", "toolbar", "print", "hidden",
)  # fmt: skip
# The words as CSS would test them (`[class*=word]`, case-sensitive), in one regex: lexbor tests an attribute
# substring per element and per word, 70 tests an element, which took four times as long as this.
_NOT_PROSE_WORD = re.compile("|".join(_NOT_PROSE_WORDS))


@dataclass(slots=True)
class Extraction:
    """The main text of a page (None when there is none), how it was found, and the page facts."""

    text: str | None
    path: str
    facts: PageFacts


class UnparseableHtml(ValueError):
    """The payload is not HTML any parser can read (the stage records it as a drop)."""


class ExtractionTimeout(Exception):
    """The page's deadline passed; the message says after which step (the stage records it as a drop)."""


def _check(deadline: float | None, step: str) -> None:
    # checked between steps: each step's input is bounded by the reader's max_bytes and the extractor's
    # max_depth, so a step ends; the deadline keeps a slow page from going on to the next one
    if deadline is not None and time.monotonic() > deadline:
        raise ExtractionTimeout(f"after {step}")


def extract_page(
    html: str,
    url: str | None = None,
    mode: ExtractionMode = "fast",
    favour_precision: bool = True,
    fast: bool = False,
    include_tables: bool = True,
    deadline: float | None = None,
) -> Extraction:
    """Main text and facts of one page. `fast` is trafilatura's own fast mode, used by the reference path.
    `deadline` (a `time.monotonic()` value): `ExtractionTimeout` when it passes between two steps."""
    tree = _parse(html)
    facts = read_page_facts(tree, url)
    _check(deadline, "parsing")
    options = {
        "url": url,
        "favor_precision": favour_precision,
        "include_comments": False,
        "include_tables": include_tables,
        "output_format": "txt",
        "with_metadata": False,
        "deduplicate": False,
    }
    if mode == "reference":
        del tree  # read: lxml's tree of a large page should not share memory with lexbor's
        ltree = trafilatura.load_html(html)
        if ltree is None:
            raise UnparseableHtml(f"lxml cannot parse {len(html)} chars")
        _check(deadline, "lxml parsing")
        return Extraction(trafilatura.extract(ltree, fast=fast, **options), PATH_REFERENCE, facts)
    if mode != "fast":
        raise ValueError(f"mode must be 'reference' or 'fast', got {mode!r}")
    tree.strip_tags(_STRIP_TAGS)
    body = tree.body
    if body is None:
        raise UnparseableHtml(f"no <body> in {len(html)} chars")
    region, region_chars = _main_region(tree)
    _check(deadline, "finding the main container")
    if region is not None:
        direct = _direct_text(region, region_chars, include_tables)
        if direct is not None:
            return Extraction(direct, PATH_DIRECT, facts)
    base_chars = region_chars if region is not None else len(body.text(separator=" ", strip=True))
    enough = max(_ESCALATE_MIN_CHARS, _ESCALATE_SHARE * base_chars)
    if favour_precision and include_tables:  # the settings the port implements
        text = region_text = None
        try:
            text = extract_main_text(body, lambda: _stripped_body(html))
            _check(deadline, "trafilatura's rules")
            if text is not None and len(text) >= min(enough, _COVERED_SHARE * base_chars):
                return Extraction(text, PATH_RULES, facts)
            # the first tree is read: released before the page is parsed again. A 41 MB page of 4 million
            # <span>s is a 1 GB lexbor tree; kept, it was in memory twice, then beside trafilatura's trees
            del tree, body, region
            region_text = extract_region_text(_stripped_body(html))
            _check(deadline, "the dominant container")
        except RecursionError:  # the port walks the tree recursively; lxml caps a page's depth itself
            pass
        if region_text is not None and len(region_text) >= len(text or ""):
            return Extraction(region_text, PATH_REGION, facts)
        narrowed = _narrowed_html(_parse(html))  # the rules pruned this tree
    else:
        narrowed = _narrowed_html(tree, region)
        del tree, body, region  # read: released before trafilatura builds its own trees
        text = _trafilatura(narrowed, True, options)
        _check(deadline, "trafilatura fast")
        if text is not None and len(text) >= enough:
            return Extraction(text, PATH_TRAFILATURA_FAST, facts)
    _check(deadline, "the shorter readings")
    return Extraction(_trafilatura(narrowed, False, options), PATH_TRAFILATURA_FULL, facts)


def _trafilatura(html: str, fast: bool, options: dict[str, object]) -> str | None:
    return trafilatura.extract(html, fast=fast, **options)


def _stripped_body(html: str) -> LexborNode:
    tree = _parse(html)
    tree.strip_tags(_STRIP_TAGS)
    if tree.body is None:
        raise UnparseableHtml(f"no <body> in {len(html)} chars")
    return tree.body


def _narrowed_html(tree: LexborHTMLParser, region: LexborNode | None = None) -> str:
    """The page as trafilatura gets it: boilerplate elements gone, narrowed to its main container."""
    if region is None:
        tree.strip_tags(_STRIP_TAGS)  # nothing left to strip on a tree stripped already
        region, _ = _main_region(tree)
    return f"<html><body>{region.html}</body></html>" if region is not None else tree.html or ""


def _parse(html: str) -> LexborHTMLParser:
    if not html or not html.strip():
        raise UnparseableHtml("empty payload")
    try:
        return LexborHTMLParser(html)
    except (UnicodeError, ValueError) as e:  # e.g. lone surrogates from a broken decoder
        raise UnparseableHtml(f"{type(e).__name__}: {e}"[:300]) from e


def _main_region(tree: LexborHTMLParser) -> tuple[LexborNode | None, int]:
    """The single element that holds the article, with its text length; (None, 0) when ambiguous."""
    found = [(n, n.tag, n.attributes) for n in tree.css(_ANY_REGION)]
    for test in _REGION_TESTS:
        nodes = [n for n, tag, a in found if test(tag, a)]
        if not nodes:
            continue
        sizes = sorted(((len(n.text(separator=" ", strip=True)), i) for i, n in enumerate(nodes)), reverse=True)
        best, index = sizes[0]
        if best < _REGION_MIN_CHARS or (len(sizes) > 1 and sizes[1][0] > _RIVAL_SHARE * best):
            return None, 0
        return nodes[index], best
    return None, 0


def _not_prose(region: LexborNode) -> bool:
    """Whether anything below the container says it is not plain prose (`_NOT_PROSE_ELEMENTS`, or a class or id
    holding one of `_NOT_PROSE_WORDS`)."""
    if inside(region, _NOT_PROSE_ELEMENTS):
        return True
    for node in inside(region, "[class],[id]"):
        a = node.attributes
        if _NOT_PROSE_WORD.search(a.get("class") or "") or _NOT_PROSE_WORD.search(a.get("id") or ""):
            return True
    return False


def _direct_text(region: LexborNode, region_chars: int, include_tables: bool) -> str | None:
    """The container's paragraphs when it is plainly prose; None when trafilatura should judge it."""
    # below the container: its own classes are no evidence (one query; a query per child cost 1.6 times as much)
    if region_chars < _DIRECT_MIN_CHARS or _not_prose(region):
        return None
    if exceeds(
        (len(a.text(separator=" ", strip=True)) for a in region.css("a")), _DIRECT_MAX_LINK_SHARE * region_chars
    ):
        return None
    lines: list[str] = []
    covered = 0
    # an outer block (one holding another): its inner blocks carry the text; found in one query, not one per block
    outer = {n.mem_id for n in region.css(f":is({_BLOCKS}):has({_BLOCKS})")}
    for block in region.css(_BLOCKS):
        if block.mem_id in outer:
            continue
        line = trim(block.text())
        if line:
            lines.append(line)
            covered += len(line)
    if covered < _DIRECT_MIN_COVERAGE * region_chars:
        return None
    return "\n".join(lines)
