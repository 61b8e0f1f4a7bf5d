"""Page facts: the publication date is the most specific declaration a page makes, wherever it stands."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

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
