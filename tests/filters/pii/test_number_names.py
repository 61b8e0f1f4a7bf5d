"""Numbers whose name says they are not personal data: ISBNs named further back than just before them, order and
invoice numbers, lottery draws. Each was replaced as a phone number by an audit's sentences; a calling word after the
name, and a customer number, still make a phone number."""

from __future__ import annotations

import pytest
from stdnum import isbn

from eurocurate.filters.pii.detectors import find_pii
from eurocurate.filters.pii.redaction import redact


def redacted(text: str, lang: str) -> str:
    return redact(text, find_pii(text, lang), None).text


@pytest.mark.parametrize("lang", ["de", "fr", "it", "en", "cs"])
@pytest.mark.parametrize(
    "text",
    [
        "ISBN 10: {v}",
        "ISBN-Nr. {v}",
        "ISBN (Taschenbuch): {v}",
        "ISBN10: {v}",
        "ISBN 978-3-16-148410-0, {v}",
        "I.S.B.N. {v}",
    ],
)
@pytest.mark.parametrize("value", ["0-306-40615-2", "0 306 40615 2", "0306406152", "0-19-852663-6", "0-444-10917-X"])
def test_an_isbn_named_before_it_stays(text, value, lang):
    assert isbn.is_valid(value)
    assert redacted(text.format(v=value), lang) == text.format(v=value)


def test_a_calling_word_after_the_isbn_name_or_an_invalid_isbn_is_a_phone_number():
    assert redacted("ISBN 978-3-16-148410-0, Tel. 030 1234567", "de") == "ISBN 978-3-16-148410-0, Tel. <PHONE>"
    assert not isbn.is_valid("0301234567")
    assert redacted("ISBN 978-3-16-148410-0 (Verlag, 0301234567)", "de") == "ISBN 978-3-16-148410-0 (Verlag, <PHONE>)"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "Bestellnummer 4711-0815-1234"), ("de", "Ihre Bestellnummer: 0815-4711-1234"),
        ("de", "Ihre Rechnungsnummer lautet 0815-4711-2233."), ("de", "Rechnungsnr. 0815 4711 223"),
        ("de", "Bestellung per Telefon, Bestellnummer 4711-0815-1234"), ("en", "Order number 0207-946-0958"),
        ("en", "Invoice no. 020 7946 0958"), ("fr", "numéro de commande : 01 23 45 67 89"),
        ("pl", "Numer zamówienia: 601 234 567"), ("en", "Your order number 0082-2702-1147, please quote it."),
    ],
)  # fmt: skip
def test_an_order_or_invoice_number_is_not_a_phone_number(lang, text):
    assert redacted(text, lang) == text


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("de", "Telefonische Bestellung: 030 1234567", "Telefonische Bestellung: <PHONE>"),  # no word for "number"
        ("de", "Bestellnummer 4711, Tel. 030 1234567", "Bestellnummer 4711, Tel. <PHONE>"),
        ("pl", "Tel. zamówienia: 601 234 567", "Tel. zamówienia: <PHONE>"),
        ("de", "Kundennummer 0301234567", "Kundennummer <PHONE>"),  # a customer number is a person's
    ],
)
def test_phone_numbers_near_order_words_are_still_replaced(lang, text, expected):
    assert redacted(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "Lottozahlen: 04 12 19 27 33 41"), ("de", "Lotto: 04-12-19-27-33-41"),
        ("de", "Die Lottozahlen: 02 09 15 23 31 44 Zusatzzahl 18"),
        ("fr", "Les numéros gagnants du Loto : 03 11 24 35 42"), ("en", "EuroMillions: 04 12 19 27 33 plus 02 09"),
    ],
)  # fmt: skip
def test_a_lottery_draw_is_not_a_phone_number(lang, text):
    assert redacted(text, lang) == text


def test_a_phone_number_near_a_lottery_name_is_still_replaced():
    assert redacted("Loto : appelez le 01 23 45 67 89", "fr") == "Loto : appelez le <PHONE>"
    # five pairs out of order are a phone number, not a listed draw; so is a pair over 90
    assert redacted("Point de vente Loto 01 92 45 33 18", "fr") == "Point de vente Loto <PHONE>"
    assert redacted("Point de vente Loto 01 23 45 67 98", "fr") == "Point de vente Loto <PHONE>"
