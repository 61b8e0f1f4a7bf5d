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
FASTTEXT_ALIASES: Final[dict[str, str]] = {"no": "nb", "sh": "hbs"}  # hbs: Serbo-Croatian, decided by the group

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
