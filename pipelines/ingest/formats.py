"""Input formats the document reader takes: which file names mean which format, and which reader reads it.

Owns the suffix table (case-insensitive, longest suffix wins) and the dispatch with the whole-file
size limit (a `.pdf` whose bytes are no PDF goes to `sniff`); each format's reading lives in its own
module. Readers are imported when first used, so that a WARC-only run never loads PDFium.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final, Literal, get_args

from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

InputFormat = Literal["warc", "arc", "html", "jsonl", "parquet", "pdf", "xml", "docx"]
ALL_FORMATS: Final[tuple[InputFormat, ...]] = get_args(InputFormat)
FORMAT_SUFFIXES: Final[dict[InputFormat, tuple[str, ...]]] = {
    # WET files are WARC files of `conversion` records; legacy WARC/0.18 is read like WARC/1.x
    "warc": (".warc", ".warc.gz", ".wet", ".wet.gz"),
    "arc": (".arc", ".arc.gz"),
    "html": (".html", ".htm", ".xhtml"),
    "jsonl": (".jsonl", ".jsonl.gz", ".jsonl.zst"),
    "parquet": (".parquet",),
    "pdf": (".pdf",),
    "xml": (".xml",),  # Akoma Ntoso or Formex, told apart by the root element
    "docx": (".docx",),
}
# Formats whose file is one document: the size limit applies to the file.
_WHOLE_FILE: Final = frozenset({"html", "pdf", "xml", "docx"})


def format_of(name: str) -> InputFormat | None:
    """The format a file name says, or None for a file the reader does not take."""
    lower = name.lower()
    best: tuple[int, InputFormat | None] = (0, None)
    for fmt, suffixes in FORMAT_SUFFIXES.items():
        for suffix in suffixes:
            if lower.endswith(suffix) and len(suffix) > best[0]:
                best = (len(suffix), fmt)
    return best[1]


def suffixes_of(formats: Iterable[InputFormat]) -> tuple[str, ...]:
    return tuple(s for fmt in formats for s in FORMAT_SUFFIXES[fmt])


def read_source(path: Path, fmt: InputFormat, limits: ReadLimits) -> Iterator[SourceDocument | NotADocument]:
    """Every document of one input file in file order, each with its problem if it could not be read."""
    if fmt in _WHOLE_FILE:
        size = path.stat().st_size
        if size > limits.max_bytes:
            evidence = f"{path.name}: {size} bytes > max_bytes {limits.max_bytes}"
            yield SourceDocument("", 0, "", {Meta.INPUT_FORMAT: fmt}, Drop(Reason.OVERSIZE, evidence))
            return
    if fmt == "warc":
        from eurocurate.pipelines.ingest.warc import warc_documents

        yield from warc_documents(path, limits)
    elif fmt == "arc":
        from eurocurate.pipelines.ingest.arc import arc_documents

        yield from arc_documents(path, limits)
    elif fmt == "html":
        from eurocurate.pipelines.ingest.html_files import html_file_document

        yield html_file_document(path.read_bytes())
    elif fmt == "jsonl":
        from eurocurate.pipelines.ingest.datasets import jsonl_documents

        yield from jsonl_documents(path, limits.max_bytes)
    elif fmt == "parquet":
        from eurocurate.pipelines.ingest.datasets import parquet_documents

        yield from parquet_documents(path, limits.max_bytes)
    elif fmt == "pdf":
        from eurocurate.pipelines.ingest.sniff import is_pdf, misnamed_pdf_document

        if not is_pdf(path):  # an HTML page or text saved as `.pdf` is read as what it is
            yield misnamed_pdf_document(path, path.read_bytes())
            return
        from eurocurate.pipelines.ingest.pdf import pdf_document

        yield pdf_document(path, limits.parse_timeout_s, max_bytes=limits.max_bytes)
    elif fmt == "xml":
        from eurocurate.pipelines.ingest.legal_xml import legal_xml_document

        yield legal_xml_document(path, limits.parse_timeout_s)
    elif fmt == "docx":
        from eurocurate.pipelines.ingest.docx import docx_document

        yield docx_document(path, limits.max_bytes)
    else:
        raise ValueError(f"unknown input format {fmt!r}; expected one of {ALL_FORMATS}")
