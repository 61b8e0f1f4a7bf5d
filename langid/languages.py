"""The label set of language identification: the EU-24, their scripts, the confusable groups and
how fastText and lingua spell each language.

Pure data. Which model is asked when belongs to `langid.identifier`; the thresholds to `langid.config`.
"""

from __future__ import annotations

from typing import Final

from eurocurate.schema import EU24

OTHER: Final = "other"  # label of a text in no EU-24 language whose language is unknown
UNDETERMINED: Final = "und"  # label of a text with no letters to identify

GREEK: Final = "greek"
CYRILLIC: Final = "cyrillic"
LATIN: Final = "latin"
NO_SCRIPT: Final = "none"

# The script each EU-24 language is written in; a text in another script cannot be that language.
EU24_SCRIPT: Final[dict[str, str]] = dict.fromkeys(EU24, LATIN) | {"el": GREEK, "bg": CYRILLIC}

# lid.176 labels that name the same language as another label here.
# lid.176 writes Alemannic with its Wikipedia code `als` (in ISO 639-3, Tosk Albanian); `gsw` is its ISO code
FASTTEXT_ALIASES: Final[dict[str, str]] = {"no": "nb", "sh": "hbs", "als": "gsw"}  # hbs: Serbo-Croatian, by the group

# Groups whose members fastText confuses; a text labelled with a member gets a second opinion.
# The first member names the group (mt: lid.176 sends Maltese to en/it/pl; only spelling tells it).
CONFUSABLE_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "hr": ("hr", "bs", "sr", "hbs", "sl"),  # lid.176 also trades Slovenian with Croatian
    "cs": ("cs", "sk"),
    "da": ("da", "sv", "nb", "nn"),
    "es": ("es", "pt", "gl", "ca", "ast", "mwl"),
    "it": ("it", "co", "fur", "sc", "vec", "scn", "nap", "lmo", "pms", "eml"),
    "fr": ("fr", "wa", "oc", "pcd"),
    "nl": ("nl", "af", "fy", "li", "vls"),  # Afrikaans reads as Dutch to lid.176
    "mt": ("mt",),
    "ga": ("ga", "gd", "gv"),
    "et": ("et", "fi"),
    "bg": ("bg", "mk", "ru", "uk", "sr", "be"),
}
GROUP_OF: Final[dict[str, str]] = {}
for _group, _members in CONFUSABLE_GROUPS.items():
    for _m in _members:
        GROUP_OF.setdefault(_m, _group)  # sr belongs to hr (Latin script) first; the identifier sends Cyrillic to bg

# lingua-language-detector names of the languages it knows (it has no Maltese, Galician, Asturian,
# Corsican, Friulian, Walloon, Occitan, Scottish Gaelic or Manx).
LINGUA_NAME: Final[dict[str, str]] = {
    "bg": "BULGARIAN", "hr": "CROATIAN", "cs": "CZECH", "da": "DANISH", "nl": "DUTCH", "en": "ENGLISH",
    "et": "ESTONIAN", "fi": "FINNISH", "fr": "FRENCH", "de": "GERMAN", "el": "GREEK", "hu": "HUNGARIAN",
    "ga": "IRISH", "it": "ITALIAN", "lv": "LATVIAN", "lt": "LITHUANIAN", "pl": "POLISH", "pt": "PORTUGUESE",
    "ro": "ROMANIAN", "sk": "SLOVAK", "sl": "SLOVENE", "es": "SPANISH", "sv": "SWEDISH",
    "bs": "BOSNIAN", "sr": "SERBIAN", "nb": "BOKMAL", "nn": "NYNORSK", "ca": "CATALAN", "mk": "MACEDONIAN",
    "ru": "RUSSIAN", "uk": "UKRAINIAN", "be": "BELARUSIAN", "is": "ICELANDIC", "cy": "WELSH", "eu": "BASQUE",
    "af": "AFRIKAANS", "la": "LATIN", "sq": "ALBANIAN", "eo": "ESPERANTO", "tr": "TURKISH",
}  # fmt: skip

# ISO 639-3 -> the code used here: 639-1 where lid.176 has one, else the 639-3 code itself (unknown codes stay as
# they are). One table for every model that speaks 639-3: heliport's labels and the fastText-format models read by
# path (GlotLID, OpenLID: `__label__hrv_Latn`). `hbs` stays: heliport merges Croatian, Bosnian and Serbian and
# `langid.hbs` splits it; individual languages of a macrolanguage (ekk, lvs, als, nob...) go to its code.
ISO639_3_CODE: Final[dict[str, str]] = {
    "afr": "af", "bel": "be", "bos": "bs", "bre": "br", "bul": "bg", "cat": "ca", "ces": "cs", "cor": "kw",
    "cos": "co", "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "eng": "en", "epo": "eo", "est": "et",
    "ekk": "et", "eus": "eu", "fao": "fo", "fin": "fi", "fra": "fr", "fry": "fy", "gla": "gd", "gle": "ga",
    "glg": "gl", "glv": "gv", "hrv": "hr", "hun": "hu", "ina": "ia", "ido": "io", "isl": "is", "ita": "it",
    "lat": "la", "lav": "lv", "lvs": "lv", "lim": "li", "lit": "lt", "ltz": "lb", "mkd": "mk", "mlt": "mt",
    "nld": "nl", "nno": "nn", "nob": "nb", "nor": "nb", "oci": "oc", "pol": "pl", "por": "pt", "roh": "rm",
    "ron": "ro", "rus": "ru", "slk": "sk", "slv": "sl", "sme": "se", "spa": "es", "sqi": "sq", "als": "sq",
    "srd": "sc", "sro": "sc", "src": "sc", "srp": "sr", "swe": "sv", "tur": "tr", "ukr": "uk", "vol": "vo",
    "wln": "wa", "yid": "yi", "ydd": "yi", "arg": "an",
    # Romani's varieties: one code, as the long-tail veto and routing name it
    "rmy": "rom", "rmn": "rom", "rmc": "rom", "rmf": "rom", "rml": "rom", "rmo": "rom",
}  # fmt: skip


def iso639_3_code(code: str) -> str:
    """`hrv` -> `hr`, `ekk` -> `et`; a code with no 639-1 counterpart here (`fur`, `hbs`, `szl`) comes back as is."""
    return ISO639_3_CODE.get(code, code)


def iso639_language(code: str) -> object | None:
    """pycountry's ISO 639-3 entry for a 639-1 (two letters) or 639-3 code, or None: whether a code names a language."""
    import pycountry  # its tables load on first use: only where a spec's codes are checked

    return pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
