"""Word documents built here with zipfile: paragraphs in order, core properties, broken archives are drops."""

import zipfile

from eurocurate.pipelines.ingest.docx import docx_document
from eurocurate.schema import Meta, Reason
from tests.pipelines.ingest.conftest import make_docx

TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"'
)
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def word_file(path, body: str, main: str = "word/document.xml", w: str = TRANSITIONAL, target: str | None = None):
    """A Word package whose main part `main` holds `body` (WordprocessingML with the `w:` prefix), named by
    `_rels/.rels` as Word writes it (`target`: what the relationship says, `main` unless given)."""
    document = f'<w:document xmlns:w="{w}" {NAMESPACES}><w:body>{body}</w:body></w:document>'
    relationships = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="{target or main}"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        )
        z.writestr("_rels/.rels", relationships)
        z.writestr(main, document)
    return path


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_paragraphs_in_order_with_runs_joined_and_core_properties(tmp_path):
    path = make_docx(
        tmp_path / "r.docx",
        ["The ministry publishes |its annual report.", "Le ministère publie son rapport."],
        title="Annual report",
        creator="Ministry of Environment",
        language="en-IE",
    )
    doc = docx_document(path, 1 << 20)
    assert doc.problem is None
    assert doc.text == "The ministry publishes its annual report.\nLe ministère publie son rapport."
    md = doc.metadata
    assert md[Meta.TITLE] == "Annual report" and md[Meta.AUTHOR] == "Ministry of Environment"
    assert md[Meta.HTML_LANG] == "en-IE" and md[Meta.PUBLISHED] == "2024-03-01T10:00:00Z"
    assert md[Meta.CONTENT_TYPE] == "text/plain" and md[Meta.INPUT_FORMAT] == "docx"


def test_tracked_deletions_are_left_out(tmp_path):
    path = make_docx(tmp_path / "d.docx", ["kept"])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:p>", b'<w:p><w:del w:id="1"><w:r><w:t>deleted</w:t></w:r></w:del>', 1
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert docx_document(path, 1 << 20).text == "kept"


def test_broken_archives_missing_parts_and_zip_bombs_are_drops(tmp_path):
    (tmp_path / "junk.docx").write_bytes(b"PK\x03\x04 not a zip")
    assert docx_document(tmp_path / "junk.docx", 1 << 20).problem.reason == Reason.CORRUPT_FILE
    with zipfile.ZipFile(tmp_path / "empty.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    assert docx_document(tmp_path / "empty.docx", 1 << 20).problem.reason == Reason.CORRUPT_FILE
    big = make_docx(tmp_path / "big.docx", ["word " * 5000])
    assert docx_document(big, 1000).problem.reason == Reason.OVERSIZE
    with zipfile.ZipFile(tmp_path / "bad.docx", "w") as z:
        z.writestr("word/document.xml", "<w:document><w:body>")
    assert docx_document(tmp_path / "bad.docx", 1 << 20).problem.reason == Reason.XML_MALFORMED


def test_a_text_box_written_as_drawing_and_vml_fallback_is_read_once(tmp_path):
    box = f"<w:txbxContent><w:p>{run('Hinweis im Textfeld: Antrag bis 31. März stellen.')}</w:p></w:txbxContent>"
    body = (
        f'<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>{box}'
        f"</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{box}"
        f"</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>{run('Text nach dem Feld.')}</w:p>"
    )
    doc = docx_document(word_file(tmp_path / "box.docx", body), 1 << 20)
    assert doc.text == "Text nach dem Feld.\nHinweis im Textfeld: Antrag bis 31. März stellen."


def test_no_break_and_soft_hyphens_and_symbols_keep_words_apart(tmp_path):
    hyphen, soft = "<w:r><w:noBreakHyphen/></w:r>", "<w:r><w:softHyphen/></w:r>"
    bullet = '<w:r><w:sym w:font="Symbol" w:char="F0B7"/></w:r>'  # Symbol's byte 0xB7 in Word's private-use form
    wingding = '<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'  # a check mark with no standard character
    body = (
        f"<w:p>{run('Die EU')}{hyphen}{run('weite Regelung gilt für Nord')}{hyphen}{run('rhein')}{soft}"
        f"{run('westfalen')}{bullet}{run(' Länder')}{hyphen}{run('Ausschuss')}{wingding}"
        f'<w:r><w:sym w:font="Arial" w:char="00A7"/></w:r>{run(" 3.")}</w:p>'
    )
    doc = docx_document(word_file(tmp_path / "h.docx", body), 1 << 20)
    assert doc.text == "Die EU-weite Regelung gilt für Nord-rheinwestfalen• Länder-Ausschuss§ 3."


def test_the_main_part_named_by_the_package_relationship_and_strict_documents_are_read(tmp_path):
    # Word Online / SharePoint name the main part word/document2.xml; ISO 29500 Strict has its own namespace
    sentence = "Die Verwaltungsvorschrift regelt die Zusammenarbeit der Behörden."
    online = word_file(
        tmp_path / "online.docx", f"<w:p>{run(sentence)}</w:p>", main="word/document2.xml", target="/word/document2.xml"
    )
    strict = f"<w:p>{run('Artikel 1')}<w:r><w:noBreakHyphen/></w:r>{run('Zweck')}</w:p><w:p>{run(sentence)}</w:p>"
    strict_file = word_file(tmp_path / "strict.docx", strict, w="http://purl.oclc.org/ooxml/wordprocessingml/main")
    assert docx_document(online, 1 << 20).text == sentence
    assert docx_document(strict_file, 1 << 20).text == f"Artikel 1-Zweck\n{sentence}"
    # the relationship names a part the archive lacks
    dangling = word_file(tmp_path / "dangling.docx", "<w:p/>", main="word/document2.xml", target="word/document3.xml")
    problem = docx_document(dangling, 1 << 20).problem
    assert problem.reason == Reason.CORRUPT_FILE and "word/document3.xml" in problem.evidence


def test_hidden_runs_are_left_out_as_word_shows_and_exports_none(tmp_path):
    note = "VERTRAULICH: Rückfragen an Frau Erika Mustermann, Tel. 030 1234567. "
    hidden = f'<w:r><w:rPr><w:b/><w:vanish/></w:rPr><w:t xml:space="preserve">{note}</w:t></w:r>'
    special = '<w:r><w:rPr><w:specVanish w:val="1"/></w:rPr><w:t>Stiltrenner</w:t></w:r>'
    shown = '<w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t xml:space="preserve"> Er wird sichtbar.</w:t></w:r>'
    # hidden before a tracked formatting change, shown now
    was_hidden = (
        '<w:r><w:rPr><w:rPrChange w:id="9"><w:rPr><w:vanish/></w:rPr></w:rPrChange></w:rPr><w:t>Jetzt.</w:t></w:r>'
    )
    body = f"<w:p>{hidden}{run('Öffentlicher Satz.')}{special}{shown}</w:p><w:p>{hidden}</w:p><w:p>{was_hidden}</w:p>"
    doc = docx_document(word_file(tmp_path / "hidden.docx", body), 1 << 20)
    assert doc.text == "Öffentlicher Satz. Er wird sichtbar.\nJetzt."
