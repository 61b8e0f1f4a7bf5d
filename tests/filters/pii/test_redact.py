from __future__ import annotations

import hashlib
import hmac

import pytest
from stdnum.pl import pesel

from eurocurate.filters.pii.detectors import PiiMatch, find_pii
from eurocurate.filters.pii.redaction import fingerprint, redact

KEY = b"test-key"
PESEL = "4405140135" + pesel.calc_check_digit("4405140135")
BROKEN_PESEL = PESEL[:-1] + str((int(PESEL[-1]) + 1) % 10)


def redacted(text: str, lang: str | None = None, key: bytes | None = KEY):
    return redact(text, find_pii(text, lang), key)


def test_valid_values_become_typed_placeholders_and_candidates_stay():
    text = (
        f"Schreiben Sie an eva@posta.example.it, Tel. +49 30 1234567. Pl: {PESEL}. Pl: {BROKEN_PESEL}. "
        "Iban: DE89 3704 0044 0532 0130 00. Ip: 192.168.1.2 und 212.183.25.9."
    )
    r = redacted(text, "de")
    assert r.text == (
        f"Schreiben Sie an <EMAIL>, Tel. <PHONE>. Pl: <PL_PESEL>. Pl: {BROKEN_PESEL}. "
        "Iban: <IBAN>. Ip: 192.168.1.2 und <IP>."
    )
    assert r.counts == {"EMAIL": 1, "PHONE": 1, "PL_PESEL": 1, "IBAN": 1, "IP": 1}
    assert r.candidates == {"PL_PESEL": 1, "IP": 1}
    assert len(r.fingerprints) == 5 and all(f.split(":")[0] in r.counts for f in r.fingerprints)


def test_text_without_personal_data_is_returned_unchanged():
    r = redacted("Nothing to see in 2024, only 12 apples.")
    assert (r.text, r.counts, r.candidates, r.fingerprints) == ("Nothing to see in 2024, only 12 apples.", {}, {}, [])


def test_fingerprint_is_a_keyed_hmac_of_the_normalised_value():
    expected = hmac.new(KEY, b"eva@example.com", hashlib.sha256).hexdigest()
    assert fingerprint("EMAIL", "  Eva@Example.COM ", KEY) == f"EMAIL:{expected}"


@pytest.mark.parametrize(
    ("kind", "written", "lang"),
    [
        ("IBAN", ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000"], None),
        ("PHONE", ["+49 30 1234567", "0049 30 1234567", "030 1234567", "+49 (0)30 123 45 67"], "de"),
        ("EMAIL", ["Eva.Kowalski@Example.com", "eva.kowalski@example.com"], None),
        ("ES_DNI", ["12345678Z", "12345678-Z"], None),
        ("CARD", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111"], None),
    ],
)
def test_the_same_value_written_differently_has_one_fingerprint(kind, written, lang):
    prints = {fp for w in written for fp in redacted(f"Wert: {w} .", lang).fingerprints}
    assert len(prints) == 1 and prints.pop().startswith(f"{kind}:")
    # an erasure request gives the value in its own spelling and must find the same fingerprint
    request = "+49 30 1234567" if kind == "PHONE" else written[0]
    assert fingerprint(kind, request, KEY) == redacted(f"Wert: {written[-1]} .", lang).fingerprints[0]


def test_fingerprints_depend_on_the_key_and_are_absent_without_one():
    text = "Mail eva@example.com please."
    assert redacted(text, key=b"one").fingerprints != redacted(text, key=b"two").fingerprints
    r = redacted(text, key=None)
    assert r.fingerprints == [] and r.text == "Mail <EMAIL> please."


def test_a_value_repeated_in_a_document_is_fingerprinted_once():
    r = redacted("eva@example.com, again EVA@example.com")
    assert r.counts == {"EMAIL": 2} and len(r.fingerprints) == 1


def test_an_erasure_request_for_a_national_phone_number_is_told_to_give_the_country_code():
    with pytest.raises(ValueError, match="country code"):
        fingerprint("PHONE", "030 1234567", KEY)


def test_overlapping_matches_are_refused():
    matches = [PiiMatch("EMAIL", 0, 10, "a@b.cd", True), PiiMatch("PHONE", 5, 12, "+4930", True)]
    with pytest.raises(ValueError, match="overlapping"):
        redact("x" * 20, matches, None)


def test_the_package_exports_the_functions_not_modules_of_the_same_name():
    """`from eurocurate.filters.pii import redact` is the function `__all__` names, whatever was imported before."""
    import eurocurate.filters.pii.step  # noqa: F401  (imports the module that redacts)
    from eurocurate.filters.pii import find_pii
    from eurocurate.filters.pii import redact as redact_function

    text = "Schreiben Sie an anna@example.eu."
    assert redact_function(text, find_pii(text, "de"), None).text == "Schreiben Sie an <EMAIL>."
