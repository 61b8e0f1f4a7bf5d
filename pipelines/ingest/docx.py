"""Word documents (`.docx`): the paragraphs of the main part (named by `_rels/.rels`, else `word/document.xml`;
Transitional or ISO 29500 Strict) in order, one line each, and the title, author, date and language of
`docProps/core.xml`.

Read with zipfile and lxml only. Tracked deletions and hidden runs are left out, insertions kept; a text box
is read once; headers, footers, footnotes and comments are not read. A part larger than the reader's size limit
is not inflated.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Final
from urllib.parse import unquote

from lxml import etree

from eurocurate.pipelines.ingest.source_document import PLAIN_TEXT, SourceDocument
from eurocurate.pipelines.ingest.symbol_fonts import symbol_text
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CORE_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
_W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"  # ISO 29500 Strict
_DOCUMENT = "word/document.xml"
_RELS = "_rels/.rels"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = frozenset({
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",  # Strict
})  # fmt: skip
_CORE = "docProps/core.xml"
_SPACES = re.compile(r"[ \t\r\n]+")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_MAX_FIELD = 500
_MAX_CORE_BYTES = 1 << 20  # docProps/core.xml is a few hundred bytes of Dublin Core
_NOT_OWN_TEXT = frozenset({f"{_W}p", f"{_W}del", f"{_W}moveFrom"})
# A non-breaking hyphen is written as "-", not U+2011: the same glyph, and the words stay the words other texts
# spell ("EU-weite"), which dedup, PII patterns and tokenizers match. A soft hyphen is an invisible break point.
_MARKS: Final = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-", f"{_W}softHyphen": ""}
_TEXT_TAGS: Final = (f"{_W}t", f"{_W}sym", *_MARKS)
_HIDDEN: Final = (f"{_W}vanish", f"{_W}specVanish")
_OFF: Final = frozenset({"false", "0", "off"})  # a toggle property with one of these values is off
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _drop_hidden_runs(root: etree._Element) -> None:
    """Remove runs formatted hidden (`w:vanish`, `w:specVanish`): Word neither shows, prints nor exports them, and
    they hold what the author kept out of the document (internal notes, names, telephone numbers)."""
    for run in list(root.iter(f"{_W}r")):
        props = run.find(f"{_W}rPr")
        # direct children only: a w:rPrChange inside holds the formatting before a tracked change, not the current one
        if props is not None and any(
            el.tag in _HIDDEN and el.get(f"{_W}val", "true").strip().lower() not in _OFF for el in props
        ):
            run.getparent().remove(run)


def _drop_alternatives(root: etree._Element) -> None:
    """Keep the first branch of each `mc:AlternateContent`: Word writes a text box twice, as a DrawingML shape
    (`mc:Choice`) and as a VML one (`mc:Fallback`), and a reader takes one of them, as Word does."""
    for alternate in list(root.iter(f"{_MC}AlternateContent")):
        branches = [b for b in alternate if b.tag in (f"{_MC}Choice", f"{_MC}Fallback")]
        for branch in branches[1:]:
            alternate.remove(branch)


def _paragraph_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(*_TEXT_TAGS):
        if not _belongs_to(el, p):
            continue
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}sym":
            parts.append(symbol_text(el.get(f"{_W}font"), el.get(f"{_W}char")))
        else:
            parts.append(_MARKS[el.tag])
    return "\n".join(_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n")).strip()


def _belongs_to(el: etree._Element, p: etree._Element) -> bool:
    """False for text of a nested paragraph (a text box: read as its own paragraph) or of a tracked deletion."""
    for ancestor in el.iterancestors():
        if ancestor is p:
            return True
        if ancestor.tag in _NOT_OWN_TEXT:
            return False
    return False


def _main_part(archive: zipfile.ZipFile, max_bytes: int) -> str:
    """The main document part: the target of the package's officeDocument relationship (Word Online and
    SharePoint write `word/document2.xml`), else `word/document.xml` (a package without `_rels/.rels`)."""
    if _RELS not in archive.namelist() or archive.getinfo(_RELS).file_size > min(max_bytes, _MAX_CORE_BYTES):
        return _DOCUMENT
    try:
        rels = etree.fromstring(archive.read(_RELS), _PARSER)
    except etree.XMLSyntaxError:
        return _DOCUMENT
    for rel in rels.iter(f"{_PACKAGE_RELS}Relationship"):
        if (
            rel.get("Type") in _OFFICE_DOCUMENT
            and rel.get("TargetMode", "Internal") == "Internal"
            and rel.get("Target")
        ):
            # a target is a URI relative to the package root (leading "/" or not); zip names carry no "/" in front
            return posixpath.normpath(unquote(rel.get("Target", "")).lstrip("/"))
    return _DOCUMENT


def _as_transitional(root: etree._Element) -> None:
    """Rename ISO 29500 Strict's WordprocessingML namespace to the Transitional one, which the reader matches:
    the elements and attributes are the same (only Strict files pay this walk)."""
    if not isinstance(root.tag, str) or not root.tag.startswith(_W_STRICT):
        return
    for el in root.iter(tag=etree.Element):
        if el.tag.startswith(_W_STRICT):
            el.tag = _W + el.tag[len(_W_STRICT) :]
        for key in [k for k in el.attrib if k.startswith(_W_STRICT)]:
            el.attrib[_W + key[len(_W_STRICT) :]] = el.attrib.pop(key)


def _core_metadata(archive: zipfile.ZipFile, max_bytes: int) -> dict[str, object]:
    if _CORE not in archive.namelist() or archive.getinfo(_CORE).file_size > min(max_bytes, _MAX_CORE_BYTES):
        return {}  # metadata is optional: a bomb in its place is left uninflated, the text is still read
    try:
        root = etree.fromstring(archive.read(_CORE), _PARSER)
    except etree.XMLSyntaxError:
        return {}
    facts: dict[str, object] = {}
    for key, xpath in (
        (Meta.TITLE, "dc:title"),
        (Meta.AUTHOR, "dc:creator"),
        (Meta.PUBLISHED, "dcterms:created"),
        (Meta.HTML_LANG, "dc:language"),
    ):
        found = root.find(xpath, _CORE_NS)
        if found is not None and (found.text or "").strip():
            facts[key] = found.text.strip()[:_MAX_FIELD]
    return facts


def docx_document(path: Path, max_bytes: int) -> SourceDocument:
    """The text and metadata of one DOCX file, or why there is none."""
    md: dict[str, object] = {Meta.INPUT_FORMAT: "docx", Meta.CONTENT_TYPE: PLAIN_TEXT}
    part = _DOCUMENT
    try:
        with zipfile.ZipFile(path) as archive:
            part = _main_part(archive, max_bytes)
            try:
                info = archive.getinfo(part)
            except KeyError:
                evidence = f"{path.name}: no {part} in the archive" + (
                    " (named by _rels/.rels)" if part != _DOCUMENT else ""
                )
                return SourceDocument("", 0, "", md, Drop(Reason.CORRUPT_FILE, evidence))
            if info.file_size > max_bytes:  # a zip bomb is refused before it is inflated
                evidence = f"{path.name}: {part} inflates to {info.file_size} bytes > max_bytes {max_bytes}"
                return SourceDocument("", 0, "", md, Drop(Reason.OVERSIZE, evidence))
            md.update(_core_metadata(archive, max_bytes))
            # zipfile inflates no more than the declared size, so a lying size cannot outgrow the check above
            root = etree.fromstring(archive.read(part), _PARSER)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        return SourceDocument("", 0, "", md, Drop(Reason.CORRUPT_FILE, f"{path.name}: {e}"[:300]))
    except etree.XMLSyntaxError as e:
        return SourceDocument("", 0, "", md, Drop(Reason.XML_MALFORMED, f"{path.name}: {part}: {e}"[:300]))
    _as_transitional(root)
    _drop_alternatives(root)
    _drop_hidden_runs(root)
    body = root.find(f"{_W}body")
    paragraphs = [_paragraph_text(p) for p in (body.iter(f"{_W}p") if body is not None else [])]
    text = "\n".join(p for p in paragraphs if p)
    if not text:
        return SourceDocument("", 0, "", md, Drop(Reason.NO_TEXT, f"{path.name}: no paragraph text"))
    return SourceDocument("", 0, text, md)
