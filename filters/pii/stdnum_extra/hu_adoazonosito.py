"""Adóazonosító jel, the Hungarian tax identification number of a natural person.

Ten digits (Act XX of 1996): 8; the birth date as the number of days since 1 January 1867 (five digits); a serial
of three digits among those born that day; a check digit, the sum of the first nine digits weighted 1 to 9, modulo
11 (a serial whose sum leaves 10 is never issued). A birth date after today is invalid. About one random ten-digit
number in 190 passes: the number alone is weak evidence.

>>> validate('8365670003')
'8365670003'
>>> birth_date('8365670003')
datetime.date(1967, 2, 13)
"""

from __future__ import annotations

import datetime

from stdnum.exceptions import InvalidChecksum, InvalidComponent

from eurocurate.filters.pii.stdnum_extra import compact, digits, is_valid_with

_EPOCH = datetime.date(1867, 1, 1)


def calc_check_digit(number: str) -> str:
    """The check digit of the first nine digits `number` ('X' when the sum leaves 10: such a serial is not issued)."""
    remainder = sum(int(d) * (i + 1) for i, d in enumerate(number)) % 11
    return "X" if remainder == 10 else str(remainder)


def birth_date(number: str) -> datetime.date:
    return _EPOCH + datetime.timedelta(days=int(compact(number)[1:6]))


def validate(number: str) -> str:
    number = digits(number, 10)
    if number[0] != "8":
        raise InvalidComponent("a natural person's number starts with 8")
    if birth_date(number) > datetime.date.today():
        raise InvalidComponent("the birth date lies in the future")
    if calc_check_digit(number[:9]) != number[9]:
        raise InvalidChecksum()
    return number


is_valid = is_valid_with(validate)


def format(number: str) -> str:  # noqa: A001 - stdnum's name
    return compact(number)
