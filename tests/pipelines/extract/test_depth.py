"""The depth guard: `deeper_than` (which skips the scan when counting tags proves the page shallow) decides as
the full scan `nesting_depth` does, on pages at the limit, over it and under it."""

from __future__ import annotations

import random

import pytest

from eurocurate.pipelines.extract.depth import deeper_than, nesting_depth


def _nested(depth: int, inner: str = "text") -> str:
    return "<html><body>" + "<div>" * depth + inner + "</div>" * depth + "</body></html>"


@pytest.mark.parametrize("depth", [8, 9, 10, 11, 12])
def test_a_page_nested_just_under_at_and_over_the_limit(depth):
    limit = 10  # html and body are two of the levels
    html = _nested(depth - 2)
    assert nesting_depth(html, limit) == min(depth, limit + 1)
    assert deeper_than(html, limit) == (depth > limit)


def test_many_sibling_elements_are_shallow_however_many_tags_the_page_has():
    html = "<html><body>" + "<p>a paragraph</p><br><img src=x>" * 500 + "</body></html>"
    assert html.count("<") > 1000  # the count proves nothing: the scan decides
    assert not deeper_than(html, 10) and nesting_depth(html, 10) == 3


def test_unclosed_paragraphs_and_list_items_do_not_nest_but_unclosed_divs_do():
    assert not deeper_than("<body>" + "<p>one" * 50, 10)
    assert not deeper_than("<body><ul>" + "<li>item" * 50 + "</ul>", 10)
    assert deeper_than("<body>" + "<div>" * 50, 10)


def test_tags_inside_comments_and_scripts_are_not_elements():
    hidden = "<!--" + "<div>" * 50 + "-->" + "<script>" + "<div>" * 50 + "</script>"
    assert not deeper_than("<html><body>" + hidden + "<p>text</p></body></html>", 10)


def test_the_guard_agrees_with_the_full_scan_on_random_markup():
    rng = random.Random(20261204)
    pieces = ["<div>", "</div>", "<span>", "</span>", "<p>", "</p>", "<li>", "<br>", "<!-- c -->", "<!-- <div> -->",
              "<script>var a = '<div>';</script>", "text ", "<section>", "</section>", "< ", "a < b", "<!DOCTYPE html>",
              "</ul>", "<ul>", "<table><tr><td>", "</td></tr></table>"]  # fmt: skip
    for _ in range(400):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 120)))
        for limit in (0, 1, 3, 8, 20):
            assert deeper_than(html, limit) == (nesting_depth(html, limit) > limit), (html, limit)
