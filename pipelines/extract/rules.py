"""trafilatura's main-text rules (precision focus, fast mode, comments off) run on a lexbor tree.

Owns the choice of the container that holds the main text (trafilatura 2.3's BODY_XPATH expressions, in
order) and when to search the whole page for stray paragraphs. What its cleaning deletes and what inside
a container is boilerplate is `extract.boilerplate`; reading the kept elements is `extract.blocks`; the
reading of a page's dominant container, for pages these rules find little on, is `extract.region`;
parsing, page facts and the choice between these readings and trafilatura are `extract.fast`. Mutates
the tree it is given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final

from selectolax.lexbor import LexborNode

from eurocurate.pipelines.extract.blocks import (
    exceeds,
    finish_text,
    has_element_child,
    read_container,
    read_stray_blocks,
)
from eurocurate.pipelines.extract.boilerplate import Attributes, clean_tree, delete_nodes, prune_sections

# trafilatura's MIN_EXTRACTED_SIZE: with less text from the containers it searches the whole page.
MIN_EXTRACTED_CHARS: Final = 250

# --- content containers: trafilatura.xpaths.BODY_XPATH, tried in this order --------------------------
# Each expression of BODY_XPATH is one rule below; its `contains(@id|@class, ...)` tests are the regexes
# named after the rule (article body, story, content).
_CONTAINER_TAGS: Final = "article,div,main,section"
_ARTICLE_BODY_ID = re.compile(
    r"(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text"
)
_ARTICLE_BODY_CLASS = re.compile(
    r"post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|article-?text|articleText"
    r"|(?:entry|page|text|article|art)-content|article__content|article(?:-|__)?body|articleBody|ArticleContent"
    r"|body-text|article__container"
)
_STORY_ID = re.compile(r"^primary|story-body")
_STORY_CLASS = re.compile(
    r"^article |post-bodycopy|story-?content|(?:theme|blog|section|single)-content|single-post|main-column"
    r"|wpb_text_column|story-body|field-body"
)
_STORY_FULLTEXT_CLASS = re.compile("fulltext", re.IGNORECASE)
_CONTENT_ID = re.compile(r"content-main|content-body|contentBody")
_CONTENT_CLASS = re.compile(r"content[-_]main|content(?:-|__)body")
# XPath `translate(@x, "CM", "cm")` and `translate(@x, "CP", "cp")`: BODY_XPATH lower-cases only these letters
# before looking for "main-content" and "page-content".
_LOWER_CM = str.maketrans("CM", "cm")
_LOWER_CP = str.maketrans("CP", "cp")


def _article_body(tag: str, a: Attributes) -> bool:
    c, i = a.get("class") or "", a.get("id") or ""
    return (
        c in ("post", "entry")
        or a.get("itemprop") == "articleBody"
        or i == "articleContent"
        or bool(_ARTICLE_BODY_ID.search(i) or _ARTICLE_BODY_CLASS.search(c))
    )


def _article(tag: str, a: Attributes) -> bool:
    return tag == "article"


def _story(tag: str, a: Attributes) -> bool:
    c, i = a.get("class") or "", a.get("id") or ""
    return (
        a.get("role") == "article"
        or i in ("article", "story")
        or c in ("postarea", "art-postcontent", "text", "cell", "story")
        or bool(_STORY_ID.search(i) or _STORY_FULLTEXT_CLASS.search(c) or _STORY_CLASS.search(c))
    )


def _content(tag: str, a: Attributes) -> bool:
    c, i = a.get("class") or "", a.get("id") or ""
    return (
        i == "content"
        or c == "content"
        or bool(_CONTENT_ID.search(i) or _CONTENT_CLASS.search(c))
        or "main-content" in i.translate(_LOWER_CM)
        or "main-content" in c.translate(_LOWER_CM)
        or "page-content" in c.translate(_LOWER_CP)
    )


def _main(tag: str, a: Attributes) -> bool:
    return tag == "main" or any((a.get(k) or "").startswith("main") for k in ("class", "id", "role"))


_CONTAINER_RULES: Final[tuple[Callable[[str, Attributes], bool], ...]] = (
    _article_body, _article, _story, _content, _main,
)  # fmt: skip


def extract_main_text(body: LexborNode, reparse: Callable[[], LexborNode]) -> str | None:
    """The page's main text by trafilatura's rules, None when they find none. `reparse` returns the
    body parsed afresh: the search for stray paragraphs reads the page as it was before any container
    was pruned."""
    clean_tree(body)
    blocks: list[str] = []
    container_read = False
    candidates = _Candidates(body)
    for rule in range(len(_CONTAINER_RULES)):
        container = candidates.first(rule)
        if container is None:
            continue
        container_read = True
        prune_sections(container)
        if has_element_child(container):
            # fewer paragraph characters than the minimum (whole numbers: not more than one less), counted until known
            div_mode = not exceeds((len(p.text()) for p in body.css("p")), MIN_EXTRACTED_CHARS - 1)
            consumed: list[LexborNode] = []
            blocks += read_container(container, div_mode, consumed)
            if len(blocks) > 1:
                break
            delete_nodes(consumed)  # read already: the next container must neither count nor read them again
        candidates = _Candidates(body)  # the tree changed
    if sum(len(b) + 1 for b in blocks) < MIN_EXTRACTED_CHARS:
        if container_read:
            body = reparse()
            clean_tree(body)
        prune_sections(body, whole_page=True)
        blocks = read_stray_blocks(body, blocks)
    return finish_text("\n".join(blocks)) if blocks else None


class _Candidates:
    """The page's possible containers in document order, which rules each matches read once, when first needed."""

    def __init__(self, body: LexborNode):
        self._nodes = body.css(_CANDIDATES)
        self._matches: list[tuple[bool, ...]] = []

    def first(self, rule: int) -> LexborNode | None:
        """The first container that `_CONTAINER_RULES[rule]` matches."""
        for i, node in enumerate(self._nodes):
            if i == len(self._matches):
                a = node.attributes
                self._matches.append(
                    _rules_matched(node.tag, a.get("class"), a.get("id"), a.get("role"), a.get("itemprop"))
                )
            if self._matches[i][rule]:
                return node
        return None


# Only these attributes and the tag decide (`_CONTAINER_RULES`): an element without any of them can match by its
# tag alone; leaving the others to C spares a Python step for most divs.
_CANDIDATES: Final = f":is({_CONTAINER_TAGS}):is(article,main,[class],[id],[role],[itemprop])"


def _rules_matched(tag: str, c: str | None, i: str | None, role: str | None, itemprop: str | None) -> tuple[bool, ...]:
    """Which container rules an element matches. A site repeats its containers' classes on every page: the answer is
    mostly a lookup (of short values: what is remembered stays a few MB)."""
    values = (c, i, role, itemprop)
    if sum(len(v) for v in values if v) > _REMEMBERED_CHARS:
        return _match_rules(tag, *values)
    return _remembered_rules(tag, *values)


_REMEMBERED_CHARS = 256


def _match_rules(tag: str, c: str | None, i: str | None, role: str | None, itemprop: str | None) -> tuple[bool, ...]:
    a = {"class": c, "id": i, "role": role, "itemprop": itemprop}
    return tuple(rule(tag, a) for rule in _CONTAINER_RULES)


_remembered_rules = functools.lru_cache(maxsize=1 << 14)(_match_rules)
