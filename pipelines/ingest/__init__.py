"""Ingest: readers that turn input files into documents — WARC/WET (FastWARC, also WARC/0.18), ARC (warcio),
saved HTML, JSONL/Parquet datasets, PDF (PDFium), Akoma Ntoso and Formex XML, DOCX — and payload decoding."""

from eurocurate.pipelines.ingest.decode import decode_payload
from eurocurate.pipelines.ingest.document_reader import DocumentReader
from eurocurate.pipelines.ingest.formats import ALL_FORMATS, format_of, read_source
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.pipelines.ingest.warc import WarcReader, iter_warc_records, make_doc_id

__all__ = [
    "ALL_FORMATS", "DocumentReader", "NotADocument", "ReadLimits", "SourceDocument", "WarcReader",
    "decode_payload", "format_of", "iter_warc_records", "make_doc_id", "read_source",
]  # fmt: skip
