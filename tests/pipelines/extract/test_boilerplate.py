"""The link-density pruning's shortcut: the elements it skips are exactly those a per-element query finds no
link in, so the pruning decides as trafilatura's test does element by element."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from eurocurate.pipelines.extract.blocks import inside
from eurocurate.pipelines.extract.boilerplate import delete_by_link_density, with_links

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


def test_link_density_pruning_deletes_the_link_lists_and_keeps_the_prose():
    body = LexborHTMLParser(PAGE).body
    delete_by_link_density(body, "div,details,form,figure", backtracking=True)
    delete_by_link_density(body, "ul,ol,dl", backtracking=False)
    delete_by_link_density(body, "p", backtracking=False)
    text = body.text(separator=" ", strip=True)
    assert "The city council approved the path on Monday." in text and "Work starts in spring" in text
    assert "Older story" not in text and "Share" not in text and "Home" not in text
