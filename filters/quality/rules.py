"""Keep/drop decisions from stored quality statistics: pure functions, one table per rule family.

A rule is (statistic, bound kind, parameter): the first failing rule of the first failing family
decides, in datatrove's order, and the drop says which rule and what was measured
(`quality.gopher_quality.stop_words`, evidence `gopher_quality:stop_words=1<2`). Because decisions read
only the stored statistics, a trainer can re-threshold from provenance without re-running.
"""

from __future__ import annotations

from eurocurate.filters.quality.params import (
    C4Params,
    FineWebParams,
    GopherQualityParams,
    GopherRepetitionParams,
)
from eurocurate.schema import Reason
from eurocurate.stage import Drop

_FAMILY_REASON = {
    "gopher_repetition": Reason.QUALITY_GOPHER_REPETITION,
    "gopher_quality": Reason.QUALITY_GOPHER,
    "c4": Reason.QUALITY_C4,
    "fineweb": Reason.QUALITY_FINEWEB,
}


def _drop(family: str, rule: str, value: float, op: str, bound: float) -> Drop:
    return Drop(f"{_FAMILY_REASON[family]}.{rule}", f"{family}:{rule}={value}{op}{bound}")


def _check(family: str, stats: dict[str, float], rules: list[tuple[str, str, float | None]]) -> Drop | None:
    """rules: (statistic, '<' or '>', bound); a bound that is None or 0 is off (datatrove's convention)."""
    for rule, op, bound in rules:
        if not bound:
            continue
        value = stats[f"{family}.{rule}"]
        if (op == "<" and value < bound) or (op == ">" and value > bound):
            return _drop(family, rule, value, op, bound)
    return None


def gopher_repetition_verdict(stats: dict[str, float], p: GopherRepetitionParams) -> Drop | None:
    if "gopher_repetition.empty" in stats:
        return Drop(f"{Reason.QUALITY_GOPHER_REPETITION}.empty", "gopher_repetition:empty")
    rules = [
        ("dup_para_frac", ">", p.dup_para_frac),
        ("dup_para_char_frac", ">", p.dup_para_char_frac),
        ("dup_line_frac", ">", p.dup_line_frac),
        ("dup_line_char_frac", ">", p.dup_line_char_frac),
    ]
    rules += [(f"top_{n}_gram", ">", p.top_n_grams[n]) for n in sorted(p.top_n_grams)]
    rules += [(f"dup_{n}_gram", ">", p.dup_n_grams[n]) for n in sorted(p.dup_n_grams)]
    return _check("gopher_repetition", stats, rules)


def gopher_quality_verdict(stats: dict[str, float], p: GopherQualityParams) -> Drop | None:
    return _check(
        "gopher_quality",
        stats,
        [
            ("n_words", "<", p.min_doc_words),
            ("n_words", ">", p.max_doc_words),
            ("mean_word_length", "<", p.min_avg_word_length),
            ("mean_word_length", ">", p.max_avg_word_length),
            ("hash_ratio", ">", p.max_symbol_word_ratio),
            ("ellipsis_ratio", ">", p.max_symbol_word_ratio),
            ("bullet_lines", ">", p.max_bullet_lines_ratio),
            ("ellipsis_lines", ">", p.max_ellipsis_lines_ratio),
            ("alpha_words", "<", p.max_non_alpha_words_ratio),
            ("stop_words", "<", p.min_stop_words),
        ],
    )


def c4_verdict(stats: dict[str, float], failure: str | None, p: C4Params) -> Drop | None:
    if failure:
        return Drop(f"{Reason.QUALITY_C4}.{failure}", f"c4:{failure}")
    if p.min_num_sentences != -1 and stats["c4.sentences"] < p.min_num_sentences:
        return _drop("c4", "sentences", stats["c4.sentences"], "<", p.min_num_sentences)
    return None


def fineweb_verdict(stats: dict[str, float], p: FineWebParams) -> Drop | None:
    if "fineweb.empty" in stats:
        return Drop(f"{Reason.QUALITY_FINEWEB}.empty", "fineweb:empty")
    punct = stats["fineweb.line_punct"]
    judged = stats["fineweb.lines"] >= p.line_punct_min_lines
    if judged and punct < p.line_punct_thr and not (punct == 0 and p.line_punct_exclude_zero):
        return _drop("fineweb", "line_punct", punct, "<", p.line_punct_thr)
    for rule, bound in (
        ("short_lines", p.short_line_thr),
        ("char_dup", p.char_duplicates_ratio),
        ("new_line_ratio", p.new_line_ratio),
    ):
        if stats[f"fineweb.{rule}"] > bound:
            return _drop("fineweb", rule, stats[f"fineweb.{rule}"], ">", bound)
    return None
