"""Document reader stage: input files of any supported format in, one Document per document out.

Dispatches each file by its name (`formats.read_source`) to its format's reader; provenance, counting,
the ledger and a reader's unforeseen failure are the source-stage base's (`base.SourceReader`). Its
spec parameters and builder are in `sources_stage`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from eurocurate.pipelines.ingest.base import SourceDeclaration, SourceReader
from eurocurate.pipelines.ingest.formats import format_of, read_source
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits, SourceDocument

_DEFAULT_LIMITS = ReadLimits()
_BYTE_OFFSETS = frozenset({"warc", "arc"})  # formats whose offsets are file positions (progress within a file)


class DocumentReader(SourceReader):
    """Source stage: reads the input files assigned to this task (files[rank::world_size]), any format."""

    name = "document_reader"
    counts_formats = True

    def __init__(
        self,
        files: list[str],
        root: str,
        out_dir: str,
        work_dir: str,
        sources: dict[str, SourceDeclaration],
        limits: ReadLimits = _DEFAULT_LIMITS,
    ):
        unknown = [f for f in files if format_of(f) is None]
        if unknown:
            raise ValueError(
                f"document_reader: no reader for {unknown[:5]}; expected one of the formats in ingest.formats"
            )
        super().__init__(files, root, out_dir, work_dir, sources)
        self.limits = limits

    def input_format(self, rel: str) -> str:
        return str(format_of(rel))

    def offsets_are_bytes(self, rel: str) -> bool:
        return format_of(rel) in _BYTE_OFFSETS

    def read_file(self, path: Path, rel: str) -> Iterator[SourceDocument | NotADocument]:
        fmt = format_of(rel)
        assert fmt is not None  # the constructor refused files of no format
        return read_source(path, fmt, self.limits)
