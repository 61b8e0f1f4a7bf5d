"""A short text's scores under an `NgramModel` from its words' own, cached per word, with a proven error bound.

Owns the per-process cache word -> (the float64 sum of the weight rows of its features, their largest absolute
weights summed, their count) of one model, and the estimate of a text's `NgramModel.log_scores` from it: n-grams
never span words, so a text's features are its words' features, and its scores are the bias plus its words' rows.
The estimate adds in another order than the model's sequential float32 sum, so it may differ from it in the last bits;
`WordScores.estimate` says by how much at most. What a caller decides within that bound (read the exact sum) is its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from eurocurate.langid.ngram_model import NgramModel, featurise_words

_UNIT: Final = 2.0**-24  # float32's unit roundoff


@dataclass(frozen=True, slots=True)
class ScoreEstimate:
    """A text's log-scores (float64, one per label) and `error`: no label's exact float32 score
    (`NgramModel.log_scores`) is further from its estimate than that."""

    scores: NDArray[np.float64]
    error: float


class WordScores:
    """The cache of one model's word rows (`capacity` words, emptied when full: the next texts refill it with the
    words in use; 65 labels: ~0.5 KB a word, 17.5 MB at the default capacity).

    A word enters the cache the second time it is met (on a single pass over real pages ~40% of a glance's words are
    new, and most are met once), in a batch (`batch` such words read in one numpy pass, ~5 µs a word against ~30 µs
    for a pass of its own). Until then the texts with it get no estimate: the caller reads them exactly."""

    def __init__(self, model: NgramModel, capacity: int = 1 << 15, batch: int = 256):
        if capacity < 1 or not 1 <= batch <= capacity:
            raise ValueError(f"need 1 <= batch <= capacity, got batch {batch} and capacity {capacity}")
        self.model = model
        self._weights = np.asarray(model.weights)
        # per bucket, its largest absolute weight over the labels: a feature's share of the error bound
        self._largest = np.abs(self._weights).max(axis=1).astype(np.float64)
        self._bias = model.bias.astype(np.float64)
        self._bias_mass = float(np.abs(self._bias).max())
        self._batch = batch
        self._seen: set[str] = set()  # words met once (bounded like the cache)
        self._pending: dict[str, None] = {}  # words met twice, in the order met, waiting for their batch
        self._slot: dict[str, int] = {}
        # a row per word: its score per label, then its features' largest absolute weights summed, then their count
        # (one sum over a text's rows gives all three)
        self._labels = len(model.labels)
        self._rows = np.empty((capacity, self._labels + 2), dtype=np.float64)

    def estimate(self, tokens: list[str]) -> ScoreEstimate | None:
        """The scores of a text whose `text_words` are `tokens`, as `NgramModel.log_scores` reads it, or None while
        one of its words is not in the cache."""
        slot = self._slot
        try:
            slots = [slot[t] for t in tokens]
        except KeyError:
            if not self._meet([t for t in tokens if t not in slot]):
                return None
            try:  # a batch was learnt: perhaps with all of them
                slots = [self._slot[t] for t in tokens]
            except KeyError:
                return None
        if not slots:
            return ScoreEstimate(self._bias.copy(), 0.0)
        total = self._rows[slots].sum(axis=0)
        n = self._labels
        return ScoreEstimate(self._bias + total[:n], _sum_error(int(total[n + 1]), float(total[n]) + self._bias_mass))

    def _meet(self, words: list[str]) -> bool:
        """Words not in the cache: remembered the first time, queued the second, learnt when a batch is full
        (then True)."""
        seen, pending = self._seen, self._pending
        for word in words:
            if word in seen:
                pending[word] = None
            else:
                seen.add(word)
        if len(seen) > len(self._rows):
            self._seen = set()
        if len(pending) >= self._batch:
            self._learn(list(pending))
            self._pending = {}
            self._seen.difference_update(self._slot.keys() & self._seen)
            return True
        return False

    def _learn(self, new: list[str]) -> None:
        """Put the rows of the words `new` (distinct, not cached, at most `batch`) in the cache, emptied first when
        they do not fit."""
        if len(self._slot) + len(new) > len(self._rows):
            self._slot = {}
        ids, owner = word_features(new, self.model)
        ids = ids[np.argsort(owner, kind="stable")]
        counts = np.bincount(owner, minlength=len(new))  # every word has features: its letters
        starts = np.cumsum(counts) - counts
        first = len(self._slot)
        rows = self._rows[first : first + len(new)]
        n = self._labels
        rows[:, :n] = np.add.reduceat(self._weights.take(ids, axis=0).astype(np.float64), starts, axis=0)
        rows[:, n] = np.add.reduceat(self._largest.take(ids), starts)
        rows[:, n + 1] = counts
        self._slot.update(zip(new, range(first, first + len(new)), strict=True))


def word_features(words: list[str], model: NgramModel) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """The features of `words` (`text_words`' words, each read as in any text) and the index of the word each belongs
    to. One `featurise_words` pass over all of them, whose features come order by order (the 1-grams of every word,
    then the 2-grams..., then the words): a word of `n` letters, padded " word ", has `n` 1-grams, `n` + 1 2-grams and
    `n` + 3 - k k-grams from k = 3."""
    spec = model.spec
    ids = featurise_words(words, spec)
    lengths = np.array([len(w) for w in words], dtype=np.intp)
    counts = [
        np.maximum(lengths + (0 if k == 1 else 3 - k if k > 2 else 1), 0) for k in range(spec.min_n, spec.max_n + 1)
    ]
    if spec.words:
        counts.append(np.ones(len(words), dtype=np.intp))
    owner = np.repeat(np.tile(np.arange(len(words)), len(counts)), np.concatenate(counts))
    if len(owner) != len(ids):
        raise ValueError(f"{len(ids)} features of {len(words)} words, expected {len(owner)}: not `text_words`' words")
    return ids, owner


def _sum_error(features: int, mass: float) -> float:
    """How far a float32 sum of `features` terms (plus the bias) whose absolute values add up to at most `mass` can be
    from the exact sum, whatever the order (Higham, Accuracy and Stability of Numerical Algorithms, 4.2:
    gamma_n = n u / (1 - n u)), doubled for the float64 estimate's own rounding and as a margin."""
    n = features + 1
    return 2.0 * n * _UNIT / (1.0 - n * _UNIT) * mass
