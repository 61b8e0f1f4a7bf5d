"""datatrove's own quality filters configured from one of our language configurations: the reference
that `make eval` (agreement) and `make bench` (speed) compare `filters/quality` against.

`reference_stack(cfg, lang)` builds GopherRepetitionFilter, GopherQualityFilter, C4QualityFilter and
FineWebQualityFilter with the same thresholds, in the configuration's order; `reference_decision` runs a
text through them the way a datatrove pipeline would (C4 may shorten the text for the filters after it).
Needs `spacy` (the `test` extra): datatrove's word tokenizers are spaCy blank pipelines.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.filters.base_filter import BaseFilter

from eurocurate.filters.quality.params import LanguageQualityConfig


def reference_stack(cfg: LanguageQualityConfig, lang: str) -> list[tuple[str, BaseFilter]]:
    """(family, datatrove filter) in `cfg.order`, disabled families left out."""
    steps: list[tuple[str, BaseFilter]] = []
    for family in cfg.order:
        if family == "gopher_repetition" and cfg.gopher_repetition.enabled:
            p = cfg.gopher_repetition
            steps.append((family, GopherRepetitionFilter(
                dup_line_frac=p.dup_line_frac, dup_para_frac=p.dup_para_frac, dup_line_char_frac=p.dup_line_char_frac,
                dup_para_char_frac=p.dup_para_char_frac, top_n_grams=tuple(sorted(p.top_n_grams.items())),
                dup_n_grams=tuple(sorted(p.dup_n_grams.items())), language=lang,
            )))  # fmt: skip
        elif family == "gopher_quality" and cfg.gopher_quality.enabled:
            p = cfg.gopher_quality
            steps.append((family, GopherQualityFilter(
                min_doc_words=p.min_doc_words, max_doc_words=p.max_doc_words, min_avg_word_length=p.min_avg_word_length,
                max_avg_word_length=p.max_avg_word_length, max_symbol_word_ratio=p.max_symbol_word_ratio,
                max_bullet_lines_ratio=p.max_bullet_lines_ratio, max_ellipsis_lines_ratio=p.max_ellipsis_lines_ratio,
                max_non_alpha_words_ratio=p.max_non_alpha_words_ratio, min_stop_words=p.min_stop_words,
                stop_words=p.stop_words, language=lang,
            )))  # fmt: skip
        elif family == "c4" and cfg.c4.enabled:
            p = cfg.c4
            c4 = C4QualityFilter(
                split_paragraph=True, remove_citations=p.remove_citations, filter_no_terminal_punct=p.filter_no_terminal_punct,
                min_num_sentences=p.min_num_sentences, min_words_per_line=p.min_words_per_line,
                max_word_length=p.max_word_length, filter_lorem_ipsum=p.filter_lorem_ipsum,
                filter_javascript=p.filter_javascript, filter_curly_bracket=p.filter_curly_bracket,
                filter_policy=p.filter_policy, language=lang,
            )  # fmt: skip
            steps.append((family, c4))
        elif family == "fineweb" and cfg.fineweb.enabled:
            p = cfg.fineweb
            steps.append((family, FineWebQualityFilter(
                line_punct_thr=p.line_punct_thr, line_punct_exclude_zero=p.line_punct_exclude_zero,
                short_line_thr=p.short_line_thr, short_line_length=p.short_line_length,
                char_duplicates_ratio=p.char_duplicates_ratio, new_line_ratio=p.new_line_ratio, language=lang,
            )))  # fmt: skip
    return steps


def reference_decision(stack: list[tuple[str, BaseFilter]], text: str) -> tuple[bool, str | None]:
    """(kept, 'family:datatrove reason' of the first failing filter)."""
    doc = Document(text=text, id="ref")
    for family, step in stack:
        try:
            result = step.filter(doc)
        except ZeroDivisionError:  # datatrove divides by the word count; an empty text raises
            return False, f"{family}:zero_division"
        if result is not True:
            reason = result[1] if isinstance(result, tuple) else "rejected"
            return False, f"{family}:{reason}"
    return True, None
