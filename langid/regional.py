"""Europe's regional languages told from their EU-24 neighbours by a classifier trained on them.

Owns the regional-language model (`langid/models/regional.npz`: naive Bayes over character n-grams and words of
the EU-24 languages written in Latin letters and Europe's regional and neighbouring languages, trained by
`tools/train_regional.py` on the long-tail set's dev part; memory-mapped, loaded once per process) and what it
says of a text: the likeliest non-EU-24 language and its lead over the likeliest EU-24 one. When that lead vetoes
an EU-24 label is `langid.long_tail`'s decision; Croatian/Bosnian/Serbian is `langid.hbs`'s (not in this model).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np

from eurocurate.langid.ngram_model import NgramModel, featurise, load_model, text_words
from eurocurate.schema import EU24

REGIONAL_MODEL_PATH: Final = Path(__file__).resolve().parent / "models" / "regional.npz"
MODEL_CHARS: Final = 1000  # characters of a text the model reads (its cost is linear in them)
WORDS_CACHED: Final = 8192  # words whose scores a process keeps (65 float32 each: ~3 MB)
_EU24 = frozenset(EU24)


@lru_cache(maxsize=1)
def regional_model() -> NgramModel:
    """The packaged model, read on the first call and shared by every identifier of the process."""
    return load_model(REGIONAL_MODEL_PATH)


@lru_cache(maxsize=WORDS_CACHED)
def _word_scores(word: str) -> np.ndarray:
    model = regional_model()
    return model.weights[featurise(word, model.spec)].sum(axis=0, dtype=np.float32)


def packaged_log_scores(text: str) -> np.ndarray:
    """`regional_model().log_scores(text, MODEL_CHARS)`, word by word: no n-gram spans two words, so a text's score
    is the sum of its words' (equal to float rounding), and a process's frequent words are scored once (a
    paragraph costs ~20 µs instead of ~250 µs)."""
    model = regional_model()
    tokens = text_words(text[:MODEL_CHARS])
    if not tokens:
        return model.bias.astype(np.float32)
    return model.bias + np.sum([_word_scores(token) for token in tokens], axis=0, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class RegionalReading:
    """The model's likeliest non-EU-24 language of a text and its log-score lead over the likeliest EU-24 one
    (negative when an EU-24 language is likelier)."""

    lang: str
    lead: float


def regional_reading(model: NgramModel, text: str) -> RegionalReading:
    """What `model` says of `text` (its first `MODEL_CHARS` characters)."""
    return reading_of(model.labels, model.log_scores(text, MODEL_CHARS))


def reading_of(labels: tuple[str, ...], scores: np.ndarray) -> RegionalReading:
    """The reading from one row of log-scores in `labels` order (the trainer derives the threshold with it)."""
    eu = [i for i, lang in enumerate(labels) if lang in _EU24]
    other = [i for i, lang in enumerate(labels) if lang not in _EU24]
    best_other = max(other, key=lambda i: scores[i])
    return RegionalReading(labels[best_other], float(scores[best_other] - max(scores[i] for i in eu)))


def regional_veto(text: str, eu_lang: str, min_lead: float | None = None) -> RegionalReading | None:
    """The regional language `text`, labelled `eu_lang`, is written in according to the model: its lead must reach
    `min_lead` (None: the value derived with the model, stored in its file as `min_lead`). None when `eu_lang` is
    not one of the model's labels (Greek, Bulgarian: another script) or the lead is short."""
    model = regional_model()
    if eu_lang not in model.labels:
        return None
    reading = reading_of(model.labels, packaged_log_scores(text))
    needed = model.calibration["min_lead"] if min_lead is None else min_lead
    return reading if reading.lead >= needed else None
