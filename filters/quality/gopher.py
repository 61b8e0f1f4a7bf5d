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


def gopher_verdict(s: dict[str, float], t: GopherThresholds) -> Drop | None:
    """First failing rule, with the measured value and the bound, or None."""
    checks = (
        (s["n_words"] < t.min_words, Reason.QUALITY_TOO_FEW_WORDS, f"n_words={s['n_words']}<{t.min_words}"),
        (s["n_words"] > t.max_words, Reason.QUALITY_TOO_MANY_WORDS, f"n_words={s['n_words']}>{t.max_words}"),
        (
            not t.min_mean_word_length <= s["mean_word_length"] <= t.max_mean_word_length,
            Reason.QUALITY_MEAN_WORD_LENGTH,
            f"mean_word_length={s['mean_word_length']} not in [{t.min_mean_word_length},{t.max_mean_word_length}]",
        ),
        (
            s["symbol_word_ratio"] > t.max_symbol_word_ratio,
            Reason.QUALITY_SYMBOL_RATIO,
            f"symbol_word_ratio={s['symbol_word_ratio']}>{t.max_symbol_word_ratio}",
        ),
        (
            s["alphabetic_word_ratio"] < t.min_alphabetic_word_ratio,
            Reason.QUALITY_ALPHA_WORDS,
            f"alphabetic_word_ratio={s['alphabetic_word_ratio']}<{t.min_alphabetic_word_ratio}",
        ),
        (
            s["bullet_line_fraction"] > t.max_bullet_line_fraction,
            Reason.QUALITY_BULLET_LINES,
            f"bullet_line_fraction={s['bullet_line_fraction']}>{t.max_bullet_line_fraction}",
        ),
        (
            s["ellipsis_line_fraction"] > t.max_ellipsis_line_fraction,
            Reason.QUALITY_ELLIPSIS_LINES,
            f"ellipsis_line_fraction={s['ellipsis_line_fraction']}>{t.max_ellipsis_line_fraction}",
        ),
        (
            s["duplicate_line_fraction"] > t.max_duplicate_line_fraction,
            Reason.QUALITY_DUP_LINES,
            f"duplicate_line_fraction={s['duplicate_line_fraction']}>{t.max_duplicate_line_fraction}",
        ),
        (
            s["duplicate_line_char_fraction"] > t.max_duplicate_line_char_fraction,
            Reason.QUALITY_DUP_LINE_CHARS,
            f"duplicate_line_char_fraction={s['duplicate_line_char_fraction']}>{t.max_duplicate_line_char_fraction}",
        ),
        (
            s["top_2gram_char_fraction"] > t.max_top_2gram_char_fraction,
            Reason.QUALITY_TOP_NGRAM,
            f"top_2gram_char_fraction={s['top_2gram_char_fraction']}>{t.max_top_2gram_char_fraction}",
        ),
    )
    for failed, reason, evidence in checks:
        if failed:
            return Drop(reason, evidence)
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
