"""HtmlExtractor and extract_to_jsonl on pages written here: boilerplate goes, main text and page facts stay."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from datatrove.data import Document

from eurocurate.pipelines.extract import fast as extract_fast
from eurocurate.pipelines.extract.jsonl import extract_to_jsonl
from eurocurate.pipelines.extract.stage import HtmlExtractor
from eurocurate.schema import Meta, Reason
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc

PARAS = [
    "The regional parliament approved the new water management plan on Thursday after a debate of six hours.",
    "Farmers in the valley will receive support for drip irrigation, and towns must repair leaking pipes by 2030.",
    "Environmental groups welcomed the decision but asked for stricter limits on groundwater extraction in summer.",
    "The plan also creates a public register of wells, which the regional agency will publish every spring online.",
    "Opposition members said the budget is too small, yet most of them voted in favour of the final text.",
]
COOKIE = "We use cookies to improve your experience on our website, accept all cookies now"
NAV = "Home Politics Economy Sport Weather Contact"
FOOTER = "Copyright 2026 Valley Times Media Group, all rights reserved worldwide"


def page(article: str, head_extra: str = "", lang: str = "en") -> str:
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title> Water  plan approved </title>"
        f"<link rel='canonical' href='/news/water-plan'><link rel='license' href='https://creativecommons.org/licenses/by/4.0/'>"
        f"<meta property='article:published_time' content='2026-03-05T09:30:00Z'>{head_extra}</head><body>"
        f"<div class='cookie-banner'><p>{COOKIE}</p><button>OK</button></div>"
        f"<header><nav><ul>{''.join(f'<li><a href=/{w}>{w}</a></li>' for w in NAV.split())}</ul></nav></header>"
        f"<main>{article}</main>"
        "<aside><h3>Most read</h3><ul><li><a href='/a'>Storm closes the mountain pass for two days</a></li></ul>"
        "</aside>"
        f"<footer><p>{FOOTER}</p></footer></body></html>"
    )


def clean_article() -> str:
    return "<article><h1>Water plan approved</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article>"


def messy_article() -> str:
    # a share bar inside the article: not plain prose, so the fast path hands the page to trafilatura
    return (
        "<article><h1>Water plan approved</h1><div class='share-bar'><a href='/s'>Share</a></div>"
        + "".join(f"<p>{p}</p>" for p in PARAS)
        + "<table><tr><td>Budget</td><td>12 million euro</td></tr></table></article>"
    )


def test_a_direct_read_takes_the_text_of_inner_blocks_once_and_keeps_their_order():
    # a quote holding paragraphs and a list item holding a paragraph: the outer block gives no line of its own
    article = (
        "<article><h1>Water plan approved</h1>"
        + f"<p>{PARAS[0]}</p><blockquote><p>{PARAS[1]}</p><p>{PARAS[2]}</p></blockquote>"
        + f"<ul><li><p>{PARAS[3]}</p></li><li>{PARAS[4]}</li></ul></article>"
    )
    result = extract_fast.extract_page(page(article))
    assert result.path == extract_fast.PATH_DIRECT
    assert result.text.split("\n") == ["Water plan approved", *PARAS]


def run_extractor(docs: list[Document], tmp_path: Path, **kwargs) -> tuple[list[Document], HtmlExtractor]:
    step = HtmlExtractor(str(tmp_path / "out"), **kwargs)
    return list(step.run(iter(docs))), step


def doc(html: str, url: str = "https://valley.example/news/water-plan?utm=x", doc_id: str = "d1") -> Document:
    return Document(text=html, id=doc_id, metadata={Meta.URL: url})


@pytest.mark.parametrize("mode", ["fast", "reference"])
def test_boilerplate_removed_and_main_text_kept(tmp_path, mode):
    out, _ = run_extractor([doc(page(clean_article()))], tmp_path, mode=mode)
    assert len(out) == 1
    text = out[0].text
    for p in PARAS:
        assert p in text
    for boilerplate in (COOKIE, FOOTER, "Storm closes the mountain pass", "Politics"):
        assert boilerplate not in text


@pytest.mark.parametrize("mode", ["fast", "reference"])
def test_page_facts_stored_in_metadata(tmp_path, mode):
    out, _ = run_extractor([doc(page(clean_article(), lang="en-GB"))], tmp_path, mode=mode)
    md = out[0].metadata
    assert md[Meta.TITLE] == "Water plan approved"
    assert md[Meta.HTML_LANG] == "en-GB"
    assert md[Meta.CANONICAL_URL] == "https://valley.example/news/water-plan"
    assert md[Meta.LICENCE_LINKS] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert md[Meta.PUBLISHED] == "2026-03-05T09:30:00Z"


def test_facts_absent_leave_no_keys(tmp_path):
    html = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article></body></html>"
    out, _ = run_extractor([doc(html)], tmp_path)
    for key in (Meta.TITLE, Meta.HTML_LANG, Meta.CANONICAL_URL, Meta.LICENCE_LINKS, Meta.PUBLISHED):
        assert key not in out[0].metadata


def test_clean_article_is_read_directly_and_messy_one_by_trafilaturas_rules(tmp_path):
    import trafilatura

    clean = extract_fast.extract_page(page(clean_article()))
    messy = extract_fast.extract_page(page(messy_article()))
    assert clean.path == extract_fast.PATH_DIRECT
    assert messy.path == extract_fast.PATH_RULES
    # the lexbor port reads what trafilatura's own rules read on the same page
    assert messy.text == trafilatura.extract(
        page(messy_article()), fast=True, favor_precision=True, include_comments=False, include_tables=True
    )
    for p in PARAS:
        assert p in messy.text
    assert "Share" not in messy.text.split("\n")
    _, step = run_extractor([doc(page(clean_article()), doc_id="a"), doc(page(messy_article()), doc_id="b")], tmp_path)
    stats = step.stats.stats
    assert stats["extract_path_direct"].total == 1
    assert stats["extract_path_rules"].total == 1


def test_page_without_single_main_container_is_read_by_the_rules():
    html = "<html><body><div id='content'>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></body></html>"
    result = extract_fast.extract_page(html)
    assert result.path == extract_fast.PATH_RULES
    assert result.text == "\n".join(PARAS)


def test_little_text_for_the_page_goes_to_trafilaturas_full_cascade():
    # the rules find one short paragraph while the page holds far more text, in divs without paragraphs
    # and without one container that holds most of them
    html = (
        "<html><body><div class='entry-content'><p>A short introduction to the plan.</p></div>"
        + "".join(f"<div>{p}</div>" for p in PARAS * 3)
        + "</body></html>"
    )
    result = extract_fast.extract_page(html)
    assert result.path == extract_fast.PATH_TRAFILATURA_FULL


def test_a_short_help_page_is_read_from_its_dominant_container_without_the_cascade(monkeypatch):
    # named anchors and `embedded` sections: trafilatura's rules find nothing on it
    html = (
        "<html><body><header><p>Office Suite Help</p></header><div id='DisplayArea'><a name='top'></a>"
        "<h1>Delete Page</h1><p>Deletes the current page.</p><div class='embedded'><a name='how'></a>"
        "<p>Choose <span class='menuitem'>Page - Delete Page</span>.</p></div></div></body></html>"
    )
    monkeypatch.setattr(extract_fast, "_trafilatura", lambda *a: pytest.fail("the cascade ran"))
    result = extract_fast.extract_page(html)
    assert result.path == extract_fast.PATH_REGION
    assert result.text == "Delete Page\nDeletes the current page.\nChoose Page - Delete Page."


def test_short_rules_text_that_holds_the_page_is_kept_without_escalating(monkeypatch):
    html = "<html><body><div class='note'><p>Opening hours: Monday to Friday, nine to five.</p></div></body></html>"
    monkeypatch.setattr(extract_fast, "_trafilatura", lambda *a: pytest.fail("the cascade ran"))
    result = extract_fast.extract_page(html)
    assert (result.path, result.text) == (extract_fast.PATH_RULES, "Opening hours: Monday to Friday, nine to five.")


def test_a_page_nested_deeper_than_python_recursion_goes_to_trafilatura():
    html = "<html><body>" + "<div>" * 5000 + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>" * 5000 + "</body></html>"
    result = extract_fast.extract_page(html)
    assert result.path == extract_fast.PATH_TRAFILATURA_FULL


def test_settings_the_port_does_not_implement_use_trafilatura():
    result = extract_fast.extract_page(page(messy_article()), favour_precision=False)
    assert result.path in (extract_fast.PATH_TRAFILATURA_FAST, extract_fast.PATH_TRAFILATURA_FULL)
    assert PARAS[0] in result.text


def test_unparseable_and_empty_pages_are_counted_drops(tmp_path):
    docs = [
        doc("", doc_id="empty"),
        doc(" \n\t ", doc_id="blank"),
        doc("<html><body><nav><a href='/'>Home</a></nav></body></html>", doc_id="nav-only"),
        doc("\ud800<html><body><p>lone surrogate from a broken decoder</p></body></html>", doc_id="surrogate"),
        doc(page(clean_article()), doc_id="good"),
    ]
    out, step = run_extractor(docs, tmp_path)
    assert [d.id for d in out][-1] == "good"
    stats = step.stats.stats
    assert stats[f"dropped_{Reason.EXTRACTION_FAILED}"].total == 2
    assert stats[f"dropped_{Reason.EXTRACTION_EMPTY}"].total >= 1
    assert f"dropped_{Reason.STAGE_ERROR}" not in stats  # a bad page is a verdict, not an exception


def test_reference_mode_is_trafilatura_unchanged():
    import trafilatura

    html = page(messy_article())
    expected = trafilatura.extract(
        html,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        output_format="txt",
        with_metadata=False,
    )
    assert extract_fast.extract_page(html, mode="reference").text == expected


def test_unknown_mode_is_rejected_with_the_choices(tmp_path):
    with pytest.raises(ValueError, match="'reference' or 'fast'"):
        HtmlExtractor(str(tmp_path), mode="quick")


def test_extract_to_jsonl_writes_records_and_counts_drops(tmp_path):
    warcs = tmp_path / "in"
    write_warc(
        warcs / "a.warc.gz",
        [
            WarcRecordSpec(url="https://valley.example/news/water-plan", body=page(clean_article()).encode()),
            WarcRecordSpec(url="https://valley.example/img.jpg", body=b"\xff\xd8\xff\xe0jpeg",
                           http_headers={"Content-Type": "image/jpeg"}),
            WarcRecordSpec(url="https://valley.example/gone", status=404, body=b"<html>gone</html>"),
            WarcRecordSpec(url="https://valley.example/nav", body=b"<html><body><nav>Home</nav></body></html>"),
            WarcRecordSpec(url="https://valley.example/info", record_type="warcinfo", body=b"software: test"),
        ],
    )  # fmt: skip
    write_warc(
        warcs / "sub" / "b.warc", [WarcRecordSpec(url="https://valley.example/m", body=page(messy_article()).encode())]
    )
    dst = tmp_path / "out" / "pages.jsonl"
    counts = extract_to_jsonl([str(warcs)], str(dst))
    assert counts["records"] == 5
    assert counts["written"] == 2
    assert counts["not_documents"] == 1
    assert counts[f"dropped_{Reason.NON_HTML}"] == 1
    assert counts[f"dropped_{Reason.HTTP_STATUS}"] == 1
    assert counts[f"dropped_{Reason.EXTRACTION_EMPTY}"] == 1
    rows = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    first = rows[0]
    assert set(first) == {
        "id", "text", "url", "warc_record_id", "title", "html_lang", "content_type", "canonical_url",
        "licence_links", "published", "source_path", "source_offset",
    }  # fmt: skip
    assert first["url"] == "https://valley.example/news/water-plan"
    assert first["title"] == "Water plan approved" and first["html_lang"] == "en"
    assert first["canonical_url"] == "https://valley.example/news/water-plan"
    assert first["licence_links"] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert first["published"] == "2026-03-05T09:30:00Z"
    assert first["content_type"].startswith("text/html")
    assert first["source_path"] == "a.warc.gz" and first["source_offset"] == 0
    assert PARAS[0] in first["text"] and COOKIE not in first["text"]
    assert rows[1]["source_path"] == "sub/b.warc"


def test_extract_to_jsonl_names_a_missing_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        extract_to_jsonl([str(tmp_path / "nope.warc.gz")], str(tmp_path / "o.jsonl"))
