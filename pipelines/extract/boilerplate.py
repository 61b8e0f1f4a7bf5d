"""trafilatura's cleaning and boilerplate expressions (trafilatura 2.3, precision focus) on a lexbor tree.

Owns what its tree cleaning deletes, its discard expressions (navigation, sharing, ads, footers, hidden
and comment sections, captions, teasers) with their over-pruning guard, and its link-density tests, plus
the deletion helpers they need. Used by both readings of a page: the container rules (`extract.rules`)
and the dominant container (`extract.region`). Decides nothing about which container holds the main
text and reads no text out. Mutates the tree it is given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Final

from selectolax.lexbor import LexborNode

from eurocurate.pipelines.extract.blocks import HEADINGS, has_element_child, inside, is_layout_table, trim

Attributes = dict[str, str | None]

# Elements trafilatura's cleaning deletes that `extract.fast` has not stripped already (figure: unless it
# holds a table; form: unless it holds most of the page's text, the ASP.NET page-wrapper case).
_CLEANED: Final = "time,noindex,param,rp,rt,rtc,source,track,use,fencedframe,blink"
_CLEANED_TAGS: Final = frozenset(_CLEANED.split(","))
# Elements it then deletes when empty (settings.CUT_EMPTY_ELEMS), in precision mode with the text that
# follows them, which by then runs over the tags it unwrapped (settings.MANUALLY_STRIPPED).
# The empty elements come from one `:empty` query, their tags tested in Python: lexbor tests a type selector per
# element and per tag, 22 tests an element, which took 1.6 times as long.
_CUT_EMPTY: Final = frozenset(
    "article b blockquote dd div dt em h1 h2 h3 h4 h5 h6 i li main p pre q section span strong".split()
)
_UNWRAPPED: Final = frozenset(
    "abbr acronym address bdi bdo big cite data dfn font hgroup img ins mark meta nobr ruby small tbody "
    "template tfoot thead wbr -text -comment".split()
)
# ... and, once it has converted the tags, the formatting it strips too: what a later deletion "without
# the tail" takes along.
_UNWRAPPED_LATER: Final = _UNWRAPPED | frozenset("em i b strong u kbd samp tt var sub sup".split())
# The tags its discard expressions test: div, item, list, p, section, span after its tag conversion (which
# makes divs of details, of the forms and figures it keeps, and of layout tables).
_DISCARDABLE: Final = frozenset("div details form figure li dd dt ul ol dl p section span".split())
DIVS: Final = "div,details,form,figure,table[role=presentation],table[role=none]"

# --- discard expressions: trafilatura.xpaths -----------------------------------------------------------
_COMMENTS_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments")
# CSS narrows the candidates in C, the expressions above decide
_COMMENTS_TAGS: Final = frozenset("div section details ul ol dl".split())
_COMMENTS_CSS: Final = (
    ":is(div,section,details,ul,ol,dl):is([id*=omment],[id*=comol],[id*=disqus_thread],[id*=dsq-comments],"
    "[class*=omment])"
)
_SCROLL = re.compile(r"mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = re.compile(r"mvp-post-add-(?:box|wrap)")
_SCROLL_TAGS: Final = frozenset({"div", "section"})
_SCROLL_CSS: Final = (
    ":is(div,section):is([id*=mvp-post-add],[class*=mvp-post-add],[id*=nfinite],[class*=nfinite],"
    "[class*=elementor-share-buttons])"
)
_BOTH = r"^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author"
_OVERALL_ID = re.compile(
    _BOTH + r"|^(?:jp-|dpsp-content)|bmdh|footer|Footer|share|Share|nav|Nav|menu|related|message-container"
    r"|premium|^ad-"
)
_OVERALL_CLASS_WORDS = (
    _BOTH + r"|^(?:nav|post-nav|ZendeskForm)|subnav|avigation|navbar|navbox|menu|bar| ad |-ad-|(?:^| )ad-"
    r"|dfp[Aa]d|outbrain|taboola|criteo|paid-?content|widget|footer|Footer|byline|Byline|share-|sociable"
    r"|tag-list|consent|modal-content|permission|elated|next-|-stories|most-popular|more-on"
    r"|meta|rating|attachment|timestamp|user-info|user-profile|-icon|article-infos|message-container|slide"
    r"|viewport|overlay|options|expand|obfuscated|blurred|mol-factbox|yin|zlylin|nfoline"
)
_OVERALL_CLASS = re.compile(_OVERALL_CLASS_WORDS + "|embedded|embed")
# Without "embed", which aims at media embeds (iframes and scripts, stripped already) and hits the sections
# documentation transcludes (LibreOffice help's `embedded`): for the dominant-container reading.
_OVERALL_CLASS_NO_EMBEDS = re.compile(_OVERALL_CLASS_WORDS)
_HIDDEN_CLASS = re.compile(
    r"^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print| hidden| hide"
    r"|noprint|notloaded"
)
_HIDDEN_ID = re.compile(r"reader-comments|akismet")
_BOTTOM = re.compile(r"(^|\s)bottom|bottom(\s|$)")
_LINK = re.compile(r"(^|\s)link(\s|$)")
ATTRIBUTED: Final = "[class],[id],[style],[role],[aria-hidden],[data-component],[data-lp-replacement-content]"


# --- cleaning (trafilatura.htmlprocessing.tree_cleaning, comment sections) ----------------------------


def clean_tree(body: LexborNode) -> None:
    # one walk over the page for the four deletions that do not depend on each other
    doomed = [
        n
        for n in inside(body, f"{_CLEANED},figure,{_SCROLL_CSS},{_COMMENTS_CSS}")
        if n.tag in _CLEANED_TAGS
        or (n.tag == "figure" and n.css_first("table") is None)
        or (n.tag in _SCROLL_TAGS and _scroll_matches(n))
        or (n.tag in _COMMENTS_TAGS and _comments_match(n.attributes))
    ]
    delete_nodes(doomed)
    forms = inside(body, "form")
    if forms:
        total = len(body.text())
        delete_nodes([f for f in forms if not (total and len(f.text()) > total / 2)])
    doomed = []
    for node in inside(body, ":empty"):
        if node.tag in _CUT_EMPTY:
            doomed += _with_tail(node, _UNWRAPPED)
    delete_nodes(doomed)


def _scroll_matches(node: LexborNode) -> bool:
    a = node.attributes
    c, i = a.get("class") or "", a.get("id") or ""
    if "elementor-share-buttons" in c:
        return True
    if not (_SCROLL.search(i) or _SCROLL.search(c)):
        return False
    return node.css_first("h1") is None or bool(_MVP.search(i) or _MVP.search(c))


def _comments_match(a: Attributes) -> bool:
    return bool(_COMMENTS_ID.search(a.get("id") or "") or _COMMENTS_CLASS.search(a.get("class") or ""))


# --- pruning a container (trafilatura.main_extractor.prune_unwanted_sections) ------------------------


def prune_sections(root: LexborNode, whole_page: bool = False) -> None:
    """Delete what the rules call boilerplate below `root`, a container or (for the stray-block search,
    which keeps teaser blocks and has no last heading to drop) the whole page."""
    # both discards read tag and attributes only: one walk, one deletion
    candidates = [(n, n.tag, n.attributes) for n in inside(root, ATTRIBUTED + ",header")]
    doomed = [n for n, tag, a in candidates if _precision_discard(tag, a, keep_teasers=whole_page)]
    matched = [n for n, tag, a in candidates if overall_discard(tag, a)]
    if matched:
        outer = _outermost(matched, root)
        if leaves_enough(len(root.text()), (len(n.text()) for n in outer)):  # else it would empty the container
            doomed += outer
    delete_nodes(doomed, root)
    delete_by_link_density_twice(root, ((DIVS, True), ("ul,ol,dl", False), ("p", False)))
    tables = [t for t in inside(root, "table") if link_heavy_table(t)]
    delete_nodes([n for t in tables for n in _with_tail(t, _UNWRAPPED_LATER)], root)
    while not whole_page and (last := _last_element(root)) is not None and last.tag in HEADINGS:
        delete_nodes(_with_tail(last, _UNWRAPPED_LATER))
    delete_by_link_density(root, "h1,h2,h3,h4,h5,h6,summary", backtracking=False)
    delete_by_link_density(root, "blockquote,q,pre", backtracking=False)


def leaves_enough(total: int, removed: Iterable[int]) -> bool:
    """trafilatura's guard against over-pruning: `total - sum(removed) > total / 7`, the lengths read only until
    what remains is too little (the answer cannot change after that)."""
    remaining = total
    for length in removed:
        remaining -= length
        if remaining <= total / 7:
            return False
    return remaining > total / 7


def _first_of(a: Attributes, x: str, y: str) -> str:
    """XPath `@x|@y` as a string: the value of whichever attribute comes first in the source."""
    if y not in a:  # most elements have one of the two: no need to look at the order
        return a.get(x) or ""
    if x not in a:
        return a.get(y) or ""
    for k, v in a.items():
        if k in (x, y):
            return v or ""
    return ""


def overall_discard(tag: str, a: Attributes, embeds: bool = True) -> bool:
    """OVERALL_DISCARD_XPATH: navigation, sharing, ads, footers, hidden and metadata sections (`embeds`:
    with its embedded-media class words)."""
    # called for every attributed element of a page, so inlined: a layout table (role presentation or none) counts
    # as a div, and `_first_of` is read directly for the usual case of an element with one of the two attributes
    c, i = a.get("class") or "", a.get("id") or ""
    overall_class, region_class, hidden_class = _class_discards(c) if c else (False, False, False)
    overall_id, hidden_id = _id_discards(i) if i else (False, False)
    id_or_class = i if "class" not in a else c if "id" not in a else _first_of(a, "id", "class")
    if (tag in _DISCARDABLE or (tag == "table" and (a.get("role") or "") in ("presentation", "none"))) and (
        "data-lp-replacement-content" in a
        or "nav" in (a.get("role") or "").replace("N", "n")
        or "MostPopularStories" in (a.get("data-component") or "")
        or "cookie" in id_or_class
        or overall_id
        or (overall_class if embeds else region_class)
    ):
        return True
    style = a.get("style") or ""
    return (
        c == "comments-title"
        or id_or_class.startswith("reply-")
        or "hidden" in (i if "style" not in a else style if "id" not in a else _first_of(a, "id", "style"))
        or "display:none" in style
        or "display: none" in style
        or hidden_id
        or hidden_class
        or a.get("aria-hidden") == "true"
    )


@functools.lru_cache(maxsize=1 << 14)
def _id_discards(element_id: str) -> tuple[bool, bool]:
    """The id expressions an id attribute matches: overall discard, hidden. Sites repeat their ids too."""
    return bool(_OVERALL_ID.search(element_id)), bool(_HIDDEN_ID.search(element_id))


@functools.lru_cache(maxsize=1 << 14)
def _class_discards(classes: str) -> tuple[bool, bool, bool]:
    """The class expressions a class attribute matches: overall discard, the same without embeds, hidden.
    A site repeats its class attributes on every page: searched once, the answer is a lookup."""
    return (
        bool(_OVERALL_CLASS.search(classes)),
        bool(_OVERALL_CLASS_NO_EMBEDS.search(classes)),
        bool(_HIDDEN_CLASS.search(classes)),
    )


def _precision_discard(tag: str, a: Attributes, keep_teasers: bool) -> bool:
    """DISCARD_IMAGE_ELEMENTS (captions), TEASER_DISCARD_XPATH and PRECISION_DISCARD_XPATH."""
    if tag == "header":
        return True
    if tag not in _DISCARDABLE and not (tag == "table" and (a.get("role") or "") in ("presentation", "none")):
        return False
    c, i = a.get("class") or "", a.get("id") or ""
    if "caption" in c or "caption" in i:
        return True
    if not keep_teasers and ("teaser" in c.replace("T", "t") or "teaser" in i.replace("T", "t")):
        return True
    first = i if "class" not in a else c if "id" not in a else _first_of(a, "id", "class")
    # the words are looked for first (a C scan): most values hold neither, and the expressions cost 8 times as much
    return (
        ("bottom" in first and _BOTTOM.search(first) is not None)
        or ("link" in first and _LINK.search(first) is not None)
        or "border" in (a.get("style") or "")
    )


def delete_by_link_density_twice(container: LexborNode, tests: tuple[tuple[str, bool], ...], links: str = "a") -> None:
    """trafilatura's two rounds of link-density tests (`delete_by_link_density` with each selector and
    backtracking flag of `tests`, in order). A test is not run again when nothing was deleted since it last
    ran: on the same tree it would find what it found then, nothing (a third of the tests on the dev corpus)."""
    unchanged = 0  # tests in a row that deleted nothing
    for k in range(2 * len(tests)):
        if unchanged >= len(tests):
            return
        selector, backtracking = tests[k % len(tests)]
        unchanged = 0 if delete_by_link_density(container, selector, backtracking, links) else unchanged + 1


def delete_by_link_density(container: LexborNode, selector: str, backtracking: bool, links: str = "a") -> bool:
    """Delete the elements matching `selector` (block elements, never a link themselves) below `container`
    that fail trafilatura's link-density test; True when any was deleted."""
    doomed = []
    for elem in with_links(container, selector, links, may_be_links=False):  # one without links passes the test
        heavy, short_with_links = _link_density(elem, links)
        if heavy or (backtracking and short_with_links and has_element_child(elem) and len(trim(elem.text())) < 200):
            parent = elem.parent
            if elem.tag == "p" and parent is not None and parent.tag in ("li", "dd", "dt", "td", "th"):
                continue  # the list's or table's own test decides
            doomed.append(elem)
    delete_nodes(doomed, container)
    return bool(doomed)


def with_links(
    container: LexborNode, selector: str, links: str = "a", *, may_be_links: bool = True
) -> list[LexborNode]:
    """The elements below `container` matching `selector` that are a link or hold one (`links` says what
    counts as a link): the only ones the link-density test can find heavy. One query in C, where asking each
    element for its links took 60% of the test's time. `may_be_links=False`: `selector` names no element that
    could be a link (block tags), so only what they hold is asked, a quarter cheaper."""
    if not may_be_links:
        return inside(container, f":is({selector}):has({links})")
    return inside(container, f":is({selector}):is({links}, :has({links}))")


def _link_density(elem: LexborNode, selector: str = "a") -> tuple[bool, bool]:
    """trafilatura's `link_density_test` with favor_precision: (boilerplate, short and with links);
    `selector` says what counts as a link."""
    links = elem.css(selector)
    if not links:
        return False, False
    # The text's length as trafilatura measures it (whitespace collapsed) is compared with thresholds of at most a
    # few hundred characters and with the links' length. For a long text the collapsed length of its first
    # `_PREFIX` characters, which cannot exceed the whole's, settles most comparisons; the whole is collapsed only
    # when one needs it (collapsing the texts of a page's outer wrappers, again for each, cost a third of the test).
    raw = elem.text()
    low = len(trim(raw[:_PREFIX]))
    text_len = low if len(raw) <= _PREFIX else -1  # -1: not measured yet
    if len(links) == 1:
        link_len = len(trim(links[0].text()))
        if link_len > 10 and link_len > low * 0.9:
            if text_len < 0:
                text_len = low = len(trim(raw))
            if link_len > text_len * 0.9:
                return True, False
    last = _next_element(elem) is None
    limit = (60 if last else 30) if elem.tag == "p" else (300 if last else 100)
    if low < limit:
        if text_len < 0:
            text_len = low = len(trim(raw))
        if text_len < limit:
            texts = [t for t in (trim(a.text()) for a in links) if t]
            if not texts:
                return True, False
            link_len = sum(map(len, texts))
            short = sum(1 for t in texts if len(t) < 10)
            return link_len > text_len * 0.8 or (len(texts) > 1 and short / len(texts) > 0.8), True
    if len(links) > 4:  # a large farm of links ("latest news")
        texts = [t for t in (trim(a.text()) for a in links) if t]
        link_len = sum(map(len, texts))
        if link_len > low * 0.9:
            if text_len < 0:
                text_len = len(trim(raw))
            if link_len > text_len * 0.9 and link_len < 100 * len(texts) and not _paragraph_listing(links):
                return True, False
    return False, False


# Characters of an element's text whose collapsed length bounds the whole's from below (`_link_density`).
_PREFIX = 1000


def _paragraph_listing(links: list[LexborNode]) -> bool:
    """Every link alone in its own paragraph: a document listing, not a link farm."""
    for link in links:
        parent = link.parent
        if parent is None or parent.tag != "p" or len(parent.css("a")) > 1:
            return False
    return True


def link_heavy_table(table: LexborNode, selector: str = "a") -> bool:
    if is_layout_table(table):
        return False
    links = table.css(selector)
    if not links:
        return False
    text_len = len(trim(table.text()))
    if text_len < 200:
        return False
    link_len = sum(len(trim(a.text())) for a in links)
    return link_len > 0.8 * text_len if text_len < 1000 else link_len > 0.5 * text_len


# --- tree helpers -------------------------------------------------------------------------------------


def _with_tail(node: LexborNode, unwrapped: frozenset[str]) -> list[LexborNode]:
    """The node and the text after it up to the next element (lxml's tail), over unwrapped tags."""
    nodes = [node]
    sib = node.next
    while sib is not None and sib.tag in unwrapped:
        nodes.append(sib)
        sib = sib.next
    return nodes


def _next_element(node: LexborNode) -> LexborNode | None:
    sib = node.next
    while sib is not None and sib.tag in ("-text", "-comment"):
        sib = sib.next
    return sib


def _last_element(node: LexborNode) -> LexborNode | None:
    last = node.last_child
    while last is not None and last.tag in ("-text", "-comment"):
        last = last.prev
    return last


def _outermost(nodes: list[LexborNode], stop: LexborNode | None = None) -> list[LexborNode]:
    """The nodes without an ancestor among `nodes` (below `stop`), each once."""
    ids = {n.mem_id for n in nodes}
    stop_id = stop.mem_id if stop is not None else None
    outer, taken = [], set()
    for n in nodes:
        if n.mem_id in taken:
            continue
        parent = n.parent
        while parent is not None and parent.mem_id != stop_id and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None or parent.mem_id not in ids:
            outer.append(n)
            taken.add(n.mem_id)
    return outer


def delete_nodes(nodes: list[LexborNode], stop: LexborNode | None = None) -> None:
    """Delete nodes with their subtrees; a node inside another one goes with it (deleting it again
    would touch freed memory)."""
    for n in _outermost(nodes, stop):
        n.decompose()
