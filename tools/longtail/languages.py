"""The languages of the long-tail set and how each source spells them: locale code or ISO 639-3 code of a
source → (ISO 639-3 individual language, script). Pure data and two pure functions.

Which texts are read belongs to `tools.longtail.readers`; which are kept to `tools.longtail.build`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Final

# ISO 639-3 of the EU-24 → the ISO 639-1 code the pipeline labels them with (`eurocurate.schema.EU24`).
EU24_ISO3: Final[dict[str, str]] = {
    "bul": "bg", "hrv": "hr", "ces": "cs", "dan": "da", "nld": "nl", "eng": "en", "est": "et", "fin": "fi",
    "fra": "fr", "deu": "de", "ell": "el", "hun": "hu", "gle": "ga", "ita": "it", "lav": "lv", "lit": "lt",
    "mlt": "mt", "pol": "pl", "por": "pt", "ron": "ro", "slk": "sk", "slv": "sl", "spa": "es", "swe": "sv",
}  # fmt: skip

EU24_NAMES: Final[dict[str, str]] = {
    "bul": "Bulgarian", "hrv": "Croatian", "ces": "Czech", "dan": "Danish", "nld": "Dutch", "eng": "English",
    "est": "Estonian", "fin": "Finnish", "fra": "French", "deu": "German", "ell": "Greek", "hun": "Hungarian",
    "gle": "Irish", "ita": "Italian", "lav": "Latvian", "lit": "Lithuanian", "mlt": "Maltese", "pol": "Polish",
    "por": "Portuguese", "ron": "Romanian", "slk": "Slovak", "slv": "Slovenian", "spa": "Spanish", "swe": "Swedish",
}  # fmt: skip

# Europe's regional and minority languages the issue names (#17), by ISO 639-3.
REGIONAL: Final[dict[str, str]] = {
    "cos": "Corsican", "fur": "Friulian", "wln": "Walloon", "roh": "Romansh", "hsb": "Upper Sorbian",
    "dsb": "Lower Sorbian", "srd": "Sardinian", "ast": "Asturian", "glv": "Manx", "oci": "Occitan",
    "ltz": "Luxembourgish", "bre": "Breton", "bos": "Bosnian", "srp": "Serbian", "nds": "Low German",
    "lim": "Limburgish", "fry": "Western Frisian", "fao": "Faroese", "gla": "Scottish Gaelic", "vec": "Venetian",
    "nap": "Neapolitan", "scn": "Sicilian", "lij": "Ligurian", "lmo": "Lombard", "arg": "Aragonese",
    "ext": "Extremaduran", "mwl": "Mirandese", "csb": "Kashubian", "szl": "Silesian", "rue": "Rusyn",
    "rom": "Romani", "yid": "Yiddish", "epo": "Esperanto",
}  # fmt: skip

# Languages of Europe that look like an EU-24 language to a identifier (the dev corpus's look-alikes and more).
LOOKALIKE: Final[dict[str, str]] = {
    "cat": "Catalan", "glg": "Galician", "eus": "Basque", "nob": "Norwegian Bokmål", "nno": "Norwegian Nynorsk",
    "isl": "Icelandic", "cym": "Welsh", "mkd": "Macedonian", "rus": "Russian", "ukr": "Ukrainian",
    "bel": "Belarusian", "afr": "Afrikaans", "lat": "Latin", "sqi": "Albanian", "lld": "Ladin",
    "rgn": "Romagnolo", "frp": "Franco-Provençal", "pcd": "Picard", "sco": "Scots", "gsw": "Alemannic",
    "lad": "Ladino", "rup": "Aromanian", "cnr": "Montenegrin", "ina": "Interlingua",
}  # fmt: skip

# A source's code for a macrolanguage member or a variety → the code this set labels it with.
ISO3_ALIASES: Final[dict[str, str]] = {
    "ekk": "est", "lvs": "lav", "ydd": "yid", "yih": "yid", "als": "sqi", "src": "srd", "sro": "srd",
    "rmn": "rom", "rmy": "rom", "rmc": "rom", "rml": "rom", "rmo": "rom", "gsc": "oci",
}  # fmt: skip

# Locale codes of translation catalogues (Mozilla, gettext) → ISO 639-3 (region and variant tags dropped
# before the look-up; a script subtag is read from the text itself).
LOCALE_ISO3: Final[dict[str, str]] = {
    **{two: three for three, two in EU24_ISO3.items()},
    "co": "cos", "wa": "wln", "rm": "roh", "sc": "srd", "oc": "oci", "lb": "ltz", "br": "bre", "bs": "bos",
    "sr": "srp", "li": "lim", "fy": "fry", "fo": "fao", "gd": "gla", "gv": "glv", "an": "arg", "yi": "yid",
    "eo": "epo", "ca": "cat", "gl": "glg", "eu": "eus", "nb": "nob", "nn": "nno", "no": "nob", "is": "isl",
    "cy": "cym", "mk": "mkd", "ru": "rus", "uk": "ukr", "be": "bel", "af": "afr", "la": "lat", "sq": "sqi",
    "ia": "ina", "fur": "fur", "hsb": "hsb", "dsb": "dsb", "ast": "ast", "szl": "szl", "lij": "lij",
    "vec": "vec", "nap": "nap", "scn": "scn", "lmo": "lmo", "csb": "csb", "rue": "rue", "nds": "nds",
    "ext": "ext", "mwl": "mwl", "sco": "sco", "frp": "frp", "pcd": "pcd", "lld": "lld", "cnr": "cnr",
}  # fmt: skip

WANTED: Final[frozenset[str]] = frozenset(EU24_ISO3) | frozenset(REGIONAL) | frozenset(LOOKALIKE)

# Unicode script names (first word of a letter's character name) → ISO 15924.
_SCRIPTS: Final[dict[str, str]] = {"LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "HEBREW": "Hebr"}


def iso3_of(code: str) -> str | None:
    """The ISO 639-3 code this set uses for a source's language code (`sr-Latn`, `pt_BR`, `ydd`, `fy-NL`), or
    None when the language is not one the set wants."""
    base = code.replace("_", "-").split("-")[0].lower()
    iso3 = ISO3_ALIASES.get(base, base) if len(base) == 3 else LOCALE_ISO3.get(base)
    if iso3 is None and len(base) == 3:
        iso3 = LOCALE_ISO3.get(base)
    return iso3 if iso3 in WANTED else None


# Scripts a language of the set is written in (Latin when not listed); a text in another is not that language
# (a Latin-script string in a Russian catalogue is an English string left untranslated).
SCRIPTS_OF: Final[dict[str, frozenset[str]]] = {
    **dict.fromkeys(("bul", "rus", "ukr", "bel", "mkd", "rue"), frozenset({"Cyrl"})),
    **dict.fromkeys(("srp", "bos", "cnr"), frozenset({"Latn", "Cyrl"})),
    "ell": frozenset({"Grek"}),
    "yid": frozenset({"Hebr"}),
}
LATIN_ONLY: Final = frozenset({"Latn"})
MIN_SCRIPT_SHARE: Final = 0.8  # of a text's letters in its script: brand names in Latin letters are the rest


def script_of(text: str) -> str | None:
    """ISO 15924 code of the script at least `MIN_SCRIPT_SHARE` of the text's letters are in (None without
    letters, in a script not listed here, or mixed)."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            counts[_SCRIPTS.get(name.split(" ", 1)[0], "other")] += 1
    if not counts:
        return None
    script, n = counts.most_common(1)[0]
    return None if script == "other" or n < MIN_SCRIPT_SHARE * counts.total() else script


def language_name(iso3: str) -> str:
    """English name of a language of the set (the code itself for one it does not know)."""
    return EU24_NAMES.get(iso3) or REGIONAL.get(iso3) or LOOKALIKE.get(iso3) or iso3
