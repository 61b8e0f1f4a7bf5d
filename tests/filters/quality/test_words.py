"""The word splitter's shortcuts give what spaCy's algorithm (`_tokenize_chunk`) gives, in every language table."""

from __future__ import annotations

import pytest

from eurocurate.filters.quality.words import _TABLES, _chunk, _counts, _tokenize_chunk, is_symbol, word_splitter

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
