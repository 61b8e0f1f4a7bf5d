"""A short text's scores from its words' cached rows: within the stated bound of the exact float32 sum, always."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.langid.hbs import hbs_model
from eurocurate.langid.ngram_model import featurise_words, text_words
from eurocurate.langid.regional import regional_model
from eurocurate.langid.word_scores import WordScores, word_features
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES

SENTENCES = [s for sentences in (*EU24_SENTENCES.values(), *LOOKALIKE_SENTENCES.values()) for s in sentences]


def _cached(model, texts: list[str]) -> WordScores:
    """A cache that has met every word of `texts` twice, with batches of one word: every text has an estimate."""
    cache = WordScores(model, batch=1)
    for _ in range(2):
        for text in texts:
            cache.estimate(text_words(text))
    return cache


def _check(cache: WordScores, text: str) -> None:
    tokens = text_words(text)
    estimate = cache.estimate(tokens)
    assert estimate is not None
    exact = cache.model.log_scores(text).astype(np.float64)
    assert np.all(np.abs(estimate.scores - exact) <= estimate.error)


@pytest.mark.parametrize("model", [regional_model, hbs_model], ids=["regional", "hbs"])
def test_every_sentence_is_estimated_within_its_bound(model):
    cache = _cached(model(), SENTENCES)
    for text in SENTENCES:
        _check(cache, text)


def test_a_word_gets_its_features_as_in_any_text():
    words = ["dobar", "je", "a", "čovjek", "ß", "\U0001f600x"]
    ids, owner = word_features(words, regional_model())
    for i, word in enumerate(words):
        assert sorted(ids[owner == i].tolist()) == sorted(featurise_words([word], regional_model().spec).tolist())


def test_words_met_once_are_not_cached_and_texts_with_them_get_no_estimate():
    cache = WordScores(regional_model(), batch=1)
    assert cache.estimate(["nova", "pista"]) is None
    assert cache.estimate(["nova", "pista"]) is not None  # met twice: learnt
    assert cache.estimate(["nova", "ciclabile"]) is None


def test_a_full_cache_is_emptied_and_refilled():
    cache = WordScores(regional_model(), capacity=4, batch=2)
    for words in (["uno", "due"], ["tre", "quattro"], ["cinque", "sei"]):
        cache.estimate(words)
        assert cache.estimate(words) is not None
    assert len(cache._slot) == 2
    assert cache.estimate(["uno", "due"]) is None


def test_a_text_without_words_is_the_bias():
    estimate = WordScores(regional_model()).estimate([])
    assert estimate is not None and estimate.error == 0.0
    assert np.array_equal(estimate.scores, regional_model().bias.astype(np.float64))


def test_a_batch_larger_than_the_cache_is_refused():
    with pytest.raises(ValueError, match="batch"):
        WordScores(regional_model(), capacity=4, batch=8)


_LETTERS = st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=14)


@given(st.lists(_LETTERS, min_size=1, max_size=12))
def test_any_text_of_letters_is_estimated_within_its_bound(words):
    text = " ".join(words)
    cache = _cached(regional_model(), [text])
    if text_words(text):
        _check(cache, text)
