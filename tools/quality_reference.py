"""datatrove's own quality filters configured from one of our language configurations: the reference
that `make eval` (agreement) and `make bench` (speed) compare `filters/quality` against.

`reference_stack(cfg, lang)` builds GopherRepetitionFilter, GopherQualityFilter, C4QualityFilter and
FineWebQualityFilter with the same thresholds, in the configuration's order; `reference_decision` runs a
text through them the way a datatrove pipeline would (C4 may shorten the text for the filters after it).
Needs `spacy` (the `test` extra): datatrove's word tokenizers are spaCy blank pipelines.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)
from datatrove.pipeline.filters.base_filter import BaseFilter

from eurocurate.filters.quality.params import LanguageQualityConfig

# Overrides that put eurocurate's line rules back as datatrove has them (docs/quality.md, differences 6 and 7):
# code lines counted by the line-shape rules and C4's curly bracket, line punctuation judged on every page.
DATATROVE_LINE_RULES: dict = {
    "fineweb": {"skip_code_lines": False, "line_punct_min_lines": 1},
    "gopher_quality": {"skip_code_lines": False},
    "c4": {"skip_code_lines": False},
}


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
                split_paragraph=True, remove_citations=p.remove_citations,
                filter_no_terminal_punct=p.filter_no_terminal_punct, min_num_sentences=p.min_num_sentences,
                min_words_per_line=p.min_words_per_line,
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


def compare_stacks(docs: list[dict]) -> dict:
    """eurocurate's quality stage against datatrove's filters, configured alike, on the same documents
    (`docs`: `text` and `lang`, EU-24 only): CPU seconds per side and the keep/drop agreement, per language
    and over all. Every other document of a language warms both sides first (spaCy's pipelines and
    vocabulary, our word cache: the steady state of a long task) and only the documents in between,
    unseen by either side, are timed. `agreement` is with the shipped configurations (eurocurate's line
    rules included: docs/quality.md differences 6 to 8), `agreement_line_rules_as_datatrove` with those
    rules put back as datatrove has them (`DATATROVE_LINE_RULES`)."""
    import gc
    import time
    from collections import defaultdict

    from eurocurate.filters.quality.params import load_language_config
    from eurocurate.filters.quality.step import assess_quality
    from eurocurate.schema import EU24

    by_lang: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        if d["lang"] in EU24:
            by_lang[d["lang"]].append(d["text"])
    rows = {}
    for lang, texts in sorted(by_lang.items()):
        cfg = load_language_config(lang)
        try:
            stack = reference_stack(cfg, lang)
            reference_decision(stack, texts[0])
        except ImportError:  # datatrove tokenizes Maltese with stanza, which needs a model download
            continue
        for t in texts[0::2]:
            assess_quality(t, lang, cfg)
            reference_decision(stack, t)
        timed = texts[1::2]
        if not timed:
            continue
        # a full collection between the timed blocks, none inside: one side's garbage (spaCy allocates a
        # lot) must not be collected on the other side's clock
        gc.collect()
        gc.disable()
        try:
            t0 = time.process_time()
            ours = [assess_quality(t, lang, cfg).drop is None for t in timed]
            t1 = time.process_time()
            gc.enable()
            gc.collect()
            gc.disable()
            t1b = time.process_time()
            theirs = [reference_decision(stack, t)[0] for t in timed]
            t2 = time.process_time() - (t1b - t1)
        finally:
            gc.enable()
        # the same documents with eurocurate's line rules put back as datatrove has them (untimed): what is left
        # of the disagreement is word splitting (docs/quality.md, "Where eurocurate and datatrove can disagree")
        as_datatrove = load_language_config(lang, overrides=DATATROVE_LINE_RULES)
        ours_as_dt = [assess_quality(t, lang, as_datatrove).drop is None for t in timed]
        rows[lang] = {"docs": len(timed), "ours_cpu_s": t1 - t0, "datatrove_cpu_s": t2 - t1,
                      "agree": sum(a == b for a, b in zip(ours, theirs)),
                      "agree_line_rules_as_datatrove": sum(a == b for a, b in zip(ours_as_dt, theirs))}  # fmt: skip
    keys = ("docs", "ours_cpu_s", "datatrove_cpu_s", "agree", "agree_line_rules_as_datatrove")
    total = {k: sum(r[k] for r in rows.values()) for k in keys}
    for r in [*rows.values(), total]:
        r["ours_docs_per_s"] = r["docs"] / r["ours_cpu_s"] if r["ours_cpu_s"] else None
        r["datatrove_docs_per_s"] = r["docs"] / r["datatrove_cpu_s"] if r["datatrove_cpu_s"] else None
        r["speedup"] = r["datatrove_cpu_s"] / r["ours_cpu_s"] if r["ours_cpu_s"] else None
        r["agreement"] = r["agree"] / r["docs"] if r["docs"] else None
        r["agreement_line_rules_as_datatrove"] = r["agree_line_rules_as_datatrove"] / r["docs"] if r["docs"] else None
    return {"languages": rows, "all": total}
