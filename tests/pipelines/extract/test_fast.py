"""The fast path's shortcuts decide as the plain rules they replace: the not-prose test of a container (one
regex over class and id values) against the CSS selector of attribute substrings it stands for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from eurocurate.pipelines.extract.blocks import inside
from eurocurate.pipelines.extract.fast import _NOT_PROSE_ELEMENTS, _NOT_PROSE_WORDS, _not_prose

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
