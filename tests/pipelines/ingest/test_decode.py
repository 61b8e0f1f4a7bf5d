from hypothesis import given
from hypothesis import strategies as st

from eurocurate.pipelines.ingest.decode import (
    _CONTROL,
    Decoded,
    _control_fraction,
    decode_payload,
    looks_binary,
    normalise_charset,
)

CZECH = "Příliš žluťoučký kůň úpěl ďábelské ódy. Městská rada schválila rozpočet."


def test_utf8_wins_over_a_wrong_declared_charset():
    d = decode_payload(CZECH.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert d.text == CZECH and d.origin == "utf-8"


def test_legacy_charset_from_meta_when_the_header_has_none():
    page = f'<html><head><meta charset="windows-1250"></head><body>{CZECH}</body></html>'
    d = decode_payload(page.encode("cp1250"), "text/html")
    assert CZECH in d.text and d.charset == "cp1250" and d.origin == "meta"


def test_meta_beats_a_server_default_header():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1250"></head>'
        f"<body>{CZECH}</body></html>"
    )
    d = decode_payload(page.encode("cp1250"), "text/html; charset=ISO-8859-1")
    assert CZECH in d.text and d.origin == "meta"


def test_greek_in_iso_8859_7_from_the_header():
    greek = "Το δημοτικό συμβούλιο ενέκρινε τον νέο ποδηλατόδρομο δίπλα στο ποτάμι."
    d = decode_payload(greek.encode("iso-8859-7"), "text/html; charset=iso-8859-7")
    assert greek in d.text


def test_bytes_that_no_charset_turns_into_text_are_undecodable():
    noise = b"<html><body>" + bytes(range(0x80, 0xA0)) * 50 + b"</body></html>"
    assert decode_payload(noise, "text/html; charset=utf-8") is None


def test_binary_sniffing_and_charset_labels():
    assert looks_binary(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    assert looks_binary(b"%PDF-1.7 ...")
    assert not looks_binary(b"<!DOCTYPE html><html>")
    assert normalise_charset("latin-1") == "cp1252"  # WHATWG: Latin-1 means windows-1252
    assert normalise_charset("no-such-charset") is None


def test_control_share_counts_c0_c1_and_replacement_characters_only():
    # every code point below U+0100, the replacement character and its neighbours, as the character test of
    # the HTML spec reads them: C0 controls but tab, LF and CR, C1 controls, U+FFFD
    text = "".join(map(chr, range(0x100))) + "\ufffc\ufffd\ufffe"
    bad = [c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x80 <= ord(c) < 0xA0 or c == "\ufffd"]
    assert len(bad) == 29 + 32 + 1
    assert _control_fraction(text) == len(bad) / len(text)
    assert _control_fraction(text, text.encode("utf-8")) == len(bad) / len(text)  # the caller's UTF-8, counted as is
    assert _control_fraction("") == 0.0
    # only the first 20,000 characters are looked at, also when the caller gives the whole text's UTF-8
    long = "a" * 20_000 + "\x00" * 100
    assert _control_fraction(long) == _control_fraction(long, long.encode("utf-8")) == 0.0


def test_a_page_with_a_few_stray_controls_decodes_and_one_with_many_does_not():
    prose = CZECH * 40  # 2,880 characters
    assert decode_payload((prose + "\x0c" * 20).encode("utf-8"), "text/html").origin == "utf-8"  # 0.7%
    # 2% form feeds: UTF-8 is refused, and no legacy charset makes text of it either
    assert decode_payload((prose + "\x0c" * 60).encode("utf-8"), "text/html") is None


# The byte-level control count against the rule it implements (`_CONTROL` over the first 20,000 characters),
# on real and adversarial text: every C0/C1 control, U+FFFD and its UTF-8 neighbours, long and short texts.
_TRICKY = st.sampled_from("\x00\x08\t\n\r\x0b\x1f\x7f\x80\x85\x9f\xa0\xc2\xefé\u0080\ufffc\ufffd\ufffe\U0001f600 a")
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)) | _TRICKY)


def _plain_fraction(text: str) -> float:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / len(sample) if sample else 0.0


@given(_TEXT, st.integers(0, 20_010))
def test_control_share_counted_on_bytes_equals_the_regex_rule(text, pad):
    assert _control_fraction(text) == _plain_fraction(text)
    long = "é" * pad + text  # around the 20,000-character sample edge
    assert _control_fraction(long) == _plain_fraction(long)


@given(_TEXT, st.sampled_from([None, "text/html", "text/html; charset=windows-1250", "text/html; charset=koi8-r"]))
def test_decoding_a_utf8_payload_equals_the_rule(text, content_type):
    # UTF-8 wins when its control share is at most 1%; otherwise the declared or detected charsets are tried
    payload = text.encode("utf-8")
    decoded = decode_payload(payload, content_type)
    if _plain_fraction(text) <= 0.01:
        assert decoded == Decoded(text, "utf-8", "utf-8")
    else:
        assert decoded is None or decoded.origin != "utf-8"


def test_utf8_with_a_few_broken_bytes_is_read_with_replacement_characters_not_dropped():
    """An audit's page: UTF-8 declared and written, but for six invalid bytes; no charset made text of it, so
    the whole page was an undecodable drop. It is read, each bad byte a U+FFFD, and says so in its origin."""
    from eurocurate.pipelines.ingest.decode import UTF8_REPLACED

    text = "Größe und Übermaß im Straßenverkehr. " * 100
    payload = f"<html><head><meta charset=utf-8></head><body><p>{text}</p>".encode() + b"\xed\xa0\x80 \xff\xfe</body>"
    decoded = decode_payload(payload, "text/html")
    assert (decoded.charset, decoded.origin) == ("utf-8", UTF8_REPLACED) and text in decoded.text
    assert decode_payload(b"<html>" + bytes(range(128, 256)) * 50, "text/html") is None  # noise stays a drop
