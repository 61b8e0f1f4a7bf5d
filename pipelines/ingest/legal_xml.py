"""Public-sector legal XML: Akoma Ntoso (OASIS LegalDocML) and EUR-Lex Formex 4 files, one document each.

Keeps the body text in reading order, one line per block (title, recital, article heading, paragraph,
point), a paragraph's number before its text ("1. This Regulation ..."); leaves out metadata blocks
(`<meta>`, `<BIB.INSTANCE>`), footnotes, tables of contents and Akoma Ntoso deletions (`<del>`). Title,
language, date and the work/expression identifier are read from the metadata into provenance. Entities of the
file's internal DTD subset are expanded (within libxml2's amplification limit); nothing is fetched, so a file using
an external entity is a drop that says so. A deadline checked during the walk bounds the time spent on one file.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lxml import etree

from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT, NotADocument, SourceDocument
from eurocurate.schema import Meta, Reason, Stat
from eurocurate.stage import Drop

log = logging.getLogger(__name__)
_SPACES = re.compile(r"\s+")
_CHECK_EVERY = 256  # walk events between deadline checks
_MAX_FIELD = 500


@dataclass(frozen=True)
class XmlLayout:
    """How a schema lays out text: which elements are lines, numbers, headings, or left out."""

    blocks: frozenset[str]  # each starts and ends a line
    numbers: frozenset[str]  # go in front of the next line ("(1)" + recital text)
    headings: frozenset[str]  # a number before a heading stays on its own line ("Article 1" / "Subject matter")
    skip: frozenset[str]  # left out with their content (metadata, footnotes)
    characters: frozenset[str] = frozenset()  # empty elements standing for one character (`CODE` attribute)
    breaks: frozenset[str] = frozenset()  # empty elements ending a line within a block


AKOMA_NTOSO: Final = XmlLayout(
    blocks=frozenset(
        """act bill judgment doc debate amendment amendmentList documentCollection officialGazette portion statement
        debateReport preface preamble body mainBody judgmentBody debateBody amendmentBody collectionBody portionBody
        conclusions attachments attachment components component coverPage longTitle citations citation recitals recital
        formula p heading subheading crossHeading intro wrapUp content blockList item listIntroduction listWrapUp
        blockContainer container tblock table tr td th caption ul ol li blockQuote quotedStructure embeddedStructure
        article paragraph subparagraph point list sublist alinea indent clause subclause chapter subchapter section
        subsection part subpart title subtitle book tome division subdivision level hcontainer rule subrule proviso
        transitional introduction background arguments remedies motivation decision debateSection speech question
        answer from narrative summary scene signature div eol eop""".split()
    ),
    numbers=frozenset({"num"}),
    headings=frozenset({"heading", "subheading", "crossHeading"}),
    # `del`: text an amendment or consolidation struck out, beside the `ins` that replaces it (as DOCX deletions)
    skip=frozenset({"meta", "authorialNote", "noteRef", "toc", "popup", "del"}),
    breaks=frozenset({"br"}),
)

FORMEX: Final = XmlLayout(
    blocks=frozenset(
        """ACT CONS.ACT CONS.DOC CONS.ANNEX ANNEX GENERAL AGR JUDGMENT CORR TITLE TI STI P PREAMBLE PREAMBLE.INIT
        PREAMBLE.FINAL PREAMBLE.GEN GR.VISA VISA GR.CONSID GR.CONSID.INIT CONSID NP TXT ENACTING.TERMS DIVISION
        ARTICLE TI.ART STI.ART PARAG ALINEA LIST ITEM FINAL SIGNATURE PL.DATE SIGNATORY CONTENTS GR.SEQ TI.GR.SEQ
        GR.TBL TBL ROW CELL CORPUS QUOT.S FORMULA BLK TI.BLK DLIST DLIST.ITEM TERM DEFINITION""".split()
    ),
    numbers=frozenset({"NO.P", "NO.PARAG"}),
    headings=frozenset({"TI", "STI", "TI.ART", "STI.ART", "TI.GR.SEQ", "TI.BLK"}),
    skip=frozenset({"BIB.INSTANCE", "BIB.DOC", "BIB.DATA", "NOTE", "GR.NOTES", "MANIFESTATION", "INFO.PROD", "TOC"}),
    characters=frozenset({"QUOT.START", "QUOT.END"}),
)
# Document elements of Formex 4 that carry text.
_FORMEX_ROOTS = frozenset({"ACT", "CONS.ACT", "CONS.DOC", "CONS.ANNEX", "ANNEX", "GENERAL", "AGR", "JUDGMENT", "CORR"})
# resolve_entities="internal" (lxml >= 5): `<!ENTITY eu "European Union">` of the file's own DTD subset is expanded,
# an external entity (file, URL, or one an external DTD declares) is an error, never read. libxml2 stops an expansion
# past its amplification factor (billion laughs, quadratic blow-up), and the file itself is under max_bytes.
# The root of a Formex `.doc.xml` descriptor: the bibliographic data of an EUR-Lex package and the list of its files
# (FMX/DOC.MAIN.PUB/REF.PHYS), whose text files the reader reads on their own.
_FORMEX_DESCRIPTOR: Final = "DOC"
_DESCRIBES: Final = ("BIB.DOC", "FMX")  # what tells a descriptor from another schema's <DOC> (TREC)
_PARSER_OPTIONS = {"resolve_entities": "internal", "no_network": True, "load_dtd": False, "huge_tree": False,
                   "remove_comments": True, "remove_pis": True}  # fmt: skip
_ENTITY_ERRORS: Final = frozenset({
    etree.ErrorTypes.ERR_UNDECLARED_ENTITY, etree.ErrorTypes.WAR_UNDECLARED_ENTITY, etree.ErrorTypes.ERR_ENTITY_LOOP,
})  # fmt: skip


class ParseTimeout(Exception):
    """The deadline passed while walking the document."""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(parts: list[str]) -> str:
    return _SPACES.sub(" ", "".join(parts)).strip()


def layout_text(
    root: etree._Element, layout: XmlLayout, deadline: float, clock: Callable[[], float] = time.monotonic
) -> str:
    """The text of `root` laid out as lines; raises ParseTimeout when `clock()` passes `deadline`."""
    lines: list[str] = []
    buf: list[str] = []
    pending: list[str] = []  # numbers waiting for the text they belong to

    def close_line(block_ends: bool) -> None:
        text = _clean(buf)
        buf.clear()
        if text:
            lines.append(" ".join([*pending, text]))
            pending.clear()
        elif block_ends and pending:  # a number whose block had no text of its own
            lines.append(" ".join(pending))
            pending.clear()

    walker = etree.iterwalk(root, events=("start", "end"))
    for count, (event, el) in enumerate(walker):
        if count % _CHECK_EVERY == 0 and clock() > deadline:
            raise ParseTimeout(f"after {count} elements")
        name = _local(el.tag)
        if event == "start":
            if name in layout.skip:
                walker.skip_subtree()
                continue
            if name in layout.numbers or name in layout.blocks:
                close_line(block_ends=False)
            if name in layout.headings and pending:
                lines.append(" ".join(pending))
                pending.clear()
            if name in layout.characters:
                buf.append(_character(el.get("CODE")))
            if name in layout.breaks:  # "Charter<br/>and": two lines, never one fused word
                close_line(block_ends=False)
            if isinstance(el.tag, str):
                buf.append(el.text or "")
            continue
        if name in layout.skip:
            pass
        elif name in layout.numbers:
            number = _clean(buf)
            buf.clear()
            if number:
                pending.append(number)
        elif name in layout.blocks:
            close_line(block_ends=True)
        if el is not root:
            buf.append(el.tail or "")
    close_line(block_ends=True)
    return "\n".join(lines)


def _character(code: str | None) -> str:
    try:
        return chr(int(code or "", 16))
    except (ValueError, OverflowError):
        return ""


def _first(root: etree._Element, xpath: str) -> str | None:
    found = root.xpath(xpath)
    if not found:
        return None
    value = found[0] if isinstance(found[0], str) else _clean(list(found[0].itertext()))
    return str(value).strip()[:_MAX_FIELD] or None


def _akoma_ntoso_metadata(root: etree._Element) -> dict[str, object]:
    facts = {
        Meta.TITLE: _first(root, "//*[local-name()='preface']//*[local-name()='docTitle']")
        or _first(root, "//*[local-name()='preface']//*[local-name()='longTitle']"),
        Meta.HTML_LANG: _first(root, "//*[local-name()='FRBRExpression']/*[local-name()='FRBRlanguage']/@language"),
        Meta.PUBLISHED: _first(root, "//*[local-name()='FRBRExpression']/*[local-name()='FRBRdate']/@date"),
        Meta.SOURCE_ID: _first(root, "//*[local-name()='FRBRExpression']/*[local-name()='FRBRthis']/@value"),
    }
    return {k: v for k, v in facts.items() if v}


def _formex_metadata(root: etree._Element) -> dict[str, object]:
    # a footnote (NOTE, "Text with EEA relevance") sits inside a title's P and holds P of its own: left out of both
    paragraphs = root.xpath("/*/TITLE/TI//P[not(ancestor::NOTE)]")
    title = " ".join(_clean(p.xpath(".//text()[not(ancestor::NOTE)]")) for p in paragraphs) or None
    iso = _first(root, "/*/BIB.INSTANCE/DATE/@ISO")
    facts = {
        Meta.TITLE: title[:_MAX_FIELD] if title else None,
        Meta.HTML_LANG: (_first(root, "/*/BIB.INSTANCE/LG.DOC") or "").lower() or None,
        Meta.PUBLISHED: f"{iso[:4]}-{iso[4:6]}-{iso[6:8]}" if iso and len(iso) == 8 and iso.isdigit() else iso,
        Meta.SOURCE_ID: _first(root, "/*/BIB.INSTANCE/DOCUMENT.REF/@FILE"),
    }
    return {k: v for k, v in facts.items() if v}


def _entity_problem(error: etree.XMLSyntaxError) -> bool:
    """True when parsing stopped at an entity: one not declared in the file (external, or from a DTD not loaded),
    a loop, or an expansion past libxml2's amplification limit."""
    if error.code in _ENTITY_ERRORS:
        return True
    return error.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT and "entity" in str(error).lower()


def xml_dialect(root: etree._Element) -> str | None:
    """`akoma_ntoso`, `formex`, or None for XML of another schema."""
    name = _local(root.tag)
    if name == "akomaNtoso":
        return "akoma_ntoso"
    if name in _FORMEX_ROOTS:
        return "formex"
    return None


def legal_xml_document(
    path: Path, timeout_s: float, clock: Callable[[], float] = time.monotonic
) -> SourceDocument | NotADocument:
    """The text and metadata of one Akoma Ntoso or Formex file, or why there is none; a Formex package's
    descriptor (`.doc.xml`) is no document."""
    deadline = clock() + timeout_s
    try:
        root = etree.parse(str(path), etree.XMLParser(**_PARSER_OPTIONS)).getroot()
    except etree.XMLSyntaxError as e:
        if _entity_problem(e):
            evidence = f"{path.name}: entities not resolved (only the file's own DTD subset is expanded): {e}"
            return SourceDocument("", 0, "", {Meta.INPUT_FORMAT: "xml"}, Drop(Reason.XML_ENTITIES, evidence[:300]))
        return SourceDocument(
            "", 0, "", {Meta.INPUT_FORMAT: "xml"}, Drop(Reason.XML_MALFORMED, f"{path.name}: {e}"[:300])
        )
    dialect = xml_dialect(root)
    if dialect is None and root.tag == _FORMEX_DESCRIPTOR and any(root.find(part) is not None for part in _DESCRIBES):
        log.debug("%s: Formex package descriptor, no text of its own", path.name)
        return NotADocument(0, Stat.FORMEX_DESCRIPTORS)
    if dialect is None:
        evidence = f"{path.name}: root element <{_local(root.tag)}> is neither Akoma Ntoso nor Formex"
        return SourceDocument("", 0, "", {Meta.INPUT_FORMAT: "xml"}, Drop(Reason.XML_UNSUPPORTED, evidence))
    layout, facts = (AKOMA_NTOSO, _akoma_ntoso_metadata) if dialect == "akoma_ntoso" else (FORMEX, _formex_metadata)
    md: dict[str, object] = {Meta.INPUT_FORMAT: dialect, Meta.CONTENT_TYPE: PLAIN_TEXT, **facts(root)}
    try:
        text = layout_text(root, layout, deadline, clock)
    except ParseTimeout as e:
        return SourceDocument("", 0, "", md, Drop(Reason.PARSE_TIMEOUT, f"{path.name}: {timeout_s:g} s passed {e}"))
    if not text.strip():
        return SourceDocument("", 0, "", md, Drop(Reason.NO_TEXT, f"{path.name}: no body text ({dialect})"))
    return SourceDocument("", 0, text, md)
