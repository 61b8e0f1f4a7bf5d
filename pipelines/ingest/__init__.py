"""Ingest: the input resolver (`inputs`), the source stages on one base (`base.SourceReader`), and the readers
that turn input files into documents — WARC/WET (FastWARC, also WARC/0.18), ARC (warcio), saved HTML,
JSONL/Parquet datasets, PDF (PDFium), Akoma Ntoso and Formex XML, DOCX — and payload decoding."""

from eurocurate.pipelines.ingest.base import SourceReader, make_doc_id
from eurocurate.pipelines.ingest.decode import decode_payload
from eurocurate.pipelines.ingest.document_reader import DocumentReader
from eurocurate.pipelines.ingest.formats import ALL_FORMATS, format_of, read_source
from eurocurate.pipelines.ingest.inputs import InputError, resolve_inputs
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.pipelines.ingest.warc import WarcReader, iter_warc_records

__all__ = [
    "ALL_FORMATS", "DocumentReader", "InputError", "NotADocument", "ReadLimits", "SourceDocument", "SourceReader",
    "WarcReader", "decode_payload", "format_of", "iter_warc_records", "make_doc_id", "read_source", "resolve_inputs",
]  # fmt: skip
