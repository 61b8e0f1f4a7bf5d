"""Strings of Debian's desktop catalogues, from outside the long-tail set, for `tools.train_regional --desktop`;
and the same packages' catalogues as a check of language ID from outside the set.

The long-tail set's Aragonese is Firefox's; Debian bookworm ships Aragonese catalogues in 130-odd other packages
(GNOME, MATE, Cinnamon, LightDM, poedit...: every package with `usr/share/locale/an/LC_MESSAGES/*.mo` in the
archive's Contents index, less the GTK and GLib catalogues, which the set reads). Their strings, pinned by sha256
in `regional_pins.json`, are split by catalogue: the catalogues whose `crc32("debian:<package>:<file>")` is
`HELD_OUT` mod `PARTS` are never trained on and are the check (`held_out_rows` writes them as a long-tail split, for
`tools.longtail.evaluate`); the others are training text. Texts equal to, or near copies of, a long-tail text of
either part are dropped first (`hbs_sources.LongTailIndex`).

The same packages ship catalogues in other locales: `--locales bs,hr,sr@latin` (or `all`: every locale of the pinned
packages whose language the long-tail set has) writes their held-out paragraphs instead, labelled as the set labels
(language of the locale, script of the text; a text in a script its language is not written in is left out), after
dropping the texts found under two languages (the set drops those too). Only `train_hbs --desktop` and
`train_regional --desktop` train on the catalogues that are not held out, and nothing packaged is made with them.
Their paragraphs go to a development split beside the check (OUT/dev.jsonl, the same filter): what a change to
language ID may be developed on before the held-out catalogues check it.

Owns the pins, the reader and the split; not the weighting (`tools.train_regional`).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import orjson
import polib

from eurocurate.tools.longtail.artefacts import Artefact, cache_dir, fetch_all, load_pins
from eurocurate.tools.longtail.build import LabelledParagraph, clean_text, read_set
from eurocurate.tools.longtail.hbs_sources import LongTailIndex, training_text
from eurocurate.tools.longtail.languages import LATIN_ONLY, SCRIPTS_OF, iso3_of, script_of
from eurocurate.tools.longtail.readers import deb_members

REGIONAL_PINS: Final = Path(__file__).with_name("regional_pins.json")
LOCALE: Final = "an"
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


def language_of(locale: str) -> str | None:
    """The long-tail set's ISO 639-3 code for a Debian locale (`sr@latin`, `pt_BR`, `ca@valencia`), or None when
    the set does not have the language."""
    return iso3_of(locale.split("@")[0])


def catalogue_texts(deb: Path, package: str, locale: str = LOCALE) -> Iterator[CatalogueText]:
    """The translated strings (msgstr other than msgid; the first form of a plural) of the package's catalogues in
    `locale`, without placeholders and accelerators (`hbs_sources.training_text`). A catalogue that does not parse
    is an error naming it: the pins say which files are read, so a broken one is a broken pin."""
    return _catalogues(deb, package, {locale})


def _catalogues(deb: Path, package: str, locales: Collection[str] | None) -> Iterator[CatalogueText]:
    """`catalogue_texts` of every locale of `locales` (None: every locale whose language the set has), reading the
    package once."""
    for path, data in deb_members(deb, (".mo",)):
        parts = path.split("/")
        if parts[:3] != ["usr", "share", "locale"] or len(parts) != 6 or parts[4] != "LC_MESSAGES":
            continue
        locale = parts[3]
        if (locale not in locales) if locales is not None else language_of(locale) is None:
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
    debs: dict[str, Path], long_tail: Iterable[str], locales: Sequence[str] | None = (LOCALE,)
) -> tuple[list[CatalogueText], Counter[str]]:
    """Every package's strings in `locales` (None: every locale whose language the set has) less those equal to,
    or near copies of, a long-tail text (of either part), one per distinct text of a locale, in locale and package
    order; with several locales, less the texts found under two languages too (after normalisation); and how many
    were dropped, by reason."""
    reference = LongTailIndex(long_tail)
    index: dict[str, LongTailIndex] = {}
    by_locale: dict[str, list[CatalogueText]] = defaultdict(list)
    dropped: Counter[str] = Counter()
    wanted = None if locales is None else set(locales)
    for package in sorted(debs):
        for item in _catalogues(debs[package], package, wanted):
            reason = index.setdefault(item.locale, reference.fresh()).verdict(item.text)
            if reason is None:
                by_locale[item.locale].append(item)
            elif reason != "seen before":
                dropped[reason] += 1
    order = sorted(by_locale) if locales is None else [loc for loc in locales if loc in by_locale]
    kept = [item for locale in order for item in by_locale[locale]]
    if len(order) > 1:
        seen_in: dict[str, set[str | None]] = defaultdict(set)
        for item in kept:
            seen_in[_shared_key(item.text)].add(language_of(item.locale))
        shared = {key for key, where in seen_in.items() if len(where) > 1}
        dropped["under two languages"] += sum(_shared_key(item.text) in shared for item in kept)
        kept = [item for item in kept if _shared_key(item.text) not in shared]
    return kept, dropped


def _shared_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def long_tail_texts(set_folder: Path) -> list[str]:
    """Every text of both parts of the long-tail set: what the outside strings must not repeat. The unseen part is
    read for this check only."""
    return [r["text"] for split in ("dev", "unseen") for r in read_set(set_folder / f"{split}.jsonl")]


def fetch_outside_texts(
    set_folder: Path, cache: Path, locales: Sequence[str] | None = (LOCALE,)
) -> tuple[list[CatalogueText], Counter[str]]:
    """`outside_texts` of the pinned packages (fetched into `cache` when missing) against the set in `set_folder`."""
    debs = fetch_all(load_regional_pins(), cache)
    return outside_texts(debs, long_tail_texts(set_folder), locales)


def trainable(texts: Iterable[CatalogueText]) -> list[CatalogueText]:
    """The strings outside the held-out catalogues: the one place the check is kept out of training."""
    return [t for t in texts if not t.held_out]


def training_strings(
    texts: Sequence[CatalogueText], locale: str, dev_mass: float, share: float
) -> tuple[list[CatalogueText], float]:
    """The `trainable` strings of `locale`, and the weight each gets so that together they weigh `share` of
    `dev_mass`, the text length of the dev rows they join; none when either side has no text."""
    kept = [t for t in trainable(texts) if t.locale == locale]
    mass = sum(len(t.text) for t in kept)
    if not kept or not dev_mass:
        return [], 0.0
    return kept, share * dev_mass / mass


def held_out_rows(texts: Iterable[CatalogueText]) -> list[dict]:
    """The held-out catalogues' strings that pass the long-tail set's own paragraph filter, as rows of a long-tail
    split (`tools.longtail.evaluate` reads them as paragraphs of their locale's language and assembles pages)."""
    return split_rows(texts, held_out=True)


def split_rows(texts: Iterable[CatalogueText], held_out: bool) -> list[dict]:
    """The strings of the held-out catalogues (split `unseen`) or of the others (split `dev`) that pass the long-tail
    set's own paragraph filter, as rows of a long-tail split."""
    split = "unseen" if held_out else "dev"
    rows = []
    for item in texts:
        text = clean_text(item.text) if item.held_out == held_out else None
        iso3 = language_of(item.locale)
        script = script_of(text) if text and iso3 else None
        if iso3 and text and script in SCRIPTS_OF.get(iso3, LATIN_ONLY):
            rows.append(LabelledParagraph(text, iso3, script, "debian", item.unit, split).row())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="eurocurate.tools.longtail.regional_sources",
        description="Write the held-out Debian catalogues' paragraphs (Aragonese unless --locales) as a long-tail "
        "split (OUT/unseen.jsonl), for `python -m eurocurate.tools.longtail.evaluate --set OUT --split unseen`, and "
        "the other catalogues' as its development split (OUT/dev.jsonl, `--split dev`).",
    )
    parser.add_argument("--set", type=Path, required=True, help="a built long-tail set (its texts are not repeated)")
    parser.add_argument("--output", type=Path, required=True, help="folder to write unseen.jsonl and dev.jsonl into")
    parser.add_argument("--cache", help="artefact cache (default: $EUROCURATE_LONGTAIL_CACHE or ~/.cache/...)")
    parser.add_argument(
        "--locales",
        default=LOCALE,
        help=f"comma-separated Debian locales (default: {LOCALE}), or 'all': every locale of the pinned packages "
        "whose language the long-tail set has",
    )
    args = parser.parse_args(argv)
    locales = None if args.locales == "all" else args.locales.split(",")
    unknown = sorted(loc for loc in locales or () if language_of(loc) is None)
    if unknown:
        parser.error(f"locale(s) {unknown} are of no language the long-tail set has")
    texts, dropped = fetch_outside_texts(args.set, cache_dir(args.cache), locales)
    rows = held_out_rows(texts)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "unseen.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    dev_rows = split_rows(texts, held_out=False)
    (args.output / "dev.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in dev_rows))
    per_lang = Counter(r["lang"] for r in rows)
    print(
        f"{len(texts)} strings ({args.locales}) outside the set ({dict(dropped)} dropped); held out: "
        f"{len(rows)} paragraphs ({dict(sorted(per_lang.items()))}) of {len({r['unit'] for r in rows})} catalogues "
        f"-> {args.output / 'unseen.jsonl'}; the other catalogues: {len(dev_rows)} paragraphs -> "
        f"{args.output / 'dev.jsonl'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
