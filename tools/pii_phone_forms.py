"""Generated phone numbers in the written forms of national numbers ("Tel:030/12345678", "(030) 1234567",
"01.23.45.67.89"…) and the numbers written like them that are not phone numbers (ISBN-10s, order and invoice
numbers, lottery draws), each form in its sentence, deterministically from a seed; `score` measures per form the
share replaced whole (phones) or touched at all (look-alikes). The identifier test set is `pii_testset.py`'s.

    python -m eurocurate.tools.pii_phone_forms [--n 300] [--seed 15]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from stdnum import isbn

from eurocurate.filters.pii.detectors import find_pii
from eurocurate.filters.pii.redaction import placeholder, redact


@dataclass(frozen=True)
class Form:
    name: str
    lang: str
    sentence: str  # with {v} where the number goes
    make: Callable[[random.Random], str]  # the number as written
    phone: bool  # a phone number (to be replaced whole) or a look-alike (to be left alone)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _subscriber(rng: random.Random, n: int) -> str:
    """A subscriber number after an area code: never starting with 0 (the trunk and international prefixes)."""
    return str(rng.randint(1, 9)) + _digits(rng, n - 1)


def _valid(region: str, make: Callable[[random.Random], str]) -> Callable[[random.Random], str]:
    """`make`, drawn again until `phonenumbers` says the number is valid in `region`."""

    def draw(rng: random.Random) -> str:
        while True:
            written = make(rng)
            if phonenumbers.is_valid_number(phonenumbers.parse(written, region)):
                return written

    return draw


def _pairs(rng: random.Random, sep: str) -> str:
    return sep.join([f"0{rng.randint(1, 5)}", _subscriber(rng, 2)] + [_digits(rng, 2) for _ in range(3)])


def _isbn10(rng: random.Random) -> str:
    """A valid ISBN-10 of the English-language group 0 (a leading 0, as a trunk prefix), as people write it."""
    body = "0" + _digits(rng, 8)
    check = -sum((10 - i) * int(d) for i, d in enumerate(body)) % 11  # ISO 2108: the weighted sum is 0 mod 11
    value = body + ("X" if check == 10 else str(check))
    assert isbn.is_valid(value)
    return rng.choice((isbn.format(value), value, " ".join(isbn.format(value).split("-"))))


def _draw(rng: random.Random, n: int, top: int, sep: str) -> str:
    return sep.join(f"{x:02d}" for x in sorted(rng.sample(range(1, top + 1), n)))


def _order(rng: random.Random) -> str:
    return rng.choice((f"0{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 4)}", f"0{_digits(rng, 9)}",
                       f"0{_digits(rng, 2)} {_digits(rng, 4)} {_digits(rng, 4)}"))  # fmt: skip


FORMS: tuple[Form, ...] = (
    Form("de Tel:030/…", "de", "Kontakt Tel:{v} oder per E-Mail.", _valid("DE", lambda r: f"030/{_subscriber(r, 8)}"),
         True),
    Form("de Tel.030/…", "de", "Kontakt Tel.{v} oder per E-Mail.", _valid("DE", lambda r: f"030/{_subscriber(r, 8)}"),
         True),
    Form("de Tel.: 0 30 / …", "de", "Tel.: {v}, Fax folgt.",
         _valid("DE", lambda r: f"0 30 / {_subscriber(r, 3)} {_digits(r, 3)} {_digits(r, 2)}"), True),
    Form("de (030) …", "de", "Rufen Sie uns an: {v}.", _valid("DE", lambda r: f"(030) {_subscriber(r, 7)}"), True),
    Form("de Tel 030-…", "de", "Tel {v} (Zentrale)", _valid("DE", lambda r: f"030-{_subscriber(r, 7)}"), True),
    Form("at 0664/…", "de", "Erreichbar unter {v} ab 9 Uhr.", _valid("AT", lambda r: f"0664/{_subscriber(r, 7)}"),
         True),
    Form("it 06 1234 5678", "it", "Per informazioni: {v}.",
         _valid("IT", lambda r: f"06 {_subscriber(r, 4)} {_digits(r, 4)}"), True),
    Form("fr 01.23.45.67.89", "fr", "Appelez le {v} avant midi.", _valid("FR", lambda r: _pairs(r, ".")), True),
    Form("fr Tél.:01 23 …", "fr", "Tél.:{v} (standard)", _valid("FR", lambda r: _pairs(r, " ")), True),
    Form("en Tel:020 …", "en", "Tel:{v} (office)", _valid("GB", lambda r: f"020 {_subscriber(r, 4)} {_digits(r, 4)}"),
         True),
    # phone numbers after the names below, with a calling word between: still phone numbers
    Form("de order name, then Tel.", "de", "Fragen zur Bestellnummer? Tel. {v}",
         _valid("DE", lambda r: f"030 {_subscriber(r, 7)}"), True),
    Form("de ISBN, then Tel.", "de", "ISBN 978-3-16-148410-0, Verlag Tel. {v}",
         _valid("DE", lambda r: f"0{r.randint(2, 9)}{_digits(r, 2)} {_subscriber(r, 7)}"), True),
    Form("fr lottery name, then appelez", "fr", "Loto : appelez le {v}.", _valid("FR", lambda r: _pairs(r, " ")),
         True),
    Form("ISBN-10 named further back", "de", "{name} {v}, 2. Auflage.", _isbn10, False),
    Form("order/invoice number", "de", "Ihre {name} {v}, bitte angeben.", _order, False),
    Form("order/invoice number", "en", "Your {name} {v}, please quote it.", _order, False),
    Form("order/invoice number", "fr", "Votre {name} {v}, à rappeler.", _order, False),
    Form("lottery draw", "de", "Die {name}: {v}. Alle Angaben ohne Gewähr.", lambda r: _draw(r, 6, 49, " "), False),
    Form("lottery draw", "fr", "Les {name} : {v}.", lambda r: _draw(r, 5, 49, " "), False),
    Form("lottery draw", "it", "{name}: {v}.", lambda r: _draw(r, 5, 90, " "), False),
    Form("lottery draw", "en", "{name}: {v}, bonus balls follow.", lambda r: _draw(r, 5, 50, "-"), False),
)  # fmt: skip
# The names written before a look-alike, drawn per case.
NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ISBN-10 named further back", "de"): ("ISBN 10:", "ISBN-Nr.", "ISBN (Taschenbuch):", "ISBN 978-3-16-148410-0,"),
    ("order/invoice number", "de"): ("Bestellnummer", "Bestellnummer:", "Rechnungsnummer lautet", "Auftrags-Nr."),
    ("order/invoice number", "en"): ("order number", "invoice no.", "order #", "tracking number is"),
    ("order/invoice number", "fr"): ("numéro de commande :", "n° de facture", "numéro de suivi"),
    ("lottery draw", "de"): ("Lottozahlen", "Gewinnzahlen im Lotto 6 aus 49", "Eurojackpot-Zahlen"),
    ("lottery draw", "fr"): ("numéros gagnants du Loto", "numéros du Loto"),
    ("lottery draw", "it"): ("Estrazione del Lotto", "SuperEnalotto, numeri vincenti"),
    ("lottery draw", "en"): ("EuroMillions results", "Lotto numbers"),
}


@dataclass(frozen=True)
class Case:
    form: str
    lang: str
    text: str
    value: str
    phone: bool


def build(n: int = 300, seed: int = 15) -> list[Case]:
    """`n` cases per form (per form and language for the look-alikes)."""
    rng = random.Random(f"{seed}:phone-forms")
    cases = []
    for form in FORMS:
        for _ in range(n):
            value = form.make(rng)
            name = rng.choice(NAMES.get((form.name, form.lang), ("",)))
            cases.append(Case(form.name, form.lang, form.sentence.format(v=value, name=name), value, form.phone))
    return cases


def score(cases: list[Case]) -> dict[tuple[str, bool], list[int]]:
    """Per form: [right, total]. Right for a phone number: replaced whole by one placeholder and nothing else
    changed; for a look-alike: the text unchanged."""
    cells: dict[tuple[str, bool], list[int]] = {}
    for case in cases:
        out = redact(case.text, find_pii(case.text, case.lang), key=None).text
        right = out == case.text.replace(case.value, placeholder("PHONE")) if case.phone else out == case.text
        cell = cells.setdefault((case.form, case.phone), [0, 0])
        cell[0] += right
        cell[1] += 1
    return cells


def table(cells: dict[tuple[str, bool], list[int]]) -> str:
    lines = ["| written form | kind | n | replaced whole / left alone |", "|---|---|---|---|"]
    for (form, phone), (right, total) in cells.items():
        kind = "phone number" if phone else "not a phone number"
        lines.append(f"| {form} | {kind} | {total} | {100 * right / total:.1f}% |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    print(table(score(build(args.n, args.seed))))


if __name__ == "__main__":
    main()
