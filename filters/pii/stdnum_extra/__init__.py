"""Personal identifiers of member states that python-stdnum (2.2) does not validate, written to stdnum's module
interface (`compact`, `validate`, `is_valid`, `format`, the check-digit functions; stdnum's exceptions), so that
`national_ids` and the generated test set treat them as the stdnum modules they stand beside. Each module names its
sources; a module stdnum gains later replaces the one here.
"""

from __future__ import annotations

from collections.abc import Callable

from stdnum.exceptions import InvalidFormat, InvalidLength
from stdnum.util import clean, isdigits


def compact(number: str) -> str:
    """`number` without the spaces and dashes people write in it."""
    return clean(number, " -").strip()


def digits(number: str, length: int) -> str:
    """`number` compacted, when it is `length` digits; stdnum's InvalidFormat or InvalidLength otherwise."""
    number = compact(number)
    if not isdigits(number):
        raise InvalidFormat()
    if len(number) != length:
        raise InvalidLength()
    return number


def is_valid_with(validate: Callable[[str], str]) -> Callable[[str], bool]:
    """stdnum's `is_valid` for a module's `validate`: True or False, never an exception."""

    def is_valid(number: str) -> bool:
        try:
            return bool(validate(number))
        except ValueError:  # stdnum's ValidationError is one
            return False

    return is_valid
