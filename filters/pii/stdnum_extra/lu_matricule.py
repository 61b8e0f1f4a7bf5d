"""Matricule (numéro d'identification national), the Luxembourg national identification number of a person,
also the social security number.

Thirteen digits: the birth date as YYYYMMDD, a serial of three digits, a Luhn check digit over the first eleven
digits and a Verhoeff check digit over the same eleven (the OECD's Luxembourg TIN sheet; Wikipedia's example
1893120105732 checks so). A valid date and two check digits: about one thirteen-digit number that starts with a
date in a hundred passes.

>>> validate('1893 1201 057 32')
'1893120105732'
>>> validate('1893120105733')
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidChecksum: The number's checksum or check digit is invalid.
"""

from __future__ import annotations

import datetime

from stdnum import luhn, verhoeff
from stdnum.exceptions import InvalidChecksum, InvalidComponent

from eurocurate.filters.pii.stdnum_extra import compact, digits, is_valid_with


def calc_check_digits(number: str) -> str:
    """The two check digits of the first eleven digits `number`."""
    return luhn.calc_check_digit(number) + verhoeff.calc_check_digit(number)


def birth_date(number: str) -> datetime.date:
    number = compact(number)
    try:
        return datetime.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    except ValueError as e:
        raise InvalidComponent("the first eight digits are not a date") from e


def validate(number: str) -> str:
    number = digits(number, 13)
    born = birth_date(number)
    if born.year < 1850 or born > datetime.date.today():
        raise InvalidComponent("the birth date is out of range")
    if calc_check_digits(number[:11]) != number[11:]:
        raise InvalidChecksum()
    return number


is_valid = is_valid_with(validate)


def format(number: str) -> str:  # noqa: A001 - stdnum's name
    number = compact(number)
    return " ".join((number[:4], number[4:8], number[8:11], number[11:]))
