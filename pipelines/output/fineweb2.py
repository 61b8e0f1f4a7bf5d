"""FineWeb-2's column meanings for the text shards: ISO 639-3 language and script, the `top_langs` JSON,
the Common Crawl dump of a source path, and FineWeb-2's rehydration (up-sampling) weight per cluster size.

Pure functions; the text writer (`text_writer.py`) calls them per document and `pull` up-samples with
`rehydration_weight`. The language identifier's own labels are `langid`'s.
"""

from __future__ import annotations

import bisect
import re

import orjson

# ISO 639-1 (this project's language code) -> (ISO 639-3 as FineWeb-2's GlotLID labels spell it, script).
# Estonian and Latvian are the individual languages GlotLID labels (ekk, lvs), as in FineWeb-2's configs.
FINEWEB2_LANGUAGE: dict[str, tuple[str, str]] = {
    "bg": ("bul", "Cyrl"), "hr": ("hrv", "Latn"), "cs": ("ces", "Latn"), "da": ("dan", "Latn"),
    "nl": ("nld", "Latn"), "en": ("eng", "Latn"), "et": ("ekk", "Latn"), "fi": ("fin", "Latn"),
    "fr": ("fra", "Latn"), "de": ("deu", "Latn"), "el": ("ell", "Grek"), "hu": ("hun", "Latn"),
    "ga": ("gle", "Latn"), "it": ("ita", "Latn"), "lv": ("lvs", "Latn"), "lt": ("lit", "Latn"),
    "mt": ("mlt", "Latn"), "pl": ("pol", "Latn"), "pt": ("por", "Latn"), "ro": ("ron", "Latn"),
    "sk": ("slk", "Latn"), "sl": ("slv", "Latn"), "es": ("spa", "Latn"), "sv": ("swe", "Latn"),
}  # fmt: skip
# Languages outside the EU-24 a spec can route to their own shards (`language_id.route_languages`), by the code the
# identifier gives them (ISO 639-1 where there is one) -> FineWeb-2's label. Serbian has no script here: the
# identifier's `sr` covers both of its scripts. A code in neither table keeps its spelling and has no script.
ROUTED_LANGUAGE: dict[str, tuple[str, str | None]] = {
    "ca": ("cat", "Latn"), "eu": ("eus", "Latn"), "gl": ("glg", "Latn"), "nb": ("nob", "Latn"),
    "nn": ("nno", "Latn"), "is": ("isl", "Latn"), "cy": ("cym", "Latn"), "mk": ("mkd", "Cyrl"),
    "ru": ("rus", "Cyrl"), "uk": ("ukr", "Cyrl"), "be": ("bel", "Cyrl"), "af": ("afr", "Latn"),
    "la": ("lat", "Latn"), "sq": ("als", "Latn"), "co": ("cos", "Latn"), "oc": ("oci", "Latn"),
    "gd": ("gla", "Latn"), "gv": ("glv", "Latn"), "wa": ("wln", "Latn"), "lb": ("ltz", "Latn"),
    "br": ("bre", "Latn"), "fy": ("fry", "Latn"), "fo": ("fao", "Latn"), "eo": ("epo", "Latn"),
    "rm": ("roh", "Latn"), "sc": ("srd", "Latn"), "li": ("lim", "Latn"), "an": ("arg", "Latn"),
    "yi": ("ydd", "Hebr"), "bs": ("bos", "Latn"), "sr": ("srp", None), "tr": ("tur", "Latn"),
    **{code: (code, "Latn") for code in ("fur", "hsb", "dsb", "ast", "szl", "lij", "vec", "nap", "scn", "lmo",
                                         "csb", "nds", "mwl", "ext", "pms", "eml", "lld", "pcd", "sco", "frp")},
    "rue": ("rue", "Cyrl"),
}  # fmt: skip

# FineWeb-2's README ("Deduplication", re-hydration): a kept document of a near-duplicate cluster of size N is
# repeated 1x for N=1, N times for N=2 or 3, 3x for N=4, 5x for 5 <= N < 100, 8x for 100 <= N < 1000 and 1x
# for N >= 1000 (very large clusters are taken to be low quality). As (smallest size, weight), sorted.
REHYDRATION_TABLE: tuple[tuple[int, int], ...] = ((1, 1), (2, 2), (3, 3), (5, 5), (100, 8), (1000, 1))
_LIMITS = [size for size, _ in REHYDRATION_TABLE]
_DUMP = re.compile(r"CC-MAIN-\d{4}-\d{2}")


def rehydration_weight(cluster_size: int | None) -> int:
    """How many times FineWeb-2's rehydration repeats a document whose `minhash_cluster_size` is `cluster_size`
    (a missing size, or one below 1, counts as a document without duplicates)."""
    if cluster_size is None or cluster_size < 1:
        return 1
    return REHYDRATION_TABLE[bisect.bisect_right(_LIMITS, cluster_size) - 1][1]


def fineweb2_language(lang: str | None) -> tuple[str | None, str | None]:
    """(ISO 639-3 code, script) of a language code of this project; a code outside the table keeps its
    spelling and has no script, `und` or none gives (None, None)."""
    if not lang or lang == "und":
        return None, None
    return FINEWEB2_LANGUAGE.get(lang) or ROUTED_LANGUAGE.get(lang, (lang, None))


def top_langs(lang: str | None, score: float | None) -> str | None:
    """FineWeb-2's `top_langs`: a JSON object `{"<iso3>_<Script>_score": score}`. The run keeps the score of
    the identified language only, so the object has that one entry."""
    iso3, script = fineweb2_language(lang)
    if iso3 is None or score is None:
        return None
    label = f"{iso3}_{script}" if script else iso3
    return orjson.dumps({f"{label}_score": float(score)}).decode()


def common_crawl_dump(source_path: str | None) -> str | None:
    """The Common Crawl dump (`CC-MAIN-2024-10`) named in a source file's path; None for other sources."""
    found = _DUMP.search(source_path or "")
    return found.group(0) if found else None
