"""The link-density pruning's shortcuts: the elements it skips are exactly those a per-element query finds no
link in, so the pruning decides as trafilatura's test does element by element; and the second round of tests
skips only what would delete nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from eurocurate.pipelines.extract.blocks import inside, trim
from eurocurate.pipelines.extract.boilerplate import (
    _BOTTOM,
    _CUT_EMPTY,
    _DISCARDABLE,
    _LINK,
    DIVS,
    _class_discards,
    _first_of,
    _id_discards,
    _link_density,
    _next_element,
    _paragraph_listing,
    _precision_discard,
    delete_by_link_density,
    delete_by_link_density_twice,
    leaves_enough,
    overall_discard,
    with_links,
)

PAGE = """<html><body><div id="page">
<nav-like class="menu"><ul><li><a href="/a">Home</a></li><li><a href="/b">News</a></li><li>No link</li></ul></nav-like>
<main><h1>Council approves the new cycle path</h1>
<p>The city council approved the path on Monday. <a href="/minutes">The minutes</a> are online.</p>
<p>Work starts in spring and should take about four months, the mayor said at the meeting.</p>
<div class="related"><p><a href="/1">Older story one</a></p><p><a href="/2">Older story two</a></p></div>
<table><tr><td><a href="/t">cell link</a></td><td>plain cell</td></tr></table>
<a href="/bare">a link that is itself the element</a>
</main>
<div class="share"><span><a href="https://x">Share</a></span><span><a href="https://y">Post</a></span></div>
<footer-like><p>Contact: the town hall, main square 1.</p></footer-like>
</div></body></html>"""


def test_the_elements_with_links_are_those_a_query_of_their_own_finds_links_in():
    body = LexborHTMLParser(PAGE).body
    for selector in ("div,details,form,figure", "ul,ol,dl", "p", "td", "a", "*"):
        for links in ("a", "a[href='/minutes']"):
            found = {n.mem_id for n in with_links(body, selector, links)}
            expected = {n.mem_id for n in inside(body, selector) if n.css(links)}  # css() tests the node too
            assert found == expected, (selector, links)
    assert len(with_links(body, "p")) < len(inside(body, "p"))  # a paragraph without links is not tested


NESTED = (
    "<html><body><div><div><p><a href='/1'>one</a> and <a>two</a></p><table><tr><td><a href='/t'>t</a></td></tr>"
    "</table></div><ul><li><a>no target</a></li></ul><h2><a href='/h'>heading link</a></h2><blockquote>"
    "<q><a href='/q'>q</a></q></blockquote><summary>none</summary></div></body></html>"
)


@pytest.mark.parametrize("html", [PAGE, NESTED])
@pytest.mark.parametrize("selector", [DIVS, "ul,ol,dl", "p", "h1,h2,h3,h4,h5,h6,summary", "blockquote,q,pre", "table"])
@pytest.mark.parametrize("links", ["a", "a[href]"])
def test_block_elements_with_links_are_found_by_what_they_hold_alone(html, selector, links):
    body = LexborHTMLParser(html).body
    blocks = with_links(body, selector, links, may_be_links=False)
    assert [n.mem_id for n in blocks] == [n.mem_id for n in with_links(body, selector, links)]


def test_link_density_pruning_deletes_the_link_lists_and_keeps_the_prose():
    body = LexborHTMLParser(PAGE).body
    delete_by_link_density(body, "div,details,form,figure", backtracking=True)
    delete_by_link_density(body, "ul,ol,dl", backtracking=False)
    delete_by_link_density(body, "p", backtracking=False)
    text = body.text(separator=" ", strip=True)
    assert "The city council approved the path on Monday." in text and "Work starts in spring" in text
    assert "Older story" not in text and "Share" not in text and "Home" not in text


def test_an_either_attribute_expression_reads_whichever_comes_first_in_the_source():
    # XPath `@id|@class` as trafilatura's expressions use it: document order of the attributes, not of the names
    assert _first_of({"class": "reply-box", "id": "main"}, "id", "class") == "reply-box"
    assert _first_of({"id": "main", "class": "reply-box"}, "id", "class") == "main"
    assert _first_of({"class": "reply-box"}, "id", "class") == "reply-box"
    assert _first_of({"id": None, "style": "x"}, "id", "style") == ""  # an attribute without a value
    assert _first_of({"role": "nav"}, "id", "class") == ""
    # a reply box by its class when the class comes first, not when the id does (trafilatura's `reply-` test)
    page = LexborHTMLParser('<body><div class="reply-box" id="main">a</div><div id="main" class="reply-box">b</div>')
    class_first, id_first = page.body.css("div")
    assert overall_discard("div", class_first.attributes) and not overall_discard("div", id_first.attributes)


def _plain_two_rounds(body, tests, links="a"):
    for _ in range(2):
        for selector, backtracking in tests:
            delete_by_link_density(body, selector, backtracking, links)


# A page where the second round deletes what the first could not: the div is long for an element that is
# not the last one, until the first round's list test deletes the list after it; then it is short and all links.
LINK = "a link text of some length, " * 2
CASCADE = f"""<html><body><div id="wrap">
<p>The article text, plain and long enough to be the main text of the page; it has no link in it.</p>
<div><a href="/1">{LINK}</a> <a href="/2">{LINK}</a> and words</div>
<ul><li><a href="/a">A</a></li><li><a href="/b">B</a></li></ul>
</div></body></html>"""
# ... and where the test that deleted is the one to find more: deleting the last div makes the one before it last.
CASCADE_SELF = f"""<html><body><div id="wrap">
<p>The article text, plain and long enough to be the main text of the page; it has no link in it.</p>
<div><a href="/1">{LINK}</a> <a href="/2">{LINK}</a> and words</div>
<div><a href="/3">a single link that is all of its div</a></div>
</div></body></html>"""


def test_a_second_round_deletes_what_the_first_round_made_deletable():
    body = LexborHTMLParser(CASCADE).body
    tests = (("div,details,form,figure", False), ("ul,ol,dl", False), ("p", False))
    for selector, backtracking in tests:
        delete_by_link_density(body, selector, backtracking)
    assert "a link text" in body.text() and body.css_first("ul") is None
    delete_by_link_density_twice(body, tests)
    assert "a link text" not in body.text() and "The article text" in body.text()


@pytest.mark.parametrize("html", [PAGE, CASCADE, CASCADE_SELF, "<html><body><p>no links</p></body></html>"])
@pytest.mark.parametrize("backtracking", [True, False])
@pytest.mark.parametrize("links", ["a", "a[href]"])
def test_the_two_rounds_skip_only_tests_that_would_delete_nothing(html, backtracking, links):
    tests = (("div,details,form,figure", backtracking), ("ul,ol,dl", False), ("p", False))
    plain, twice = LexborHTMLParser(html), LexborHTMLParser(html)
    _plain_two_rounds(plain.body, tests, links)
    delete_by_link_density_twice(twice.body, tests, links)
    assert twice.html == plain.html


@given(st.lists(st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<ul><li>", "</li></ul>", "<a href='/x'>", "</a>", "<span>", "</span>",
    "a few words of prose ", "x", "<table><tr><td>", "</td></tr></table>", "<details>", "</details>",
]), max_size=60))  # fmt: skip
def test_the_two_rounds_equal_the_plain_two_rounds_on_random_markup(pieces):
    html = "<html><body>" + "".join(pieces) + "</body></html>"
    tests = (("div,details,form,figure", True), ("ul,ol,dl", False), ("p", False))
    plain, twice = LexborHTMLParser(html), LexborHTMLParser(html)
    _plain_two_rounds(plain.body, tests)
    delete_by_link_density_twice(twice.body, tests)
    assert twice.html == plain.html


@given(st.lists(st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<span>", "</span>", "<b>", "</b>", "<I>", "</I>", "<li>", "<ul>", "</ul>",
    "<section>", "</section>", "<td>", "<table><tr>", "</tr></table>", "<!-- c -->", " ", "text", "<br>", "<img>",
    "<h2>", "</h2>", "<custom-el>", "</custom-el>", "<pre>", "</pre>", "<q>", "</q>", "<em>", "</em>", "<dl><dt>",
]), max_size=40))  # fmt: skip
def test_the_empty_elements_by_tag_in_python_are_those_the_selector_finds(pieces):
    body = LexborHTMLParser("<html><body>" + "".join(pieces) + "</body></html>").body
    plain = inside(body, ":is(" + ",".join(sorted(_CUT_EMPTY)) + "):empty")
    found = [n for n in inside(body, ":empty") if n.tag in _CUT_EMPTY]
    assert [n.mem_id for n in found] == [n.mem_id for n in plain]


def _as_div(tag, a):
    """trafilatura's XPath reads a layout table (role presentation or none) as a div: the plain rules' form."""
    return "div" if tag == "table" and (a.get("role") or "") in ("presentation", "none") else tag


def _plain_precision_discard(tag, a, keep_teasers):
    """PRECISION_DISCARD as written before the word pre-check: both expressions searched on every element."""
    if tag == "header":
        return True
    if _as_div(tag, a) not in _DISCARDABLE:
        return False
    c, i = a.get("class") or "", a.get("id") or ""
    if "caption" in c or "caption" in i:
        return True
    if not keep_teasers and ("teaser" in c.replace("T", "t") or "teaser" in i.replace("T", "t")):
        return True
    first = _first_of(a, "id", "class")
    return bool(_BOTTOM.search(first) or _LINK.search(first)) or "border" in (a.get("style") or "")


def _plain_overall_discard(tag, a, embeds=True):
    """OVERALL_DISCARD as written before `_as_div` and `_first_of` were inlined."""
    c, i = a.get("class") or "", a.get("id") or ""
    overall_class, region_class, hidden_class = _class_discards(c) if c else (False, False, False)
    overall_id, hidden_id = _id_discards(i) if i else (False, False)
    id_or_class = _first_of(a, "id", "class")
    if _as_div(tag, a) in _DISCARDABLE and (
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
        or "hidden" in _first_of(a, "id", "style")
        or "display:none" in style
        or "display: none" in style
        or hidden_id
        or hidden_class
        or a.get("aria-hidden") == "true"
    )


_VALUES = st.sampled_from(
    ["bottom", "footer-bottom", "bottomline", "x bottom", "bottom\xa0x", "link", "links", "nav link", "link-list",
     "blink", "Link", "caption", "teaser", "Teaser", "main", "", "x\tlink\ny", "bottom-link"]
)  # fmt: skip


@given(
    st.sampled_from(["div", "p", "section", "span", "li", "header", "a", "table"]),
    st.dictionaries(
        st.sampled_from(["class", "id", "style", "role"]), _VALUES | st.sampled_from(["presentation", "border:0"])
    ),
    st.booleans(),
)
def test_the_precision_discard_with_its_word_pre_check_equals_the_plain_expressions(tag, attributes, keep_teasers):
    assert _precision_discard(tag, attributes, keep_teasers) == _plain_precision_discard(tag, attributes, keep_teasers)


_OVERALL_VALUES = st.sampled_from(
    ["", "nav", "Navigation", "cookie-box", "reply-1", "comments-title", "hidden", "x hidden", "display:none",
     "display: none", "true", "false", "presentation", "none", "MostPopularStories", "embed", "share", "main",
     "sidebar", "akismet", "reader-comments", "hide-print"]
)  # fmt: skip


@given(
    st.sampled_from(["div", "p", "section", "span", "li", "header", "a", "table", "figure", "ul"]),
    st.lists(
        st.tuples(
            st.sampled_from(
                ["class", "id", "style", "role", "aria-hidden", "data-component", "data-lp-replacement-content", "href"]
            ),  # fmt: skip
            _OVERALL_VALUES | st.none(),
        ),
        max_size=5,
    ),
    st.booleans(),
)
def test_the_overall_discard_with_its_helpers_inlined_equals_the_plain_expression(tag, pairs, embeds):
    attributes = dict(pairs)  # insertion order is the source order `@id|@class` reads
    assert overall_discard(tag, attributes, embeds) == _plain_overall_discard(tag, attributes, embeds)
    assert _precision_discard(tag, attributes, embeds) == _plain_precision_discard(tag, attributes, embeds)


@pytest.mark.parametrize(
    "attributes",
    [
        {"style": "visibility: hidden", "id": "x"}, {"id": "x", "style": "visibility: hidden"},
        {"style": "x", "id": "hidden-box"}, {"id": "hidden-box", "style": "x"}, {"style": "hidden"}, {"id": "hidden"},
        {"class": "reply-box", "id": "main"}, {"id": "main", "class": "reply-box"}, {"class": "cookie", "id": None},
        {"id": None, "class": "cookie"}, {"id": "", "style": "hidden"}, {"style": None, "id": "hidden"},
        {"class": "bottom", "id": "x"}, {"id": "x", "class": "bottom"}, {"class": "x link", "id": None},
    ],
)  # fmt: skip
@pytest.mark.parametrize("tag", ["div", "span", "table"])
def test_the_inlined_either_attribute_reads_follow_the_source_order(attributes, tag):
    for flag in (True, False):
        assert overall_discard(tag, attributes, flag) == _plain_overall_discard(tag, attributes, flag)
        assert _precision_discard(tag, attributes, flag) == _plain_precision_discard(tag, attributes, flag)


def _plain_link_density(elem, selector="a"):
    """trafilatura's link-density test measuring the whole collapsed text every time (the rule
    `_link_density` shortcuts with a lower bound from the text's first characters)."""
    links = elem.css(selector)
    if not links:
        return False, False
    text_len = len(trim(elem.text()))
    if len(links) == 1:
        link_len = len(trim(links[0].text()))
        if link_len > 10 and link_len > text_len * 0.9:
            return True, False
    last = _next_element(elem) is None
    limit = (60 if last else 30) if elem.tag == "p" else (300 if last else 100)
    if text_len < limit:
        texts = [t for t in (trim(a.text()) for a in links) if t]
        if not texts:
            return True, False
        link_len = sum(map(len, texts))
        short = sum(1 for t in texts if len(t) < 10)
        return link_len > text_len * 0.8 or (len(texts) > 1 and short / len(texts) > 0.8), True
    if len(links) > 4:
        texts = [t for t in (trim(a.text()) for a in links) if t]
        link_len = sum(map(len, texts))
        if link_len > text_len * 0.9 and link_len < 100 * len(texts) and not _paragraph_listing(links):
            return True, False
    return False, False


_SPACE_RUN = " " * 400 + "\n" * 300  # a long run of whitespace: the raw text far longer than the collapsed one
_DENSITY_PIECES = [
    "<div>", "</div>", "<p>", "</p>", "<ul><li>", "</li></ul>", "<a href='/x'>", "</a>", "word ",
    "a longer phrase of prose ", _SPACE_RUN, "x" * 700, "<a href='/y'>" + "link text " * 30 + "</a>",
    "<p><a href='/z'>alone</a></p>",
]  # fmt: skip


@given(st.lists(st.sampled_from(_DENSITY_PIECES), max_size=40))
def test_the_link_density_test_with_its_lower_bound_equals_the_plain_test(pieces):
    body = LexborHTMLParser("<html><body>" + "".join(pieces) + "</body></html>").body
    for elem in body.css("div,p,ul,li"):
        for links in ("a", "a[href]"):
            assert _link_density(elem, links) == _plain_link_density(elem, links)


@pytest.mark.parametrize(
    "markup",
    [
        f"<div><a href='/1'>{'one link of some length ' * 3}</a>{_SPACE_RUN * 3}</div><p>after</p>",
        f"<div>{_SPACE_RUN * 2}<a href='/1'>{'link ' * 20}</a></div>",
        "<div>" + "".join(f"<a href='/{i}'>news item {i} title</a>{_SPACE_RUN}" for i in range(8)) + "</div>",
        "<div>" + "".join(f"<a href='/{i}'>item {i}</a> " for i in range(8)) + "x" * 1200 + "</div>",
        f"<div>{'x' * 990}{_SPACE_RUN}<a href='/1'>{'y' * 20}</a>{'z' * 50}</div>",
        # the first characters are nearly all whitespace: short by them, long in full
        f"<div>{' ' * 995}<a href='/1'>{'ab' * 10}</a> <a href='/2'>cd</a>{'z' * 500}</div><p>after</p>",
        # the first characters are long enough, the links after them long beside those alone, short beside the whole
        "<div>"
        + "w" * 120
        + " " * 900
        + "".join(f"<a href='/{i}'>{'linked words ' * 2}{i:04d}</a> " for i in range(6))
        + "tail " * 400
        + "</div><p>after</p>",
    ],
)
def test_long_texts_with_whitespace_runs_read_as_the_plain_test_reads_them(markup):
    body = LexborHTMLParser(f"<html><body>{markup}</body></html>").body
    for elem in body.css("div,p"):
        assert _link_density(elem) == _plain_link_density(elem)


@given(st.integers(0, 10_000), st.lists(st.integers(0, 3_000), max_size=8))
def test_the_over_pruning_guard_read_until_decided_answers_as_the_whole_sum(total, removed):
    assert leaves_enough(total, iter(removed)) == (total - sum(removed) > total / 7)
