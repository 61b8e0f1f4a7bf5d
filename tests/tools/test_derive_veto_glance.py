"""The veto's glance threshold: below the lowest glance lead of a vetoed non-EU-24 text, by the margin, in tens."""

from __future__ import annotations

import math

import pytest

from eurocurate.langid.long_tail import Veto
from eurocurate.langid.regional import regional_glance
from eurocurate.tools.derive_veto_glance import VetoCall, derive, record_calls
from tests.langid.sentences import EU24_SENTENCES
from tests.langid.test_regional import REGIONAL_SENTENCES


def test_the_threshold_stays_below_every_vetoed_texts_glance_by_the_margin():
    silesian, asturian = REGIONAL_SENTENCES["szl"], REGIONAL_SENTENCES["ast"]
    italian = " ".join(EU24_SENTENCES["it"])
    calls = [
        VetoCall(silesian, "pl", False, Veto("szl", 0.9, "veto:regional")),
        VetoCall(asturian, "es", False, Veto("ast", 0.9, "veto:regional")),
        VetoCall(italian, "it", True, None),
        VetoCall(asturian, "el", False, Veto("ast", 0.9, "veto:regional")),  # no Greek in the model: not read
    ]
    threshold, report = derive(calls, 60, 30.0)
    lowest = min(regional_glance(t, lang, 60).lead for t, lang in ((silesian, "pl"), (asturian, "es")))
    assert threshold == math.floor((lowest - 30) / 10) * 10
    assert threshold % 10 == 0 and threshold <= lowest - 30
    assert "non-EU-24 texts vetoed: 2 (veto:regional 2)" in report and f"veto_glance_lead: {threshold}" in report


def test_without_vetoes_or_eu_texts_there_is_nothing_to_derive_from():
    with pytest.raises(ValueError, match="need vetoed non-EU-24 texts and EU-24 texts"):
        derive([VetoCall(" ".join(EU24_SENTENCES["it"]), "it", True, None)], 60, 30.0)


def test_the_calls_are_recorded_with_the_glance_off_and_the_veto_restored():
    from eurocurate.langid import identifier

    before = identifier.long_tail_veto
    calls = record_calls([(REGIONAL_SENTENCES["szl"], False), (" ".join(EU24_SENTENCES["it"]), True)])
    assert identifier.long_tail_veto is before
    assert [(c.eu_lang, c.eu_truth, c.verdict and c.verdict.lang) for c in calls] == [
        ("pl", False, "szl"),
        ("it", True, None),
    ]
