"""The identifiers python-stdnum lacks (filters/pii/stdnum_extra): published examples validate, the documented
failures fail with stdnum's own exceptions, and each module's doctests hold."""

from __future__ import annotations

import datetime
import doctest

import pytest
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from eurocurate.filters.pii.stdnum_extra import hu_adoazonosito, hu_taj, lu_matricule


@pytest.mark.parametrize("module", [hu_taj, hu_adoazonosito, lu_matricule], ids=lambda m: m.__name__.split(".")[-1])
def test_the_modules_doctests_hold(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_taj_numbers():
    # the worked examples of Act XX of 1996's check: 1x3 + 1x7 + ... = 40 -> 0
    for number in ("111111110", "111 111 110", "111-111-110", "123456788", "987654322"):
        assert hu_taj.is_valid(number), number
    with pytest.raises(InvalidChecksum):
        hu_taj.validate("123456789")
    with pytest.raises(InvalidLength):
        hu_taj.validate("12345678")
    with pytest.raises(InvalidFormat):
        hu_taj.validate("12345678A")
    assert hu_taj.format("123456788") == "123 456 788"


def test_hungarian_tax_numbers_of_natural_persons():
    # examples published with the rule (weights 1..9, modulo 11): 8x1 + 3x2 + 6x3 + ... = 124 -> 3
    assert hu_adoazonosito.validate("8365670003") == "8365670003"
    assert hu_adoazonosito.is_valid("8422780135")
    assert hu_adoazonosito.birth_date("8365670003") == datetime.date(1967, 2, 13)
    with pytest.raises(InvalidChecksum):
        hu_adoazonosito.validate("8365670004")
    with pytest.raises(InvalidComponent, match="starts with 8"):
        hu_adoazonosito.validate("7365670003")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1) - datetime.date(1867, 1, 1)).days
    body = f"8{tomorrow:05d}000"
    with pytest.raises(InvalidComponent, match="future"):
        hu_adoazonosito.validate(body + hu_adoazonosito.calc_check_digit(body))
    never_issued = next(f"8{d:05d}{s:03d}" for d in range(36000, 36100) for s in range(1000)
                        if hu_adoazonosito.calc_check_digit(f"8{d:05d}{s:03d}") == "X")  # fmt: skip
    assert not any(hu_adoazonosito.is_valid(never_issued + str(c)) for c in range(10))


def test_luxembourg_matricules():
    assert lu_matricule.validate("1893120105732") == "1893120105732"  # Wikipedia's example
    assert lu_matricule.validate("1893 1201 057 32") == "1893120105732"
    assert lu_matricule.birth_date("1893120105732") == datetime.date(1893, 12, 1)
    with pytest.raises(InvalidChecksum):
        lu_matricule.validate("1893120105733")  # the Verhoeff digit
    with pytest.raises(InvalidChecksum):
        lu_matricule.validate("1893120105722")  # the Luhn digit
    with pytest.raises(InvalidComponent, match="not a date"):
        lu_matricule.validate("1893130105732")
    future = f"{datetime.date.today().year + 1}0101001"
    with pytest.raises(InvalidComponent, match="out of range"):
        lu_matricule.validate(future + lu_matricule.calc_check_digits(future))
    assert lu_matricule.format("1893120105732") == "1893 1201 057 32"
