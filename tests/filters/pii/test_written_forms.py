"""Personal data in the forms people write it, beyond the groupings stdnum formats: after an identifier's name any
grouping and case; IBANs in lower case, with no-break spaces or a space after the country; international phone
numbers with brackets and spaced prefixes; national ones after the words people call with. And what must stay:
a mistyped value is not half replaced, User-Agent versions are not addresses. Each form was found kept (or
wrongly replaced) by an audit on real sentences."""

from __future__ import annotations

import pytest
from stdnum import iban
from stdnum.es import dni as es_dni
from stdnum.lt import asmens
from stdnum.pl import pesel as pl_pesel

from eurocurate.filters.pii.detectors import find_pii
from eurocurate.filters.pii.redaction import redact


def redacted(text: str, lang: str) -> str:
    return redact(text, find_pii(text, lang), None).text


NAMED_FORMS = [
    ("es", "Mi DNI es {v}.", ["28034063 F", "28034063f", "28.034.063-F"], "ES_DNI"),
    ("es", "Mi NIE es {v}.", ["X 9141777 J", "x9141777j"], "ES_NIE"),
    ("it", "Il mio codice fiscale è {v}.", ["szycid52a60h484l", "SZY CID 52A60 H484L"], "IT_CF"),
    ("fr", "Mon numéro de sécurité sociale est le {v}.", ["1520174262121 49", "1 52 01 74 262 121 - 49"], "FR_NIR"),
    ("en", "My PPS number is {v}.", ["2914177 F", "2914177f"], "IE_PPS"),
    ("nl", "Mijn BSN is {v}.", ["391.417.770", "123\xa0456\xa0782"], "NL_BSN"),
    ("de", "Meine Steuer-ID lautet {v}.", ["304 850 729 10"], "DE_IDNR"),
    ("sv", "Mitt personnummer är {v}.", ["19520120 9144"], "SE_PNR"),
    ("nl", "Mijn rijksregisternummer is {v}.", ["520120-583-13"], "BE_NN"),
    ("fi", "Henkilötunnukseni on {v}.", ["200152-584y"], "FI_HETU"),
    ("pt", "O número do meu Cartão de Cidadão é {v}.", ["29141777 6 zg9", "29141777-6-ZG9"], "PT_CC"),
    ("pt", "O meu NIF é {v}.", ["191.417.777"], "PT_NIF"),
    ("hu", "A TAJ számom {v}.", ["291-417-772"], "HU_TAJ"),
    ("cs", "Moje rodné číslo je {v}.", ["660120 / 4170"], "CZ_RC"),
]


@pytest.mark.parametrize(
    ("lang", "sentence", "value", "kind"),
    [(lang, sentence, value, kind) for lang, sentence, values, kind in NAMED_FORMS for value in values],
)
def test_a_named_identifier_is_replaced_in_any_grouping_or_case(lang, sentence, value, kind):
    assert redacted(sentence.format(v=value), lang) == sentence.format(v=f"<{kind}>")


def test_a_mistyped_named_identifier_is_left_whole_not_half_replaced():
    # 28034064 F fails the DNI check; no shorter run of its digits is put forward as another identifier
    assert redacted("Mi DNI es 28034064 F y nada más.", "es") == "Mi DNI es 28034064 F y nada más."
    # a Danish page's "personnummer" is a CPR: a mistyped one stays, though its digits are a valid Swedish number
    text = "I dokumentet står ansøgerens personnummer 5403154478."
    assert redacted(text, "da") == text


@pytest.mark.parametrize(
    "written",
    [
        "de89 3704 0044 0532 0130 00", "NL91 abna 0417 1643 00", "FR14 2004 1010 0505 0001 3m02 606",
        "DE89\xa03704\xa00044\xa00532\xa00130\xa000", "DE89\u202f3704\u202f0044\u202f0532\u202f0130\u202f00",
        "DE89  3704  0044  0532  0130  00", "DE 89 3704 0044 0532 0130 00",
    ],
)  # fmt: skip
def test_an_iban_is_replaced_however_it_is_written(written):
    assert iban.is_valid(written.replace("\xa0", " ").replace("\u202f", " "))
    assert redacted(f"Spendenkonto: IBAN {written}, danke.", "de") == "Spendenkonto: IBAN <IBAN>, danke."


def test_words_before_numbers_are_not_failed_ibans():
    for text in ("La demande a été enregistrée sous le numéro 295109912611193 le 3 mars.", "Il est né le 12 de 1990."):
        assert all(m.kind != "IBAN" for m in find_pii(text, "fr")), text


def test_a_lithuanian_code_without_a_birth_date_needs_its_name():
    value = "99150008063"  # stdnum checks no birth date in a code starting 9
    assert asmens.is_valid(value)
    assert redacted(f"Užsakymo numeris: {value}.", "lt") == f"Užsakymo numeris: {value}."
    assert redacted(f"Mano asmens kodas {value}.", "lt") == "Mano asmens kodas <LT_AK>."


def test_a_user_agent_version_is_not_an_ip_address():
    ua = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36"
    assert redacted(ua, "en") == ua
    assert redacted("my IP address is 81.2.69.160", "en") == "my IP address is <IP>"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Call (+49) 30 12345678 today"), ("en", "Call +49 (30) 12345678 today"),
        ("en", "Call +33 (1) 23 45 67 89 today"), ("de", "Rufen Sie 00 49 30 12345678 an"),
        ("en", "Call + 49 30 12345678 today"), ("en", "Call +49 30 / 12345678 today"),
        ("fr", "Tél. : 06\u202f12\u202f34\u202f56\u202f78"), ("it", "Cellulare 347 123 4567"),
        ("it", "WhatsApp: 347 123 4567"), ("es", "Móvil: 612 34 56 78"), ("pl", "Komórka 601 234 567"),
        ("pt", "Ligue para 912 345 678"), ("cs", "Zavolejte 601 123 456"),
    ],
)  # fmt: skip
def test_phone_numbers_in_the_forms_people_write_them(lang, text):
    out = redacted(text, lang)
    assert "<PHONE>" in out and not any(ch.isdigit() for ch in out), out


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "Tel:030/12345678"), ("de", "Kontakt Tel:030/12345678 oder E-Mail"), ("de", "Zentrale:030/12345678"),
        ("de", "Tel.030/12345678"), ("de", "Tel.:(030) 1234567"), ("de", "Mobil:0171/1234567"),
        ("fr", "Tél.:01 23 45 67 89"), ("en", "Tel:020 7946 0958"), ("it", "Tel:06 1234 5678"),
        ("es", "Tel:912 345 678"),
        # the national forms around them, replaced before too
        ("de", "Tel.: 0 30 / 123 456 78"), ("de", "Rufen Sie an: (030) 1234567"), ("de", "Tel 030-1234567"),
        ("de", "Handy: 0664/1234567"), ("it", "06 1234 5678"), ("fr", "Appelez le 01.23.45.67.89"),
    ],
)  # fmt: skip
def test_a_national_number_glued_to_the_word_before_it_is_replaced_whole(lang, text):
    """After "Tel:" with no space the number was kept, or only its last groups replaced ("Tél.:01 <PHONE>")."""
    out = redacted(text, lang)
    assert out.count("<PHONE>") == 1 and not any(ch.isdigit() for ch in out), out


def test_a_number_glued_by_a_period_needs_a_calling_word_and_one_after_a_digit_is_no_phone():
    for text in ("Siehe Nr.0301234567 im Archiv.", "Beginn 12:0301234567 laut Protokoll.", "Datei img.0301234567.jpg"):
        assert redacted(text, "de") == text


PESEL = "85010112345"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("pl", f"Profil: https://example.eu/profile/{PESEL}", "Profil: https://example.eu/profile/<PL_PESEL>"),
        ("pl", f"https://example.eu/profile/{PESEL}/edit?x=1#top", "https://example.eu/profile/<PL_PESEL>/edit?x=1#top"),
        ("en", f"see https://example.eu/pesel/{PESEL}.", "see https://example.eu/pesel/<PL_PESEL>."),
        ("en", "www.example.eu/users/12345678Z.html", "www.example.eu/users/<ES_DNI>.html"),
        ("es", '<a href="https://example.eu/clientes/12345678Z">perfil</a>',
         '<a href="https://example.eu/clientes/<ES_DNI>">perfil</a>'),
        # query values were replaced before too
        ("en", f"https://example.eu/u?id=1&pesel={PESEL}#top", "https://example.eu/u?id=1&pesel=<PL_PESEL>#top"),
        ("en", "https://example.eu/buscar?dni=12345678Z", "https://example.eu/buscar?dni=<ES_DNI>"),
    ],
)  # fmt: skip
def test_an_identifier_in_a_web_address_is_replaced_and_the_rest_of_the_address_kept(lang, text, expected):
    assert pl_pesel.is_valid(PESEL) and es_dni.is_valid("12345678Z")
    assert redacted(text, lang) == expected


def test_a_path_segment_needs_the_evidence_the_same_number_needs_in_prose():
    # an unnamed 11-digit number is a PESEL in a Polish page only, in an address as in a sentence
    assert redacted(f"https://example.eu/profile/{PESEL}", "en") == f"https://example.eu/profile/{PESEL}"
    # a slash outside an address is a case number's, not a path's
    assert redacted(f"Sygnatura 2024/{PESEL} z dnia 3 marca.", "pl") == f"Sygnatura 2024/{PESEL} z dnia 3 marca."


def test_a_year_and_a_number_after_an_ordinary_word_stay():
    assert redacted("Der Ring 2019 2020 war gut", "da") == "Der Ring 2019 2020 war gut"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die anna@example.eu-Adresse ist neu.", "Die <EMAIL>-Adresse ist neu."),  # a German compound
        ("Contact _anna@example.eu_ now", "Contact <EMAIL>_ now"),  # Markdown emphasis
        ("Schreiben Sie an info@example.xn--p1ai.", "Schreiben Sie an <EMAIL>."),  # a punycode top-level domain
        ("see anna@example.eu-adresse.com", "see <EMAIL>"),  # a longer domain name, not a compound
    ],
)
def test_an_email_address_ends_where_its_domain_does(text, expected):
    assert redacted(text, "de") == expected


def test_a_weak_identifier_in_a_table_is_named_by_its_column_header():
    """Markdown and tab-separated tables put the name (`BSN`) in the header, rows away from the numbers."""
    long_row = "Kees Bakker, Amsterdam, afdeling Verkoop en Marketing, kamer 4.12, tweede verdieping"
    header = "| Naam | Woonplaats | BSN |\n|---|---|---|\n"
    table = header + f"| Jan | Amsterdam | 111222333 |\n| {long_row} | Delft | 123456782 |"
    assert redacted(table, "nl").count("<NL_BSN>") == 2
    assert redacted("Naam\tBSN\nJan\t111222333\n", "nl") == "Naam\tBSN\nJan\t<NL_BSN>\n"
    # a column named otherwise names nothing: an order number stays
    assert redacted("Artikel\tNummer\nFiets\t123456782\n", "nl") == "Artikel\tNummer\nFiets\t123456782\n"
