"""Europe's regional languages told from their EU-24 neighbours by a classifier trained on them.

Owns the regional-language model (`langid/models/regional.npz`: naive Bayes over character n-grams and words of
the EU-24 languages written in Latin letters and Europe's regional and neighbouring languages, trained by
`tools/train_regional.py` on the long-tail set's dev part; memory-mapped, loaded once per process; another one a
user built, `regional_model_path`) and what it
says of a text: the likeliest non-EU-24 language and its lead over the likeliest EU-24 one. When that lead vetoes
an EU-24 label is `langid.long_tail`'s decision; Croatian/Bosnian/Serbian is `langid.hbs`'s (not in this model).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np

from eurocurate.langid.ngram_model import NgramModel, NgramModelError, lead_over, load_model
from eurocurate.schema import EU24

REGIONAL_MODEL_PATH: Final = Path(__file__).resolve().parent / "models" / "regional.npz"
MODEL_CHARS: Final = 300  # characters of a text the model reads (its cost is linear in them)
_EU24 = frozenset(EU24)


@lru_cache(maxsize=4)
def regional_model(path: str | None = None) -> NgramModel:
    """The model at `path` (None: the packaged one), read on the first call and shared by every identifier of the
    process. Its weights are held as float32 (8.5 MB): numpy sums float16 rows about three times slower, the compiled
    sum reads float32 rows (`NgramModel._row_table`), and the veto asks the model on about half of the EU-24
    documents. A file that is not such a model (no EU-24 label, no `min_lead`) is an `NgramModelError` naming it."""
    where = Path(path) if path else REGIONAL_MODEL_PATH
    if path and not where.is_file():
        raise NgramModelError(
            f"regional_model_path {path}: no such file (`python -m eurocurate.tools.train_regional "
            "--output FILE` writes one)"
        )
    model = load_model(where)
    if not _EU24 & set(model.labels) or "min_lead" not in model.calibration:
        raise NgramModelError(
            f"{where} is not a regional-language model (labels {', '.join(model.labels[:6])}...; it needs EU-24 "
            "labels and a derived min_lead): make one with `python -m eurocurate.tools.train_regional`"
        )
    return replace(model, weights=np.ascontiguousarray(model.weights, dtype=np.float32))


@dataclass(frozen=True, slots=True)
class RegionalReading:
    """The model's likeliest non-EU-24 language of a text and its log-score lead over the likeliest EU-24 one
    (negative when an EU-24 language is likelier)."""

    lang: str
    lead: float


def regional_reading(model: NgramModel, text: str, chars: int = MODEL_CHARS) -> RegionalReading:
    """What `model` says of `text` (its first `chars` characters; the veto's threshold is for `MODEL_CHARS`)."""
    return reading_of(model.labels, model.log_scores(text, chars))


def reading_of(labels: tuple[str, ...], scores: np.ndarray) -> RegionalReading:
    """The reading from one row of log-scores in `labels` order (the trainer derives the threshold with it)."""
    best_other, lead = lead_over(scores, _eu_flags(labels))
    return RegionalReading(labels[best_other], lead)


@lru_cache(maxsize=4)
def _eu_flags(labels: tuple[str, ...]) -> np.ndarray:
    """1 for each EU-24 label, 0 for the others."""
    return np.array([lang in _EU24 for lang in labels], dtype=np.uint8)


def regional_veto(
    text: str, eu_lang: str, min_lead: float | None = None, model_path: str | None = None
) -> RegionalReading | None:
    """The regional language `text`, labelled `eu_lang`, is written in according to the model (`model_path`; None:
    the packaged one): its lead must reach `min_lead` (None: the value derived with the model, stored in its file as
    `min_lead`). None when `eu_lang` is not one of the model's labels (Greek, Bulgarian: another script) or the lead
    is short."""
    model = regional_model(model_path)
    if eu_lang not in model.labels:
        return None
    reading = read_text(text[:MODEL_CHARS], model_path)
    needed = model.calibration["min_lead"] if min_lead is None else min_lead
    return reading if reading.lead >= needed else None


def regional_glance(text: str, eu_lang: str, chars: int, model_path: str | None = None) -> RegionalReading | None:
    """The model's reading of the first `chars` characters of `text`, labelled `eu_lang` (a fifth of the cost of the
    veto's reading at 60 characters); None when `eu_lang` is not one of the model's labels."""
    return read_text(text[:chars], model_path) if eu_lang in regional_model(model_path).labels else None


def read_text(text: str, model_path: str | None = None) -> RegionalReading:
    """`regional_reading` of all of `text`, kept for the process's next `CACHED_READINGS` texts: a text read before
    (a glance that was a whole short text, a site's pages that start alike, a document read again) is not summed
    again. The same reading either way; a lookup costs ~0.3 µs, a reading 50-150 µs."""
    model = regional_model(model_path)
    return model.remember(text, lambda: regional_reading(model, text, len(text)), CACHED_READINGS)


CACHED_READINGS: Final = 4096  # texts of at most `MODEL_CHARS` characters and their readings: ~5 MB at most


def regional_knows(lang: str, model_path: str | None = None) -> bool:
    """Whether `lang` is one of the model's labels (it weighs that language in every reading)."""
    return lang in regional_model(model_path).labels
