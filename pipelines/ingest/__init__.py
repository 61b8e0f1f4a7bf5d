"""Ingest: readers that turn input files into documents (WARC today) and payload decoding."""

from eurocurate.pipelines.ingest.decode import decode_payload
from eurocurate.pipelines.ingest.warc import WarcReader, iter_warc_records, make_doc_id

__all__ = ["WarcReader", "decode_payload", "iter_warc_records", "make_doc_id"]
