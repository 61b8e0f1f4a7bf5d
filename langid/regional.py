"""Europe's regional languages told from their EU-24 neighbours by a classifier trained on them.

Owns the regional-language model (`langid/models/regional.npz`: naive Bayes over character n-grams and words of
the EU-24 languages written in Latin letters and Europe's regional and neighbouring languages, trained by
`tools/train_regional.py` on the long-tail set's dev part; memory-mapped, loaded once per process) and what it
says of a text: the likeliest non-EU-24 language and its lead over the likeliest EU-24 one. When that lead vetoes
an EU-24 label is `langid.long_tail`'s decision; Croatian/Bosnian/Serbian is `langid.hbs`'s (not in this model).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np

from eurocurate.langid.ngram_model import NgramModel, featurise_words, load_model, text_words
from eurocurate.langid.word_scores import WordScores
from eurocurate.schema import EU24

REGIONAL_MODEL_PATH: Final = Path(__file__).resolve().parent / "models" / "regional.npz"
MODEL_CHARS: Final = 300  # characters of a text the model reads (its cost is linear in them)
_EU24 = frozenset(EU24)
_FLOAT32_UNIT: Final = 2.0**-24


@lru_cache(maxsize=1)
def regional_model() -> NgramModel:
    """The packaged model, read on the first call and shared by every identifier of the process. Its weights are
    held as float32 (8.5 MB): numpy sums float16 rows about three times slower, and the veto asks the model on
    about half of the EU-24 documents."""
    model = load_model(REGIONAL_MODEL_PATH)
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
    eu, other = _columns(labels)
    best_other = other[int(np.argmax(scores[other]))]
    return RegionalReading(labels[best_other], float(scores[best_other] - scores[eu].max()))


@lru_cache(maxsize=4)
def _columns(labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The indices of the EU-24 labels and of the others."""
    eu = np.array([i for i, lang in enumerate(labels) if lang in _EU24], dtype=np.intp)
    other = np.array([i for i, lang in enumerate(labels) if lang not in _EU24], dtype=np.intp)
    return eu, other


def regional_veto(text: str, eu_lang: str, min_lead: float | None = None) -> RegionalReading | None:
    """The regional language `text`, labelled `eu_lang`, is written in according to the model: its lead must reach
    `min_lead` (None: the value derived with the model, stored in its file as `min_lead`). None when `eu_lang` is
    not one of the model's labels (Greek, Bulgarian: another script) or the lead is short. The reading itself (its
    language and lead) is always the exact sum's; a lead short by more than its error bound is known from the words'
    cached scores (`lead_trails`)."""
    model = regional_model()
    if eu_lang not in model.labels:
        return None
    needed = model.calibration["min_lead"] if min_lead is None else min_lead
    tokens = text_words(text[:MODEL_CHARS])
    if lead_trails(tokens, needed):
        return None
    reading = reading_of(model.labels, model.scores_of(featurise_words(tokens, model.spec)))
    return reading if reading.lead >= needed else None


def regional_glance(text: str, eu_lang: str, chars: int) -> RegionalReading | None:
    """The model's reading of the first `chars` characters of `text`, labelled `eu_lang` (a fifth of the cost of the
    veto's reading at 60 characters); None when `eu_lang` is not one of the model's labels."""
    model = regional_model()
    return regional_reading(model, text, chars) if eu_lang in model.labels else None


def glance_trails(text: str, eu_lang: str, chars: int, lead: float) -> bool | None:
    """Whether `regional_glance(text, eu_lang, chars).lead < lead`, None when `eu_lang` is not one of the model's
    labels: `lead_trails` when the words' cached scores tell (~15 µs against ~57), else the exact glance."""
    model = regional_model()
    if eu_lang not in model.labels:
        return None
    tokens = text_words(text[:chars])
    known = lead_trails(tokens, lead)
    if known is not None:
        return known
    return reading_of(model.labels, model.scores_of(featurise_words(tokens, model.spec))).lead < lead


def lead_trails(tokens: list[str], lead: float) -> bool | None:
    """Whether the exact reading of a text whose `text_words` are `tokens` has a lead below `lead`, from its words'
    cached scores (`langid.word_scores`); None when they cannot tell: a word not cached yet, or an estimated lead
    within its error bound of `lead`."""
    estimate = _word_scores().estimate(tokens)
    if estimate is None:
        return None
    eu, other = _regional_columns()
    scores = estimate.scores
    approx = float(scores[other].max() - scores[eu].max())
    # the exact lead: the float32 difference of two maxima, each within `error` of the estimate's
    bound = 2 * estimate.error + _FLOAT32_UNIT * (abs(approx) + 2 * estimate.error) + 1e-9
    return approx < lead if abs(approx - lead) > bound else None


@lru_cache(maxsize=1)
def _word_scores() -> WordScores:
    return WordScores(regional_model())


@lru_cache(maxsize=1)
def _regional_columns() -> tuple[np.ndarray, np.ndarray]:
    return _columns(regional_model().labels)  # without hashing the 65 labels at every call


def regional_knows(lang: str) -> bool:
    """Whether `lang` is one of the model's labels (it weighs that language in every reading)."""
    return lang in regional_model().labels
