"""The words before a digit string that say what number it is: calling words ("Tel.", "Handy", "chiama"), which
let a national phone number without its trunk 0 count, and the names of numbers that are not personal data: an
ISBN, ISSN or EAN (not a phone, card or identifier), an order or invoice number and a lottery draw (not a phone).
Finding and validating the values is `detectors.py`'s and `national_ids.py`'s job."""

from __future__ import annotations

import re

from stdnum import isbn, issn

from eurocurate.filters.pii.match import before, names

CALLING_WORDS_RE = names(
    "tel", "tél", "tlf", "phone", "puh", "mob", "gsm", "handy", "fax", "τηλ", "тел", "tālr", "cell", "m[óo]vil",
    "celular", "komórk", r"kom\.", "whatsapp", "κινητ", "мобил", "chiam", "llam", "ligue", "zadzwo", "zavolej",
    "καλέστε", "appel",
)  # fmt: skip

# A catalogue number's name just before it ("ISBN 978-…", "EAN: …"): whatever the digits, not personal data.
CATALOGUE_RE = re.compile(r"(?<!\w)(?:isbn|issn|ean|gtin|doi|sku|upc)(?:-1[03])?\b[^\w\n]{0,6}$", re.IGNORECASE)
# Further back ("ISBN 10: …", "ISBN-Nr. …", "ISBN (Taschenbuch): …", the second ISBN of a list) the name counts
# for a value that is a valid ISBN or ISSN: 1 random 10-digit number in 11 passes the ISBN check, so the name is
# needed too, and a calling word between the name and the value takes the number back.
_CATALOGUE_NAMES = ((names(r"i\.?s\.?b\.?n"), isbn.is_valid), (names("issn"), issn.is_valid))
_ANY_CATALOGUE_NAME_RE = names(r"i\.?s\.?b\.?n", "issn")
_CHECK_X_RE = re.compile(r"[ -]?[Xx](?!\w)")  # an ISBN-10's or ISSN's check character 10
# An order, invoice, article or tracking number's name, in the last words before the value: a word of the
# transaction ("Bestell-", "order", "commande", "zamówienia") and a word for "number" ("-nummer", "no.", "n°",
# "numéro", "numer", "číslo"), as one compound or a phrase of up to four words ("Ihre Bestellnummer lautet …",
# "numéro de commande : …", "Invoice no. …"). A customer, member or contract number identifies a person: it is not
# named here, so one shaped like a phone number is still replaced.
# (From a word's start, possessive: tried at every position and backtracking, it cost ten times as much.)
_LAST_WORDS_RE = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]++[^\w\n]{0,4}+){1,4}+$")
_TRANSACTION_RE = names(
    "bestell", "auftrag", "rechnung", "artikel", "sendung", "buchung", "reservierung", "order", "invoice", "item",
    "article", "tracking", "booking", "reservation", "commande", "facture", "suivi", "ordine", "fattura", "articolo",
    "spedizion", "prenotazion", "pedido", "factura", "art[íi]culo", "reserva", "encomenda", "fatura", "comand",
    "factur", "bestel", "factuur", "ordre", "faktur", "zam[óo]wieni", "objedn[áa]v", "tilaus", "lasku", "megrendel",
    "rendel[ée]s", "sz[áa]ml", "u[žz]sakym", "s[ąa]skait", "pas[ūu]t[īi]jum", "r[ēe][ķk]in", "tellimus", "arve",
    "naro[čc]il", "narud[žz]b", "ra[čc]un", "παραγγελ", "τιμολογ", "поръчк", "фактур",
)  # fmt: skip
_NUMBER_WORD_RE = re.compile(
    r"num+[eé]r|n[úu]mer|number|čísl|cisl|broj|numur|αριθμ|номер|sz[áa]m\b|kood|#|n[°º]|nr\b|(?<!\w)(?:no|n|num|id|ref)\b",
    re.IGNORECASE,
)
# A lottery's name, before its draw: "Lottozahlen: 04 12 19 27 33 41". Only names of lotteries: a word for a draw
# alone ("tirage", "Ziehung") also comes before a French number written in pairs.
_LOTTERY_RE = names(
    "lott", "loto", "loter", "lotaria", "лото", "λοττο", "λόττο", "gewinnzahl", "superzahl", "zusatzzahl",
    "eurojackpot", "euromillion", "primitiva", "bonoloto", "superenalotto", "keno", "τζόκερ", "winning numbers",
    r"num[ée]ros gagnants", "numeri vincenti", r"n[úu]meros ganadores", r"winnende (?:nummers|getallen)",
)  # fmt: skip
_NAMES_START = r"(?<!\w)(?:"  # how `names` begins every pattern: written once, not once per list
_ANY_NAME_RE = re.compile(
    _NAMES_START
    + "|".join(
        p.pattern.removeprefix(_NAMES_START)[:-1] for p in (_ANY_CATALOGUE_NAME_RE, _TRANSACTION_RE, _LOTTERY_RE)
    )
    + ")",
    re.IGNORECASE,
)
_GROUP_RE = re.compile(r"\d+")
_DRAW_MAX = 90  # the largest number of Europe's lotteries (Italy's Lotto; 6 aus 49, EuroMillions 50)


def catalogue_number(text: str, start: int, value: str) -> bool:
    """`value` at `start` is named as an ISBN, ISSN, EAN or the like: a catalogue name just before it, or an ISBN
    or ISSN name earlier in the 40 characters before it (same line, no calling word after the name) with `value`
    a valid number of that name."""
    context = before(text, start)
    if CATALOGUE_RE.search(context[-12:]):
        return True
    return bool(_ANY_CATALOGUE_NAME_RE.search(context)) and _named_catalogue(text, start, value, context)


def not_a_phone(text: str, start: int, value: str) -> bool:
    """The words before `value` say it is another number than a phone: a catalogue number (`catalogue_number`),
    an order, invoice, article or tracking number named in the last words before it, or a lottery draw (a lottery's
    name in the 40 characters before, and `value` shaped as `_is_draw` says). A calling word after such a name takes
    the number back ("Bestellung per Telefon: 030 …")."""
    context = before(text, start)
    if CATALOGUE_RE.search(context[-12:]):
        return True
    name = _ANY_NAME_RE.search(context)  # most phone numbers: one scan, and no calling words looked for
    if name is None:
        return False
    if _ANY_CATALOGUE_NAME_RE.search(context, name.start()) and _named_catalogue(text, start, value, context):
        return True
    context = _since_calling_word(context)
    words = _LAST_WORDS_RE.search(context)
    if words and _TRANSACTION_RE.search(words.group()) and _NUMBER_WORD_RE.search(words.group()):
        return True
    return _is_draw(value) and bool(_LOTTERY_RE.search(context))


def _is_draw(value: str) -> bool:
    """Five or more different numbers from 1 to 90 of one or two digits each, as a draw's results are listed. Six or
    more such pairs make no phone number; five make a French one, so five count only in ascending order: that
    leaves 2% of random French numbers ("01 23 45 67 89" among them) read as a draw after a lottery's name."""
    groups = _GROUP_RE.findall(value)
    numbers = [int(g) for g in groups]
    if len(groups) < 5 or any(len(g) > 2 for g in groups) or not all(1 <= n <= _DRAW_MAX for n in numbers):
        return False
    return len(set(numbers)) == len(numbers) and (len(numbers) >= 6 or numbers == sorted(numbers))


def _named_catalogue(text: str, start: int, value: str, context: str) -> bool:
    check_x = _CHECK_X_RE.match(text, start + len(value))  # "0-444-10917-X": the digits were read without it
    value = value + check_x.group() if check_x else value
    context = _since_calling_word(context)
    return any(name.search(context) and valid(value) for name, valid in _CATALOGUE_NAMES)


def _since_calling_word(context: str) -> str:
    """The part of `context` after its last line break and its last calling word."""
    context = context[context.rfind("\n") + 1 :]
    end = 0
    for word in CALLING_WORDS_RE.finditer(context):
        end = word.end()
    return context[end:]
