"""PDF files written byte by byte here: text per page in two languages, declared metadata, the TDMRep
declaration the opt-out stage honours, and the files that must be drops (encrypted, corrupt, too slow)."""

import itertools
import re

from datatrove.data import Document

from eurocurate.filters.optout.step import OptOutFilter
from eurocurate.pipelines.extract.stage import HtmlExtractor
from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.pdf import PAGE_SEPARATOR, pdf_date_iso, pdf_document
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.schema import Meta, Reason
from tests.pipelines.ingest.conftest import make_pdf, tdm_xmp

ENGLISH = ["The council met on Tuesday evening.", "It approved the budget for the new cycling paths."]
GERMAN = ["Der Rat tagte am Dienstagabend.", "Er genehmigte den Haushalt für die neuen Radwege an der Straße."]


def test_text_keeps_its_pages_and_both_languages_in_order(tmp_path):
    path = make_pdf(tmp_path / "minutes.pdf", [ENGLISH, GERMAN])
    doc = pdf_document(path, timeout_s=30)
    assert doc.problem is None
    pages = doc.text.split(PAGE_SEPARATOR)
    assert pages == ["\n".join(ENGLISH), "\n".join(GERMAN)]
    assert doc.metadata[Meta.CONTENT_TYPE] == "text/plain" and doc.metadata[Meta.INPUT_FORMAT] == "pdf"


def test_declared_title_author_date_and_language_are_kept(tmp_path):
    info = {
        "Title": "Protokoll – Sitzung vom 15. Januar",
        "Author": "Gemeinderat",
        "CreationDate": "D:20240115093000+01'00'",
    }
    doc = pdf_document(make_pdf(tmp_path / "p.pdf", [GERMAN], info=info, lang="de-AT"), timeout_s=30)
    md = doc.metadata
    assert md[Meta.TITLE] == info["Title"] and md[Meta.AUTHOR] == "Gemeinderat"
    assert md[Meta.PUBLISHED] == "2024-01-15T09:30:00+01:00" and md[Meta.HTML_LANG] == "de-AT"
    assert Meta.EMBEDDED_TDM not in md


def test_pdf_dates_convert_to_iso_8601():
    assert pdf_date_iso("D:2024") == "2024"
    assert pdf_date_iso("D:20240115") == "2024-01-15"
    assert pdf_date_iso("D:20240115093000Z") == "2024-01-15T09:30:00Z"
    assert pdf_date_iso("not a date") is None


def test_tdm_reservation_in_xmp_or_info_reaches_the_optout_stage(tmp_path):
    reserved = pdf_document(
        make_pdf(tmp_path / "r.pdf", [ENGLISH], xmp=tdm_xmp(1, "https://pub.example.eu/tdm.json")), 30
    )
    assert reserved.metadata[Meta.EMBEDDED_TDM] == {
        "tdm-reservation": ["1"],
        "tdm-policy": ["https://pub.example.eu/tdm.json"],
    }
    assert reserved.metadata[Meta.AUTHOR] == "XMP Author"  # XMP fills what the Info dictionary does not say
    via_info = pdf_document(make_pdf(tmp_path / "i.pdf", [ENGLISH], info={"tdm:reservation": "1"}), 30)
    assert via_info.metadata[Meta.EMBEDDED_TDM] == {"tdm-reservation": ["1"]}
    # the XMP (where TDMRep puts it) has the last word over the Info dictionary
    lifted = pdf_document(make_pdf(tmp_path / "l.pdf", [ENGLISH], info={"tdm:reservation": "1"}, xmp=tdm_xmp(0)), 30)
    free = pdf_document(make_pdf(tmp_path / "f.pdf", [ENGLISH]), 30)

    step = OptOutFilter(str(tmp_path / "out"), protocols=("tdmrep",))
    docs = [Document(text=d.text, id=name, metadata=dict(d.metadata)) for name, d in
            (("reserved", reserved), ("via_info", via_info), ("lifted", lifted), ("free", free))]  # fmt: skip
    kept = [d.id for d in step.run(iter(docs))]
    assert kept == ["lifted", "free"]
    assert step.stats.stats[f"dropped_{Reason.OPTOUT_TDMREP}"].total == 2


def test_the_extractor_passes_pdf_text_through_with_its_pages(tmp_path):
    doc = pdf_document(make_pdf(tmp_path / "p.pdf", [ENGLISH, [], GERMAN]), 30)
    assert doc.text.count(PAGE_SEPARATOR) == 2  # the empty middle page keeps its place
    step = HtmlExtractor(str(tmp_path / "out"))
    [out] = list(step.run(iter([Document(text=doc.text, id="p", metadata=dict(doc.metadata))])))
    assert out.text == doc.text
    assert step.stats.stats["extract_path_plain_text"].total == 1


def test_encrypted_and_corrupt_pdfs_are_drops(tmp_path):
    assert (
        pdf_document(make_pdf(tmp_path / "e.pdf", [ENGLISH], encrypted=True), 30).problem.reason == Reason.PDF_ENCRYPTED
    )
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert pdf_document(tmp_path / "c.pdf", 30).problem.reason == Reason.PDF_CORRUPT
    good = make_pdf(tmp_path / "t.pdf", [ENGLISH]).read_bytes()
    (tmp_path / "t.pdf").write_bytes(good[: len(good) // 3])  # a download cut short
    assert pdf_document(tmp_path / "t.pdf", 30).problem.reason == Reason.PDF_CORRUPT


def test_a_pdf_without_a_text_layer_is_a_drop(tmp_path):
    doc = pdf_document(make_pdf(tmp_path / "scan.pdf", [[], []]), 30)
    assert doc.problem.reason == Reason.NO_TEXT and "2 pages" in doc.problem.evidence


def test_the_deadline_is_checked_between_pages(tmp_path):
    path = make_pdf(tmp_path / "long.pdf", [ENGLISH] * 5)
    ticks = itertools.count()  # every look at the clock: one more second
    doc = pdf_document(path, timeout_s=2.5, clock=lambda: float(next(ticks)))
    assert doc.problem.reason == Reason.PARSE_TIMEOUT
    assert "after 2 of 5 pages" in doc.problem.evidence


def test_a_huge_pdf_does_not_hold_the_task_past_its_timeout(tmp_path):
    path = make_pdf(tmp_path / "huge.pdf", [ENGLISH * 20] * 3000)
    [doc] = list(read_source(path, "pdf", ReadLimits(parse_timeout_s=0.05)))
    assert doc.problem.reason == Reason.PARSE_TIMEOUT
    # the outcome, not the clock: it stopped early instead of reading all 3,000 pages
    read = int(re.search(r"after (\d+) of 3000 pages", doc.problem.evidence).group(1))
    assert read < 3000


def test_a_pdf_over_the_size_limit_is_not_opened(tmp_path):
    path = make_pdf(tmp_path / "big.pdf", [ENGLISH] * 50)
    [doc] = list(read_source(path, "pdf", ReadLimits(max_bytes=1000)))
    assert doc.problem.reason == Reason.OVERSIZE


def test_a_content_stream_that_inflates_past_max_bytes_is_an_oversize_drop_before_pdfium_reads_it(tmp_path):
    """A few KB on disk, 8 MB of page contents: PDFium inflates a page's stream whole (an audit's 3 MB file held
    3 GB); the reader inflates it first, counting and keeping nothing, and drops the file past the limit."""
    path = make_pdf(tmp_path / "bomb.pdf", [ENGLISH], flate_padding=8 << 20)
    assert path.stat().st_size < 64_000
    [doc] = list(read_source(path, "pdf", ReadLimits(max_bytes=4 << 20)))
    assert doc.problem.reason == Reason.OVERSIZE and "inflates past max_bytes" in doc.problem.evidence
    [read] = list(read_source(path, "pdf", ReadLimits(max_bytes=64 << 20)))  # within the limit: read as ever
    assert read.problem is None and ENGLISH[0] in read.text


def test_a_pdf_of_zero_pages_is_its_own_drop_not_a_corrupt_file(tmp_path):
    """PDFium loads it (pypdfium2 called that a load failure with error "Success", which read as pdf_corrupt)."""
    doc = pdf_document(make_pdf(tmp_path / "zero.pdf", []), 30)
    assert doc.problem.reason == Reason.PDF_NO_PAGES and "no page" in doc.problem.evidence
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    corrupt = pdf_document(tmp_path / "c.pdf", 30).problem
    assert corrupt.reason == Reason.PDF_CORRUPT and "not in PDF format or corrupted" in corrupt.evidence
