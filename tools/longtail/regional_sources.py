"""Aragonese strings of Debian's desktop catalogues, from outside the long-tail set, for `tools.train_regional`;
and the same packages' Bosnian, Croatian and Serbian catalogues, a check of `langid.hbs` from outside the set.

The long-tail set's Aragonese is Firefox's; Debian bookworm ships Aragonese catalogues in 130-odd other packages
(GNOME, MATE, Cinnamon, LightDM, poedit...: every package with `usr/share/locale/an/LC_MESSAGES/*.mo` in the
archive's Contents index, less the GTK and GLib catalogues, which the set reads). Their strings, pinned by sha256
in `regional_pins.json`, are split by catalogue: the catalogues whose `crc32("debian:<package>:<file>")` is
`HELD_OUT` mod `PARTS` are never trained on and are the check (`held_out_set` writes them as a long-tail split, for
`tools.longtail.evaluate`); the others are training text. Texts equal to, or near copies of, a long-tail text of
either part are dropped first (`hbs_sources.LongTailIndex`).

The same packages ship catalogues in other locales (`LOCALES`): `--locales bs,hr,sr@latin` writes their held-out
paragraphs instead, one language each, after dropping the texts that two of the locales share (the set drops texts
found under two languages too). Nothing trains on those.

Owns the pins, the reader and the split; not the weighting (`tools.train_regional`).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import orjson
import polib

from eurocurate.tools.longtail.artefacts import Artefact, cache_dir, fetch_all, load_pins
from eurocurate.tools.longtail.build import LabelledParagraph, clean_text, read_set
from eurocurate.tools.longtail.hbs_sources import LongTailIndex, training_text
from eurocurate.tools.longtail.readers import deb_members

REGIONAL_PINS: Final = Path(__file__).with_name("regional_pins.json")
LOCALE: Final = "an"
# Debian locale -> (ISO 639-3, script) of the long-tail set's labels
LOCALES: Final = {"an": ("arg", "Latn"), "bs": ("bos", "Latn"), "hr": ("hrv", "Latn"), "sr@latin": ("srp", "Latn")}
LEFT_TO_SET: Final = ("gtk", "glib")  # catalogue file names the long-tail set reads (GTK/GLib)
PARTS: Final = 5
HELD_OUT: Final = 0


@dataclass(frozen=True)
class CatalogueText:
    """One string of a Debian catalogue outside the long-tail set (Aragonese unless `locale` says otherwise)."""

    text: str
    unit: str  # debian:<package>:<catalogue file>
    locale: str = LOCALE

    @property
    def held_out(self) -> bool:
        return is_held_out(self.unit)


def is_held_out(unit: str) -> bool:
    return zlib.crc32(unit.encode("utf-8")) % PARTS == HELD_OUT


def load_regional_pins(path: Path = REGIONAL_PINS) -> list[Artefact]:
    return load_pins(path)


def catalogue_texts(deb: Path, package: str, locale: str = LOCALE) -> Iterator[CatalogueText]:
    """The translated strings (msgstr other than msgid; the first form of a plural) of the package's catalogues in
    `locale`, without placeholders and accelerators (`hbs_sources.training_text`). A catalogue that does not parse
    is an error naming it: the pins say which files are read, so a broken one is a broken pin."""
    for path, data in deb_members(deb, (".mo",)):
        parts = path.split("/")
        if parts[:4] != ["usr", "share", "locale", locale] or len(parts) != 6 or parts[4] != "LC_MESSAGES":
            continue
        if parts[5].startswith(LEFT_TO_SET):
            continue
        try:
            entries = polib.mofile(data)
        except (OSError, ValueError) as e:
            raise ValueError(f"{package}: {path} is not a readable catalogue: {e}") from e
        for entry in entries:
            raw = entry.msgstr or (entry.msgstr_plural or {}).get(0, "")
            text = training_text(raw) if raw and raw != entry.msgid else None
            if text:
                yield CatalogueText(text, f"debian:{package}:{parts[5]}", locale)


def outside_texts(
    debs: dict[str, Path], long_tail: Iterable[str], locales: Sequence[str] = (LOCALE,)
) -> tuple[list[CatalogueText], Counter[str]]:
    """Every package's strings in `locales` less those equal to, or near copies of, a long-tail text (of either
    part), one per distinct text of a locale, in locale and package order; with several locales, less the texts
    found in two of them too (after normalisation); and how many were dropped, by reason."""
    kept: list[CatalogueText] = []
    dropped: Counter[str] = Counter()
    for locale in locales:
        index = LongTailIndex(long_tail)
        for package in sorted(debs):
            for item in catalogue_texts(debs[package], package, locale):
                reason = index.verdict(item.text)
                if reason is None:
                    kept.append(item)
                elif reason != "seen before":
                    dropped[reason] += 1
    if len(locales) > 1:
        seen_in: dict[str, set[str]] = {}
        for item in kept:
            seen_in.setdefault(_shared_key(item.text), set()).add(item.locale)
        shared = {key for key, where in seen_in.items() if len(where) > 1}
        dropped["in two locales"] += sum(_shared_key(item.text) in shared for item in kept)
        kept = [item for item in kept if _shared_key(item.text) not in shared]
    return kept, dropped


def _shared_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def long_tail_texts(set_folder: Path) -> list[str]:
    """Every text of both parts of the long-tail set: what the outside strings must not repeat. The unseen part is
    read for this check only."""
    return [r["text"] for split in ("dev", "unseen") for r in read_set(set_folder / f"{split}.jsonl")]


def fetch_outside_texts(
    set_folder: Path, cache: Path, locales: Sequence[str] = (LOCALE,)
) -> tuple[list[CatalogueText], Counter[str]]:
    """`outside_texts` of the pinned packages (fetched into `cache` when missing) against the set in `set_folder`."""
    debs = fetch_all(load_regional_pins(), cache)
    return outside_texts(debs, long_tail_texts(set_folder), locales)


def held_out_rows(texts: Iterable[CatalogueText]) -> list[dict]:
    """The held-out catalogues' strings that pass the long-tail set's own paragraph filter, as rows of a long-tail
    split (`tools.longtail.evaluate` reads them as paragraphs of their locale's language and assembles pages)."""
    rows = []
    for item in texts:
        text = clean_text(item.text) if item.held_out else None
        if text:
            iso3, script = LOCALES[item.locale]
            rows.append(LabelledParagraph(text, iso3, script, "debian", item.unit, "unseen").row())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="eurocurate.tools.longtail.regional_sources",
        description="Write the held-out Debian catalogues' paragraphs (Aragonese unless --locales) as a long-tail "
        "split (OUT/unseen.jsonl), for `python -m eurocurate.tools.longtail.evaluate --set OUT --split unseen`.",
    )
    parser.add_argument("--set", type=Path, required=True, help="a built long-tail set (its texts are not repeated)")
    parser.add_argument("--output", type=Path, required=True, help="folder to write unseen.jsonl into")
    parser.add_argument("--cache", help="artefact cache (default: $EUROCURATE_LONGTAIL_CACHE or ~/.cache/...)")
    parser.add_argument(
        "--locales", default=LOCALE, help=f"comma-separated Debian locales of {sorted(LOCALES)} (default: {LOCALE})"
    )
    args = parser.parse_args(argv)
    locales = args.locales.split(",")
    unknown = sorted(set(locales) - set(LOCALES))
    if unknown:
        parser.error(f"unknown locale(s) {unknown}: this reader knows {sorted(LOCALES)}")
    texts, dropped = fetch_outside_texts(args.set, cache_dir(args.cache), locales)
    rows = held_out_rows(texts)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "unseen.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    per_lang = Counter(r["lang"] for r in rows)
    print(
        f"{len(texts)} strings ({','.join(locales)}) outside the set ({dict(dropped)} dropped); held out: "
        f"{len(rows)} paragraphs ({dict(sorted(per_lang.items()))}) of {len({r['unit'] for r in rows})} catalogues "
        f"-> {args.output / 'unseen.jsonl'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
