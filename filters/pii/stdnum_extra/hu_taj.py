"""TAJ szám (Társadalombiztosítási Azonosító Jel), the Hungarian social security number.

Nine digits: an eight-digit serial and a check digit, the sum of the serial's digits weighted 3 and 7 in turn (3 on
the first), modulo 10 (Act XX of 1996 on identification codes). Written compact or in groups of three
(`123 456 788`). The check catches one mistyped digit, but one random nine-digit number in ten passes it: the number
alone is no evidence.

>>> validate('123 456 788')
'123456788'
>>> validate('123456789')
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidChecksum: The number's checksum or check digit is invalid.
"""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum

from eurocurate.filters.pii.stdnum_extra import compact, digits, is_valid_with


def calc_check_digit(number: str) -> str:
    """The check digit of the eight-digit serial `number`."""
    return str(sum(int(d) * (3 if i % 2 == 0 else 7) for i, d in enumerate(number)) % 10)


def validate(number: str) -> str:
    number = digits(number, 9)
    if calc_check_digit(number[:8]) != number[8]:
        raise InvalidChecksum()
    return number


is_valid = is_valid_with(validate)


def format(number: str) -> str:  # noqa: A001 - stdnum's name
    number = compact(number)
    return " ".join((number[:3], number[3:6], number[6:]))
