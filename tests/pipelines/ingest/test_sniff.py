"""A `.pdf` whose bytes are no PDF is read as what it is: an HTML page as HTML, text as text, with the name's claim
kept in provenance (`declared_format`); binary data that is no PDF is a drop that says so, not `pdf_corrupt`."""

import codecs

import pyarrow.parquet as pq
import pytest

from eurocurate.manifests.audit.provenance import ProvenanceWriter, provenance_path
from eurocurate.pipelines.extract.document import extract_document
from eurocurate.pipelines.ingest.document_reader import DocumentReader
from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.sniff import is_pdf, text_kind
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.schema import Meta, Reason, Stat
from tests.conftest import ENGLISH, html_page
from tests.pipelines.ingest.conftest import make_pdf

FIRST_LINE = ENGLISH.split("\n")[0]


def _read(path):
    [doc] = list(read_source(path, "pdf", ReadLimits()))
    return doc


def test_an_html_page_saved_as_pdf_is_read_as_html_and_its_main_text_extracted(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(html_page(ENGLISH).encode())
    doc = _read(path)
    assert doc.problem is None
    md = doc.metadata
    assert (md[Meta.INPUT_FORMAT], md[Meta.CONTENT_TYPE], md[Meta.DECLARED_FORMAT]) == ("html", "text/html", "pdf")
    result = extract_document(doc.text, md[Meta.CONTENT_TYPE], None)
    assert result.drop is None and FIRST_LINE in result.text and "Copyright" not in result.text


def test_a_utf16_html_page_saved_as_pdf_is_read_as_html(tmp_path):
    path = tmp_path / "page.pdf"
    path.write_bytes(codecs.BOM_UTF16_LE + html_page(ENGLISH).encode("utf-16-le"))
    doc = _read(path)
    assert doc.problem is None and doc.metadata[Meta.INPUT_FORMAT] == "html"
    assert doc.metadata[Meta.CHARSET_ORIGIN] == "bom" and FIRST_LINE in doc.text


def test_plain_text_saved_as_pdf_passes_through_as_text(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(ENGLISH.encode("utf-8"))
    doc = _read(path)
    assert doc.problem is None and doc.text == ENGLISH
    assert (doc.metadata[Meta.INPUT_FORMAT], doc.metadata[Meta.CONTENT_TYPE]) == ("text", "text/plain")
    assert doc.metadata[Meta.DECLARED_FORMAT] == "pdf"


def test_binary_data_named_pdf_is_a_not_a_pdf_drop_and_an_empty_one_an_empty_payload(tmp_path):
    path = tmp_path / "photo.pdf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    doc = _read(path)
    assert doc.problem.reason == Reason.NOT_PDF and "no %PDF header" in doc.problem.evidence
    assert doc.metadata[Meta.DECLARED_FORMAT] == "pdf"
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert _read(tmp_path / "empty.pdf").problem.reason == Reason.EMPTY_PAYLOAD


def test_a_real_pdf_is_still_a_pdf_and_a_damaged_one_still_corrupt(tmp_path):
    good = make_pdf(tmp_path / "r.pdf", [[FIRST_LINE]])
    assert is_pdf(good) and _read(good).metadata[Meta.INPUT_FORMAT] == "pdf"
    assert Meta.DECLARED_FORMAT not in _read(good).metadata
    # bytes before the header, which PDF readers tolerate within the first KiB
    (tmp_path / "junk.pdf").write_bytes(b"\r\n" * 100 + good.read_bytes())
    assert is_pdf(tmp_path / "junk.pdf")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert _read(tmp_path / "c.pdf").problem.reason == Reason.PDF_CORRUPT


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"  \n<!DOCTYPE HTML><html>", "html"),
        (b"<p>one paragraph</p>", "html"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', "html"),
        (b"<pre>not one of the openings, no html tag</pre>", "text"),
        ("Grüße aus München\n".encode(), "text"),
        (b"PK\x03\x04" + bytes(30), None),
        (b"plain start, then a control \x01 byte", None),
    ],
)
def test_sniffing_tells_html_from_text_from_binary(head, kind):
    assert text_kind(head) == kind


def test_the_document_reader_writes_the_declared_format_into_provenance(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.pdf").write_bytes(html_page(ENGLISH).encode())
    make_pdf(tmp_path / "in" / "real.pdf", [[FIRST_LINE]])
    make_pdf(tmp_path / "in" / "zero.pdf", [])
    files = ["page.pdf", "real.pdf", "zero.pdf"]
    out = tmp_path / "out"
    step = DocumentReader(files, str(tmp_path / "in"), str(out), str(tmp_path / "work"), {})
    kept = list(ProvenanceWriter(str(out)).run(step.run(None)))
    assert len(kept) == 2
    stats = {k: v.total for k, v in step.stats.stats.items()}
    assert stats[Stat.DROPPED_PREFIX + Reason.PDF_NO_PAGES] == 1 and stats["input_format_html"] == 1
    rows = {r["source_path"]: r for r in pq.read_table(provenance_path(out, 0)).to_pylist()}
    assert rows["page.pdf"]["declared_format"] == "pdf" and rows["page.pdf"]["content_type"] == "text/html"
    assert rows["real.pdf"]["declared_format"] is None
