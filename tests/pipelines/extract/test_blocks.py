"""Reading helpers on pages of any size: `trim` collapses whitespace as trafilatura does, and on a long text
holds a few copies of it, not a list of its millions of words."""

from __future__ import annotations

import random
import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from eurocurate.pipelines.extract.blocks import trim
from eurocurate.text import collapsed

_WHITESPACE = [" ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\u2028", "   "]


@given(st.lists(st.sampled_from(["a", "Ω", "word", "語", *_WHITESPACE]), max_size=200), st.integers(1, 30))
def test_trimming_a_chunk_at_a_time_collapses_whitespace_as_splitting_into_words_does(tokens, chunk):
    text = "".join(tokens)
    assert collapsed(text, chunk) == " ".join(text.split()) == trim(text)


def test_a_long_text_is_trimmed_the_same_without_a_list_of_its_words():
    """A 41 MB paragraph (7 million words) held 444 MB of word objects in `trim`; a 3 MB one is measured here."""
    rng = random.Random(7)
    words = ["council", "Straße", "river", "x" * 30, "a"]
    text = "".join(rng.choice(words) + rng.choice(_WHITESPACE) for _ in range(400_000))
    assert len(text) > 3 << 20  # longer than one chunk: the long-text path
    tracemalloc.start()
    try:
        trimmed = trim(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert trimmed == " ".join(text.split())
    # the result and its parts (2 copies, 2 bytes a character: the text holds ß) and one chunk's words; the list
    # of all words took over 10 times the text
    assert peak < 3 * len(text.encode("utf-16-le"))
