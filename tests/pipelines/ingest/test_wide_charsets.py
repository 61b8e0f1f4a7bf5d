"""Pages in UTF-16 and UTF-32: read as a browser reads them, in a WARC response and as a saved `.html` file.

A UTF-16 byte-order mark decides the charset; UTF-32, and UTF-16 without a mark, only when the HTTP header
declares them. The decision is recorded in `charset_origin` (`bom` or `http`), and the extractor then finds
the page's main text as in any other page.
"""

import codecs

import pytest

from eurocurate.pipelines.extract.document import extract_document
from eurocurate.pipelines.ingest.decode import decode_payload, looks_binary
from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.schema import Meta, Reason
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc

TEXT = (
    "Der Gemeinderat hat am Dienstag über die neuen Radwege entlang der Isar beraten. Die Anwohner "
    "wünschten sich sichere Übergänge bei der Grundschule und mehr Bänke im Park an der Straße."
)
PAGE = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-16"><title>Radwege</title></head>'
    f"<body><nav><a href='/'>Start</a></nav><main><article><h1>Radwege</h1><p>{TEXT}</p></article></main>"
    "<footer>Impressum</footer></body></html>"
)
UTF16_LE_BOM = codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le")
UTF16_BE_BOM = codecs.BOM_UTF16_BE + PAGE.encode("utf-16-be")
UTF16_LE_NO_BOM = PAGE.encode("utf-16-le")
UTF32_LE_BOM = codecs.BOM_UTF32_LE + PAGE.encode("utf-32-le")
UTF32_BE_NO_BOM = PAGE.encode("utf-32-be")


def _warc_document(tmp_path, body: bytes, content_type: str):
    path = tmp_path / "p.warc.gz"
    write_warc(
        path, [WarcRecordSpec(url="https://example.de/radwege", http_headers={"Content-Type": content_type}, body=body)]
    )
    [doc] = list(read_source(path, "warc", ReadLimits()))
    return doc


def _main_text(doc) -> str:
    result = extract_document(doc.text, doc.metadata[Meta.CONTENT_TYPE], doc.metadata.get(Meta.URL))
    assert result.drop is None
    return result.text


@pytest.mark.parametrize(
    ("body", "content_type", "charset", "origin"),
    [
        (UTF16_LE_BOM, "text/html", "utf-16-le", "bom"),
        (UTF16_BE_BOM, "text/html", "utf-16-be", "bom"),
        (UTF16_BE_BOM, "text/html; charset=utf-8", "utf-16-be", "bom"),  # the mark wins over the header
        (UTF16_LE_NO_BOM, "text/html; charset=utf-16", "utf-16-le", "http"),  # "utf-16" means little-endian
        (UTF16_LE_NO_BOM, "text/html; charset=UTF-16LE", "utf-16-le", "http"),
        (UTF32_LE_BOM, "text/html; charset=utf-32", "utf-32-le", "http"),
        (UTF32_BE_NO_BOM, "text/html; charset=utf-32be", "utf-32-be", "http"),
    ],
    ids=["le-bom", "be-bom", "bom-over-header", "utf16-header", "utf16le-header", "utf32-bom", "utf32be-header"],
)
def test_a_wide_charset_page_in_a_warc_is_decoded_and_extracted(tmp_path, body, content_type, charset, origin):
    doc = _warc_document(tmp_path, body, content_type)
    assert doc.problem is None
    assert (doc.metadata[Meta.CHARSET], doc.metadata[Meta.CHARSET_ORIGIN]) == (charset, origin)
    assert not doc.text.startswith("\ufeff")  # the mark is no part of the page
    assert TEXT in _main_text(doc)


@pytest.mark.parametrize(("body", "charset"), [(UTF16_LE_BOM, "utf-16-le"), (UTF16_BE_BOM, "utf-16-be")])
def test_a_saved_utf16_html_file_with_a_byte_order_mark_is_decoded_and_extracted(tmp_path, body, charset):
    path = tmp_path / "radwege.html"
    path.write_bytes(body)
    [doc] = list(read_source(path, "html", ReadLimits()))
    assert doc.problem is None
    assert (doc.metadata[Meta.CHARSET], doc.metadata[Meta.CHARSET_ORIGIN]) == (charset, "bom")
    assert TEXT in _main_text(doc)


def test_without_a_header_neither_utf32_nor_utf16_without_a_mark_is_guessed(tmp_path):
    for name, body in (("nomark.html", UTF16_LE_NO_BOM), ("utf32.html", UTF32_LE_BOM)):
        path = tmp_path / name
        path.write_bytes(body)
        [doc] = list(read_source(path, "html", ReadLimits()))
        assert doc.problem is not None and doc.problem.reason in (Reason.NON_HTML, Reason.UNDECODABLE)
    assert _warc_document(tmp_path, UTF32_LE_BOM, "text/html").problem.reason == Reason.UNDECODABLE


def test_a_wrong_utf16_declaration_does_not_turn_an_ascii_compatible_page_into_noise():
    decoded = decode_payload(PAGE.encode("utf-8"), "text/html; charset=utf-16")
    assert decoded is not None and decoded.text == PAGE and decoded.origin == "utf-8"
    latin = decode_payload(PAGE.encode("cp1252"), "text/html; charset=utf-16")
    assert latin is not None and TEXT in latin.text


def test_binary_payloads_stay_binary_whatever_charset_is_declared():
    assert looks_binary(b"%PDF-1.7\n" + bytes(50), "text/html; charset=utf-16")
    assert looks_binary(b"\x89PNG\r\n\x1a\n" + bytes(50), "text/html; charset=utf-16")
    assert looks_binary(b"<html>\x00\x00\x00", "text/html")
    assert not looks_binary(UTF16_LE_BOM) and not looks_binary(UTF16_LE_NO_BOM, "text/html; charset=utf-16")
    # a NUL-filled body declared UTF-16 is read, and refused as text: nearly all of it is controls
    assert decode_payload(bytes(4000), "text/html; charset=utf-16") is None
