"""Saved HTML files (`.html`, `.htm`, `.xhtml`): one document per file, decoded like a WARC payload.

The charset comes from a byte-order mark (UTF-8, UTF-16), the `<meta>` tag or detection (`decode.decode_payload`:
there is no HTTP header, so neither UTF-32 nor UTF-16 without a mark); the extractor then reads the main text as
for crawled pages. Owns no extraction.
"""

from __future__ import annotations

from eurocurate.pipelines.ingest.decode import HTML_TYPES, decode_payload, looks_binary
from eurocurate.pipelines.ingest.source_document import SourceDocument
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop


def html_file_document(data: bytes) -> SourceDocument:
    """The document of one HTML file's bytes (the caller has checked the size limit)."""
    md: dict[str, object] = {Meta.INPUT_FORMAT: "html", Meta.CONTENT_TYPE: HTML_TYPES[0]}
    if not data.strip():
        return SourceDocument("", 0, "", md, Drop(Reason.EMPTY_PAYLOAD, "0 bytes"))
    if looks_binary(data):
        return SourceDocument("", 0, "", md, Drop(Reason.NON_HTML, f"binary content, {len(data)} bytes"))
    return decoded_file_document(data, None, md)


def decoded_file_document(data: bytes, content_type: str | None, md: dict[str, object]) -> SourceDocument:
    """The document of a whole file's bytes decoded as text (`decode.decode_payload` with `content_type`), its
    charset recorded in `md`, or an `ingest.undecodable` drop."""
    decoded = decode_payload(data, content_type)
    if decoded is None:
        return SourceDocument("", 0, "", md, Drop(Reason.UNDECODABLE, "no charset decodes the file"))
    md[Meta.CHARSET] = decoded.charset
    md[Meta.CHARSET_ORIGIN] = decoded.origin
    return SourceDocument("", 0, decoded.text, md)
