"""The one ISO 639-3 table: heliport's labels and GlotLID/OpenLID's come out as the codes they came out as when each
had its own table (langid/long_tail.HELIPORT_CODE and langid/fasttext_lid._ISO3_TO_1, as of 9beb9db)."""

from __future__ import annotations

import pytest

from eurocurate.langid.fasttext_lid import normalize_label
from eurocurate.langid.languages import ISO639_3_CODE, iso639_3_code
from eurocurate.langid.long_tail import EUROPEAN_NON_EU24, HELIPORT_KNOWS, heliport_code
from eurocurate.schema import EU24


def _table(pairs: str) -> dict[str, str]:
    return dict(pair.split(":") for pair in pairs.split())


# The two tables as they were before they became one (copied from 9beb9db)
OLD_HELIPORT_CODE = _table(
    "afr:af bel:be bre:br bul:bg cat:ca ces:cs cor:kw cos:co cym:cy dan:da deu:de ell:el eng:en epo:eo est:et eus:eu "
    "fao:fo fin:fi fra:fr fry:fy gla:gd gle:ga glg:gl glv:gv hun:hu isl:is ita:it lat:la lav:lv lit:lt ltz:lb mkd:mk "
    "mlt:mt nld:nl nno:nn nob:nb oci:oc pol:pl por:pt roh:rm ron:ro rus:ru slk:sk slv:sl sme:se spa:es sqi:sq srd:sc "
    "swe:sv tur:tr ukr:uk wln:wa yid:yi ina:ia ido:io vol:vo"
)
OLD_ISO3_TO_1 = _table(
    "bul:bg hrv:hr ces:cs dan:da nld:nl eng:en est:et ekk:et fin:fi fra:fr deu:de ell:el hun:hu gle:ga ita:it lav:lv "
    "lvs:lv lit:lt mlt:mt pol:pl por:pt ron:ro slk:sk slv:sl spa:es swe:sv bos:bs srp:sr hbs:hbs nob:nb nno:nn nor:nb "
    "cat:ca glg:gl ast:ast cos:co fur:fur wln:wa oci:oc gla:gd glv:gv mkd:mk rus:ru ukr:uk bel:be isl:is cym:cy "
    "eus:eu afr:af lat:la sqi:sq als:sq mwl:mwl ltz:lb fry:fy roh:rm srd:sc sro:sc src:sc bre:br fao:fo lim:li "
    "arg:an yid:yi ydd:yi epo:eo cor:kw sme:se rmy:rom rmn:rom rmc:rom rmf:rom rml:rom rmo:rom nds:nds vec:vec "
    "nap:nap scn:scn lij:lij lmo:lmo ext:ext csb:csb szl:szl rue:rue hsb:hsb dsb:dsb"
)
OLD_HELIPORT_KNOWS = frozenset(OLD_HELIPORT_CODE.values()) | frozenset(
    "hbs hsb ext mwl lmo scn pms gsw bar ksh pfl vls sgs liv vot izh olo sma smj smn sms sju sjd".split()
)
# Languages only heliport's table named: a GlotLID/OpenLID model now says `tr` for Turkish, as lid.176, lingua and
# heliport do, where it said `tur` (and `ia`, `io`, `vo` for Interlingua, Ido, Volapük)
NOW_NAMED_FOR_GLOTLID = {"tur": "tr", "ina": "ia", "ido": "io", "vol": "vo"}


def test_every_heliport_label_gives_the_code_it_gave_before():
    heliport_scorer = pytest.importorskip(
        "eurocurate.langid.heliport_scorer",
        reason="heliport's labels need the heliport extra: pip install -e .[heliport]",
    )
    for label in set(heliport_scorer.COLLAPSED) | set(OLD_HELIPORT_CODE):
        assert heliport_code(label) == OLD_HELIPORT_CODE.get(label, label), label


def test_every_glotlid_label_gives_the_code_it_gave_before_but_four_that_now_get_their_639_1_code():
    for iso3 in set(OLD_ISO3_TO_1) | set(OLD_HELIPORT_CODE) | {"fur", "deu", "xyz"}:
        expected = NOW_NAMED_FOR_GLOTLID.get(iso3) or OLD_ISO3_TO_1.get(iso3, iso3)
        assert normalize_label(f"__label__{iso3}_Latn") == expected, iso3
    assert normalize_label("__label__de") == "de"  # lid.176's own labels are not read as 639-3


def test_the_codes_heliport_knows_are_those_it_knew():
    assert HELIPORT_KNOWS == OLD_HELIPORT_KNOWS


def test_the_table_sends_every_code_to_an_eu_or_a_named_european_language_or_a_look_alike():
    look_alikes = {"af", "tr"}  # Afrikaans reads as Dutch to lid.176; Turkish is a lingua and heliport language
    assert set(ISO639_3_CODE.values()) <= set(EU24) | EUROPEAN_NON_EU24 | look_alikes
    assert iso639_3_code("hbs") == "hbs" and iso639_3_code("ekk") == "et" and iso639_3_code("qqq") == "qqq"
