from __future__ import annotations

import string
from types import ModuleType

import pytest
from stdnum import iban, luhn
from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.bg import egn as bg_egn
from stdnum.cz import rc as cz_rc
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.ee import ik as ee_ik
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nif as fr_nif
from stdnum.fr import nir as fr_nir
from stdnum.gr import amka as gr_amka
from stdnum.hr import oib as hr_oib
from stdnum.ie import pps as ie_pps
from stdnum.ie import vat as ie_vat
from stdnum.iso7064 import mod_11_10
from stdnum.it import codicefiscale as it_cf
from stdnum.lt import asmens as lt_asmens
from stdnum.lv import pvn as lv_pvn
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.pt import cc as pt_cc
from stdnum.pt import nif as pt_nif
from stdnum.ro import cnp as ro_cnp
from stdnum.se import personnummer as se_pnr
from stdnum.si import emso as si_emso

from eurocurate.filters.pii.detectors import PiiMatch, find_pii
from eurocurate.filters.pii.stdnum_extra import hu_adoazonosito, hu_taj, lu_matricule

HETU_CONTROL = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def complete(module: ModuleType, prefix: str, alphabet: str = string.digits, width: int = 1) -> str:
    """`prefix` + the check character(s) that make it valid, for modules without a check-digit function."""
    for i in range(len(alphabet) ** width):
        tail = "".join(alphabet[(i // len(alphabet) ** k) % len(alphabet)] for k in reversed(range(width)))
        if module.is_valid(prefix + tail):
            return prefix + tail
    raise AssertionError(f"no check character completes {prefix}")


def broken(module: ModuleType, value: str, alphabet: str = string.digits) -> str:
    """`value` with its last character replaced so that only the checksum fails."""
    for c in alphabet:
        candidate = value[:-1] + c
        try:
            module.validate(candidate)
        except InvalidChecksum:
            return candidate
        except ValidationError:
            continue
    raise AssertionError(f"no checksum-failing variant of {value}")


# kind, stdnum module, a valid value built with the module's own check function, a sentence in the
# identifier's language naming it, that language, the check alphabet for a broken variant.
IDENTIFIERS: list[tuple[str, ModuleType, str, str, str, str]] = [
    ("PL_PESEL", pl_pesel, "4405140135" + pl_pesel.calc_check_digit("4405140135"),
     "Mój numer PESEL to {v}, proszę go nie udostępniać.", "pl", string.digits),
    ("NL_BSN", nl_bsn, complete(nl_bsn, "11122233"),
     "Uw burgerservicenummer (BSN) is {v} en staat op uw paspoort.", "nl", string.digits),
    ("ES_DNI", es_dni, "12345678" + es_dni.calc_check_digit("12345678"),
     "Adjunte una copia del documento {v} junto con la solicitud.", "es", string.ascii_uppercase),
    ("ES_NIE", es_nie, "X1234567" + es_nie.calc_check_digit("X1234567"),
     "Mi número de extranjero es {v} y vivo en Valencia.", "es", string.ascii_uppercase),
    ("FI_HETU", fi_hetu, complete(fi_hetu, "131052-308", HETU_CONTROL),
     "Henkilötunnukseni on {v}, älä kerro sitä kenellekään.", "fi", HETU_CONTROL),
    ("SE_PNR", se_pnr, "811218-987" + luhn.calc_check_digit("811218987"),
     "Mitt nummer är {v} och jag bor i Uppsala.", "sv", string.digits),
    ("DE_IDNR", de_idnr, "3657426180" + mod_11_10.calc_check_digit("3657426180"),
     "Ihre Steuer-ID lautet {v}, bitte geben Sie sie an.", "de", string.digits),
    ("FR_NIR", fr_nir, "2951099126111" + fr_nir.calc_check_digits("2951099126111"),
     "Mon numéro de sécurité sociale est le {v}.", "fr", string.digits),
    ("IT_CF", it_cf, "RSSMRA85T10A562" + it_cf.calc_check_digit("RSSMRA85T10A562"),
     "Il mio codice è {v}, lo trova sulla tessera.", "it", string.ascii_uppercase),
    ("CZ_RC", cz_rc, complete(cz_rc, "710319/274"),
     "Rodné číslo žadatele: {v}.", "cs", string.digits),
    ("RO_CNP", ro_cnp, "180010122114" + ro_cnp.calc_check_digit("180010122114"),
     "Codul numeric personal (CNP) al solicitantului este {v}.", "ro", string.digits),
    ("BG_EGN", bg_egn, "752316926" + bg_egn.calc_check_digit("752316926"),
     "Моят ЕГН е {v} и не го споделяйте.", "bg", string.digits),
    ("HR_OIB", hr_oib, "3339200596" + mod_11_10.calc_check_digit("3339200596"),
     "Moj OIB je {v}, molim vas da ga ne dijelite.", "hr", string.digits),
    ("SI_EMSO", si_emso, "010100650000" + si_emso.calc_check_digit("010100650000"),
     "Moja EMŠO je {v}, ne delite je.", "sl", string.digits),
    ("EE_IK", ee_ik, "3760503029" + ee_ik.calc_check_digit("37605030290"),
     "Minu isikukood on {v} ja see on salajane.", "et", string.digits),
    ("LT_AK", lt_asmens, "3360722048" + lt_asmens.calc_check_digit("33607220480"),
     "Mano asmens kodas yra {v}, jo neskelbkite.", "lt", string.digits),
    ("IE_PPS", ie_pps, "6433435" + ie_vat.calc_check_digit("6433435"),
     "My PPS number is {v} and I live in Cork.", "en", "ABCDEFGHIJKLMNOPQRSTUVW"),
    ("BE_NN", be_nn, complete(be_nn, "850730033", width=2),
     "Mijn rijksregisternummer is {v} volgens de kaart.", "nl", string.digits),
    ("AT_VNR", at_vnr, "123" + at_vnr.calc_check_digit("1230010180") + "010180",
     "Meine Sozialversicherungsnummer ist {v}, bitte vertraulich behandeln.", "de", string.digits),
    ("GR_AMKA", gr_amka, complete(gr_amka, "0101309999"),
     "Ο ΑΜΚΑ του ασφαλισμένου είναι {v} σύμφωνα με τη βεβαίωση.", "el", string.digits),
    ("PT_CC", pt_cc, complete(pt_cc, "000000000ZZ"),
     "O número do Cartão de Cidadão é {v}, válido até 2030.", "pt", string.digits),
    ("PT_NIF", pt_nif, complete(pt_nif, "12345678"),
     "O meu NIF é {v} e moro em Lisboa.", "pt", string.digits),
    ("LV_PK", lv_pvn, complete(lv_pvn, "1611751999"),
     "Mans personas kods ir {v}, lūdzu to neizpaust.", "lv", string.digits),
    ("FR_NIF", fr_nif, "3023217600" + fr_nif.calc_check_digits("3023217600"),
     "Mon numéro fiscal de référence est le {v}.", "fr", string.digits),
    ("HU_TAJ", hu_taj, "10453298" + hu_taj.calc_check_digit("10453298"),
     "A TAJ-számom {v}, kérem, ne adja tovább.", "hu", string.digits),
    ("HU_ADOAZON", hu_adoazonosito, "836567000" + hu_adoazonosito.calc_check_digit("836567000"),
     "Az adóazonosító jelem {v}, kérem, kezelje bizalmasan.", "hu", string.digits),
    ("LU_MATRICULE", lu_matricule, "19850214123" + lu_matricule.calc_check_digits("19850214123"),
     "Mon matricule est le {v}, gardez-le pour vous.", "fr", string.digits),
]  # fmt: skip


def only(text: str, lang: str | None = None) -> PiiMatch:
    matches = find_pii(text, lang)
    assert len(matches) == 1, matches
    return matches[0]


@pytest.mark.parametrize(("kind", "module", "value", "sentence", "lang", "alphabet"), IDENTIFIERS, ids=lambda x: x)
def test_a_valid_identifier_in_a_sentence_of_its_language_is_found(kind, module, value, sentence, lang, alphabet):
    assert module.is_valid(value)
    text = sentence.format(v=value)
    m = only(text, lang)
    assert (m.kind, m.value, m.valid) == (kind, value, True)
    assert text[m.start : m.end] == value


@pytest.mark.parametrize(("kind", "module", "value", "sentence", "lang", "alphabet"), IDENTIFIERS, ids=lambda x: x)
def test_a_checksum_failed_identifier_is_a_candidate_not_a_match(kind, module, value, sentence, lang, alphabet):
    bad = broken(module, value, alphabet)
    m = only(sentence.format(v=bad), lang)
    assert (m.kind, m.value, m.valid) == (kind, bad, False)


@pytest.mark.parametrize(("kind", "module", "value", "sentence", "lang", "alphabet"), IDENTIFIERS, ids=lambda x: x)
def test_a_country_label_names_the_identifier_in_a_page_of_any_language(kind, module, value, sentence, lang, alphabet):
    country = kind[:2].capitalize()
    m = only(f"Les formulaires ne sont pas tout. {country}: {value}. La suite demain.", "fr")
    assert (m.kind, m.valid) == (kind, True)


DISTINCTIVE = {"ES_DNI", "ES_NIE", "FI_HETU", "SE_PNR", "IT_CF", "PT_CC"}


@pytest.mark.parametrize(
    ("kind", "value"), [(kind, value) for kind, _, value, *_ in IDENTIFIERS if kind not in DISTINCTIVE]
)
def test_an_ambiguous_number_without_context_is_left_alone(kind, value):
    bare = value.replace("/", "")  # "710319/2745" is distinctive, "7103192745" is not
    assert find_pii(f"The parcel with number {bare} arrived on Monday.", "en") == []


def test_distinctive_formats_need_no_context():
    hetu, pnr, dni = IDENTIFIERS[4][2], IDENTIFIERS[5][2], IDENTIFIERS[2][2]
    kinds = [m.kind for m in find_pii(f"Codes {hetu} and {pnr} and {dni} were listed.")]
    assert kinds == ["FI_HETU", "SE_PNR", "ES_DNI"]


def test_danish_cpr_needs_its_name_and_an_impossible_date_makes_a_candidate():
    assert dk_cpr.is_valid("211062-5629")  # the CPR has no check digit any more, only a date
    assert only("Mit CPR-nummer er 211062-5629.", "da") == PiiMatch("DK_CPR", 18, 29, "211062-5629", True)
    assert only("Mit CPR-nummer er 321062-5629.", "da").valid is False
    assert find_pii("Varenummer 2110625629 er udsolgt.", "da") == []


def test_formatted_variants_of_identifiers():
    nir = "2 95 10 99 126 111 93"
    assert fr_nir.is_valid(nir) and only(f"NIR : {nir}").kind == "FR_NIR"
    assert only("Rijksregisternummer: 85.07.30-033.28.").kind == "BE_NN"
    assert only("Steuer-ID 36 574 261 809 bitte angeben").kind == "DE_IDNR"


def test_email_addresses():
    text = "Schreiben Sie an Eva.Kowalski+news@posta.example.it. oder an info@saffort.lt, nicht an foo@bar."
    assert [(m.kind, m.value) for m in find_pii(text)] == [
        ("EMAIL", "Eva.Kowalski+news@posta.example.it"),
        ("EMAIL", "info@saffort.lt"),
    ]


@pytest.mark.parametrize("address", ["212.183.25.9", "145.39.198.243", "2a00:1450:4001:81d::200e"])
def test_a_public_ip_is_found(address):
    assert only(f"Connexion depuis {address}. Merci.") == PiiMatch("IP", 17, 17 + len(address), address, True)


@pytest.mark.parametrize("address", ["192.168.102.14", "10.0.0.1", "127.0.0.1", "169.254.3.4", "100.64.1.2", "fe80::1"])
def test_private_loopback_and_link_local_ips_are_candidates(address):
    m = only(f"Ip: {address}. Weiter geht es.")
    assert (m.kind, m.value, m.valid) == ("IP", address, False)


def test_version_and_section_numbers_are_not_ips():
    assert find_pii("Siehe Abschnitt 4.2.1.3 und Version 10.2.1.15 der Software.") == []
    assert only("Die IP-Adresse 12.2.0.79 wurde gesperrt.").kind == "IP"  # version-shaped, but named
    # one-digit parts: a section number unless the text names an address (they were never redacted)
    assert only("My home IP address is 5.9.1.2, please block it.").value == "5.9.1.2"
    assert find_pii("Version 7.4.7.1 fixes it; see 1.2.3.4 for the steps.") == []


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Phone: +33 1 42 68 53 07.", "+33142685307"),
        ("Ruf an: +49 30 1234567 oder schreib.", "+49301234567"),
        ("Ruf an: 0049 30 1234567 oder schreib.", "+49301234567"),
        ("Call +49 (0)30 1234567 today", "+49301234567"),
        ("Kontakt: +48 22 628 41 93.", "+48226284193"),
    ],
)
def test_international_phone_numbers_need_no_language(text, e164):
    m = only(text)
    assert (m.kind, m.valid, m.canonical) == ("PHONE", True, e164)


@pytest.mark.parametrize(
    ("text", "lang", "e164"),
    [
        ("Ruf uns an unter 030 1234567, wir helfen gern.", "de", "+49301234567"),
        ("Appelez le 01 42 68 53 07 avant midi.", "fr", "+33142685307"),
        ("Bel ons op 020-1234567 voor meer informatie.", "nl", "+31201234567"),
        ("Zadzwoń pod numer tel. 22 628 41 93 jutro.", "pl", "+48226284193"),
        ("kontakta oss, tel 08-783 04 40.", "sv", "+4687830440"),
    ],
)
def test_national_phone_numbers_use_the_document_language(text, lang, e164):
    m = only(text, lang)
    assert (m.kind, m.valid, m.canonical) == ("PHONE", True, e164)
    assert find_pii(text) == []  # without a language only international numbers count


def test_an_invalid_international_number_is_a_phone_candidate():
    m = only("Phone: +49 0 00 11 22 33 44.")
    assert (m.kind, m.valid) == ("PHONE", False)


IBAN_BBANS = {
    "DE": "370400440532013000",
    "AT": "1904300234573201",
    "BE": "539007547034",
    "FI": "12345600000785",
    "EE": "2200221020145685",
    "LT": "1000011101001000",
    "HR": "10010051863000160",
    "SI": "263300012039086",
}


@pytest.mark.parametrize("country", sorted(IBAN_BBANS))
def test_iban_valid_and_with_broken_check_digits(country):
    compact = country + iban.calc_check_digits(country + "00" + IBAN_BBANS[country]) + IBAN_BBANS[country]
    grouped = iban.format(compact)
    assert iban.is_valid(compact, check_country=False)
    for written in (grouped, compact):
        m = only(f"Iban: {written}. Danke für die Überweisung.", "de")
        assert (m.kind, m.value, m.valid) == ("IBAN", written, True)
    wrong = grouped[:2] + f"{(int(grouped[2:4]) + 1) % 97 + 2:02d}" + grouped[4:]
    m = only(f"Iban: {wrong}. Danke.", "ro")
    assert (m.kind, m.value, m.valid) == ("IBAN", wrong, False)


def test_iban_followed_by_another_group_keeps_its_length():
    m = only("Überweisung auf DE89 3704 0044 0532 0130 00 2024 erhalten.")
    assert m.value == "DE89 3704 0044 0532 0130 00" and m.valid


@pytest.mark.parametrize(
    "number",
    ["4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005", "4970833049071154", "2221 0000 0000 0009"],
)
def test_luhn_valid_cards_are_found_and_broken_ones_are_candidates(number):
    m = only(f"Card: {number}. Expires soon.")
    assert (m.kind, m.value, m.valid) == ("CARD", number, True)
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    m = only(f"Card: {bad}. Expires soon.")
    assert (m.kind, m.valid) == ("CARD", False)


@pytest.mark.parametrize("lang", [None, "de", "fr", "da", "pl", "nl", "sv", "en"])
@pytest.mark.parametrize(
    "text",
    [
        "Im Jahr 1999 kostete es 1.299,00 €, 2024 sind es 12 499 EUR oder $1,250,000.",
        "Termine: 19.10.1999, 01.02.2003, 2024-01-15 und 15/01/2024.",
        "Leichtmetallräder mit 215/55 R 16 91V Bereifung, 7.5Jx17 ET 45.",
        "ISBN 978-3-16-148410-0 und ISBN 0-306-40615-2, EAN 4006381333931.",
        "Bestellnummer 123456789, Auftrag 2024-000123, Rechnung 10234567891.",
        "La ville compte 2 165 423 habitants, code postal 75008 Paris.",
        "De 2019 2020 à 2021 2022 le nombre de 1000 à 5000 visiteurs.",
        "GSM 900/1800, bei der Ölpest liefen 270.000 Liter ins Meer.",
        "=NORM.S.DIST(1;0) returns 0.2419707245, aktualisiert am 08/05/2022 02:14 bzw. 05.12.1972 00 UTC.",
        "Published 2021-04-29 17:13:04.031886+02:00 in Lupus. 2015;0961203315573347.",
        "Firefox 2.0.0.16 und McAfee Stinger 12.2.0.79 installiert.",
        "Kalender: 01 02 03 04 05 06 07 08 09 10 11 12",
    ],
)
def test_ordinary_numbers_are_not_personal_data(text, lang):
    assert find_pii(text, lang) == []


def test_overlapping_readings_leave_each_character_to_one_match():
    # the grouped digits of a broken IBAN contain "0724 6993 10", a valid Romanian mobile number
    text = "Iban: DE88 7770 6493 0724 6993 10. Pl: 66100882124. Scrieți la jan.66100882124@example.com."
    matches = find_pii(text, "ro")
    assert [(m.kind, m.valid) for m in matches] == [("IBAN", False), ("PL_PESEL", True), ("EMAIL", True)]
    assert all(a.end <= b.start for a, b in zip(matches, matches[1:]))


def test_an_id_with_its_name_is_not_read_as_a_phone_number():
    matches = find_pii("Tel. Nl: 069980731, PESEL 44051401359", "nl")
    assert [m.kind for m in matches] == ["NL_BSN", "PL_PESEL"]


# A sentence of each language that holds a number without naming it.
UNNAMED = {
    "pl": "Wniosek zarejestrowano pod numerem {v} dnia 3 marca.",
    "bg": "Заявлението е регистрирано под номер {v} на 3 март.",
    "ro": "Cererea a fost înregistrată cu numărul {v} la 3 martie.",
    "cs": "Žádost byla zaevidována pod číslem {v} dne 3. března.",
    "el": "Η αίτηση καταχωρίστηκε με αριθμό {v} στις 3 Μαρτίου.",
    "sl": "Vloga je bila 3. marca evidentirana pod številko {v}.",
    "et": "Taotlus registreeriti numbri {v} all 3. märtsil.",
    "lt": "Prašymas užregistruotas numeriu {v} kovo 3 d.",
    "lv": "Iesniegums tika reģistrēts ar numuru {v} 3. martā.",
    "nl": "De aanvraag is op 3 maart geregistreerd onder nummer {v}.",
    "fr": "La demande a été enregistrée sous le numéro {v} le 3 mars.",
    "de": "Der Antrag wurde unter der Nummer {v} am 3. März registriert.",
    "sv": "Ansökan registrerades under nummer {v} den 3 mars.",
}
STRONG = {"PL_PESEL", "BG_EGN", "RO_CNP", "CZ_RC", "GR_AMKA", "SI_EMSO", "EE_IK", "LT_AK", "LV_PK", "BE_NN",
          "FR_NIR", "AT_VNR", "SE_PNR", "LU_MATRICULE"}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "value", "lang"), [(kind, value, lang) for kind, _, value, _, lang, _ in IDENTIFIERS if kind in STRONG]
)
def test_a_strong_identifier_needs_no_name_in_a_page_of_its_language(kind, value, lang):
    bare = value.replace("/", "").replace("-", "").replace(" ", "")  # the plain digits, the hardest form
    m = only(UNNAMED[lang].format(v=bare), lang)
    assert (m.kind, m.value, m.valid) == (kind, bare, True)


def test_a_strong_identifier_failing_its_checksum_without_a_name_is_not_even_a_candidate():
    pesel = IDENTIFIERS[0][2]
    assert find_pii(UNNAMED["pl"].format(v=broken(pl_pesel, pesel)), "pl") == []


def test_a_name_written_after_the_value_counts():
    bsn = IDENTIFIERS[1][2]
    assert only(f"Het nummer {bsn} is mijn BSN.", "nl").kind == "NL_BSN"
    assert only("Is é 6433435F a uimhir PSP.", "ga").kind == "IE_PPS"


def test_a_named_identifier_outranks_a_luhn_valid_card_reading():
    cnp = "601121304753" + ro_cnp.calc_check_digit("601121304753")
    if not luhn.is_valid(cnp):  # the point is a value both readings accept; find one near it
        cnp = next(v for v in (f"6011213047{i:02d}" for i in range(100)) for v in [v + ro_cnp.calc_check_digit(v)]
                   if luhn.is_valid(v) and ro_cnp.is_valid(v))  # fmt: skip
    assert only(f"Vă rugăm să indicați CNP: {cnp}.", "ro").kind == "RO_CNP"


def test_an_ungrouped_13_digit_luhn_number_is_not_a_card():
    assert luhn.is_valid("6636719858024")
    assert find_pii("Darbuotojas įvedė 6636719858024 į sistemą.", "lt") == []


def test_a_checksum_failed_hetu_is_a_candidate_not_a_phone_number():
    bad = "010563-8636"  # "010 5638636" is also a valid Finnish number
    with pytest.raises(InvalidChecksum):
        fi_hetu.validate(bad)
    m = only(f"Virkailija syötti {bad} järjestelmään.", "fi")
    assert (m.kind, m.valid) == ("FI_HETU", False)


@pytest.mark.parametrize(
    "written",
    ["ES72 2013-0692-81-0201150993", "ES72-2013-0692-8102-0115-0993", "ES72.2013.0692.8102.0115.0993",
     "ES7220130692810201150993", "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "LU28 0019 4006 4475 0000"],
)  # fmt: skip
def test_ibans_in_every_written_form(written):
    m = only(f"Überweisen Sie auf {written}, danke.", "de")
    assert (m.kind, m.value, m.valid) == ("IBAN", written, True)


def test_national_bank_accounts_valid_broken_and_look_alikes():
    assert only("Číslo účtu: 19-2000145399/0800.", "cs") == PiiMatch("BANK_ACCOUNT", 12, 30, "19-2000145399/0800", True)
    assert only("Číslo účtu: 19-2000145390/0800.", "cs").valid is False
    assert only("Cuenta 2077 0024 00 3102575766 para el pago.", "es").kind == "BANK_ACCOUNT"
    assert find_pii("Sezóna 2019/2020 a poměr 123456/0000 bez banky.", "cs") == []
