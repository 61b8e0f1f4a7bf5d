"""Gopher-style quality rules (Rae et al. 2021) over statistics computed once per document.

`quality_stats` measures; `gopher_verdict` decides from the stored measurements, so trainers can
re-threshold from provenance without re-running. Per-language parameters, C4 and FineWeb rules are
the quality issue's work; this holds the language-independent core.
"""

from __future__ import annotations

import re
from collections import Counter

from datatrove.data import Document
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
_BULLETS = ("•", "●", "○", "■", "□", "▪", "-", "–", "*", "·")
_ELLIPSIS = ("...", "…")


class GopherThresholds(BaseModel):
    """Defaults are Gopher's published values."""

    model_config = ConfigDict(extra="forbid")
    min_words: int = Field(50, description="Fewer words than this: dropped.")
    max_words: int = Field(100_000, description="More words than this: dropped.")
    min_mean_word_length: float = Field(3.0, description="Mean word length below this: dropped.")
    max_mean_word_length: float = Field(10.0, description="Mean word length above this: dropped.")
    max_symbol_word_ratio: float = Field(0.1, description="(# + ellipses) / words above this: dropped.")
    min_alphabetic_word_ratio: float = Field(0.8, description="Share of words with a letter below this: dropped.")
    max_bullet_line_fraction: float = Field(0.9, description="Share of lines starting with a bullet above this.")
    max_ellipsis_line_fraction: float = Field(0.3, description="Share of lines ending with an ellipsis above this.")
    max_duplicate_line_fraction: float = Field(0.3, description="Share of lines that repeat an earlier line.")
    max_duplicate_line_char_fraction: float = Field(0.2, description="Share of characters in repeated lines.")
    max_top_2gram_char_fraction: float = Field(0.2, description="Characters covered by the most frequent 2-gram.")


def quality_stats(text: str) -> dict[str, float]:
    """Every statistic the rules read, measured in one pass over words and lines."""
    words = _WORD.findall(text)
    n_words = len(words)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    n_lines = max(len(lines), 1)
    seen: set[str] = set()
    dup_lines = dup_chars = 0
    for ln in lines:
        if ln in seen:
            dup_lines += 1
            dup_chars += len(ln)
        seen.add(ln)
    total_chars = max(sum(len(ln) for ln in lines), 1)
    top_2gram_chars = 0
    if n_words >= 2:
        lowered = [w.lower() for w in words]
        bigram, count = Counter(zip(lowered, lowered[1:])).most_common(1)[0]
        top_2gram_chars = count * (len(bigram[0]) + len(bigram[1]))
    word_chars = sum(len(w) for w in words)
    return {
        "n_words": n_words,
        "mean_word_length": round(word_chars / n_words, 3) if n_words else 0.0,
        "symbol_word_ratio": round((text.count("#") + sum(text.count(e) for e in _ELLIPSIS)) / max(n_words, 1), 4),
        "alphabetic_word_ratio": round(sum(1 for w in words if _HAS_ALPHA.search(w)) / max(n_words, 1), 4),
        "bullet_line_fraction": round(sum(ln.startswith(_BULLETS) for ln in lines) / n_lines, 4),
        "ellipsis_line_fraction": round(sum(ln.endswith(_ELLIPSIS) for ln in lines) / n_lines, 4),
        "duplicate_line_fraction": round(dup_lines / n_lines, 4),
        "duplicate_line_char_fraction": round(dup_chars / total_chars, 4),
        "top_2gram_char_fraction": round(top_2gram_chars / max(word_chars, 1), 4),
    }


# (statistic, threshold field giving its lower bound, threshold field giving its upper bound, reason), in the
# order Gopher applies them; the first failing rule decides.
_RULES: tuple[tuple[str, str | None, str | None, str], ...] = (
    ("n_words", "min_words", None, Reason.QUALITY_TOO_FEW_WORDS),
    ("n_words", None, "max_words", Reason.QUALITY_TOO_MANY_WORDS),
    ("mean_word_length", "min_mean_word_length", "max_mean_word_length", Reason.QUALITY_MEAN_WORD_LENGTH),
    ("symbol_word_ratio", None, "max_symbol_word_ratio", Reason.QUALITY_SYMBOL_RATIO),
    ("alphabetic_word_ratio", "min_alphabetic_word_ratio", None, Reason.QUALITY_ALPHA_WORDS),
    ("bullet_line_fraction", None, "max_bullet_line_fraction", Reason.QUALITY_BULLET_LINES),
    ("ellipsis_line_fraction", None, "max_ellipsis_line_fraction", Reason.QUALITY_ELLIPSIS_LINES),
    ("duplicate_line_fraction", None, "max_duplicate_line_fraction", Reason.QUALITY_DUP_LINES),
    ("duplicate_line_char_fraction", None, "max_duplicate_line_char_fraction", Reason.QUALITY_DUP_LINE_CHARS),
    ("top_2gram_char_fraction", None, "max_top_2gram_char_fraction", Reason.QUALITY_TOP_NGRAM),
)


def gopher_verdict(s: dict[str, float], t: GopherThresholds) -> Drop | None:
    """First failing rule, with the measured value and the bound (`n_words=12<50`), or None."""
    for stat, low, high, reason in _RULES:
        value = s[stat]
        if low is not None and value < getattr(t, low):
            return Drop(reason, f"{stat}={value}<{getattr(t, low)}")
        if high is not None and value > getattr(t, high):
            return Drop(reason, f"{stat}={value}>{getattr(t, high)}")
    return None


class GopherQualityFilter(LedgerStage):
    """Measures `quality_stats`, stores them under `metadata["quality"]`, drops on the first failed rule."""

    name = "quality_filter"

    def __init__(self, out_dir: str, thresholds: GopherThresholds | None = None):
        super().__init__(out_dir)
        self.thresholds = thresholds or GopherThresholds()

    def judge(self, doc: Document) -> Drop | None:
        stats = quality_stats(doc.text)
        doc.metadata[Meta.QUALITY] = stats
        return gopher_verdict(stats, self.thresholds)
