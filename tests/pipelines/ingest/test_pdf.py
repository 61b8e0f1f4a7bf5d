"""PDF files written byte by byte here: text per page in two languages, declared metadata, the TDMRep
declaration the opt-out stage honours, and the files that must be drops (encrypted, corrupt, too slow)."""

import base64
import itertools
import re
import zlib

import pikepdf
import pytest
from datatrove.data import Document

from eurocurate.filters.optout.step import OptOutFilter
from eurocurate.pipelines.extract.stage import HtmlExtractor
from eurocurate.pipelines.ingest.document_reader import DocumentReader
from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.pdf import PAGE_SEPARATOR, pdf_date_iso, pdf_document
from eurocurate.pipelines.ingest.pdf_streams import LimitExceeded, declared_filters, decode_bounded, parse_object
from eurocurate.pipelines.ingest.pdf_text import rejoin_line_hyphens
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


def test_a_reservation_in_compressed_or_owner_password_encrypted_xmp_reaches_the_optout_stage(tmp_path):
    """The XMP packet a byte scan cannot see: a Flate-compressed /Metadata stream, and one encrypted (RC4 or AES)
    in a file that only has an owner password, which every reader opens. Both were `reserved: no`."""
    xmp = tdm_xmp(1, "https://pub.example.eu/tdm.json")
    compressed = make_pdf(tmp_path / "z.pdf", [ENGLISH], xmp=xmp, xmp_filter=("/FlateDecode", zlib.compress))
    assert b"tdm:reservation" not in compressed.read_bytes()
    encrypted = []
    for r in (4, 6):
        with pikepdf.open(make_pdf(tmp_path / "plain.pdf", [ENGLISH], xmp=xmp)) as plain:
            path = tmp_path / f"owner_r{r}.pdf"
            plain.save(path, encryption=pikepdf.Encryption(owner="only-the-owner", user="", R=r))
        assert b"tdm:reservation" not in path.read_bytes()
        encrypted.append(path)
    docs = [pdf_document(p, 30) for p in (compressed, *encrypted)]
    for doc in docs:
        assert doc.problem is None and ENGLISH[0] in doc.text
        assert doc.metadata[Meta.EMBEDDED_TDM] == {
            "tdm-reservation": ["1"],
            "tdm-policy": ["https://pub.example.eu/tdm.json"],
        }
        assert doc.metadata[Meta.AUTHOR] == "XMP Author"
    step = OptOutFilter(str(tmp_path / "out"), protocols=("tdmrep",))
    kept = list(step.run(iter(Document(text=d.text, id=str(i), metadata=dict(d.metadata)) for i, d in enumerate(docs))))
    assert kept == [] and step.stats.stats[f"dropped_{Reason.OPTOUT_TDMREP}"].total == 3


def test_xmp_metadata_that_cannot_be_read_is_recorded_not_taken_for_no_reservation(tmp_path):
    """A /Metadata stream whose filter is not one a reader decodes for XML (here DCTDecode) may hold a reservation:
    the opt-out outcome says it was not checked (`reserved: unknown`) instead of `reserved: no`."""
    path = make_pdf(tmp_path / "u.pdf", [ENGLISH], xmp=tdm_xmp(1), xmp_filter=("/DCTDecode", lambda b: b[::-1]))
    doc = pdf_document(path, 30)
    assert doc.problem is None and ENGLISH[0] in doc.text
    [unread] = doc.metadata[Meta.EMBEDDED_TDM]["metadata-unread"]
    assert "DCTDecode" in unread
    step = OptOutFilter(str(tmp_path / "out"), protocols=("tdmrep",))
    [kept] = list(step.run(iter([Document(text=doc.text, id="u", metadata=dict(doc.metadata))])))
    assert kept.metadata[Meta.OPTOUT]["reserved"] == "unknown"
    assert kept.metadata[Meta.OPTOUT]["tdmrep"].startswith("not checked: u.pdf: ")
    assert step.stats.stats["tdm_embedded_unread"].total == 1
    free = pdf_document(make_pdf(tmp_path / "f.pdf", [ENGLISH], xmp=tdm_xmp(0)), 30)  # read, and no reservation
    assert "metadata-unread" not in free.metadata[Meta.EMBEDDED_TDM]


def test_line_end_hyphens_are_rejoined_or_kept_and_no_noncharacter_reaches_the_text(tmp_path):
    """PDFium marks a hyphen ending a line between letters with U+FFFE and joins the lines: `ausrei\ufffechende`
    reached the shards. A hyphenated word is joined; a hyphen before a capital, inside a compound that has one
    already, or of a form the document writes elsewhere, is kept."""
    lines = [
        "Die Behörden verfügen über ausrei-",
        "chende Mittel der EU-",
        "Kommission, day-to-",
        "day und non-",
        "existing; eine non-existing Sache.",
    ]
    doc = pdf_document(make_pdf(tmp_path / "h.pdf", [lines]), 30)
    assert "\ufffe" not in doc.text
    assert doc.text == (
        "Die Behörden verfügen über ausreichende Mittel der EU-Kommission, day-to-day und non-existing; "
        "eine non-existing Sache."
    )


def test_a_hyphen_mark_is_resolved_from_its_context_and_the_document():
    assert rejoin_line_hyphens("use --show-leak\ufffekinds=all") == "use --show-leak-kinds=all"
    assert rejoin_line_hyphens("Daten\ufffe\nschutz") == "Datenschutz"  # a build that keeps the line break
    assert rejoin_line_hyphens("Ver\ufffearbei\ufffetung") == "Verarbeitung"  # a word over three lines
    assert rejoin_line_hyphens("64\ufffebit") == "64-bit"
    assert rejoin_line_hyphens("co\ufffeoperation, co-operation") == "co-operation, co-operation"
    assert (
        rejoin_line_hyphens("co\ufffeoperation, cooperation, co-operation") == "cooperation, cooperation, co-operation"
    )


def test_control_characters_of_unmapped_glyphs_are_removed_tabs_and_pages_kept(tmp_path):
    """A TeX-made PDF gives U+0001, U+0010 and U+0011 for glyphs without a Unicode mapping."""
    doc = pdf_document(make_pdf(tmp_path / "c.pdf", [["P(x) \x01 M(x)", "tab\there \x10\x11x"], ["zwei"]]), 30)
    assert doc.text == "P(x)  M(x)\ntab\there x" + PAGE_SEPARATOR + "zwei"


def test_running_heads_and_page_numbers_repeated_on_most_pages_are_removed_and_counted(tmp_path):
    """The journal's head and its `L 119/n` folio stood between sentences on every page; a line that repeats on
    fewer than half the pages, or the head's words in a page's body, stay. The reader stage counts the removed."""
    head = "Amtsblatt der Europäischen Union"
    body = [
        ["(1) Die Mitgliedstaaten stellen sicher,", "dass die Behörden Mittel haben.", "Siehe Anhang."],
        ["(2) Die Kommission veröffentlicht", "Leitlinien zur Anwendung.", "Siehe Anhang."],
        ["(3) Die Aufsichtsbehörde ist befugt,", f"im {head} zu veröffentlichen.", head],
        ["(4) Jeder Mitgliedstaat sieht vor,", "dass Behörden unabhängig sind.", "Ende."],
    ]
    pages = [[head, *lines, f"L 119/{n}"] for n, lines in enumerate(body, 1)]
    more = ["Weitere Ausführungen folgen.", "Sie betreffen die Aufsicht.", "Und die Mittel."]
    pages[2] = [head, *body[2][:2], head, *more, "L 119/3"]  # the head's words in the body of a page
    path = make_pdf(tmp_path / "in" / "amtsblatt.pdf", pages)
    doc = pdf_document(path, 30)
    texts = doc.text.split(PAGE_SEPARATOR)
    assert texts[0] == "\n".join(body[0]) and texts[1] == "\n".join(body[1]) and texts[3] == "\n".join(body[3])
    assert texts[2] == "\n".join([*body[2][:2], head, *more])
    assert doc.counts == {"pdf_running_lines_removed": 8}
    two_pages = pdf_document(make_pdf(tmp_path / "two.pdf", pages[:2]), 30)  # too few pages to tell
    assert two_pages.text.split(PAGE_SEPARATOR)[0] == "\n".join(pages[0]) and two_pages.counts == {}

    step = DocumentReader(["amtsblatt.pdf"], str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "w"), {})
    [read] = list(step.run(None, rank=0, world_size=1))
    assert read.text == doc.text and step.stats.stats["pdf_running_lines_removed"].total == 8


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
    with pikepdf.open(make_pdf(tmp_path / "plain.pdf", [ENGLISH])) as doc:  # a real user password, as the reader runs
        doc.save(tmp_path / "u.pdf", encryption=pikepdf.Encryption(owner="owner", user="user", R=6))
    [user_password] = list(read_source(tmp_path / "u.pdf", "pdf", ReadLimits()))
    assert user_password.problem.reason == Reason.PDF_ENCRYPTED
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
    assert doc.problem.reason == Reason.OVERSIZE and "decodes past max_bytes" in doc.problem.evidence
    [read] = list(read_source(path, "pdf", ReadLimits(max_bytes=64 << 20)))  # within the limit: read as ever
    assert read.problem is None and ENGLISH[0] in read.text


def _lzw(data: bytes) -> bytes:
    """LZW as PDF writes it (9 to 12-bit codes, MSB first, EarlyChange 1), a clear code when the table is full."""
    table, codes, width, word = {bytes([i]): i for i in range(256)}, [256], 9, b""
    out_widths = [9]
    for byte in data:
        candidate = word + bytes([byte])
        if candidate in table:
            word = candidate
            continue
        codes.append(table[word])
        out_widths.append(width)
        table[candidate] = len(table) + 2
        if len(table) + 2 >= 1 << width and width < 12:
            width += 1
        if len(table) + 2 >= 4094:
            codes.append(256)
            out_widths.append(width)
            table, width = {bytes([i]): i for i in range(256)}, 9
        word = bytes([byte])
    codes += [table[word], 257]
    out_widths += [width, width]
    bits = "".join(format(c, f"0{w}b") for c, w in zip(codes, out_widths))
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


@pytest.mark.parametrize(
    ("filters", "encode"),
    [
        ("/FlateDecode /DecodeParms << /Predictor 1 >>", zlib.compress),  # a nested dictionary after /Filter
        ("/Fl#61teDecode", zlib.compress),  # a name with a #xx escape: PDFium reads FlateDecode
        ("[/ASCIIHexDecode /FlateDecode]", lambda b: zlib.compress(b).hex().encode() + b">"),
        ("[/A85 /Fl]", lambda b: base64.a85encode(zlib.compress(b)) + b"~>"),
        ("[/FlateDecode /FlateDecode]", lambda b: zlib.compress(zlib.compress(b))),
        ("/LZWDecode", _lzw),
    ],
)
def test_a_stream_that_decodes_past_max_bytes_is_a_drop_however_its_filters_are_written(tmp_path, filters, encode):
    """An audit's 400 KB file whose stream inflates to 400 MiB was read at 960 MB when its dictionary held a nested
    `<< /Predictor 1 >>` or an escaped name; each spelling of a filter chain PDFium decodes is decoded here first."""
    path = make_pdf(tmp_path / "bomb.pdf", [ENGLISH], flate_padding=4 << 20, filters=filters, encode=encode)
    [doc] = list(read_source(path, "pdf", ReadLimits(max_bytes=2 << 20)))
    assert doc.problem is not None and doc.problem.reason == Reason.OVERSIZE, filters
    [read] = list(read_source(path, "pdf", ReadLimits(max_bytes=64 << 20)))  # PDFium reads the same chain
    assert read.problem is None and ENGLISH[0] in read.text


def test_a_comment_between_a_stream_dictionary_and_its_keyword_does_not_hide_its_filters(tmp_path):
    """PDFium skips a comment there; a stream whose dictionary the scan could not find is only tried as Flate."""
    path = make_pdf(tmp_path / "c.pdf", [ENGLISH], flate_padding=4 << 20, filters="/LZWDecode", encode=_lzw)
    path.write_bytes(path.read_bytes().replace(b"/LZWDecode >>\nstream", b"/LZWDecode >> % obj >> <<\nstream"))
    [doc] = list(read_source(path, "pdf", ReadLimits(max_bytes=2 << 20)))
    assert doc.problem is not None and "filters ['LZWDecode']" in doc.problem.evidence
    [read] = list(read_source(path, "pdf", ReadLimits(max_bytes=64 << 20)))
    assert read.problem is None and ENGLISH[0] in read.text


def test_a_bomb_in_an_encrypted_file_or_in_contents_called_an_image_is_a_drop(tmp_path):
    """Image streams are not decoded by the byte scan (PDFium does not decode them for text), but PDFium parses a
    page's /Contents whatever its /Subtype says; and an owner-password file's streams are ciphertext on disk. Both
    were read at 720 MB peak with a 400 MiB page; the page walk through qpdf decodes them first."""
    image = make_pdf(tmp_path / "i.pdf", [ENGLISH], flate_padding=4 << 20, filters="/FlateDecode /Subtype /Image")
    plain = make_pdf(tmp_path / "plain.pdf", [ENGLISH], flate_padding=4 << 20)
    encrypted = tmp_path / "e.pdf"
    with pikepdf.open(plain) as doc:
        doc.save(encrypted, encryption=pikepdf.Encryption(owner="only-the-owner", user="", R=4))
    for path in (image, encrypted):
        [doc] = list(read_source(path, "pdf", ReadLimits(max_bytes=2 << 20)))
        assert doc.problem is not None and doc.problem.reason == Reason.OVERSIZE, path.name
        assert "content stream of page 1" in doc.problem.evidence
        [read] = list(read_source(path, "pdf", ReadLimits(max_bytes=64 << 20)))
        assert read.problem is None and ENGLISH[0] in read.text


def test_the_filters_of_a_stream_are_decoded_as_pdf_defines_them():
    text = b"Die Kommission ver\xf6ffentlicht Leitlinien. " * 300
    run_length = bytes([255 - 4]) + b"x" + bytes([5]) + b"abcdef" + b"\x80"
    assert decode_bounded(run_length, ["RunLengthDecode"], 1000) == b"xxxxxx" + b"abcdef"
    assert decode_bounded(_lzw(text), ["LZWDecode"], 1 << 20) == text
    assert decode_bounded(base64.a85encode(text) + b"~>", ["ASCII85Decode"], 1 << 20) == text
    assert decode_bounded(text.hex().encode() + b">", ["ASCIIHexDecode"], 1 << 20) == text
    with pytest.raises(LimitExceeded):
        decode_bounded(zlib.compress(text), ["FlateDecode"], 1000)
    d, _ = parse_object(b"<< /Filter [/Fl#61teDecode /AHx] /DecodeParms [<< /Predictor 1 >> null] /Length 9 >>", 0)
    assert declared_filters(d) == ["FlateDecode", "ASCIIHexDecode"]
    d, _ = parse_object(rb"<< /Filter 7 0 R /S (a >> string ( nested ) \) ) >>", 0)  # a reference: unknown
    assert declared_filters(d) is None and d["S"] == rb"a >> string ( nested ) \) "


def test_a_pdf_of_zero_pages_is_its_own_drop_not_a_corrupt_file(tmp_path):
    """PDFium loads it (pypdfium2 called that a load failure with error "Success", which read as pdf_corrupt)."""
    doc = pdf_document(make_pdf(tmp_path / "zero.pdf", []), 30)
    assert doc.problem.reason == Reason.PDF_NO_PAGES and "no page" in doc.problem.evidence
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    corrupt = pdf_document(tmp_path / "c.pdf", 30).problem
    assert corrupt.reason == Reason.PDF_CORRUPT and "not in PDF format or corrupted" in corrupt.evidence


def test_a_text_longer_than_max_bytes_is_an_oversize_drop_read_no_further(tmp_path):
    """Pages that share one content stream: a file under the limit whose text passes it (an audit's 32 MB file of
    200,000 such pages made 200 MB of text and held 1 GB). Reading stops at the page that passes."""
    lines = ENGLISH * 20
    path = make_pdf(tmp_path / "shared.pdf", [lines] * 500, shared_contents=True)
    page_bytes = len("\n".join(lines)) + len(PAGE_SEPARATOR)
    limit = 100 * page_bytes
    assert path.stat().st_size < limit  # the file is within the limit; its text is 500 pages
    [doc] = list(read_source(path, "pdf", ReadLimits(max_bytes=limit)))
    assert doc.problem.reason == Reason.OVERSIZE
    assert f"text of 101 of 500 pages passes max_bytes {limit}" in doc.problem.evidence
    [whole] = list(read_source(path, "pdf", ReadLimits(max_bytes=64 << 20)))  # within the limit: read as ever
    assert whole.problem is None and whole.text.count(PAGE_SEPARATOR) == 499
