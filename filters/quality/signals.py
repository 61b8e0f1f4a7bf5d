"""Quality statistics of one document, each computed once and shared by every rule that reads it.

`TextSignals` holds the text and computes words, lines, paragraphs and n-gram repetition on first
use; `measure_*` turn them into the named statistics of one rule family (the keys stored in provenance,
e.g. `gopher_quality.stop_words`). The definitions follow datatrove 0.10.1's filters, so thresholds
transfer; word splitting differs (see `words.py`), and Gopher's line rules count lines of only spaces or
tabs as empty, as FineWeb's do (docs/quality.md). Decisions live in `rules.py`.
"""

from __future__ import annotations

import re
from functools import cached_property

from datatrove.utils.text import TERMINAL_PUNCTUATION

from eurocurate.filters.quality.code_lines import is_code_line
from eurocurate.filters.quality.ngrams import ngram_repetition
from eurocurate.filters.quality.params import C4Params, FineWebParams, GopherQualityParams, GopherRepetitionParams
from eurocurate.filters.quality.words import SplitText, count_sentences, word_splitter

# Gopher's separators (datatrove: "\n{2,}" and "\n+"), with lines of only spaces or tabs counted as empty, as
# FineWeb's line rules count them: extracted text keeps layout whitespace ("\t\t\t" between blocks), and as
# lines of their own every one repeats the first (an English blog page of the eval corpus measured 0.79 duplicate
# lines, and none without them).
_PARAGRAPHS = re.compile(r"\n[^\S\n]*\n(?:[^\S\n]*\n)*")
_LINES = re.compile(r"\n(?:[^\S\n]*\n)*")
_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
_C4_END = (".", "?", "!", '"', "'")
_TERMINAL = tuple(TERMINAL_PUNCTUATION)


def _r(x: float) -> float:
    return round(float(x), 4)


def _duplicates(items: list[str]) -> tuple[int, int]:
    """(repeated elements, characters in them): every occurrence after the first counts."""
    seen: set[str] = set()
    n = chars = 0
    for item in items:
        if item in seen:
            n += 1
            chars += len(item)
        else:
            seen.add(item)
    return n, chars


class TextSignals:
    """Lazily computed views of one text; a rule family reads only what it needs, each view once."""

    def __init__(self, text: str, lang: str):
        self.text = text
        self.lang = lang

    @cached_property
    def words(self) -> list[str]:
        return self._split.words

    @cached_property
    def _split(self) -> SplitText:
        return word_splitter(self.lang).split(self.text)

    @cached_property
    def word_classes(self) -> tuple[int, int, int]:
        """(symbol tokens, characters of the non-symbol tokens, tokens containing a letter)."""
        sp = self._split
        return sp.symbols, sum(map(len, sp.words)) - sp.symbol_chars, sp.alphabetic

    def ngram_repetition(self, top_ns: list[int], dup_ns: list[int]) -> tuple[dict[int, int], dict[int, int]]:
        """Gopher's n-gram statistics of the words (`ngrams.ngram_repetition`)."""
        return ngram_repetition(self.words, top_ns, dup_ns)

    @cached_property
    def plain_lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def non_empty_lines(self) -> list[str]:
        return [ln for ln in self.text.split("\n") if ln.strip() != ""]

    @cached_property
    def _code_line_flags(self) -> dict[str, bool]:
        return {}

    def is_code(self, line: str) -> bool:
        flags = self._code_line_flags
        flag = flags.get(line)
        if flag is None:
            flag = flags[line] = bool(line.strip()) and is_code_line(line)
        return flag

    @cached_property
    def prose_lines(self) -> list[str]:
        """The non-empty lines that are not program code (`code_lines.is_code_line`)."""
        return [ln for ln in self.non_empty_lines if not self.is_code(ln)]

    @cached_property
    def plain_prose_lines(self) -> list[str]:
        """`plain_lines` without the code lines (empty lines stay: Gopher's line shares count them)."""
        return [ln for ln in self.plain_lines if not self.is_code(ln)]


def measure_gopher_repetition(s: TextSignals, p: GopherRepetitionParams) -> dict[str, float]:
    text = s.text
    if not text:
        return {"gopher_repetition.empty": 1.0}
    n_chars = len(text)
    out: dict[str, float] = {}
    if p.dup_para_frac or p.dup_para_char_frac:
        paragraphs = _PARAGRAPHS.split(text.strip())
        n, chars = _duplicates(paragraphs)
        out["gopher_repetition.dup_para_frac"] = _r(n / len(paragraphs))
        out["gopher_repetition.dup_para_char_frac"] = _r(chars / n_chars)
    if p.dup_line_frac or p.dup_line_char_frac:
        lines = _LINES.split(text)
        n, chars = _duplicates(lines)
        out["gopher_repetition.dup_line_frac"] = _r(n / len(lines))
        out["gopher_repetition.dup_line_char_frac"] = _r(chars / n_chars)
    top, dup = s.ngram_repetition(sorted(p.top_n_grams), sorted(p.dup_n_grams))
    for n in sorted(p.top_n_grams):
        out[f"gopher_repetition.top_{n}_gram"] = _r(top[n] / n_chars)
    for n in sorted(p.dup_n_grams):
        out[f"gopher_repetition.dup_{n}_gram"] = _r(dup[n] / n_chars)
    return out


def measure_gopher_quality(s: TextSignals, p: GopherQualityParams) -> dict[str, float]:
    words = s.words
    n_words = len(words)
    symbols, content_chars, alpha = s.word_classes
    n_content = n_words - symbols
    text = s.text
    lines = (s.plain_prose_lines if p.skip_code_lines else s.plain_lines) or [""]
    stop_words = set(p.stop_words)
    return {
        "gopher_quality.n_words": n_content,
        "gopher_quality.mean_word_length": _r(content_chars / n_content) if n_content else 0.0,
        "gopher_quality.hash_ratio": _r(text.count("#") / n_words) if n_words else 0.0,
        "gopher_quality.ellipsis_ratio": _r((text.count("...") + text.count("…")) / n_words) if n_words else 0.0,
        "gopher_quality.bullet_lines": _r(sum(ln.lstrip().startswith(("•", "-")) for ln in lines) / len(lines)),
        "gopher_quality.ellipsis_lines": _r(sum(ln.rstrip().endswith(("...", "…")) for ln in lines) / len(lines)),
        "gopher_quality.alpha_words": _r(alpha / n_words) if n_words else 0.0,
        "gopher_quality.stop_words": len(stop_words.intersection(words)),
    }


def apply_c4(s: TextSignals, p: C4Params) -> tuple[dict[str, float], str | None, str]:
    """C4's line rules: (statistics, a whole-document failure or None, the text of the kept lines)."""
    kept: list[str] = []
    sentences = removed = 0
    policy = [x.lower() for x in p.policy_substrings]
    failure = None
    for raw in s.plain_lines:
        line = raw.strip()
        words = line.split()
        if p.max_word_length != -1 and any(len(w) > p.max_word_length for w in words):
            removed += 1
            continue
        if p.remove_citations:
            line = _CITATION.sub("", line)
        if p.filter_no_terminal_punct and (not line.endswith(_C4_END) or line.endswith("...")):
            removed += 1
            continue
        if len(words) < p.min_words_per_line:
            removed += 1
            continue
        low = line.lower()
        if p.filter_lorem_ipsum and "lorem ipsum" in low:
            failure = "lorem_ipsum"
            break
        if p.filter_javascript and "javascript" in low:
            removed += 1
            continue
        if p.filter_curly_bracket and "{" in line and not (p.skip_code_lines and s.is_code(raw)):
            failure = "curly_bracket"
            break
        if p.filter_policy and any(x in low for x in policy):
            removed += 1
            continue
        if p.min_num_sentences != -1:
            sentences += count_sentences(line)
        kept.append(line)
    stats = {"c4.lines_removed": removed, "c4.sentences": sentences}
    return stats, failure, "\n".join(kept).strip()


def measure_fineweb(s: TextSignals, p: FineWebParams) -> dict[str, float]:
    lines = s.non_empty_lines
    if not lines:
        return {"fineweb.empty": 1.0}
    n = len(lines)
    chars = len(s.text.replace("\n", ""))
    n_words = len(s.words)
    prose = s.prose_lines if p.skip_code_lines else lines
    # a page whose every line is code has no line that ends a sentence
    line_punct = sum(1 for ln in prose if ln.endswith(_TERMINAL)) / len(prose) if prose else 0.0
    out = {"fineweb.code_lines": _r(1 - len(prose) / n)} if p.skip_code_lines else {}
    return out | {
        "fineweb.lines": n,
        "fineweb.line_punct": _r(line_punct),
        "fineweb.short_lines": _r(sum(1 for ln in lines if len(ln) <= p.short_line_length) / n),
        "fineweb.char_dup": _r(_duplicates(lines)[1] / chars) if chars else 0.0,
        "fineweb.new_line_ratio": _r(s.text.count("\n") / n_words) if n_words else float("inf"),
    }
