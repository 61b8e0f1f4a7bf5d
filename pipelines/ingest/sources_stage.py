"""The `document_reader` stage as a spec sees it: its parameters, its builder, and which inputs it takes.

`accepted_suffixes(spec)` tells the input resolver which file names to pick from the input folders:
the document reader's formats, or None for a spec whose source stage reads WARC only (`warc_reader`,
whose input resolution stays as it was).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eurocurate.config import PipelineSpec
from eurocurate.pipelines.ingest.document_reader import DocumentReader
from eurocurate.pipelines.ingest.formats import ALL_FORMATS, InputFormat, suffixes_of
from eurocurate.pipelines.ingest.source_document import ReadLimits
from eurocurate.registry import BuildContext, StageParts, get_stage

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
        description="Largest record, dataset row or single-document file read; larger: dropped as oversize.",
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
