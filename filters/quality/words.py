"""Word splitting for the quality rules: spaCy's tokenizer algorithm with its per-language character tables.

The thresholds we use (Gopher, C4, FineWeb, FineWeb-2's per-language figures) were measured on the
tokens of spaCy's blank tokenizers as datatrove runs them: words *and* punctuation marks are tokens, and
which marks split off (before a word, after it, between letters, between digits) depends on the
language. `WordSplitter` runs spaCy's algorithm — split on whitespace; peel prefixes; peel suffixes;
split infixes — on each distinct whitespace chunk once (chunks recur, results are cached), with the
character classes probed from spaCy itself (`tools/derive_quality_config.py --probe-tokenizers`). Word
lists of abbreviations (`Dr.`, `bzw.`) are not reproduced. Agreement with datatrove's decisions is
measured by `make eval` (docs/quality.md). Sentence counting for C4 lives here too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress, count
from operator import not_
from typing import NamedTuple

from datatrove.utils.text import PUNCTUATION_SET

_LETTER = r"[^\W\d_]"
_ABBREVIATION = re.compile(rf"(?:{_LETTER}\.)+{_LETTER}?\.?$|{_LETTER}+\.{_LETTER}+.*\.$")  # "e.g." "U.S."
_URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_ELISION = frozenset("fr it".split())  # "l'homme" -> l', homme
_NO_INITIAL_PERIOD = frozenset("lt pl".split())  # elsewhere "F." stays one token


class CharTable(NamedTuple):
    prefix: str  # split off the start of a chunk
    suffix: str  # split off the end, after a non-digit
    digit_suffix: str  # split off the end, after a digit ("12%" -> 12, %)
    infix: str  # split between a letter or digit and a letter ("well-known")
    digit_infix: str  # split between digits ("0-255")


# Probed from spaCy 3.8 blank pipelines through datatrove's `load_word_tokenizer` (Maltese, which
# datatrove tokenizes with stanza, uses the English table plus its article rule).
_TABLES: dict[str, CharTable] = {
    "bg": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "cs": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "da": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', '!"(),/:<=>?[]`«»“”„‘’…°©®™', '…°©®™'),
    "de": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,./:;<>?[]_`{}«»“”„‘’…°©®™·', '!"#$%&\'()*+,/:;<>?[]_`{}«»“”„‘’…°€£©®™·', '!"(),/:<=>?[]`«»“”„‘’…°©®™', '-/…°©®™'),
    "el": CharTable('!"#$%&\'()*,:;<=>?[]_`{}«»“”„‘’…°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…°©®™·', '!"#$()*+,:;<>?[]_`{}«»“”„‘’…°€£©®™·', ',/:<=>~…–—°©®™', '*+^…°©®™'),
    "en": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "es": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',/:<=>…°©®™', '*+^…°©®™'),
    "et": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "fi": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', '!"(),/<=>?[]`~«»“”„‘’…–—°©®™', '…°©®™'),
    "fr": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…°€£©®™·', "',-/:<=>~’…–—°©®™", '*+-^…°©®™'),
    "ga": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "hr": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "hu": CharTable('!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…·', '!"#&\'()*+,.:;<>?[]_`{}«»“”„‘’…·', '!"#$&\'()*+,:;<>?[]_`{}«»“”„‘’…€£·', '!"(),:<=>?[]`«»“”„‘’…', '…'),
    "it": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—€£©®™·', "',-/:<=>~’…–—°©®™", '*+-^…°©®™'),
    "lt": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+^…°©®™'),
    "lv": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "nl": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', '!"(),:<=>?[]`«»“”„‘’…°©®™', '…°©®™'),
    "pl": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,-.:;<>?[]_`{}~«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,-.:;<>?[]_`{}~«»“”„‘’…–—°€£©®™·', '!"(),-/:<=>?[]`~«»“”„‘’…–—°©®™', '-.~…–—°©®™'),
    "pt": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',/:<=>~…–—°©®™', '$*+^…°©®™'),
    "ro": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—©®™·', '!"#$&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—€£©®™·', ',:<=>…©®™', '*+^…©®™'),
    "sk": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "sl": CharTable('!"#$%&\'()*+,-/:;<=>?[]_`{}~«»“”„‘’…–—°€£§©®™•·', '!"#&\'()*+,-./:;<=>?[]_`{}~«»“”„‘’…–—°©®™•·', '!"#$%&\'()*+,-/:;<=>?[]_`{}~«»“”„‘’…–—°€£©®™•·', ',-/:<=>~…–—°©®™', '*+-^…°©®™'),
    "sv": CharTable('!"#$%&\'()*+,:;<=>?[]_`{}«»“”„‘’…–—°€£§©®™·', '!"#&\'()*,.:;<>?[]_`{}«»“”„‘’…–—°©®™·', '!"#$%&\'()*+,.:;<>?[]_`{}«»“”„‘’…–—°€£©®™·', '!"(),/<=>?[]`«»“”„‘’…°©®™', '…°©®™'),
}  # fmt: skip


def _split_infixes(core: str, t: CharTable) -> list[str]:
    # only a character of the infix sets can split: look at those positions, not at every character
    hits = [m.start() for m in _infix_candidates(t).finditer(core, 1, len(core) - 1)]
    if not hits:
        return [core]
    pieces: list[str] = []
    start = 0
    for i in hits:
        c = core[i]
        before, after = core[i - 1], core[i + 1]
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


@lru_cache(maxsize=64)
def _infix_candidates(t: CharTable) -> re.Pattern:
    return re.compile("[" + re.escape(t.infix + t.digit_infix + ".") + "]")


_CONTRACTION = re.compile(r"(?i)(.+?)(n['’]t|['’](?:s|re|ll|ve|d|m))$")
_ELIDED = re.compile(rf"({_LETTER}+['’])(?={_LETTER})")
_MT_ARTICLE = re.compile(rf"({_LETTER}{{1,5}}-)(?=\w)")


def _language_pieces(pieces: list[str], lang: str) -> list[str]:
    if lang == "en":  # "don't" -> do, n't; "it's" -> it, 's (spaCy's English exceptions)
        out = []
        for p in pieces:
            m = _CONTRACTION.match(p) if ("'" in p or "’" in p) else None
            out += [m.group(1), m.group(2)] if m else [p]
        return out
    if lang in _ELISION:
        out = []
        for p in pieces:
            while ("'" in p or "’" in p) and (m := _ELIDED.match(p)) is not None:
                out.append(m.group(1))
                p = p[m.end() :]
            out.append(p)
        return out
    if lang == "mt":
        # Maltese articles and prepositions fused with the article keep their hyphen: "tal-Unjoni" ->
        # tal-, Unjoni (FineWeb-2's Maltese stop words are such tokens: l-, tal-, fil-, mill-).
        out = []
        for p in pieces:
            m = _MT_ARTICLE.match(p) if "-" in p else None
            out += [m.group(1), p[m.end() :]] if m else [p]
        return out
    return pieces


def _keeps_final_period(core: str, lang: str) -> bool:
    body = core[:-1]
    if len(body) == 1 and body.isalpha() and body.isupper():  # an initial: "F."
        return lang not in _NO_INITIAL_PERIOD
    return _ABBREVIATION.match(core) is not None


def _tokenize_chunk(chunk: str, lang: str, t: CharTable) -> list[str]:
    """spaCy's algorithm on one whitespace-free chunk: peel prefixes, peel suffixes, split infixes."""
    if ("/" in chunk or "@" in chunk or chunk.startswith("www.")) and _URL_OR_EMAIL.match(chunk):
        return [chunk]
    head: list[str] = []
    tail: list[str] = []
    core = chunk
    while len(core) > 1:
        if core.startswith(".."):
            dots = len(core) - len(core.lstrip("."))
            head.append(core[:dots])
            core = core[dots:]
        elif core[0] in t.prefix:
            head.append(core[0])
            core = core[1:]
        else:
            break
    while len(core) > 1:
        if core.endswith(".."):
            dots = len(core) - len(core.rstrip("."))
            tail.append(core[-dots:])
            core = core[:-dots]
            continue
        c = core[-1]
        if c not in (t.digit_suffix if core[-2].isdigit() else t.suffix):
            break
        if c == "." and _keeps_final_period(core, lang):
            break
        tail.append(c)
        core = core[:-1]
    pieces = _language_pieces(_split_infixes(core, t), lang) if core else []
    return head + pieces + tail[::-1]


# A tokenized whitespace chunk: (its tokens, its Gopher counts packed in one int) — the counts of a text
# are then one C-level sum over its chunks. Packing: symbol tokens, their characters, tokens with a letter.
_SHIFT = 32  # a document would need 4 billion symbol characters to overflow a field
_LOW = (1 << _SHIFT) - 1


def _counts(symbols: int, symbol_chars: int, alphabetic: int) -> int:
    return symbols | (symbol_chars << _SHIFT) | (alphabetic << (2 * _SHIFT))


_ONE_WORD = _counts(0, 0, 1)
_NO_WORD = _counts(0, 0, 0)


def _chunk(text: str, lang: str, table: CharTable, simple: bool) -> tuple[tuple[str, ...], int]:
    # "word", "2024", "3rd", "COVID19": no character table holds a letter or a digit, and the language rules need
    # an apostrophe or a hyphen, so nothing splits off (the general algorithm below returns the chunk whole)
    if text.isalnum():
        return (text,), _ONE_WORD if any(map(str.isalpha, text)) else _NO_WORD
    if simple:  # the usual shape, without the general algorithm: "word,"
        body, last = text[:-1], text[-1]
        if body.isalpha() and last in table.suffix and (last != "." or not _keeps_final_period(text, lang)):
            sym = last in PUNCTUATION_SET
            return (body, last), _counts(sym, sym, 1)
    tokens = _tokenize_chunk(text, lang, table)
    symbols = [t for t in tokens if not t.isalnum() and is_symbol(t)]
    alphabetic = sum(t.isalpha() or any(map(str.isalpha, t)) for t in tokens)
    return tuple(tokens), _counts(len(symbols), sum(map(len, symbols)), alphabetic)


class SplitText(NamedTuple):
    words: list[str]
    symbols: int
    symbol_chars: int
    alphabetic: int


class _Budget:
    """Chunks all the caches of a process may hold together (about 300 bytes each: 29 MB at the full budget on
    the dev corpus, tracemalloc; chunks of letters only are never cached)."""

    def __init__(self, chunks: int):
        self.left = chunks


# about 30 MB a worker when full (on the dev corpus's chunks), whatever the number of languages it sees
PROCESS_BUDGET = _Budget(100_000)


class _ChunkCache(dict):
    """chunk -> (tokens, packed counts); a miss is tokenized on lookup, and kept while the budget lasts
    (the first chunks seen stay: on Zipfian text, the frequent ones)."""

    def __init__(self, lang: str, table: CharTable, budget: _Budget):
        super().__init__()
        self.lang, self.table, self.budget = lang, table, budget
        self.simple = lang not in _ELISION and lang != "mt"

    def __missing__(self, chunk: str) -> tuple[tuple[str, ...], int]:
        value = _chunk(chunk, self.lang, self.table, self.simple)
        if self.budget.left > 0:
            self.budget.left -= 1
            self[chunk] = value
        return value


class WordSplitter:
    """Splits a text into spaCy-like tokens, one distinct whitespace chunk at a time (chunks recur:
    each is tokenized and classified once and remembered within the process's `PROCESS_BUDGET`)."""

    def __init__(self, lang: str, budget: _Budget | None = None):
        self.lang = lang
        table = _TABLES.get(lang, _TABLES["en"])
        if lang in _ELISION:  # the apostrophe is handled by the elision rule, which keeps it on the article
            table = table._replace(infix=table.infix.replace("'", "").replace("’", ""))
        if lang == "mt":  # the hyphen is handled by the article rule, which keeps it on the article
            table = table._replace(infix=table.infix.replace("-", ""))
        self._table = table
        self._cache = _ChunkCache(lang, table, budget or PROCESS_BUDGET)

    def __call__(self, text: str) -> list[str]:
        return self.split(text).words

    def split(self, text: str) -> SplitText:
        """The tokens and their Gopher counts.

        A chunk of letters only ("word", "Straße") is one token with a letter, nothing split off (no character
        table holds a letter, `_chunk`'s first branch): such chunks (77% of the dev corpus's 1.15 M) are found
        by one C-level pass and copied through by slices; only the others go through the cache, which then
        spends its budget on them alone (before, letter-only words filled it and 60% of lookups missed).
        """
        chunks = text.split()
        words: list[str] = []
        packed = start = others = 0
        cache = self._cache
        for i in compress(count(), map(not_, map(str.isalpha, chunks))):
            tokens, counts = cache[chunks[i]]
            others += 1
            words += chunks[start:i]
            words += tokens
            packed += counts
            start = i + 1
        if others:
            words += chunks[start:]
        else:
            words = chunks
        alphabetic = (packed >> (2 * _SHIFT)) + len(chunks) - others
        return SplitText(words, packed & _LOW, (packed >> _SHIFT) & _LOW, alphabetic)


@lru_cache(maxsize=64)
def word_splitter(lang: str) -> WordSplitter:
    """The tokenizer for `lang` (ISO 639-1); other languages get the English character table."""
    return WordSplitter(lang)


_SYMBOLS = re.compile("[" + "".join(re.escape(c) for c in sorted(PUNCTUATION_SET)) + "]+")


def is_symbol(token: str) -> bool:
    """True for tokens made only of punctuation, as datatrove's Gopher filter counts them."""
    return _SYMBOLS.fullmatch(token) is not None


# Sentence ends as spaCy's sentencizer sees them: a run of terminal marks followed by space or the end.
_SENTENCE_END = re.compile(r"[.!?…。！？؟]+[\"'”’»)\]]*(?=\s|$)")


def count_sentences(line: str) -> int:
    """Sentences in one line: terminal-punctuation runs, plus a trailing sentence without a final mark."""
    ends = 0
    last = 0
    for m in _SENTENCE_END.finditer(line):
        ends += 1
        last = m.end()
    return ends + (1 if line[last:].strip() else 0)
