"""What a one-document file's bytes are when its name says otherwise: a `.pdf` that is an HTML page or text.

Owns the magic-byte test of PDF (`is_pdf`), the WHATWG MIME-sniffing rules that tell HTML from plain text
and from binary data, and the reading of a misnamed `.pdf` as what it is, with the name's claim kept in
`declared_format`. Owns no decoding (`decode`) and no format's reading (`html_files`, `pdf`).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Final, Literal

from eurocurate.pipelines.ingest.decode import looks_binary, wide_charset
from eurocurate.pipelines.ingest.html_files import decoded_file_document, html_file_document
from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT, SourceDocument
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

# PDF readers (PDFium, Acrobat) look for the header in the first KiB: bytes before it are tolerated
_PDF_HEADER: Final = b"%PDF"
SNIFF_BYTES: Final = 1024
# WHATWG MIME Sniffing, "rules for identifying an unknown MIME type": these, after whitespace, and then a space or
# `>`, make the bytes HTML
_HTML_OPENINGS: Final = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div", b"<font", b"<table", b"<a",
    b"<style", b"<title", b"<b", b"<body", b"<br", b"<p", b"<!--",
)  # fmt: skip
# its "binary data bytes": a text file holds none of them
_BINARY_BYTES: Final = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
TextKind = Literal["html", "text"]


def is_pdf(path: Path) -> bool:
    """True when the file's first KiB holds the PDF header, where a PDF reader looks for it."""
    with open(path, "rb") as f:
        return _PDF_HEADER in f.read(SNIFF_BYTES)


def text_kind(payload: bytes) -> TextKind | None:
    """`html` when the payload opens as an HTML page (or names `<html` in its first KiB: an XHTML prolog, a comment
    first), `text` when its first KiB is text with no binary data byte, None for binary data."""
    head = payload[:SNIFF_BYTES]
    if (wide := wide_charset(payload, None)) is not None:  # a UTF-16 page: sniffed in its characters
        codec, _, bom = wide
        head = head[bom:].decode(codec, "replace").encode("utf-8", "replace")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if looks_binary(head) or any(b in _BINARY_BYTES for b in head):
        return None
    opening = head.lstrip(b"\t\n\x0c\r ").lower()
    for tag in _HTML_OPENINGS:
        if opening.startswith(tag) and opening[len(tag) : len(tag) + 1] in (b" ", b">"):
            return "html"
    return "html" if b"<html" in opening else "text"


def misnamed_pdf_document(path: Path, data: bytes) -> SourceDocument:
    """The document of a `.pdf` file whose bytes are no PDF (`is_pdf` false): read as HTML or as plain text when
    they are one, else a drop (`ingest.not_a_pdf`); `declared_format` says `pdf`, what the name claimed."""
    declared = "pdf"
    if not data.strip():
        doc = SourceDocument("", 0, "", {Meta.INPUT_FORMAT: declared}, Drop(Reason.EMPTY_PAYLOAD, "0 bytes"))
    elif (kind := text_kind(data)) == "html":
        doc = html_file_document(data)
    elif kind == "text":
        doc = _plain_text_document(data)
    else:
        evidence = f"{path.name}: no {_PDF_HEADER.decode()} header in its first {SNIFF_BYTES} bytes, and binary data"
        evidence += f" (it starts {data[:16]!r})"
        doc = SourceDocument("", 0, "", {Meta.INPUT_FORMAT: declared}, Drop(Reason.NOT_PDF, evidence))
    doc.metadata[Meta.DECLARED_FORMAT] = declared
    return doc


def _plain_text_document(data: bytes) -> SourceDocument:
    return decoded_file_document(data, PLAIN_TEXT, {Meta.INPUT_FORMAT: "text", Meta.CONTENT_TYPE: PLAIN_TEXT})
