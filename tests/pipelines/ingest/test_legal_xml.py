"""Akoma Ntoso and Formex files: body text in reading order without metadata or footnotes; bad XML is a drop."""

import itertools

import pytest

from eurocurate.pipelines.ingest.formats import read_source
from eurocurate.pipelines.ingest.legal_xml import legal_xml_document
from eurocurate.pipelines.ingest.source_document import NotADocument, ReadLimits
from eurocurate.schema import Meta, Reason, Stat
from tests.pipelines.ingest.conftest import AKOMA_NTOSO, FORMEX


def akn(body: str, doctype: str = "") -> str:
    """An Akoma Ntoso act whose body is `body`."""
    xmlns = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
    return f'{doctype}<akomaNtoso xmlns="{xmlns}"><act><body>{body}</body></act></akomaNtoso>'


def _doc(tmp_path, xml: str, name: str = "doc.xml", **kwargs):
    path = tmp_path / name
    path.write_text(xml, encoding="utf-8")
    return legal_xml_document(path, kwargs.pop("timeout_s", 30), **kwargs)


AKOMA_NTOSO_TEXT = [
    "Regulation (EU) 2024/1 on the protection of rivers",
    "Having regard to the Treaty on the Functioning of the European Union,",
    "(1) Rivers are a shared resource of the Union.",
    "Chapter I",
    "General provisions",
    "Article 1",
    "Subject matter",
    "1. This Regulation lays down rules on the quality of river water.",
    "2. It applies to:",
    "(a) surface waters;",
    "(b) groundwater.",
    "Done at Brussels, 15 January 2024.",
]
AKOMA_NTOSO_METADATA = {
    Meta.INPUT_FORMAT: "akoma_ntoso",
    Meta.CONTENT_TYPE: "text/plain",
    Meta.TITLE: "Regulation (EU) 2024/1 on the protection of rivers",
    Meta.HTML_LANG: "eng",
    Meta.PUBLISHED: "2024-01-15",
    Meta.SOURCE_ID: "/akn/eu/act/regulation/2024/1/eng@/main",
}
# the act's title, preamble and enacting terms; no bibliographic data
FORMEX_TEXT = [
    "COMMISSION REGULATION (EU) 2024/1",
    "of 15 January 2024",
    "on the labelling of honey",
    "THE EUROPEAN COMMISSION,",
    "Having regard to the Treaty on the Functioning of the European Union,",
    "Whereas:",
    "(1) Consumers should know where honey comes from.",
    "HAS ADOPTED THIS REGULATION:",
    "Article 1",
    "Labelling",
    "1. The country of origin shall be indicated on the label.",
    "2. Where honey is blended, the label shall state:",
    "(a) the countries of origin;",
    "This Regulation shall be binding in its entirety.",
]
FORMEX_METADATA = {
    Meta.INPUT_FORMAT: "formex",
    Meta.HTML_LANG: "en",
    Meta.PUBLISHED: "2024-01-15",
    Meta.TITLE: "COMMISSION REGULATION (EU) 2024/1 of 15 January 2024 on the labelling of honey",
}


@pytest.mark.parametrize(
    ("xml", "lines", "absent", "metadata"),
    [
        (AKOMA_NTOSO, AKOMA_NTOSO_TEXT, ["NOISE"], AKOMA_NTOSO_METADATA),
        (FORMEX, FORMEX_TEXT, ["NOISE", "L_2024001EN"], FORMEX_METADATA),
    ],
    ids=["akoma_ntoso", "formex"],
)
def test_body_text_in_reading_order_without_metadata_or_footnotes(tmp_path, xml, lines, absent, metadata):
    doc = _doc(tmp_path, xml)
    assert doc.problem is None
    assert doc.text.splitlines() == lines
    assert not [noise for noise in absent if noise in doc.text]
    assert {key: doc.metadata[key] for key in metadata} == metadata


def test_formex_quotation_elements_become_quotation_marks(tmp_path):
    quoted = '<QUOT.START CODE="2018"/>honey<QUOT.END CODE="2019"/>'
    xml = f"<ACT><ENACTING.TERMS><ARTICLE><ALINEA>the word {quoted} means</ALINEA></ARTICLE></ENACTING.TERMS></ACT>"
    assert _doc(tmp_path, xml).text == "the word \u2018honey\u2019 means"


def test_an_akoma_ntoso_line_break_ends_a_line_and_fuses_no_words(tmp_path):
    p = "<p>the values of the Union enshrined in the Charter<br/>and should facilitate<br/> the protection</p>"
    assert _doc(tmp_path, akn(f"<paragraph><num>2.</num><content>{p}</content></paragraph>")).text.splitlines() == [
        "2. the values of the Union enshrined in the Charter",
        "and should facilitate",
        "the protection",
    ]


def test_akoma_ntoso_deleted_text_is_left_out_and_the_inserted_text_kept(tmp_path):
    amended = "<del>, the Commission shall</del><ins> the Commission shall take into account</ins>"
    p = f"<p>When adopting delegated acts{amended} the requirements.</p>"
    doc = _doc(tmp_path, akn(f"<paragraph><num>4.</num><content>{p}</content></paragraph>"))
    assert doc.text == "4. When adopting delegated acts the Commission shall take into account the requirements."


def test_a_formex_title_leaves_its_footnote_out(tmp_path):
    note = '<NOTE NOTE.ID="E0001" NUMBERING="STAR"><P>Text with EEA relevance</P></NOTE>'
    title = f"<TI><P>REGULATION (EU) 2016/679</P><P>on the protection of natural persons{note}</P></TI>"
    doc = _doc(tmp_path, f"<ACT><TITLE>{title}</TITLE><ENACTING.TERMS><ALINEA>Text.</ALINEA></ENACTING.TERMS></ACT>")
    assert doc.metadata[Meta.TITLE] == "REGULATION (EU) 2016/679 on the protection of natural persons"


def test_a_formex_package_descriptor_is_no_document_and_another_doc_root_is_unsupported(tmp_path):
    bib = '<BIB.DOC><NO.DOC FORMAT="YYYYNNNN" TYPE="OJ"><NO.CURRENT>2016/679</NO.CURRENT></NO.DOC></BIB.DOC>'
    files = '<FMX><DOC.MAIN.PUB><REF.PHYS FILE="L_2016119FR.01000101.xml" TYPE="DOC.XML"/></DOC.MAIN.PUB></FMX>'
    descriptor = _doc(tmp_path, f"<DOC>{bib}{files}</DOC>", name="L_2016119FR.01000101.doc.xml")
    assert isinstance(descriptor, NotADocument) and descriptor.counter == Stat.FORMEX_DESCRIPTORS
    trec = _doc(tmp_path, "<DOC><DOCNO>FT911-3</DOCNO><TEXT>A newspaper article.</TEXT></DOC>")
    assert trec.problem.reason == Reason.XML_UNSUPPORTED


def test_malformed_unsupported_and_empty_xml_are_drops(tmp_path):
    assert _doc(tmp_path, "<akomaNtoso><act><body><p>unclosed</body></act>").problem.reason == Reason.XML_MALFORMED
    unsupported = _doc(tmp_path, "<rss><channel><title>news</title></channel></rss>")
    assert unsupported.problem.reason == Reason.XML_UNSUPPORTED and "<rss>" in unsupported.problem.evidence
    metadata_only = _doc(tmp_path, '<ACT><BIB.INSTANCE><DATE ISO="20240115">x</DATE></BIB.INSTANCE></ACT>')
    assert metadata_only.problem.reason == Reason.NO_TEXT


def test_entities_of_the_files_own_dtd_subset_are_expanded(tmp_path):
    doctype = '<!DOCTYPE akomaNtoso [<!ENTITY eu "European Union"><!ENTITY nbsp "&#160;"><!ENTITY ms "Member &st;">'
    doctype += '<!ENTITY st "State">]>'
    p = "<p>The &eu; shall pay EUR 10&nbsp;000 to each &ms; of the &eu;.</p>"
    doc = _doc(tmp_path, akn(f"<paragraph><num>1.</num><content>{p}</content></paragraph>", doctype))
    assert doc.problem is None
    assert doc.text == "1. The European Union shall pay EUR 10 000 to each Member State of the European Union."


def _laughs(levels: int) -> str:
    entities = '<!ENTITY e0 "aaaaaaaaaa">' + "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, levels))
    return f"<!DOCTYPE ACT [{entities}]><ACT><FINAL><P>before &e{levels - 1}; after</P></FINAL></ACT>"


def test_external_entities_are_never_read_and_entity_bombs_never_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    external = {
        "file": f'<!DOCTYPE ACT [<!ENTITY ext SYSTEM "{secret.as_uri()}">]><ACT><FINAL><P>a &ext; b</P></FINAL></ACT>',
        "parameter": f'<!DOCTYPE ACT [<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]><ACT><FINAL><P>a</P></FINAL></ACT>',
        "external_dtd": '<!DOCTYPE ACT SYSTEM "formex.dtd"><ACT><FINAL><P>EUR 10&nbsp;000</P></FINAL></ACT>',
        "billion_laughs": _laughs(10),
        "loop": '<!DOCTYPE ACT [<!ENTITY a "&b;"><!ENTITY b "&a;">]><ACT><FINAL><P>x &a;</P></FINAL></ACT>',
    }
    for case, xml in external.items():
        doc = _doc(tmp_path, '<?xml version="1.0"?>' + xml)
        assert doc.problem.reason == Reason.XML_ENTITIES, case
        assert "entities not resolved" in doc.problem.evidence and "TOP-SECRET" not in doc.problem.evidence
    small = _doc(tmp_path, _laughs(3))  # 1,000 characters from 3 levels: within the amplification limit
    assert small.problem is None and small.text == f"before {'a' * 1000} after"


def test_the_deadline_is_checked_during_the_walk(tmp_path):
    articles = "".join(
        f"<ARTICLE><TI.ART>Article {i}</TI.ART><ALINEA>Text {i}.</ALINEA></ARTICLE>" for i in range(2000)
    )
    ticks = itertools.count()
    doc = _doc(
        tmp_path,
        f"<ACT><ENACTING.TERMS>{articles}</ENACTING.TERMS></ACT>",
        timeout_s=3.5,
        clock=lambda: float(next(ticks)),
    )
    assert doc.problem.reason == Reason.PARSE_TIMEOUT and "elements" in doc.problem.evidence
    assert doc.metadata[Meta.INPUT_FORMAT] == "formex"


def test_an_xml_file_over_the_size_limit_is_not_parsed(tmp_path):
    path = tmp_path / "big.xml"
    path.write_text(FORMEX)
    [doc] = list(read_source(path, "xml", ReadLimits(max_bytes=100)))
    assert doc.problem.reason == Reason.OVERSIZE
