"""PDF files: text with its page structure, the metadata the document declares, and its TDMRep opt-out.

Text comes from PDFium (pypdfium2), page by page, pages joined by `PAGE_SEPARATOR` (a form feed on a
line of its own, as `pdftotext` marks pages) and made plain by `pdf_text` (line-end hyphens, control
characters); a deadline checked between pages keeps a pathological file from holding the task. Title,
author, creation date and language come from the Info dictionary and the catalog, with XMP as fallback;
`tdm:reservation`/`tdm:policy` from XMP or Info go to `Meta.EMBEDDED_TDM`, which the opt-out stage honours.
The catalog's XMP is read decoded through pikepdf (qpdf: compressed, in object streams, owner-password
encrypted), other packets by a byte scan; a catalog XMP that cannot be read is recorded there too
(`TDM_UNREAD`). Owns no OCR: a PDF without a text layer is a drop.
"""

from __future__ import annotations

import ctypes
import logging
import mmap
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from lxml import etree

from eurocurate.pipelines.ingest.pdf_streams import (
    WORST_RATIO,
    LimitExceeded,
    declared_filters,
    decode_bounded,
    decoded_size_past,
    parse_object,
    skip_space,
    worst_size,
)
from eurocurate.pipelines.ingest.pdf_text import (
    RUNNING_LINES_STAT,
    rejoin_line_hyphens,
    without_controls,
    without_running_lines,
)
from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT, SourceDocument
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

log = logging.getLogger(__name__)

PAGE_SEPARATOR: Final = "\n\f\n"
TDMREP_NS: Final = "http://www.w3.org/ns/tdmrep/"
TDM_RESERVATION: Final = "tdm-reservation"  # keys of Meta.EMBEDDED_TDM, as the opt-out stage reads headers
TDM_POLICY: Final = "tdm-policy"
TDM_UNREAD: Final = "metadata-unread"  # why the catalog's XMP, where a reservation would be, could not be read
_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
_XMP_START, _XMP_END = b"<x:xmpmeta", b"</x:xmpmeta>"
_MAX_XMP_PACKETS = 16
_MAX_XMP_BYTES = 4 << 20  # a decoded /Metadata stream (XMP packets are KBs; a thumbnail inside one, a few 100 KB)
_MAX_FIELD = 500
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-]\d{2}'?\d{2}'?)?")
# FPDF_GetLastError's codes after a failed load, as PDFium's documentation names them
_LOAD_ERRORS: Final = {
    pdfium_c.FPDF_ERR_UNKNOWN: "unknown error",
    pdfium_c.FPDF_ERR_FILE: "file not found or could not be opened",
    pdfium_c.FPDF_ERR_FORMAT: "not in PDF format or corrupted",
    pdfium_c.FPDF_ERR_PASSWORD: "password required or incorrect",
    pdfium_c.FPDF_ERR_SECURITY: "unsupported security scheme",
}
_XMP_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


def pdf_date_iso(value: str) -> str | None:
    """ISO 8601 of a PDF date string (`D:20240115093000+01'00'` → `2024-01-15T09:30:00+01:00`)."""
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, zone = m.groups()
    date = "-".join(p for p in (year, month, day) if p)
    if hour is None:
        return date
    iso = f"{date}T{hour}:{minute or '00'}:{second or '00'}"
    if zone == "Z":
        return iso + "Z"
    if zone:
        digits = zone.replace("'", "")
        iso += f"{digits[:3]}:{digits[3:5] or '00'}"
    return iso


def _catalog_language(pdf: pdfium.PdfDocument) -> str | None:
    n_bytes = pdfium_c.FPDFCatalog_GetLanguage(pdf.raw, None, 0)
    if n_bytes <= 2:
        return None
    buffer = ctypes.create_string_buffer(n_bytes)
    pdfium_c.FPDFCatalog_GetLanguage(pdf.raw, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), n_bytes)
    return buffer.raw[: n_bytes - 2].decode("utf-16-le", "replace").strip() or None


def _catalog_xmp(path: Path) -> tuple[bytes | None, str | None]:
    """The catalog's /Metadata stream decoded (qpdf through pikepdf: compressed, in an object stream, or encrypted
    with an owner password only), and why it could not be read when there is one that could not; (None, None) when
    the catalog has none."""
    try:
        with pikepdf.open(path) as doc:
            stream = doc.Root.get("/Metadata")
            if stream is None:
                return None, None
            if not isinstance(stream, pikepdf.Stream):
                return None, "the catalog's /Metadata is not a stream"
            value = stream.get("/Filter")
            names = [] if value is None else list(value) if isinstance(value, pikepdf.Array) else [value]
            filters = [str(n).lstrip("/") for n in names]
            if unknown := [f for f in filters if f not in WORST_RATIO]:
                return None, f"the /Metadata stream has filters that are not read here ({', '.join(unknown)})"
            data = decode_bounded(stream.read_raw_bytes(), filters, _MAX_XMP_BYTES)
    except LimitExceeded:
        return None, f"the /Metadata stream decodes past {_MAX_XMP_BYTES} bytes"
    except (pikepdf.PdfError, pikepdf.PasswordError, RuntimeError, ValueError, TypeError, OSError) as e:
        return None, f"the /Metadata stream cannot be read ({type(e).__name__}: {e})"[:300]
    if not _parses_as_xml(data):
        return None, "the /Metadata stream holds no XML that parses"
    return data, None


def _parses_as_xml(packet: bytes) -> bool:
    try:
        return etree.fromstring(packet.strip(), _XMP_PARSER) is not None
    except etree.XMLSyntaxError:
        return False


def _xmp_packets(path: Path) -> list[bytes]:
    """Uncompressed XMP packets in file order, found by scanning the bytes (the XMP packet wrapper exists so that a
    scan finds them): the metadata of pages and images, and the catalog's when pikepdf cannot read it."""
    packets: list[bytes] = []
    with open(path, "rb") as f:
        try:
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file
            return packets
        with mm:
            pos = mm.find(_XMP_START)
            while pos >= 0 and len(packets) < _MAX_XMP_PACKETS:
                end = mm.find(_XMP_END, pos)
                if end < 0:
                    break
                packets.append(mm[pos : end + len(_XMP_END)])
                pos = mm.find(_XMP_START, end)
    return packets


def _xmp_facts(packet: bytes) -> dict[str, list[str]]:
    """TDMRep values (as attributes or elements, any prefix) and dc/xmp fallbacks of one XMP packet."""
    facts: dict[str, list[str]] = {}
    try:
        root = etree.fromstring(packet, _XMP_PARSER)
    except etree.XMLSyntaxError:
        return facts
    if root is None:
        return facts
    for el in root.iter():
        for name, value in el.attrib.items():
            if name.startswith(f"{{{TDMREP_NS}}}"):
                facts.setdefault(name.rsplit("}", 1)[1], []).append(value.strip())
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{TDMREP_NS}}}") and (el.text or "").strip():
            facts.setdefault(el.tag.rsplit("}", 1)[1], []).append(el.text.strip())
    for key, path in (
        ("title", "//dc:title//rdf:li"),
        ("creator", "//dc:creator//rdf:li"),
        ("language", "//dc:language//rdf:li"),
    ):
        values = [(li.text or "").strip() for li in root.xpath(path, namespaces=_NS)]
        if any(values):
            facts[key] = [v for v in values if v]
    created = root.xpath("//@xmp:CreateDate | //xmp:CreateDate/text()", namespaces=_NS)
    if created:
        facts["created"] = [str(created[0]).strip()]
    return facts


def _metadata(pdf: pdfium.PdfDocument, path: Path) -> dict[str, object]:
    md: dict[str, object] = {Meta.INPUT_FORMAT: "pdf", Meta.CONTENT_TYPE: PLAIN_TEXT}
    catalog_packet, unread = _catalog_xmp(path)
    others = [p for p in _xmp_packets(path) if catalog_packet is None or p not in catalog_packet]
    xmp: dict[str, list[str]] = {}
    for packet in [catalog_packet] if catalog_packet else []:
        for key, values in _xmp_facts(packet).items():
            xmp.setdefault(key, []).extend(values)
    catalog_tdm = {key: xmp.pop(key) for key in ("reservation", "policy") if key in xmp}
    for packet in others:
        for key, values in _xmp_facts(packet).items():
            xmp.setdefault(key, []).extend(values)
    for key, values in catalog_tdm.items():  # the document's own declaration after its parts': a later value wins
        xmp.setdefault(key, []).extend(values)
    title = pdf.get_metadata_value("Title").strip() or next(iter(xmp.get("title", [])), "")
    author = pdf.get_metadata_value("Author").strip() or "; ".join(xmp.get("creator", []))
    created = pdf_date_iso(pdf.get_metadata_value("CreationDate")) or next(iter(xmp.get("created", [])), None)
    lang = _catalog_language(pdf) or next(iter(xmp.get("language", [])), None)
    for key, value in ((Meta.TITLE, title), (Meta.AUTHOR, author), (Meta.PUBLISHED, created), (Meta.HTML_LANG, lang)):
        if value:
            md[key] = value[:_MAX_FIELD]
    tdm: dict[str, list[str]] = {}
    for key, info_key, xmp_key in (
        (TDM_RESERVATION, "tdm:reservation", "reservation"),
        (TDM_POLICY, "tdm:policy", "policy"),
    ):
        # Info first, XMP after it: a later value wins in TDMRep, and XMP is where the protocol puts it
        values = [v for v in [pdf.get_metadata_value(info_key).strip(), *xmp.get(xmp_key, [])] if v]
        if values:
            tdm[key] = values
    if unread and not catalog_packet:
        tdm[TDM_UNREAD] = [f"{path.name}: {unread}"]
        log.warning("%s: XMP metadata not read: %s", path, unread)
    if tdm:
        md[Meta.EMBEDDED_TDM] = tdm
    return md


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    text = without_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# the keyword `stream` (not the end of `endstream`, not inside a name) and the end of line after it
_STREAM = re.compile(rb"(?<![A-Za-z0-9#/])stream(?:\r\n|\n|\r)?")
_OBJECT_HEADER = re.compile(rb"\d+\s+\d+\s+obj$")
_MAX_DICT_BEFORE = 1 << 20  # how far before `stream` its object header is looked for
_COMMENTS = re.compile(rb"%[^\r\n]*")
_WIDE_SEARCHES = 64  # per file: searches past 4 KiB for a dictionary that does not parse (each copies up to 1 MiB)


def _inflation_bomb(path: Path, max_bytes: int) -> str | None:
    """Evidence when a stream of the file that is not an image decodes past `max_bytes`: PDFium would decode it
    whole to read the page (a 3 MB file held 3 GB). Each stream's own dictionary is parsed (`pdf_streams`: names with
    `#xx` escapes, nested dictionaries, filter chains of Flate, LZW, RunLength, ASCII85, ASCIIHex); a stream whose
    filters cannot be known from its dictionary is tried as Flate. Streams too short to reach the limit through
    their filters are not decoded; the others are, counting in 1 MiB steps, never kept. Images are left out (PDFium
    does not decode them for text), but as a dictionary may call a page's contents an image, and the bytes of an
    encrypted file are ciphertext, those two cases are checked again page by page (`_page_contents_bomb`)."""
    large_image = False
    with open(path, "rb") as f:
        try:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return None
        with data:
            ends = _StreamEnds(data)
            wide_searches = [_WIDE_SEARCHES]
            for m in _STREAM.finditer(data):
                stream_dict = _stream_dictionary(data, m.start(), wide_searches)
                filters = declared_filters(stream_dict) if stream_dict is not None else None
                if filters is None:
                    filters, how = ["FlateDecode"], "a stream of unreadable filters, tried as Flate,"
                else:
                    how = f"a stream of filters {filters or 'none'}"
                span = (m.end(), ends.after(m.end(), stream_dict))
                if worst_size(span[1] - span[0], filters) <= max_bytes:
                    continue
                if stream_dict is not None and stream_dict.get("Subtype") == "Image":
                    large_image = True
                    continue
                if (size := decoded_size_past(data, filters, max_bytes, span)) is not None:
                    return f"{how} at byte {m.end()} decodes past max_bytes {max_bytes} ({size} bytes and more)"
    return _page_contents_bomb(path, max_bytes, large_image)


def _page_contents_bomb(path: Path, max_bytes: int, large_image: bool) -> str | None:
    """Evidence when a page's content stream, or a form it draws, decodes past `max_bytes`, read through qpdf
    (decrypted, whatever its dictionary calls it). Only for an encrypted file or one with an image stream that could
    pass the limit: a walk of every page costs memory for each. A file qpdf cannot open is left to PDFium."""
    try:
        with pikepdf.open(path) as doc:
            if not (doc.is_encrypted or large_image):
                return None
            seen: set[tuple[int, int]] = set()
            for number, page in enumerate(doc.pages, 1):
                # (object, drawn as contents): a page's /Contents is parsed as such whatever its /Subtype says
                todo = [(page.obj.get("/Contents"), True), (page.obj.get("/Resources"), False)]
                while todo:
                    obj, contents = todo.pop()
                    if isinstance(obj, pikepdf.Array):
                        todo.extend((item, contents) for item in obj)
                    elif isinstance(obj, pikepdf.Dictionary) and not isinstance(obj, pikepdf.Stream):
                        xobjects = obj.get("/XObject")
                        if isinstance(xobjects, pikepdf.Dictionary):
                            todo.extend((v, False) for v in xobjects.values() if isinstance(v, pikepdf.Stream))
                    if not isinstance(obj, pikepdf.Stream) or obj.objgen in seen:
                        continue
                    seen.add(obj.objgen)
                    if not contents and obj.get("/Subtype") != pikepdf.Name.Form:
                        continue  # an image a page draws: PDFium does not decode it for text
                    todo.append((obj.get("/Resources"), False))
                    value = obj.get("/Filter")
                    names = [] if value is None else list(value) if isinstance(value, pikepdf.Array) else [value]
                    filters = [str(n).lstrip("/") for n in names]
                    raw = obj.read_raw_bytes()
                    if worst_size(len(raw), filters) > max_bytes and (
                        size := decoded_size_past(raw, filters, max_bytes)
                    ):
                        return (
                            f"a content stream of page {number} (object {obj.objgen[0]}) decodes past max_bytes "
                            f"{max_bytes} ({size} bytes and more)"
                        )
    except (pikepdf.PdfError, pikepdf.PasswordError, RuntimeError, ValueError, TypeError, OSError):
        return None  # a user password (PDFium drops the file), a file qpdf cannot read (PDFium decides)
    return None


def _stream_dictionary(data: mmap.mmap, keyword: int, wide_searches: list[int]) -> dict[str, object] | None:
    """The dictionary of the stream whose keyword `stream` is at `keyword`, parsed from its object header on; None
    when the keyword does not follow `>>`, or no header before it starts a dictionary that ends right there (looked
    for in 4 KiB, then up to 1 MiB while `wide_searches[0]`, the file's budget for that, lasts: a dictionary can be
    long, and the bytes `obj` can stand inside it)."""
    for before in (4096, 65536, _MAX_DICT_BEFORE):
        window = data[max(0, keyword - before) : keyword]
        if not _COMMENTS.sub(b"", window[-1024:]).rstrip(b"\x00\t\n\x0c\r ").endswith(b">>"):
            return None  # no dictionary ends before it (comments aside): not a stream's keyword
        pos = len(window)
        for _ in range(16):
            pos = window.rfind(b"obj", 0, pos)
            if pos < 0:
                break
            if not _OBJECT_HEADER.search(window, max(0, pos - 40), pos + 3):
                continue
            try:
                value, end = parse_object(window, pos + 3)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, dict) and skip_space(window, end) == len(window):
                return value
        if before >= keyword or wide_searches[0] <= 0:
            break
        wide_searches[0] -= 1
    return None


class _StreamEnds:
    """Where a stream ends: at the next `endstream` or its direct /Length, whichever reaches further (a reader may
    use either, and a count over more bytes only counts more). The next `endstream` is searched once per stream."""

    def __init__(self, data: mmap.mmap) -> None:
        self.data, self.next_end = data, -1

    def after(self, start: int, stream_dict: dict[str, object] | None) -> int:
        if self.next_end < start and self.next_end != len(self.data):
            found = self.data.find(b"endstream", start)
            self.next_end = len(self.data) if found < 0 else found
        end = self.next_end
        length = stream_dict.get("Length") if stream_dict else None
        if isinstance(length, float) and length > 0:
            end = max(end, min(len(self.data), start + int(length)))
        return end


def pdf_document(
    path: Path, timeout_s: float, clock: Callable[[], float] = time.monotonic, max_bytes: int | None = None
) -> SourceDocument:
    """The text and metadata of one PDF file, or why there is none (encrypted, corrupt, no page, no text, too slow,
    a content stream that inflates past `max_bytes`, or a text longer than `max_bytes`, counted page by page as it
    is read). The caller has checked that the bytes are a PDF (`sniff.is_pdf`)."""
    deadline = clock() + timeout_s
    base = {Meta.INPUT_FORMAT: "pdf"}
    if max_bytes is not None and (bomb := _inflation_bomb(path, max_bytes)):
        return SourceDocument("", 0, "", base, Drop(Reason.OVERSIZE, f"{path.name}: {bomb}"))
    # PDFium's own loader: pypdfium2's PdfDocument(path) calls a document of 0 pages a load failure (and leaves it open)
    raw = pdfium_c.FPDF_LoadDocument(os.fsencode(path) + b"\x00", None)
    if not raw:
        error = pdfium_c.FPDF_GetLastError()
        evidence = f"{path.name}: PDFium cannot load it ({_LOAD_ERRORS.get(error, f'error {error}')})"
        reason = Reason.PDF_ENCRYPTED if error in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) else None
        return SourceDocument("", 0, "", base, Drop(reason or Reason.PDF_CORRUPT, evidence[:300]))
    pdf = pdfium.PdfDocument(raw)  # owns the handle from here: closed below
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            evidence = f"{path.name}: PDFium finds no page in it (its page tree is empty or missing)"
            return SourceDocument("", 0, "", base, Drop(Reason.PDF_NO_PAGES, evidence))
        try:
            md = _metadata(pdf, path)
        except pdfium.PdfiumError as e:
            return SourceDocument("", 0, "", base, Drop(Reason.PDF_CORRUPT, f"{path.name}: {e}"[:300]))
        pages: list[str] = []
        size = 0  # bytes of the text so far in UTF-8, separators included
        for i in range(n_pages):
            if clock() > deadline:
                evidence = f"{path.name}: {timeout_s:g} s passed after {i} of {n_pages} pages"
                return SourceDocument("", 0, "", md, Drop(Reason.PARSE_TIMEOUT, evidence))
            try:
                page = _page_text(pdf, i)
            except pdfium.PdfiumError as e:  # one damaged page: keep its place, lose its text
                log.warning("%s: page %d of %d unreadable: %s", path, i + 1, n_pages, e)
                page = ""
            pages.append(page)
            # pages may share their content: a 32 MB file of 200,000 pages drawing one stream made 200 MB of text
            # (1 GB at the peak), and a stream under max_bytes shared so is no inflation bomb to `_inflation_bomb`
            size += (len(page) if page.isascii() else len(page.encode("utf-8", "surrogatepass"))) + len(PAGE_SEPARATOR)
            if max_bytes is not None and size > max_bytes:
                evidence = f"{path.name}: the text of {i + 1} of {n_pages} pages passes max_bytes {max_bytes}"
                return SourceDocument("", 0, "", md, Drop(Reason.OVERSIZE, evidence))
        if not any(p.strip() for p in pages):
            return SourceDocument(
                "", 0, "", md, Drop(Reason.NO_TEXT, f"{path.name}: {n_pages} pages without a text layer")
            )
        pages, running = without_running_lines(pages)
        text = rejoin_line_hyphens(PAGE_SEPARATOR.join(pages))
        return SourceDocument("", 0, text, md, counts={RUNNING_LINES_STAT: running} if running else {})
    finally:
        pdf.close()
