"""Gopher's n-gram repetition statistics: the dict path (short texts) and the numpy path (long texts) give
datatrove's figures, and each other's, whatever the text's length and repetition."""

from __future__ import annotations

import random

from datatrove.pipeline.filters.gopher_repetition_filter import find_all_duplicate, find_top_duplicate, get_n_grams
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.filters.quality.ngrams import SHORT_TEXT_WORDS, _by_dicts, _by_hashes, ngram_repetition

TOP, DUP = [2, 3, 4], [5, 6, 7, 8, 9, 10]
VOCAB = "alpha beta gamma delta epsilon zeta eta theta".split()


def _datatrove(words: list[str]) -> tuple[dict[int, int], dict[int, int]]:
    top = {n: find_top_duplicate(grams) if (grams := get_n_grams(words, n)) else 0 for n in TOP}
    return top, {n: find_all_duplicate(words, n) for n in DUP}


def test_both_paths_give_datatrove_figures_on_short_and_long_texts():
    rng = random.Random(11)
    for trial in range(40):
        size = rng.choice([0, 1, 2, 5, 11, SHORT_TEXT_WORDS - 1, SHORT_TEXT_WORDS, 700])
        words = [rng.choice(VOCAB[: rng.randint(2, 8)]) for _ in range(size)]
        if trial % 3 == 0:  # a boilerplate block repeated: long repeated n-grams, jumps over each repeat
            words = (words[:40] * 4 + words)[: max(size, 1)] if size else words
        expected = _datatrove(words)
        assert _by_dicts(words, TOP, DUP) == expected, (trial, size)
        assert _by_hashes(words, TOP, DUP) == expected, (trial, size)


def test_the_threshold_picks_the_path_and_not_the_figures():
    words = (["the", "same", "line", "again"] * 100)[: SHORT_TEXT_WORDS + 1]
    for size in (SHORT_TEXT_WORDS - 1, SHORT_TEXT_WORDS, SHORT_TEXT_WORDS + 1):
        assert ngram_repetition(words[:size], TOP, DUP) == _datatrove(words[:size])


def test_ties_between_most_frequent_ngrams_go_to_the_earliest_as_in_datatrove():
    words = "b c a b a b c a".split()  # "a b" and "b c" both occur twice; "b c" comes first
    assert _by_dicts(words, TOP, DUP) == _by_hashes(words, TOP, DUP) == _datatrove(words)


@given(st.lists(st.sampled_from(["a", "b", "c", "ab", "ba", "ç", ""]), max_size=SHORT_TEXT_WORDS + 80))
def test_the_two_paths_agree_on_any_word_sequence(words):
    assert _by_dicts(words, TOP, DUP) == _by_hashes(words, TOP, DUP)
