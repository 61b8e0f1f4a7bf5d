"""Russian, Ukrainian, Belarusian, Bulgarian, Macedonian and Greek typed in Latin letters (translit, Greeklish),
told from the EU-24 languages fastText and heliport read them as (Slovenian, Croatian, Czech...).

Owns the model (`langid/models/romanized.npz`: naive Bayes over character n-grams and words, trained by
`tools/train_romanized.py` on the long-tail set's dev part and its transliterated Cyrillic and Greek rows;
memory-mapped, loaded once per process) and its verdict on a text. When the identifier asks is
`langid.identifier`'s decision (`EuLanguageIdentifier.veto`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np

from eurocurate.langid.ngram_model import NgramModel, NgramModelError, lead_over, load_model
from eurocurate.schema import EU24

ROMANIZED_MODEL_PATH: Final = Path(__file__).resolve().parent / "models" / "romanized.npz"
MODEL_CHARS: Final = 300  # characters of a text the model reads (the threshold is for this many)
# Romanized text is typed where there is no Cyrillic or Greek keyboard: in ASCII. A text with more letters outside
# it than this share (č, ł, ß, é...) is written in a Latin alphabet of its own and is not asked about; that spares
# the model most EU-24 text, and every Slovenian, Czech or Polish text written with its diacritics.
MAX_NON_ASCII_LETTERS: Final = 0.01
_EU24 = frozenset(EU24)


@dataclass(frozen=True, slots=True)
class RomanizedReading:
    """The model's likeliest romanized language of a text (`rus_Latn`...) and its log-score lead over the likeliest
    EU-24 language (negative when an EU-24 language is likelier)."""

    lang: str
    lead: float


@lru_cache(maxsize=1)
def romanized_model() -> NgramModel:
    """The packaged model, read on the first call and shared by every identifier of the process (weights as
    float32, 3.7 MB: the compiled sum reads float32 rows)."""
    model = load_model(ROMANIZED_MODEL_PATH)
    if not _EU24 & set(model.labels) or "min_lead" not in model.calibration:
        raise NgramModelError(
            f"{ROMANIZED_MODEL_PATH} is not a romanized-text model (labels {', '.join(model.labels[:6])}...): "
            "make it with `python -m eurocurate.tools.train_romanized`"
        )
    return replace(model, weights=np.ascontiguousarray(model.weights, dtype=np.float32))


def reading_of(labels: tuple[str, ...], scores: np.ndarray) -> RomanizedReading:
    """The reading from one row of log-scores in `labels` order (the trainer derives the threshold with it)."""
    best, lead = lead_over(scores, np.array([label in _EU24 for label in labels], dtype=np.uint8))
    return RomanizedReading(labels[best], lead)


def typed_in_ascii(text: str) -> bool:
    """Whether `text`'s letters are ASCII but for `MAX_NON_ASCII_LETTERS` of them (and it has letters)."""
    letters = non_ascii = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            non_ascii += ord(ch) > 127
    return letters > 0 and non_ascii <= MAX_NON_ASCII_LETTERS * letters


def romanized_veto(text: str, min_lead: float | None = None) -> RomanizedReading | None:
    """The romanized language `text` is written in, when it is typed in ASCII and the model's likeliest romanized
    language leads its likeliest EU-24 one by `min_lead` (None: the value derived with the model, in its file)."""
    head = text[:MODEL_CHARS]
    if not typed_in_ascii(head):
        return None
    model = romanized_model()
    reading = model.remember(head, lambda: reading_of(model.labels, model.log_scores(head, MODEL_CHARS)), 4096)
    needed = model.calibration["min_lead"] if min_lead is None else min_lead
    return reading if reading.lead >= needed else None
