"""The source stages as a spec sees them (`warc_reader`, `document_reader`): parameters, builders, registration,
and which inputs they take.

`accepted_suffixes(spec)` tells the input resolver which file names to pick from the input folders:
the document reader's formats, or None for a spec whose source stage reads WARC only (`warc_reader`,
whose input resolution stays as it was).
"""

from __future__ import annotations

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eurocurate.config import PipelineSpec
from eurocurate.pipelines.ingest.document_reader import DocumentReader
from eurocurate.pipelines.ingest.formats import ALL_FORMATS, InputFormat, suffixes_of
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.pipelines.ingest.warc import WarcReader
from eurocurate.registry import BuildContext, StageParts, get_stage, register_stage
from eurocurate.schema import Meta, Reason

_DEFAULTS = ReadLimits()


class DocumentReaderParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    formats: list[InputFormat] = Field(
        list(ALL_FORMATS),
        description="Formats read: warc (also WET and WARC/0.18), arc, html, jsonl, parquet, pdf, xml (Akoma Ntoso, "
        "Formex), docx. Files of other formats in the input folders are left out.",
    )
    keep_status: list[int] = Field(
        list(_DEFAULTS.keep_status), description="HTTP statuses kept from WARC/ARC responses."
    )
    max_bytes: int = Field(
        _DEFAULTS.max_bytes,
        gt=0,
        description="Largest record, HTTP body once its Content-Encoding is undone, dataset row or "
        "single-document file read; larger: dropped as oversize, never read into memory.",
    )
    parse_timeout_s: float = Field(
        _DEFAULTS.parse_timeout_s,
        gt=0,
        description="Seconds one PDF or XML document may take to parse; longer: dropped.",
    )

    def accepted_suffixes(self) -> tuple[str, ...]:
        return suffixes_of(self.formats)

    def limits(self) -> ReadLimits:
        return ReadLimits(
            max_bytes=self.max_bytes, parse_timeout_s=self.parse_timeout_s, keep_status=tuple(self.keep_status)
        )


class WarcReaderParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep_status: list[int] = Field(
        list(_DEFAULTS.keep_status), description="HTTP statuses whose pages are kept; others are dropped."
    )
    max_bytes: int = Field(
        _DEFAULTS.max_bytes,
        gt=0,
        description="Largest record block, or HTTP body once its Content-Encoding is undone; larger: dropped as "
        "oversize, never read into memory.",
    )


_WARC_REASONS = {
    Reason.WARC_TRUNCATED: "the record ends before its Content-Length",
    Reason.WARC_CORRUPT: "the record or its HTTP block cannot be parsed",
    Reason.WARC_REVISIT: "a revisit record (no payload of its own)",
    Reason.NON_HTML: "the payload is not an HTML page",
    Reason.EMPTY_PAYLOAD: "the response has no body",
    Reason.HTTP_STATUS: "the HTTP status is not in keep_status",
    Reason.UNDECODABLE: "the payload cannot be decoded to text",
    Reason.WARC_LYING_LENGTH: "the block does not end where Content-Length says",
    Reason.OVERSIZE: "record, row or file above the reader's max_bytes",
    Reason.INPUT_MISSING: "an input file named by a path list that is not in the store (one row per file)",
}


@register_stage(
    name="warc_reader",
    summary="Read .warc/.warc.gz records into documents",
    role="source",
    params=WarcReaderParams,
    reasons=_WARC_REASONS,
)
def build_warc_reader(p: WarcReaderParams, ctx: BuildContext, key: str) -> StageParts:
    return StageParts(map_steps=[WarcReader.from_context(ctx, keep_status=tuple(p.keep_status), max_bytes=p.max_bytes)])


@register_stage(
    name="document_reader",
    summary="Read mixed inputs into documents: WARC/WET/ARC, HTML files, JSONL/Parquet datasets, PDF, "
    "Akoma Ntoso/Formex XML, DOCX",
    role="source",
    params=DocumentReaderParams,
    # a dataset row's own id, an Akoma Ntoso expression's FRBRthis (ELI) or a Formex file's reference: the
    # upstream name of the document, for tracing it back and for requests that name it so; and the format a file's
    # name declared when its bytes were another, read as what they are (`pdf` for an HTML page saved as `.pdf`)
    provenance_columns=[(Meta.SOURCE_ID, pa.string()), (Meta.DECLARED_FORMAT, pa.string())],
    reasons={
        **_WARC_REASONS,
        Reason.PARSE_TIMEOUT: "PDF/XML parsing exceeded the reader's time limit",
        Reason.PDF_ENCRYPTED: "an encrypted PDF",
        Reason.PDF_CORRUPT: "a PDF that cannot be parsed",
        Reason.PDF_NO_PAGES: "a PDF whose page tree holds no page",
        Reason.NOT_PDF: "a .pdf file whose bytes are no PDF, nor HTML or text to read instead",
        Reason.XML_MALFORMED: "XML that is not well-formed",
        Reason.XML_UNSUPPORTED: "well-formed XML, but neither Akoma Ntoso nor Formex",
        Reason.XML_ENTITIES: "XML using an entity the reader does not expand: external (file, URL, external DTD), "
        "undeclared, looping, or expanding past libxml2's amplification limit",
        Reason.CORRUPT_FILE: "an unreadable container: broken zip (DOCX), gzip/zstd, Parquet",
        Reason.MALFORMED_ROW: "a JSONL line that is not a JSON object",
        Reason.NO_TEXT_FIELD: "a dataset row without a string `text`",
        Reason.NO_TEXT: "parsed, but no text in it (scanned PDF, metadata-only XML)",
    },
)
def build_document_reader(p: DocumentReaderParams, ctx: BuildContext, key: str) -> StageParts:
    return StageParts(map_steps=[DocumentReader.from_context(ctx, limits=p.limits())])


def accepted_suffixes(spec: PipelineSpec) -> tuple[str, ...] | None:
    """File name endings the spec's source stage reads; None: WARC files, as the WARC reader takes them."""
    first = spec.stages[0]
    params_type = get_stage(first.use).params
    if not issubclass(params_type, DocumentReaderParams):
        return None
    try:
        return params_type.model_validate(first.params).accepted_suffixes()
    except ValidationError:
        return suffixes_of(ALL_FORMATS)  # the compiler reports the invalid parameters with the stage's name
