from eurocurate.pipelines.ingest.decode import _control_fraction, decode_payload, looks_binary, normalise_charset

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
    assert _control_fraction("") == 0.0
    # only the first 20,000 characters are looked at
    assert _control_fraction("a" * 20_000 + "\x00" * 100) == 0.0


def test_a_page_with_a_few_stray_controls_decodes_and_one_with_many_does_not():
    prose = CZECH * 40  # 2,880 characters
    assert decode_payload((prose + "\x0c" * 20).encode("utf-8"), "text/html").origin == "utf-8"  # 0.7%
    # 2% form feeds: UTF-8 is refused, and no legacy charset makes text of it either
    assert decode_payload((prose + "\x0c" * 60).encode("utf-8"), "text/html") is None
