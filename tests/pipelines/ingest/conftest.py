"""Input files of every format the readers take, written byte by byte here: PDF, ARC, DOCX, legal XML."""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

# --- PDF -------------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (Latin-1 letters, as the standard Helvetica font has them)."""
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_text_string(text: str) -> bytes:
    """A PDF text string for the Info dictionary: UTF-16BE with BOM, as a hex string."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode() + b">"


def make_pdf(
    path: Path,
    pages: list[list[str]],
    info: dict[str, str] | None = None,
    lang: str | None = None,
    xmp: str | None = None,
    encrypted: bool = False,
    flate_padding: int = 0,
    filters: str = "/FlateDecode",
    encode: Callable[[bytes], bytes] = zlib.compress,
    xmp_filter: tuple[str, Callable[[bytes], bytes]] | None = None,
    shared_contents: bool = False,
) -> Path:
    """A valid PDF 1.7: one page per list of lines (Helvetica, WinAnsi), optional Info, /Lang and XMP.

    `encrypted`: a Standard security handler whose user password is not empty (the O/U entries do not
    match the empty password), which is what a reader without the password sees.
    `flate_padding`: the page contents are a FlateDecode stream with this many bytes of comment lines after the
    text (a decompression bomb when large: a few KB on disk); `filters` and `encode` make it another filter chain
    (`filters` is written after `/Filter` as is, so it can hold escapes, arrays and `/DecodeParms`).
    `xmp_filter`: the /Filter entry of the metadata stream and the function that encodes the XMP for it.
    `shared_contents`: every page draws the first page's content stream (a small file of a large text).
    """
    objects: dict[int, bytes] = {}
    n_pages = len(pages)
    first_page = 10
    kids = b" ".join(f"{first_page + 2 * i} 0 R".encode() for i in range(n_pages))
    catalog = b"<< /Type /Catalog /Pages 2 0 R"
    if lang:
        catalog += b" /Lang " + _pdf_string(lang)
    if xmp is not None:
        catalog += b" /Metadata 5 0 R"
    objects[1] = catalog + b" >>"
    objects[2] = b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n_pages).encode() + b" >>"
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    info_items = b"".join(b"/" + k.encode() + b" " + _pdf_text_string(v) + b" " for k, v in (info or {}).items())
    objects[4] = b"<< " + info_items + b">>"
    if xmp is not None:
        data = xmp.encode("utf-8")
        xmp_entry = b""
        if xmp_filter:
            xmp_entry, data = b" /Filter " + xmp_filter[0].encode(), xmp_filter[1](data)
        objects[5] = (
            b"<< /Type /Metadata /Subtype /XML /Length "
            + str(len(data)).encode()
            + xmp_entry
            + b" >>\nstream\n"
            + data
            + b"\nendstream"
        )
    if encrypted:
        objects[6] = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"AB" * 32 + b"> /U <" + b"CD" * 32 + b"> /P -4 >>"
    for i, lines in enumerate(pages):
        content = b"BT /F1 12 Tf 72 770 Td 16 TL " + b" ".join(_pdf_string(line) + b" Tj T*" for line in lines) + b" ET"
        page_id, content_id = first_page + 2 * i, first_page + 2 * i + 1
        if shared_contents and i > 0:
            content_id = first_page + 1
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents "
            + f"{content_id} 0 R".encode()
            + b" >>"
        )
        if content_id in objects:
            continue
        flate = b""
        if flate_padding:
            line = b"%" + b" " * 1022 + b"\n"
            content = encode(content + b"\n" + line * (flate_padding // len(line)))
            flate = b" /Filter " + filters.encode()
        objects[content_id] = (
            b"<< /Length " + str(len(content)).encode() + flate + b" >>\nstream\n" + content + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += f"xref\n0 {size}\n".encode() + b"0000000000 65535 f \n"
    for number in range(1, size):
        out += f"{offsets[number]:010d} 00000 n \n".encode() if number in offsets else b"0000000000 65535 f \n"
    trailer = f"<< /Size {size} /Root 1 0 R /Info 4 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]"
    if encrypted:
        trailer += " /Encrypt 6 0 R"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


def tdm_xmp(reservation: int, policy: str | None = None) -> str:
    policy_attr = f' tdm:policy="{policy}"' if policy else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:tdm="http://www.w3.org/ns/tdmrep/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' tdm:reservation="{reservation}"{policy_attr}>'
        "<dc:creator><rdf:Seq><rdf:li>XMP Author</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


# --- ARC -------------------------------------------------------------------------------------------


def arc_record(url: str, payload: bytes, date: str = "20080101120000", mime: str = "text/html") -> bytes:
    """One ARC v1 record: the URL line (url ip date mime length), the HTTP response, a newline."""
    return f"{url} 192.0.2.1 {date} {mime} {len(payload)}\n".encode() + payload + b"\n"


def arc_filedesc(name: str = "test.arc") -> bytes:
    body = b"1 0 eurocurate-test\nURL IP-address Archive-date Content-type Archive-length\n"
    return f"filedesc://{name} 0.0.0.0 20080101000000 text/plain {len(body)}\n".encode() + body + b"\n"


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    return f"HTTP/1.0 {status}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body


def write_arc(path: Path, records: list[bytes], layout: str = "plain") -> Path:
    """`layout`: plain, per_record (one gzip member per record) or whole_file (one gzip member)."""
    data = [arc_filedesc(path.name), *records]
    if layout == "plain":
        blob = b"".join(data)
    elif layout == "per_record":
        blob = b"".join(gzip.compress(r, mtime=0) for r in data)
    else:
        blob = gzip.compress(b"".join(data), mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)
    return path


# --- DOCX ------------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(
    path: Path, paragraphs: list[str], title: str | None = None, creator: str | None = None, language: str | None = None
) -> Path:
    """A minimal Word document: [Content_Types].xml, word/document.xml and docProps/core.xml."""

    def para(text: str) -> str:
        runs = "".join(f'<w:r><w:t xml:space="preserve">{part}</w:t></w:r>' for part in text.split("|"))
        return f"<w:p>{runs}</w:p>"

    body = "".join(para(p) for p in paragraphs)
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    core_items = "".join(
        f"<{tag}>{value}</{tag}>"
        for tag, value in (("dc:title", title), ("dc:creator", creator), ("dc:language", language))
        if value
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'{core_items}<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T10:00:00Z</dcterms:created></cp:coreProperties>'
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("word/document.xml", document)
        z.writestr("docProps/core.xml", core)
    return path


# --- Akoma Ntoso and Formex ------------------------------------------------------------------------

AKOMA_NTOSO = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
  <act name="regulation">
    <meta>
      <identification source="#source">
        <FRBRWork><FRBRthis value="/akn/eu/act/regulation/2024/1/main"/><FRBRdate date="2024-01-15" name="adoption"/></FRBRWork>
        <FRBRExpression><FRBRthis value="/akn/eu/act/regulation/2024/1/eng@/main"/><FRBRdate date="2024-01-15" name="publication"/><FRBRlanguage language="eng"/></FRBRExpression>
      </identification>
      <references source="#source"><TLCOrganization eId="source" href="/ontology/organization/eu" showAs="METADATA NOISE"/></references>
    </meta>
    <preface>
      <longTitle><p>Regulation (EU) 2024/1 on <docPurpose>the protection of rivers</docPurpose></p></longTitle>
    </preface>
    <preamble>
      <citations><citation><p>Having regard to the Treaty on the Functioning of the European Union,</p></citation></citations>
      <recitals><recital><num>(1)</num><p>Rivers are a shared resource of the Union.</p></recital></recitals>
    </preamble>
    <body>
      <chapter eId="chp_1">
        <num>Chapter I</num>
        <heading>General provisions</heading>
        <article eId="art_1">
          <num>Article 1</num>
          <heading>Subject matter</heading>
          <paragraph eId="art_1__para_1">
            <num>1.</num>
            <content><p>This Regulation lays down rules on the <b>quality</b> of river water<authorialNote marker="1"><p>FOOTNOTE NOISE</p></authorialNote>.</p></content>
          </paragraph>
          <paragraph eId="art_1__para_2">
            <num>2.</num>
            <list>
              <intro><p>It applies to:</p></intro>
              <point><num>(a)</num><content><p>surface waters;</p></content></point>
              <point><num>(b)</num><content><p>groundwater.</p></content></point>
            </list>
          </paragraph>
        </article>
      </chapter>
    </body>
    <conclusions><p>Done at Brussels, 15 January 2024.</p></conclusions>
  </act>
</akomaNtoso>
"""

FORMEX = """<?xml version="1.0" encoding="UTF-8"?>
<ACT>
  <BIB.INSTANCE><DOCUMENT.REF FILE="L_2024001EN.01000101.xml"><COLL>L</COLL><NO.OJ>1</NO.OJ></DOCUMENT.REF>
    <DATE ISO="20240115">20240115</DATE><LG.DOC>EN</LG.DOC><NO.SEQ>0001</NO.SEQ><PAGE.FIRST>1</PAGE.FIRST></BIB.INSTANCE>
  <TITLE><TI><P>COMMISSION REGULATION (EU) 2024/1</P><P>of 15 January 2024</P><P>on the labelling of <HT TYPE="ITALIC">honey</HT></P></TI></TITLE>
  <PREAMBLE>
    <PREAMBLE.INIT>THE EUROPEAN COMMISSION,</PREAMBLE.INIT>
    <GR.VISA><VISA>Having regard to the Treaty on the Functioning of the European Union,</VISA></GR.VISA>
    <GR.CONSID><GR.CONSID.INIT>Whereas:</GR.CONSID.INIT>
      <CONSID><NP><NO.P>(1)</NO.P><TXT>Consumers should know where honey comes from<NOTE NOTE.ID="E0001"><P>NOTE NOISE</P></NOTE>.</TXT></NP></CONSID>
    </GR.CONSID>
    <PREAMBLE.FINAL>HAS ADOPTED THIS REGULATION:</PREAMBLE.FINAL>
  </PREAMBLE>
  <ENACTING.TERMS>
    <ARTICLE IDENTIFIER="001">
      <TI.ART>Article 1</TI.ART>
      <STI.ART>Labelling</STI.ART>
      <PARAG IDENTIFIER="001.001"><NO.PARAG>1.</NO.PARAG><ALINEA>The country of origin shall be indicated on the label.</ALINEA></PARAG>
      <PARAG IDENTIFIER="001.002"><NO.PARAG>2.</NO.PARAG><ALINEA>
        <P>Where honey is blended, the label shall state:</P>
        <LIST TYPE="alpha"><ITEM><NP><NO.P>(a)</NO.P><TXT>the countries of origin;</TXT></NP></ITEM></LIST>
      </ALINEA></PARAG>
    </ARTICLE>
  </ENACTING.TERMS>
  <FINAL><P>This Regulation shall be binding in its entirety.</P></FINAL>
</ACT>
"""
