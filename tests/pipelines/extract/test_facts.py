"""Page facts: the publication date is the most specific declaration a page makes, wherever it stands; one walk of
the tree reads what a lookup per fact reads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from eurocurate.pipelines.extract import facts as facts_module
from eurocurate.pipelines.extract.facts import read_page_facts


def _facts(head: str, body: str = "<p>Text.</p>"):
    return read_page_facts(LexborHTMLParser(f"<html><head>{head}</head><body>{body}</body></html>"))


def test_the_most_specific_date_wins_over_one_earlier_in_the_page():
    head = '<meta name="date" content="2020-01-01"><meta property="article:published_time" content="2026-03-05">'
    assert _facts(head).published == "2026-03-05"
    assert _facts('<meta name="date" content="2020-01-01">').published == "2020-01-01"


def test_an_empty_date_declaration_gives_way_to_the_next_one_and_no_declaration_gives_none():
    head = '<meta itemprop="datePublished" content="  "><meta name="DC.date" content="2024-06-30">'
    assert _facts(head).published == "2024-06-30"
    assert _facts('<meta name="description" content="2024-06-30">').published is None
    assert _facts("", '<meta name="pubdate" content="2019-05-05">').published == "2019-05-05"  # a meta in the body


# --- the one-walk reading against a lookup per fact ---------------------------------------------------------
def _plain_facts(tree, url):
    """The facts as one CSS lookup per fact finds them (the reading `read_page_facts` replaced)."""
    title = tree.css_first("title")
    canonical = tree.css_first(facts_module._CANONICAL)
    licences = [
        n.attributes.get("href") for n in tree.css(f"{facts_module._LICENCE_LINK}, {facts_module._LICENCE_ANCHOR}")
    ]
    published = None
    for selector in facts_module._DATE_SELECTORS:
        node = tree.css_first(selector)
        value = node.attributes.get("content") if node is not None else None
        if value and value.strip():
            published = value.strip()[:64]
            break
    return (
        (" ".join(title.text().split()) or None) if title is not None else None,
        facts_module._absolute(canonical.attributes.get("href"), url) if canonical is not None else None,
        list(dict.fromkeys(h for h in (facts_module._absolute(x, url) for x in licences) if h))[:10],
        published,
    )


_ELEMENTS = [
    "<title>First</title>", "<title> Second  title </title>", "<svg><title>Icon</title></svg>",
    '<link rel="canonical" href="/c1">', '<link rel="Canonical License" href="/both">', '<link rel="canonical">',
    '<link rel="license" href="/l1">', '<a rel="license" href="/a1">CC</a>', '<a rel="license">no href</a>',
    '<a rel="nofollow LICENSE" href="/a2">x</a>', '<link rel="alternate license" href="/l2">',
    '<meta name="date" content="">',
    '<meta name="date" content="2020-01-01">', '<meta property="article:published_time" content=" 2026-03-05 ">',
    '<meta itemprop="datePublished" content="  ">', '<meta name="DC.date" content="2024-06-30">',
    '<meta name="dc.date" content="2023">', '<meta name="pubdate">', "<p>text</p>", "<div><span>x</span></div>",
]  # fmt: skip


@given(
    st.lists(st.tuples(st.sampled_from(_ELEMENTS), st.booleans()), max_size=14),
    st.sampled_from([None, "https://x.eu/a/"]),
)
def test_one_walk_reads_the_facts_a_lookup_per_fact_reads(elements, url):
    head = "".join(e for e, in_head in elements if in_head)
    body = "".join(e for e, in_head in elements if not in_head)
    tree = LexborHTMLParser(f"<html><head>{head}</head><body>{body}</body></html>")
    facts = read_page_facts(tree, url)
    assert (facts.title, facts.canonical_url, facts.licence_links, facts.published) == _plain_facts(tree, url)
