from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from eurocurate.pipelines.output.word_count import WORD, count_words
from eurocurate.tools.demo_corpus import load_texts


def _by_regex(texts: list[str]) -> list[int]:
    return [len(WORD.findall(t)) for t in texts]


def test_words_of_real_text_in_every_demo_language_are_the_regex_counts():
    texts = [p for t in load_texts().values() for p in (*t.paragraphs, *t.nav, t.cookie, t.footer, *t.titles)]
    assert len(texts) > 200
    assert count_words(texts) == _by_regex(texts)
    assert count_words(["\n".join(texts)]) == _by_regex(["\n".join(texts)])


def test_hyphens_and_apostrophes_join_words_only_between_word_characters():
    cases = ["l'homme", "aujourd’hui", "state-of-the-art", "a--b", "a-'b", "-a-", "'quoted'", "x'-y", "_-_", "2-3"]
    assert count_words(cases) == [1, 1, 1, 2, 2, 1, 1, 2, 1, 1] == _by_regex(cases)


def test_empty_texts_and_texts_at_the_edges_of_a_batch_are_counted_on_their_own():
    # texts are joined for the count: a word ending one text must not run into the next one
    cases = ["", "a-", "b", "", "-c", "d", ""]
    assert count_words(cases) == [0, 1, 1, 0, 1, 1, 0] == _by_regex(cases)
    assert count_words([]) == [] and count_words([""]) == [0] and count_words(["", ""]) == [0, 0]


def test_characters_outside_the_basic_plane_and_lone_surrogates_are_what_re_makes_of_them():
    cases = ["😀a-b😀", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢-x", "𐌰𐌱 𐌲", "\ud800a-b", "a\udfffb", "\U00020000-\U0002a6df", "\uffff-a"]
    assert count_words(cases) == _by_regex(cases)


_ALPHABET = st.sampled_from(
    list("aZ9_ -'’\n\t.,")
    + ["é", "ß", "ł", "Ω", "ж", "ا", "中", "٣", "²", "Ⅻ", "\u0301", "😀", "𝔘", "\ud800", "\uffff"]
)


@given(st.lists(st.text(_ALPHABET, max_size=40), max_size=8))
def test_counts_equal_the_regex_on_mixed_word_characters_and_joiners(texts):
    assert count_words(texts) == _by_regex(texts)


@given(st.lists(st.text(max_size=60), max_size=6))
def test_counts_equal_the_regex_on_any_unicode(texts):
    assert count_words(texts) == _by_regex(texts)
