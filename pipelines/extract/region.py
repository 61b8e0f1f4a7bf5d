"""The dominant-container reading of a page: what a page trafilatura's rules find little on is read from.

Owns the choice of the element below the body that holds most of the page's text, and its pruning with
the cleaning and boilerplate expressions of `extract.boilerplate` adjusted for short structured pages
(help and documentation pages). The container rules are `extract.rules`; reading blocks is
`extract.blocks`; when to use this reading is `extract.fast`. Mutates the tree it is given.
"""

from __future__ import annotations

from typing import Final

from selectolax.lexbor import LexborNode

from eurocurate.pipelines.extract.blocks import finish_text, inside, read_container
from eurocurate.pipelines.extract.boilerplate import (
    ATTRIBUTED,
    DIVS,
    clean_tree,
    delete_by_link_density,
    delete_by_link_density_twice,
    delete_nodes,
    link_heavy_table,
    overall_discard,
)

_DOMINANT_SHARE: Final = 0.75
# ... and this share of its parent's: text beside the child (a heading, an introduction) belongs with it.
_CHILD_SHARE: Final = 0.8
# What may be that container; a dominant table, list or paragraph is read as a block of its parent.
_CONTAINERS: Final = frozenset("div section article main form span center font".split())
# Named anchors (`<a name=x>`, no target) are no links: a container of them is not a link list.
_TARGET_LINKS: Final = "a[href]"


def extract_region_text(body: LexborNode) -> str | None:
    """The text of the page's dominant container (`_dominant_container`), None when no element below
    the body holds most of the page or nothing in it is kept.

    For pages `extract_main_text` finds little on, typically short structured ones (help pages): their
    anchors without text fail its link-density test, its "embed" discard takes the sections they
    transclude, and its stray-paragraph search skips their headings and definition divs. This prunes
    the container with the same cleaning and boilerplate expressions except that: only links with a
    target count as links, "embed" is no boilerplate, inline spans are never discarded (a `menuitem`
    span is words of its sentence), and short blocks with a link are kept (no backtracking); then it
    reads every block, divs with text of their own included. `body` is a fresh, unpruned tree."""
    clean_tree(body)
    delete_nodes(inside(body, "header"))  # before measuring: on a short page the site's header weighs a quarter
    container = _dominant_container(body)
    if container is None:
        return None
    candidates = (n for n in inside(container, ATTRIBUTED) if n.tag != "span")
    delete_nodes([n for n in candidates if overall_discard(n.tag, n.attributes, embeds=False)], container)
    delete_by_link_density_twice(container, ((DIVS, False), ("ul,ol,dl", False), ("p", False)), _TARGET_LINKS)
    delete_nodes([t for t in inside(container, "table") if link_heavy_table(t, _TARGET_LINKS)], container)
    delete_by_link_density(container, "h1,h2,h3,h4,h5,h6,summary", backtracking=False, links=_TARGET_LINKS)
    blocks = read_container(container, div_mode=True, consumed=[])
    return finish_text("\n".join(blocks)) if blocks else None


def _dominant_container(body: LexborNode) -> LexborNode | None:
    """Down from the body, into the child holding most of its parent's text (`_CHILD_SHARE`, and
    `_DOMINANT_SHARE` of the page's) while that child is a container. A single block that holds that
    much (a code sample, a table) is read with what says what it is: from the nearest container with
    text besides it, else its parent. None when no element below the body holds most of the page."""
    page_len = _text_len(body)
    node, node_len, context = body, page_len, None
    while page_len:
        enough = max(_DOMINANT_SHARE * page_len, _CHILD_SHARE * node_len)
        child, child_len = next(((c, n) for c in node.iter() if (n := _text_len(c)) >= enough), (None, 0))
        if node is not body and child_len < node_len:
            context = node
        if child is None:
            return node if node is not body else None
        if child.tag not in _CONTAINERS:
            return context or (node if node is not body else None)
        node, node_len = child, child_len
    return None


def _text_len(node: LexborNode) -> int:
    return len(node.text(strip=True))
