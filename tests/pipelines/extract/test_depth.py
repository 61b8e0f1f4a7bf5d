"""The depth guard: `deeper_than` (which skips the scan when counting tags proves the page shallow) decides as
the full scan `nesting_depth` does, on pages at the limit, over it and under it."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.pipelines.extract import depth
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


# --- the one-pass tokenizer against the plain rule -------------------------------------------------------
# `nesting_depth` finds every tag, comment and raw-text element in one regex pass; the plain rule it must
# equal is the scan it replaced: one `search` per tag, a comment skipped to `-->`, a raw-text element's
# content skipped to `</name` (case-insensitive), each decision taken in Python.
_PLAIN_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)|<!--")


def _plain_nesting_depth(html: str, limit: int) -> int:
    stack: list[str] = []
    deepest = pos = 0
    foreign = re.search(r"<(?:svg|math)(?![A-Za-z0-9-])", html, re.IGNORECASE) is not None
    while (m := _PLAIN_TAG.search(html, pos)) is not None:
        pos = m.end()
        name = m.group(2)
        if name is None:  # a comment: `<!-->` and `<!--->` are whole; others end at `-->` or `--!>`
            if html.startswith(">", pos) or html.startswith("->", pos):
                pos = html.index(">", pos) + 1
                continue
            ends = [(at, len(close)) for close in ("-->", "--!>") if (at := html.find(close, pos)) >= 0]
            pos = len(html) if not ends else sum(min(ends))
            continue
        name = name.lower()
        if m.group(1):
            for i in range(len(stack) - 1, max(-1, len(stack) - 1 - depth._CLOSE_SEARCH), -1):
                if stack[i] == name:
                    del stack[i:]
                    break
            continue
        if name in depth._VOID:
            continue
        if stack and (
            (name in depth._SELF_CLOSING_SIBLINGS and stack[-1] == name)
            or (stack[-1] == "p" and name in depth._CLOSES_P)
        ):
            stack.pop()
        if name in depth._RAW_TEXT and not foreign:
            end = re.compile(f"</{name}", re.IGNORECASE).search(html, pos)
            pos = len(html) if end is None else end.start()
            continue
        stack.append(name)
        deepest = max(deepest, len(stack))
        if deepest > limit:
            return limit + 1
    return deepest


# Markup that stresses the tokenizer: tag names that begin like raw-text or void names, mixed case, end tags
# that case-fold to a raw element's name only under Unicode rules (ſ, İ), unterminated and odd comments.
_PIECES = [
    "<div>", "</div>", "<DIV class=x>", "</Div >", "<span>", "</span>", "<p>", "</p>", "<li>", "<ul>", "</ul>",
    "<dd>", "<dt>", "<h1>", "</h1>", "<section>", "</section>", "<table><tr><td>", "</td></tr></table>",
    "<br>", "</br>", "<br/>", "<img src=x>", "<basefont>", "<base>", "<bases>", "<a-b>", "</a-b>", "<col>",
    "<!-- c -->", "<!-- <div> -->", "<!---->", "<!-->", "<!--->", "<!--", "-->", "<-->", "<!DOCTYPE html>",
    "<script>var a = '<div>';</script>", "<SCRIPT>", "<Script type=x>", "</script>", "</ſcript>", "</SCRİPT>",
    "<scripts>", "<script-x>", "<style>", "</style", "<title>", "</TITLE>", "<textarea>", "</textareas>",
    "<plaintext>", "<iframe>", "</iframe>", "<xmp>", "<noembed>", "<noframes>", "<ſcript>", "text ", "< ",
    "a < b", "<", "<a<script>", "<di<!-- x -->v>", "--!>", "<!-- a --!>", "<svg>", "</svg>", "<math>", "<SVG",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=120), st.sampled_from([0, 1, 3, 8, 20, 1000]))
def test_the_one_pass_scan_equals_the_plain_scan_on_adversarial_markup(pieces, limit):
    html = "".join(pieces)
    assert nesting_depth(html, limit) == _plain_nesting_depth(html, limit)


@given(st.text(alphabet="<>/!-abdipsvcrtS ſİ\n", max_size=300))
def test_the_one_pass_scan_equals_the_plain_scan_on_random_characters(html):
    assert nesting_depth(html, 5) == _plain_nesting_depth(html, 5)


@pytest.mark.parametrize(
    "html",
    [
        "<script>x</ſcript><div><div>",  # ſ folds to s: the end tag ends the script, as the plain scan reads it
        "<SCRIPT>x</script><div><div>",
        "<script>x</SCRİPT><div><div>",
        "<scripts><div><div>",  # a longer name is no raw-text element
        "<!-- x <div>--><div><div>",
        "<!--><div><div>-->",
        "<di<!-- x -->v><div>",  # the name ends where the comment begins
        "<style>a<div></styles><div>",
        "<!---><div><div>",
        "<!-- a --!><div>",
        "<svg><title><div><div>",
        "<math><style><div>",
    ],
)
def test_the_one_pass_scan_reads_the_edge_cases_as_the_plain_scan(html):
    assert nesting_depth(html, 100) == _plain_nesting_depth(html, 100)


@pytest.mark.parametrize(
    "hiding",
    ["<!-->", "<!--->", "<!-- x --!>", "<svg><title>", "<svg><style>", "<math><mtext><script>"],
)
def test_markup_the_parser_reads_as_closed_or_foreign_cannot_hide_deep_nesting(hiding):
    """An audit's page: 200,000 nested divs behind `<!-->` (or inside `<svg><title>`) were unseen by the scan and
    parsed for ten minutes; the parser closes `<!-->` at once and reads SVG's title as markup."""
    page = "<html><body><main><p>text</p>" + hiding + "<div>" * 200_000 + "x</main></body></html>"
    assert deeper_than(page, 1000)
