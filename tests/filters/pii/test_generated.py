"""A small, fast run of the generated PII test set: a few held-out sentences per type and condition."""

from __future__ import annotations

import pytest

from eurocurate.tools.pii_carriers import CARRIERS, KEYWORDS
from eurocurate.tools.pii_testset import build, score
from eurocurate.tools.pii_values import TYPES


@pytest.fixture(scope="module")
def scored():
    return score(build("heldout", n=12, seed=7))


def test_every_type_is_found_when_named_and_strong_types_without_a_name(scored):
    rows, _ = scored
    assert {kind: row.rate("keyword") for kind, row in rows.items() if row.rate("keyword") != 1.0} == {}
    assert {kind: row.rate("bare") for kind, row in rows.items() if row.strong and row.rate("bare") != 1.0} == {}


def test_checksum_failed_and_ordinary_numbers_stay(scored):
    rows, ordinary = scored
    assert {kind: row.rate("invalid") for kind, row in rows.items() if row.rate("invalid") != 1.0} == {}
    assert {category: cell for category, cell in ordinary.items() if cell[0]} == {}


def test_the_test_set_is_deterministic_and_covers_every_language():
    assert build("dev", n=3, seed=1) == build("dev", n=3, seed=1)
    assert build("dev", n=3, seed=1) != build("heldout", n=3, seed=1)
    assert len(CARRIERS) == 24
    assert {lang for per_lang in KEYWORDS.values() for lang in per_lang} == set(CARRIERS)
    assert set(TYPES) | {"IBAN", "BANK_ACCOUNT"} == set(KEYWORDS)


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_generated_values_are_valid_and_their_broken_variants_fail_only_the_checksum(kind):
    cases = [c for c in build("dev", n=4, seed=3) if c.kind == kind]
    t = TYPES[kind]
    for case in cases:
        if case.condition == "invalid":
            with pytest.raises(t.broken_by):
                t.validate(case.value)
        else:
            t.validate(case.value)
