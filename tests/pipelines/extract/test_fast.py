"""The fast path's shortcuts decide as the plain rules they replace: the not-prose test of a container (one
regex over class and id values) against the CSS selector of attribute substrings it stands for, and the main
container found in one walk against a lookup per selector."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from eurocurate.pipelines.extract.blocks import exceeds, inside, trim
from eurocurate.pipelines.extract.fast import (
    _NOT_PROSE_ELEMENTS,
    _NOT_PROSE_WORDS,
    _REGION_MIN_CHARS,
    _REGION_SELECTORS,
    _RIVAL_SHARE,
    _STRIP_TAGS,
    _main_region,
    _not_prose,
)

# the plain rule: one CSS selector, an attribute-substring test per word and attribute
PLAIN_NOT_PROSE = ",".join(
    [_NOT_PROSE_ELEMENTS] + [f"[{attr}*={word}]" for attr in ("class", "id") for word in _NOT_PROSE_WORDS]
)

_ATTRIBUTES = [
    "", ' class="article-body"', ' class="Share-bar"', ' class="share-bar"', ' id="NAV"', ' id="main-nav"',
    ' class="x" id="comments"', ' class="COMMENT"', ' class=""', " class", ' id=""', ' data-class="share"',
    ' title="nav"', " hidden", ' class="text byline"', ' id="tagline"', ' class="p-2 col"', ' class="Menu"',
]  # fmt: skip
_TAGS = ["div", "p", "span", "table", "ol", "ul", "li", "figure", "section", "b"]


def _container(markup: str):
    return LexborHTMLParser(f"<html><body><article class='share'>{markup}</article></body></html>").body.css_first(
        "article"
    )


@given(st.lists(st.tuples(st.sampled_from(_TAGS), st.sampled_from(_ATTRIBUTES), st.booleans()), max_size=12))
def test_the_not_prose_test_equals_the_attribute_selector(elements):
    markup = "".join(f"<{tag}{attrs}>words " + (f"</{tag}>" if close else "") for tag, attrs, close in elements)
    region = _container(markup)
    assert _not_prose(region) == bool(inside(region, PLAIN_NOT_PROSE)), markup


@pytest.mark.parametrize("attrs", _ATTRIBUTES)
def test_each_attribute_reads_as_the_selector_reads_it(attrs):
    region = _container(f"<p>prose</p><div{attrs}>more prose</div>")
    assert _not_prose(region) == bool(inside(region, PLAIN_NOT_PROSE))


def test_the_containers_own_class_is_no_evidence():
    assert not _not_prose(_container("<p>Plain prose.</p><p>More of it.</p>"))


def _plain_main_region(tree):
    for selector in _REGION_SELECTORS:
        nodes = tree.css(selector)
        if not nodes:
            continue
        sizes = sorted(((len(n.text(separator=" ", strip=True)), i) for i, n in enumerate(nodes)), reverse=True)
        best, index = sizes[0]
        if best < _REGION_MIN_CHARS or (len(sizes) > 1 and sizes[1][0] > _RIVAL_SHARE * best):
            return None, 0
        return nodes[index], best
    return None, 0


_REGION_ATTRIBUTES = [
    "", ' itemprop="articleBody"', ' itemprop="ArticleBody"', ' itemprop="articleBody text"', " itemprop",
    ' role="main"', ' role="Main"', ' role="main navigation"', ' role=""', ' class="main"',
]  # fmt: skip
_LONG = "A sentence of the article that is long enough to count for something in the measure. " * 7


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["div", "article", "main", "section", "span"]),
            st.sampled_from(_REGION_ATTRIBUTES),
            st.sampled_from(["short", _LONG, _LONG * 2]),
        ),
        max_size=6,
    )
)
def test_the_main_container_found_in_one_walk_is_the_one_a_lookup_per_selector_finds(elements):
    markup = "".join(f"<{tag}{attrs}>{text}</{tag}>" for tag, attrs, text in elements)
    tree = LexborHTMLParser(f"<html><body>{markup}</body></html>")
    node, chars = _main_region(tree)
    plain, plain_chars = _plain_main_region(tree)
    assert (node.mem_id if node else None, chars) == (plain.mem_id if plain else None, plain_chars), markup


@pytest.mark.parametrize("attrs", [a for a in _REGION_ATTRIBUTES if a])
@pytest.mark.parametrize("beside", ["section", "article"])
def test_each_region_attribute_reads_as_its_selector_reads_it(attrs, beside):
    page = f"<html><body><div{attrs}>{_LONG}</div><{beside}>{_LONG * 3}</{beside}></body></html>"
    tree = LexborHTMLParser(page)
    node, chars = _main_region(tree)
    plain, plain_chars = _plain_main_region(tree)
    assert (node.mem_id if node else None, chars) == (plain.mem_id if plain else None, plain_chars)


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000\u200b."), max_size=40))
def test_a_direct_read_line_is_trimmed_as_the_whitespace_expression_trimmed_it(text):
    assert trim(text) == re.sub(r"\s+", " ", text).strip()


@given(st.lists(st.integers(0, 500), max_size=10), st.floats(0, 3000))
def test_the_link_share_read_until_decided_answers_as_the_whole_sum(lengths, limit):
    assert exceeds(iter(lengths), limit) == (sum(lengths) > limit)
    # as rules.py asks it of the paragraphs' characters: fewer than a whole minimum
    minimum = int(limit)
    assert (not exceeds(iter(lengths), minimum - 1)) == (sum(lengths) < minimum)


_STRIPPED_PIECES = [
    "<nav>", "</nav>", "<footer>", "</footer>", "<aside>", "</aside>", "<button>b</button>", "<svg><path/></svg>",
    "<script>x</script>", "<div>", "</div>", "<p>text</p>", "<label>l<input></label>", "<select><option>o</select>",
    "<template><p>t</p></template>", "<noscript><img></noscript>", "<link rel=x>", "<menu><li>m</menu>",
]  # fmt: skip


@given(st.lists(st.sampled_from(_STRIPPED_PIECES), max_size=30))
def test_stripping_the_tags_in_their_order_leaves_the_tree_any_order_leaves(pieces):
    html = "<html><head><link rel=a><style>s</style></head><body>" + "".join(pieces) + "</body></html>"
    ordered, alphabetical, reversed_ = LexborHTMLParser(html), LexborHTMLParser(html), LexborHTMLParser(html)
    ordered.strip_tags(_STRIP_TAGS)
    alphabetical.strip_tags(sorted(_STRIP_TAGS))
    reversed_.strip_tags(list(reversed(_STRIP_TAGS)))
    assert ordered.html == alphabetical.html == reversed_.html


def test_the_first_lexbor_tree_is_released_before_the_page_is_parsed_again_and_before_trafilatura():
    """A 41 MB page of 4 million spans is a 1 GB lexbor tree; it was kept while the page was parsed a second time
    and while trafilatura built its own trees. Counted here: the parsers alive when each later step starts."""
    import gc
    import sys

    import trafilatura

    from eurocurate.pipelines.extract import fast

    html = (
        "<html><body><div class='entry-content'><p>A short introduction to the plan.</p></div>"
        + "".join(f"<div>Paragraph {i} of the plan, about cycling paths along the river and safer crossings.</div>"
                  for i in range(30))
        + "</body></html>"
    )  # fmt: skip
    watched = {fast.extract_region_text.__code__: "region", trafilatura.extract.__code__: "trafilatura"}
    alive: dict[str, int] = {}

    def observe(frame, event, arg):
        if event == "call" and (step := watched.get(frame.f_code)) and step not in alive:
            alive[step] = sum(isinstance(o, LexborHTMLParser) for o in gc.get_objects())

    sys.setprofile(observe)
    try:
        result = fast.extract_page(html)
    finally:
        sys.setprofile(None)
    assert result.path == fast.PATH_TRAFILATURA_FULL
    assert alive == {"region": 1, "trafilatura": 0}  # the region's own fresh tree; none beside trafilatura's
