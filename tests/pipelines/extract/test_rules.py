"""trafilatura's precision rules on lexbor (extract.rules, extract.region, extract.blocks): what they keep and drop, and
that they read what trafilatura itself reads on the same page; and the dominant-container reading of the
pages they find little on."""

from __future__ import annotations

import pytest
import trafilatura
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from eurocurate.pipelines.extract import rules as rules_module
from eurocurate.pipelines.extract.blocks import _block_text, finish_text, trim
from eurocurate.pipelines.extract.fast import _STRIP_TAGS
from eurocurate.pipelines.extract.region import extract_region_text
from eurocurate.pipelines.extract.rules import extract_main_text

PARAS = [
    "The regional parliament approved the new water management plan on Thursday after a debate of six hours.",
    "Farmers in the valley will receive support for drip irrigation, and towns must repair leaking pipes by 2030.",
    "Environmental groups welcomed the decision but asked for stricter limits on groundwater extraction in summer.",
    "The plan also creates a public register of wells, which the regional agency will publish every spring online.",
]
ARTICLE = "".join(f"<p>{p}</p>" for p in PARAS)
LINKS = "<ul>" + "".join(f"<li><a href='/{i}'>Topic {i}</a></li>" for i in range(6)) + "</ul>"


def html(body: str) -> str:
    return f"<html><head><title>Water plan</title></head><body>{body}</body></html>"


def body_of(page: str):
    tree = LexborHTMLParser(page)
    tree.strip_tags(_STRIP_TAGS)  # as extract.fast hands the tree over
    return tree.body


def rules(page: str) -> str | None:
    return extract_main_text(body_of(page), lambda: body_of(page))


def region(page: str) -> str | None:
    return extract_region_text(body_of(page))


def trafilatura_fast(page: str) -> str | None:
    return trafilatura.extract(page, fast=True, favor_precision=True, include_comments=False, include_tables=True)


PAGES = {
    "container order": html(
        "<article><p>Teaser of another story that this page only links to, not its text.</p></article>"
        f"<div class='entry-content'>{ARTICLE}</div>"
    ),
    "boilerplate in the container": html(
        "<div class='entry-content'>"
        "<div class='share-buttons'><a href='/f'>Facebook</a> <a href='/t'>Twitter</a></div>"
        f"{ARTICLE}<p style='display:none'>Hidden print version of the article</p>"
        "<div class='related-posts'><p>Related: another story entirely about roads</p></div>"
        "<div class='wp-caption'><p>Photo caption of the valley</p></div></div>"
    ),
    "guard against emptying the container": html(
        f"<div class='entry-content'><div class='layout-with-sidebar'>{ARTICLE}</div></div>"
    ),
    "link list and linked prose": html(
        f"<div class='entry-content'><p>{PARAS[0]} See <a href='/plan'>the plan</a> for details.</p>"
        + "".join(f"<p>{p}</p>" for p in PARAS[1:])
        + f"{LINKS}</div>"
    ),
    "trailing heading": html(
        f"<div class='entry-content'><h2>The decision</h2>{ARTICLE}"
        "<h2>Subscribe now</h2>Get our newsletter daily.</div>"
    ),
    "no container": html(
        f"<div class='wrapper'><div class='x'>{ARTICLE}</div>"
        "<div id='comments'><p>Great article, thanks for writing it all up!</p></div></div>"
    ),
    "nested deletions": html(
        f"<div class='entry-content'><figure><figure><img src=a.png></figure></figure>{ARTICLE}"
        "<p><span></span> tail text <font><b></b> more</font> after</p>"
        "<div id='comments'><div class='comment-list'><p>First!</p></div></div></div>"
    ),
    "text after a line break inside a link": html(
        f"<div class='entry-content'>{ARTICLE}<div><a href='/img'><br>Photo: the valley<br><em>(c) Agency</em></a>"
        "Valley (press) - the agency will open an office in the valley next spring.</div></div>"
    ),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_rules_read_what_trafilatura_reads(name):
    assert rules(PAGES[name]) == trafilatura_fast(PAGES[name])


def test_the_first_matching_container_rule_wins_over_an_earlier_article():
    text = rules(PAGES["container order"])
    assert text == "\n".join(PARAS)


def test_boilerplate_sections_inside_the_container_are_pruned():
    text = rules(PAGES["boilerplate in the container"])
    assert text == "\n".join(PARAS)


def test_a_discard_that_would_empty_the_container_is_not_applied():
    # the wrapper's class contains "sidebar", a boilerplate token: trafilatura keeps it all the same
    assert rules(PAGES["guard against emptying the container"]) == "\n".join(PARAS)


def test_link_lists_go_and_prose_with_a_link_stays():
    text = rules(PAGES["link list and linked prose"])
    assert f"{PARAS[0]} See the plan for details." in text
    assert "Topic" not in text


def test_a_heading_that_ends_the_container_goes_with_the_text_after_it():
    text = rules(PAGES["trailing heading"])
    assert text.startswith("The decision\n")
    assert "Subscribe" not in text and "newsletter" not in text


def test_a_page_without_container_is_read_from_its_paragraphs_without_comments():
    text = rules(PAGES["no container"])
    assert text == "\n".join(PARAS)


def test_lists_and_tables_are_read_as_lines():
    page = html(
        f"<div class='entry-content'>{ARTICLE}<ul><li>First point about the wells</li><li>Second point</li></ul>"
        "<table><tr><th>Item</th><th>Cost</th></tr><tr><td>Wells</td><td>3 million</td></tr></table></div>"
    )
    lines = rules(page).split("\n")
    assert lines[len(PARAS) :] == [
        "- First point about the wells",
        "- Second point",
        "| Item | Cost |",
        "| Wells | 3 million |",
    ]


def test_short_page_text_comes_back_and_empty_page_gives_none():
    assert rules(html("<div class='entry-content'><p>Only this.</p></div>")) == "Only this."
    assert rules(html("<div class='entry-content'></div><div></div>")) is None


def test_text_is_finished_as_trafilatura_finishes_it():
    # soft hyphens and zero-width spaces dropped, decomposed umlauts composed
    assert finish_text("Ver\u00adwal\u200btung gepru\u0308ft\nzwei") == "Verwaltung geprüft\nzwei"


# A help page as LibreOffice publishes it: named anchors (no target, no text), transcluded sections in
# `embedded` divs, a menu path in a `menuitem` span, a code sample and a list of related links.
HELP = html(
    "<header><a class='logo' href='/'><p>Office Suite 7.4 Help</p></a></header>"
    "<div id='DisplayArea'><a name='printranges'></a><h1>Print Ranges</h1>"
    "<p class='paragraph'><span class='avis'>Manages print ranges. Only cells within them are printed.</span></p>"
    "<div class='howtoget'><p class='howtogetheader'><a name='wie'></a>To access this command...</p>"
    "<div class='embedded'><p class='embedded'><a name='fodrbe'></a>Choose "
    "<span class='menuitem'>Format - Print Ranges</span>.</p></div></div>"
    "<div class='embedded'><a name='define'></a><h2><a href='/05080100.html'>Define</a></h2>"
    "<p class='paragraph'>Defines an active cell or selected cell area as the print range.</p></div>"
    "<div class='bascode'><pre>PrintRange(\"A1:B9\")</pre></div>"
    "<div class='relatedtopics'><p class='related'><a name='related'></a>Related Topics</p>"
    "<p><a href='/a.html'>Page Styles</a></p><p><a href='/b.html'>Printing Sheets</a></p></div></div>"
)


def test_a_help_page_the_rules_lose_is_read_from_its_dominant_container():
    # to the rules the anchors make the container a link list and the transcluded sections embeds
    assert rules(HELP) is None
    assert region(HELP) == "\n".join(
        [
            "Print Ranges",
            "Manages print ranges. Only cells within them are printed.",
            "To access this command...",
            "Choose Format - Print Ranges.",
            "Defines an active cell or selected cell area as the print range.",
            'PrintRange("A1:B9")',
        ]
    )  # the site header, the linked heading and the related links are boilerplate still


def test_a_code_sample_that_dominates_the_page_is_read_with_its_heading():
    code = "\n".join(f"cell{i} = compute({i})" for i in range(60))
    page = html(
        "<div id='doc'><h1>Compute</h1><p>Computes a value for each cell.</p>"
        f"<div class='code'><pre>{code}</pre></div></div>"
    )
    assert region(page) == f"Compute\nComputes a value for each cell.\n{code}"


def test_a_page_without_a_dominant_container_has_no_region_text():
    assert region(html("".join(f"<div><p>{p}</p></div>" for p in PARAS))) is None
    assert region(html("<div></div>")) is None


# --- the container search's shortcuts against the plain rule -----------------------------------------------
# `_Candidates` asks C for the elements that carry an attribute a rule reads (or are an article or main) and
# remembers each element's answers by tag and attribute values; the plain rule tests every article, div, main
# and section in document order.
_TAGS = ["div", "section", "article", "main", "span", "p"]
_ATTRIBUTES = [
    "", ' class="post"', ' class="entry"', ' class="article-body"', ' class="content"', ' class="main-Content"',
    ' class="Main-content"', ' class="page-Content"', ' class="article text"', ' class="FullText"', ' class=""',
    " class", ' id="content"', ' id="story"', ' id="primary-col"', ' id="articleContent"', ' id="mainbox"',
    ' role="main"', ' role="article"', ' itemprop="articleBody"', ' itemprop="body"', ' data-x="content"',
    ' class="row" id="main"', ' id="x" class="story-body"', ' role="navigation"', ' class="post-body col"',
]  # fmt: skip


def _plain_first(body, rule):
    return next((n for n in body.css(rules_module._CONTAINER_TAGS) if rule(n.tag, n.attributes)), None)


@given(st.lists(st.tuples(st.sampled_from(_TAGS), st.sampled_from(_ATTRIBUTES), st.booleans()), max_size=30))
def test_the_container_search_finds_the_first_container_each_rule_matches(elements):
    markup = "".join(f"<{tag}{attrs}>x" + (f"</{tag}>" if close else "") for tag, attrs, close in elements)
    body = LexborHTMLParser(html(markup)).body
    candidates = rules_module._Candidates(body)
    for index, rule in enumerate(rules_module._CONTAINER_RULES):
        found, plain = candidates.first(index), _plain_first(body, rule)
        assert (found.mem_id if found else None) == (plain.mem_id if plain else None), (index, markup)


@pytest.mark.parametrize("attrs", [a for a in _ATTRIBUTES if a])
def test_each_attribute_a_rule_reads_makes_an_element_a_candidate(attrs):
    body = LexborHTMLParser(html(f"<div{attrs}>x</div><section{attrs}>y</section><main>m</main>")).body
    candidates = rules_module._Candidates(body)
    for index, rule in enumerate(rules_module._CONTAINER_RULES):
        found, plain = candidates.first(index), _plain_first(body, rule)
        assert (found.mem_id if found else None) == (plain.mem_id if plain else None), index


def test_an_element_without_the_attributes_the_rules_read_is_a_container_by_its_tag_alone():
    body = LexborHTMLParser(html('<div data-role="main">x</div><main>m</main><article>a</article>')).body
    candidates = rules_module._Candidates(body)
    assert candidates.first(1).tag == "article" and candidates.first(4).tag == "main"
    assert candidates.first(0) is None and candidates.first(3) is None


def _plain_block_text(node):
    """A block's text as read before: the query for a line break asked of every block."""
    if node.css_first("br") is None:
        return trim(node.text())
    lines = [""]
    for n in node.traverse(include_text=True):
        if n.tag == "-text":
            lines[-1] += n.text_content or ""
        elif n.tag == "br":
            lines.append("")
    return "\n".join(t for t in map(trim, lines) if t)


@pytest.mark.parametrize(
    "paragraph",
    [
        "<p>plain text</p>", "<p>one<br>two</p>", "<p><b>bold<br>break</b> after</p>", "<p><!-- c -->text</p>",
        "<p>a <a href='/x'>link</a> b</p>", "<p></p>", "<p>  spaced   out  </p>", "<p><span><br></span>x</p>",
        "<p>text<!-- <br> --></p>", "<p>x<br/></p>",
    ],
)  # fmt: skip
def test_a_block_of_text_alone_reads_as_the_line_break_query_reads_it(paragraph):
    node = LexborHTMLParser(html(paragraph)).body.css_first("p")
    assert _block_text(node) == _plain_block_text(node)


def test_list_items_of_text_alone_and_items_holding_a_list_read_as_before():
    page = html(
        "<article class='post'><ul><li>plain item one</li><li>item <b>bold</b></li>"
        "<li>outer<ul><li>inner a</li><li>inner b</li></ul></li><li><!-- c -->after a comment</li></ul>"
        + ARTICLE
        + "</article>"
    )
    text = rules(page)
    assert "- plain item one\n- item bold\n- outer\n- inner a\n- inner b\n- after a comment" in text


@pytest.mark.parametrize("paragraph_chars", [249, 250])
def test_divs_of_their_own_text_count_as_paragraphs_only_below_the_minimum_of_paragraph_text(paragraph_chars):
    # the page's paragraph text is counted until it reaches the minimum (250): below it, div mode
    paragraphs = "<p>" + "p" * 100 + "</p><p>" + "q" * (paragraph_chars - 100) + "</p>"
    page = html(
        f"<div class='post-body'>{paragraphs}<div>A division with words of its own, read in div mode.</div></div>"
    )
    text = rules(page)
    assert ("A division with words of its own" in text) == (paragraph_chars < 250)
