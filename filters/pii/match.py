"""The located-value record every PII detector returns (`PiiMatch`), its kind names, the ranks that settle
overlaps between detectors, and the helpers they share: the look-behind and the pattern of a list of names. No
patterns of their own, no validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = "EMAIL"
IP = "IP"
PHONE = "PHONE"
IBAN = "IBAN"
CARD = "CARD"
BANK_ACCOUNT = "BANK_ACCOUNT"  # a national account number (not an IBAN)


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One located value. `valid=False`: shaped like `kind` but its checksum failed, so it stays in the text."""

    kind: str
    start: int
    end: int
    value: str
    valid: bool
    # The value's normal form when the text alone cannot give it: E.164 of a phone written in national format.
    canonical: str = ""


# Overlap resolution: lower rank wins, then the longer match, then the valid one.
# A national identifier named just before or after it outranks a card: "CNP: 6011213047534" is a Romanian's
# number even when its digits also pass Luhn.
(
    RANK_EMAIL, RANK_IBAN, RANK_NAMED_ID, RANK_CARD, RANK_ID, RANK_ACCOUNT, RANK_BARE_CARD_CANDIDATE, RANK_IP,
    RANK_PHONE, RANK_WEAK,
) = range(10)  # fmt: skip

Found = tuple[int, PiiMatch]

CONTEXT_CHARS = 40


def before(text: str, start: int, chars: int = CONTEXT_CHARS) -> str:
    return text[max(0, start - chars) : start]


def names(*alternatives: str) -> re.Pattern[str]:
    """Any of `alternatives` (regular expressions) starting a word, in any case."""
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)
