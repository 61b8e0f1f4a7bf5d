"""What every format reader yields: one document found in an input file, or why it is not one.

Owns the contract between the per-format readers (`warc`, `arc`, `html_files`, `datasets`, `pdf`,
`legal_xml`, `docx`) and the source stage that turns their output into datatrove Documents with
provenance. It holds no reading logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from eurocurate.schema import Stat
from eurocurate.stage import Drop

# MIME type of a document whose text is already plain text: the extractor passes it through.
PLAIN_TEXT: Final = "text/plain"


@dataclass(slots=True)
class SourceDocument:
    """One document of an input file. `problem` set: the reader could not make a document of it."""

    key: str  # unique within the file and stable across runs: record id, row number, "" for a whole file
    offset: int  # byte offset of the record (archives), row number (datasets), 0 (one document per file)
    text: str = ""
    metadata: dict[str, object] = field(default_factory=dict)  # Meta keys the format knows (url, title, ...)
    problem: Drop | None = None
    counts: dict[str, int] = field(default_factory=dict)  # stage stats the reader measured (running lines removed)


@dataclass(frozen=True, slots=True)
class NotADocument:
    """A record or file that is no document by nature (warcinfo, request, metadata; a Formex `.doc.xml` descriptor):
    counted under `counter`, not dropped."""

    offset: int
    counter: str = Stat.OTHER_RECORDS


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Per-document limits every reader enforces; a document beyond them is a counted drop."""

    max_bytes: int = 64 << 20  # record block, dataset row, or whole file (PDF/XML/HTML/DOCX)
    parse_timeout_s: float = 60.0  # PDF and XML parsing of one document
    keep_status: tuple[int, ...] = (200,)  # HTTP statuses kept from WARC/ARC responses
