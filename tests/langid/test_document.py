from __future__ import annotations

from eurocurate.langid.document import identify_document, kept_text
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.tools.demo_corpus import load_texts
from tests.langid.sentences import EU24_SENTENCES

IRISH_PAGE = "\n".join([
    "Skip to main content",
    "Home | News | About us | Contact",
    "Accept all cookies and continue to the website",
    "Shocraigh an chomhairle contae inné go dtógfaí cosán nua rothair cois na habhann, agus tosóidh an obair san "
    "earrach.",
    "Beidh an leabharlann ar oscailt níos faide i rith an gheimhridh ionas go mbeidh áit chiúin ag na daltaí chun "
    "staidéar a dhéanamh.",
    "Dúirt an cathaoirleach go raibh áthas uirthi leis an socrú agus gur chóir do mhuintir an bhaile a dtuairimí a "
    "thabhairt.",
    "Tá an tionscadal á mhaoiniú ag an rialtas agus ag an gcomhairle le chéile, agus beidh sé críochnaithe roimh an "
    "samhradh.",
    "Privacy policy and terms of use for visitors of this website",
])  # fmt: skip

MALTESE_PAGE = "\n".join([
    "Il-kunsill lokali ddeċieda lbieraħ li jibni mogħdija ġdida għar-roti ħdejn ix-xmara, u x-xogħol jibda "
    "fir-rebbiegħa.",
    "\"We are very pleased that the project is finally going ahead after years of discussion with the residents,\" "
    "the mayor said.",
    "Il-librerija se tibqa' miftuħa għal aktar ħin matul ix-xitwa biex l-istudenti jkollhom post sħun u kwiet fejn "
    "jistudjaw.",
    "Is-sindku qal li l-proġett se jiġi ffinanzjat mill-gvern u mill-kunsill flimkien, u se jitlesta qabel is-sajf.",
])  # fmt: skip


def test_irish_page_with_english_navigation_is_irish_with_an_english_share(identifier):
    doc = identify_document(identifier, IRISH_PAGE)
    assert doc.lang == "ga"
    assert set(doc.shares) == {"ga", "en"}
    assert 0.65 <= doc.shares["ga"] <= 0.85 and abs(sum(doc.shares.values()) - 1) < 1e-3
    footer = doc.segments[-1]
    assert footer.lang == "en"


def test_maltese_page_with_an_english_quote_is_maltese(identifier):
    doc = identify_document(identifier, MALTESE_PAGE)
    assert doc.lang == "mt"
    assert doc.shares["en"] > 0.15 and doc.shares["mt"] > 0.65
    assert [s.lang for s in doc.segments] == ["mt", "en", "mt", "mt"]


def test_short_lines_inherit_from_equal_neighbours(identifier):
    text = "\n".join([EU24_SENTENCES["de"][0], "Weiterlesen", EU24_SENTENCES["de"][1]])
    doc = identify_document(identifier, text)
    assert [s.lang for s in doc.segments] == ["de", "de", "de"]
    assert doc.segments[1].inherited and not doc.segments[0].inherited
    assert doc.shares == {"de": 1.0}


def test_a_document_of_only_short_lines_is_read_as_one_text(identifier):
    doc = identify_document(identifier, "Guten Morgen\nWie geht es Ihnen heute\nDanke schön")
    assert doc.lang == "de"


def test_empty_document_is_undetermined(identifier):
    doc = identify_document(identifier, "  \n\n ")
    assert doc.lang == "und" and doc.shares == {} and doc.segments == ()


def _counting_fasttext(identifier, monkeypatch) -> list[int]:
    """Characters of every text fastText reads through `identifier` while the test runs."""
    read: list[int] = []
    predict = identifier._predict

    def counting(flat, k):
        read.append(len(flat))
        return predict(flat, k)

    monkeypatch.setattr(identifier, "_predict", counting)
    return read


def test_long_documents_are_read_within_the_character_budget(identifier, monkeypatch):
    read = _counting_fasttext(identifier, monkeypatch)
    text = "\n".join(EU24_SENTENCES["fr"] * 40)  # 80 paragraphs, ~9 KB
    doc = identify_document(identifier, text)
    assert doc.lang == "fr" and len(doc.segments) == 80
    cfg = identifier.config
    assert sum(read) <= cfg.document_chars + cfg.max_chars + cfg.min_sample_chars


def test_a_clearly_single_language_document_is_settled_by_one_reading(identifier, monkeypatch):
    read = _counting_fasttext(identifier, monkeypatch)
    text = "\n".join(load_texts()["de"].paragraphs[:8])
    doc = identify_document(identifier, text)
    assert len(read) == 1 and read[0] <= identifier.config.document_chars
    assert doc.lang == "de" and doc.shares == {"de": 1.0} and doc.score > 0.9
    assert {s.lang for s in doc.segments} == {"de"}


def test_a_document_with_a_foreign_block_is_read_paragraph_by_paragraph(identifier):
    t = load_texts()
    text = "\n".join(t["de"].paragraphs[:4] + t["en"].paragraphs[:2])
    doc = identify_document(identifier, text)
    assert doc.lang == "de" and set(doc.shares) == {"de", "en"} and 0.2 < doc.shares["en"] < 0.45
    assert [s.lang for s in doc.segments] == ["de"] * 4 + ["en"] * 2


def test_reading_the_sample_in_parts_notices_a_smaller_foreign_block():
    t = load_texts()
    text = "\n".join(t["de"].paragraphs[:6] + t["en"].paragraphs[:2])  # one reading: fastText stays sure of de
    doc = identify_document(EuLanguageIdentifier(document_parts=2), text)
    assert doc.lang == "de" and set(doc.shares) == {"de", "en"} and [s.lang for s in doc.segments][-2:] == ["en", "en"]


def test_without_document_first_every_paragraph_is_read(monkeypatch):
    plain = EuLanguageIdentifier(document_first=False)
    read = _counting_fasttext(plain, monkeypatch)
    text = "\n".join(load_texts()["de"].paragraphs[:8])
    doc = identify_document(plain, text)
    assert doc.shares == {"de": 1.0} and len(read) == 8


def test_segments_in_selected_languages_are_kept_in_order(identifier):
    doc = identify_document(identifier, MALTESE_PAGE)
    text, lang, score = kept_text(MALTESE_PAGE, doc, frozenset({"mt"}))
    assert lang == "mt" and score > 0.5
    assert "We are very pleased" not in text and text.count("\n") == 2


def test_a_broken_page_with_lone_surrogates_is_still_identified(identifier):
    text = "\n".join(
        f"{s} \ud800 x\x00y" for s in EU24_SENTENCES["sk"] * 3
    )  # fastText and lingua both refuse surrogates
    assert identify_document(identifier, text).lang == "sk"
    assert identifier.identify_text(EU24_SENTENCES["hr"][0] + " \udcff").lang == "hr"
