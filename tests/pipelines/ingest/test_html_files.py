"""Saved HTML files: each legacy charset family is decoded right, with and without a <meta charset>."""

import pytest

from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.html_files import html_file_document
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.schema import Meta, Reason

SAMPLES = {
    "windows-1250": (
        "cs",
        "Vláda schválila nový zákon o ochraně řek a potoků, který zavádí přísnější limity pro znečištění "
        "vody v průmyslových oblastech. Příliš žluťoučký kůň úpěl ďábelské ódy.",
    ),
    "windows-1251": (
        "bg",
        "Правителството одобри нов закон за опазване на реките, който въвежда по-строги ограничения "
        "за замърсяването на водата в индустриалните райони на страната.",
    ),
    "windows-1257": (
        "lt",
        "Vyriausybė patvirtino naują upių apsaugos įstatymą, kuris nustato griežtesnius vandens taršos "
        "apribojimus pramoniniuose šalies regionuose ir miestuose.",
    ),
    "iso-8859-7": (
        "el",
        "Η κυβέρνηση ενέκρινε νέο νόμο για την προστασία των ποταμών, ο οποίος θεσπίζει αυστηρότερα όρια "
        "για τη ρύπανση των υδάτων στις βιομηχανικές περιοχές.",
    ),
}


def _html(lang: str, text: str, meta: str | None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html lang={lang}><head>{head}<title>Law</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize("charset", sorted(SAMPLES))
@pytest.mark.parametrize("declared", [True, False], ids=["meta", "detected"])
def test_each_legacy_charset_family_is_decoded(tmp_path, charset, declared):
    lang, text = SAMPLES[charset]
    path = tmp_path / f"{lang}.html"
    path.write_bytes(_html(lang, text, charset if declared else None).encode(charset))
    [doc] = list(read_source(path, "html", ReadLimits()))
    assert doc.problem is None and text in doc.text
    assert doc.metadata[Meta.CHARSET_ORIGIN] == ("meta" if declared else "detected")
    assert doc.metadata[Meta.CONTENT_TYPE] == "text/html" and doc.metadata[Meta.INPUT_FORMAT] == "html"


def test_utf8_wins_over_a_wrong_declaration_and_empty_or_binary_files_are_drops():
    text = "Ο νόμος ισχύει από τον Ιανουάριο."
    doc = html_file_document(_html("el", text, "iso-8859-7").encode("utf-8"))
    assert text in doc.text and doc.metadata[Meta.CHARSET] == "utf-8"
    assert html_file_document(b"  \n").problem.reason == Reason.EMPTY_PAYLOAD
    assert html_file_document(b"\x89PNG\r\n\x1a\n" + bytes(100)).problem.reason == Reason.NON_HTML


def test_an_html_file_over_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "big.htm"
    path.write_text(_html("en", "word " * 1000, None))
    [doc] = list(read_source(path, "html", ReadLimits(max_bytes=1000)))
    assert doc.problem.reason == Reason.OVERSIZE and "max_bytes 1000" in doc.problem.evidence
