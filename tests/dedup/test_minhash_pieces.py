import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from eurocurate.dedup.minhash import MinhashConfig, gram_sets, ngram_hashes, signatures, word_hashes
from eurocurate.dedup.minhash_pieces import sign_texts
from tests.dedup.conftest import random_words


def _whole_batch(texts: list[str], config: MinhashConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    words, counts = word_hashes(texts)
    grams, doc = ngram_hashes(words, counts, config)
    return (signatures(texts, config), *gram_sets(grams, doc, len(texts)))


def _assert_equal_to_the_whole_batch(texts: list[str], config: MinhashConfig, piece: int) -> None:
    sig, (values, sizes) = sign_texts(texts, config, with_grams=True, piece=piece)
    whole_sig, whole_values, whole_sizes = _whole_batch(texts, config)
    assert np.array_equal(sig, whole_sig)
    assert np.array_equal(sizes, whole_sizes) and np.array_equal(values, whole_values)
    assert values.dtype == whole_values.dtype


# letters, a combining accent, digits, the word-breaking characters, a ligature NFKC expands, Greek capital sigma
_CHARS = st.sampled_from(list("aäbΣσ1_ \n.,-") + ["\u0301", "\ufb03", "\u00ad", "\u200d", "\u4e00"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(_CHARS, max_size=60), min_size=1, max_size=6),
    st.integers(1, 40),
    st.integers(1, 6),
)
def test_pieces_give_the_whole_batchs_signatures_and_sets_whatever_the_cuts(texts, piece, ngram):
    """Words and n-grams cut by a piece boundary, texts longer than a piece among short ones, texts of fewer words
    than an n-gram, texts without a word: the same values as hashing the batch at once."""
    _assert_equal_to_the_whole_batch(texts, MinhashConfig(ngram=ngram), piece)


def test_a_long_document_with_a_word_longer_than_a_piece_is_the_whole_batchs(rng):
    text = " ".join(random_words(rng, 3000)) + " " + "x" * 5000 + " tail. " + "ü" * 2500
    _assert_equal_to_the_whole_batch(["short one", text, "", "another short one"], MinhashConfig(), piece=1000)
