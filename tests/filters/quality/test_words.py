"""The word splitter's shortcuts give what spaCy's algorithm (`_tokenize_chunk`) gives, in every language table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.filters.quality.words import (
    _TABLES,
    SplitText,
    WordSplitter,
    _Budget,
    _chunk,
    _counts,
    _split_infixes,
    _tokenize_chunk,
    is_symbol,
    word_splitter,
)

# letters and digits of many scripts, numbers that are not decimal digits (², ½, Ⅻ), and mixed shapes
ALNUM_CHUNKS = ["word", "Straße", "2024", "3rd", "COVID19", "H2O", "x", "7", "²", "½", "Ⅻ", "١٢٣", "δ1", "Ωmega", "ĳ"]
OTHER_CHUNKS = [
    "word,",
    "end.",
    "U.S.",
    "e.g.",
    "(text)",
    "don't",
    "l'homme",
    "tal-Unjoni",
    "12%",
    "0-255",
    "a/b",
    "...",
]


def _general(text: str, lang: str) -> tuple[tuple[str, ...], int]:
    """spaCy's algorithm with its counts, no shortcut: what `_chunk` must return."""
    table = word_splitter(lang)._table
    tokens = _tokenize_chunk(text, lang, table)
    symbols = [t for t in tokens if not t.isalnum() and is_symbol(t)]
    alphabetic = sum(t.isalpha() or any(c.isalpha() for c in t) for t in tokens)
    return tuple(tokens), _counts(len(symbols), sum(map(len, symbols)), alphabetic)


@pytest.mark.parametrize("lang", sorted(_TABLES))
def test_the_shortcuts_agree_with_the_general_algorithm(lang):
    splitter = word_splitter(lang)
    for text in ALNUM_CHUNKS + OTHER_CHUNKS:
        assert _chunk(text, lang, splitter._table, splitter._cache.simple) == _general(text, lang), text


def test_no_character_table_holds_a_letter_or_a_digit():
    # what makes a chunk of letters and digits a token of its own, whatever the language
    for table in _TABLES.values():
        assert not any(c.isalnum() for field in table for c in field)


def _chunk_by_chunk(text: str, lang: str) -> SplitText:
    """The plain rule: every whitespace chunk through the general algorithm, tokens and counts added up."""
    found = [_general(chunk, lang) for chunk in text.split()]
    packed = sum(counts for _, counts in found)
    low = (1 << 32) - 1
    words = [token for tokens, _ in found for token in tokens]
    return SplitText(words, packed & low, (packed >> 32) & low, packed >> 64)


MIXED_TEXT = (
    "Am 21. Mai 2015 hat Frau Müller (CDU) die Ein- und Ausgänge geprüft, z.B. 12% mehr... "
    "L'homme d'hier: «le nouveau» tal-Unjoni don't U.S. e-mail: a@b.eu https://x.eu/a?b=1 ½ Ⅻ COVID19 "
    '=SUM(A1:B2);  oDoc.CreateChart("MyChart", 3) — “quoted”\t\n\n  word'
)


@pytest.mark.parametrize("lang", sorted(_TABLES) + ["mt", "xx"])
def test_splitting_a_text_equals_splitting_each_chunk_by_the_general_algorithm(lang):
    splitter = WordSplitter(lang, _Budget(3))  # a small budget: most chunks miss the cache
    for text in (MIXED_TEXT, "", "   ", "word", "words only here", "end.", MIXED_TEXT * 3):
        assert splitter.split(text) == _chunk_by_chunk(text, lang), (lang, text[:40])


_PIECES = st.sampled_from(
    ALNUM_CHUNKS + OTHER_CHUNKS + ["Wort", "über", "ΑΒΓ", "ℵB", "-", ",", ".", "'", "’", "(", ")", "«", "»", "%", "/"]
)


@given(
    st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=40),
    st.lists(st.sampled_from([" ", "  ", "\n", "\t", "", "\u00a0", "\u2003"]), min_size=40, max_size=40),
    st.sampled_from(["en", "de", "fr", "it", "mt", "pl", "sl", "hu", "fi"]),
)
def test_splitting_any_text_equals_the_chunk_by_chunk_rule(pieces, gaps, lang):
    text = "".join(piece + gap for piece, gap in zip(pieces, gaps))
    assert WordSplitter(lang, _Budget(8)).split(text) == _chunk_by_chunk(text, lang)


def _infixes_char_by_char(core: str, t) -> list[str]:
    """spaCy's infix rule read at every inner character (what `_split_infixes` does at candidates only)."""
    if not any(c in t.infix + t.digit_infix + "." for c in core[1:-1]):
        return [core]
    pieces: list[str] = []
    start = 0
    for i in range(1, len(core) - 1):
        c, before, after = core[i], core[i - 1], core[i + 1]
        if (
            (c in t.infix and before.isalnum() and after.isalpha())
            or (c in t.digit_infix and before.isdigit() and after.isdigit())
            or (c == "." and before.islower() and after.isupper())
        ):
            if start < i:
                pieces.append(core[start:i])
            pieces.append(c)
            start = i + 1
    pieces.append(core[start:])
    return [p for p in pieces if p]


@given(
    st.text(alphabet=st.sampled_from(list("aZ9ü.-/:,=+*^~…°'’x1")), max_size=14),
    st.sampled_from(sorted(_TABLES)),
)
def test_infixes_split_where_the_character_by_character_rule_splits(core, lang):
    table = word_splitter(lang)._table
    assert _split_infixes(core, table) == _infixes_char_by_char(core, table)
