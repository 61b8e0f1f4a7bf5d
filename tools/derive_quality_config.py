"""Writes `filters/quality/configs/<lang>.yaml`: published thresholds first, corpus-derived adjustments second.

Re-run it after changing the corpus, the extractor or a published figure:

    python -m eurocurate.tools.derive_quality_config --corpus $EUROCURATE_CORPUS [--write]

1. Published figures: FineWeb-2's per-language files (`configs/<iso3>_<script>.yml` of
   huggingface/fineweb-2, applied as its `fineweb-2-pipeline.py` does: Gopher repetition with the
   paragraph rules off, FineWeb quality with the short-line rule off and char_duplicates_ratio 0.1,
   Gopher quality with the language's stop words, no C4) for the 23 languages it covers; FineWeb's
   English settings (datatrove `examples/fineweb.py`) for English.
2. Derived: the corpus pages (extracted and language-identified by this project) labelled
   `quality: ok` in truth.jsonl are measured per language; a published bound that drops more than
   `--budget` of one language's ok pages on its own is moved to the ok pages' `budget` quantile, and
   the file records the published value, the new one and why (`derived:`). Low-quality pages are
   printed next to it: a relaxation that lets them through shows up there.
Without `--write` it only prints what it would change.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from eurocurate.filters.quality.params import DEFAULT_CONFIG, GopherQualityParams, LanguageQualityConfig
from eurocurate.filters.quality.signals import (
    TextSignals,
    apply_c4,
    measure_fineweb,
    measure_gopher_quality,
    measure_gopher_repetition,
)
from eurocurate.filters.quality.step import assess_quality
from eurocurate.schema import EU24
from eurocurate.tools.corpus_view import content_warcs, extracted_and_identified
from eurocurate.tools.heldout_folds import FOLDS, assign_folds, read_truth

CONFIG_DIR = Path(__file__).resolve().parents[1] / "filters" / "quality" / "configs"
FW2_REPO = "huggingface/fineweb-2"
FW2_PIPELINE = "fineweb-2-pipeline.py"

# FineWeb-2 configs/<code>.yml, by the commit of the file that was read. Values copied as published.
_AT_BAEDEE = "baedee44633384b26d433b68f88cb73cc0915d1a"
_AT_05E672 = "05e6729567a5df985fbd814e862c48f796feb09f"
_FW2: dict[str, tuple[str, str, dict]] = {
    "bg": ("bul_Cyrl", _AT_BAEDEE, dict(dup_line_frac=0.35, dup=[0.205, 0.185, 0.165, 0.149, 0.136, 0.126],
        top=[0.086, 0.109, 0.127], line_punct_thr=0.273, max_avg=9, min_avg=3, non_alpha=0.756, new_line=0.18,
        stop=["на", "и", "в", "е", "от", "за", "се", "г.", "с", "през", "да", "по"])),
    "hr": ("hrv_Latn", _AT_BAEDEE, dict(dup_line_frac=0.333, dup=[0.208, 0.188, 0.171, 0.157, 0.145, 0.134],
        top=[0.097, 0.122, 0.147], line_punct_thr=0.2, max_avg=11, min_avg=3, non_alpha=0.751, new_line=0.26,
        stop=["je", "u", "i", "se", "na", "su", "za", "od", "s", "a"])),
    "cs": ("ces_Latn", _AT_BAEDEE, dict(dup_line_frac=0.333, dup=[0.193, 0.175, 0.157, 0.144, 0.132, 0.121],
        top=[0.095, 0.121, 0.144], line_punct_thr=0.125, max_avg=11, min_avg=3, non_alpha=0.781, new_line=0.233,
        stop=["v", "a", "se", "na", "je", "z", "s", "do"])),
    "da": ("dan_Latn", _AT_05E672, dict(dup_line_frac=0.305, dup=[0.169, 0.158, 0.147, 0.134, 0.123, 0.112],
        top=[0.367, 0.297, 0.232], line_punct_thr=0.1, max_avg=11, min_avg=3, non_alpha=0.798, new_line=0.182,
        stop=["i", "og", "af", "en", "til", "er", "den", "at", "som", "på", "for", "med", "det", "blev", "var", "der",
        "fra", "de", "han", "et"])),
    "nl": ("nld_Latn", _AT_BAEDEE, dict(dup_line_frac=0.333, dup=[0.177, 0.16, 0.145, 0.133, 0.123, 0.112],
        top=[0.093, 0.117, 0.14], line_punct_thr=0.238, max_avg=16, min_avg=3, non_alpha=0.828, new_line=0.194,
        stop=["de", "van", "in", "het", "een", "en", "is", "op", "voor", "met", "door", "zijn", "werd", "hij",
        "uit"])),
    "et": ("ekk_Latn", _AT_05E672, dict(dup_line_frac=0.363, dup=[0.172, 0.161, 0.15, 0.139, 0.125, 0.113],
        top=[0.345, 0.268, 0.215], line_punct_thr=0.143, max_avg=13, min_avg=3, non_alpha=0.722, new_line=0.213,
        stop=["ja", "on", "oli", "ta", "aastal", "eesti", "ka", "ning", "et", "mis", "kui", "aasta", "ei", "või",
        "see", "oma", "tema"])),
    "fi": ("fin_Latn", _AT_BAEDEE, dict(dup_line_frac=0.333, dup=[0.171, 0.149, 0.131, 0.119, 0.106, 0.094],
        top=[0.101, 0.132, 0.163], line_punct_thr=0.25, max_avg=13, min_avg=4, non_alpha=0.755, new_line=0.219,
        stop=["ja", "on", "oli", "hän", "vuonna", "myös", "joka", "se", "ei", "sen", "ovat", "sekä", "mutta", "että",
        "tai", "vuoden", "kanssa", "hänen", "s.", "jälkeen", "the"])),
    "fr": ("fra_Latn", _AT_05E672, dict(dup_line_frac=0.264, dup=[0.15, 0.141, 0.131, 0.121, 0.111, 0.1], top=[0.161,
        0.149, 0.134], line_punct_thr=0.1, max_avg=11, min_avg=2, non_alpha=0.812, new_line=0.185, stop=["de", "la",
        "le", "et", "à", "en", "l'", "des", "du", "les", "est", "d'", "un", "une", "il", "dans", "par", "au"])),
    "de": ("deu_Latn", _AT_05E672, dict(dup_line_frac=0.263, dup=[0.141, 0.134, 0.126, 0.117, 0.108, 0.098],
        top=[0.169, 0.153, 0.137], line_punct_thr=0.0, max_avg=15, min_avg=0, non_alpha=0.774, new_line=0.152,
        stop=["der", "und", "die", "in", "von", "im", "den", "des", "mit", "das", "er", "dem", "als", "wurde",
        "für"])),
    "el": ("ell_Grek", _AT_05E672, dict(dup_line_frac=0.31, dup=[0.174, 0.163, 0.153, 0.142, 0.13, 0.119], top=[0.194,
        0.175, 0.156], line_punct_thr=0.167, max_avg=11, min_avg=3, non_alpha=0.809, new_line=0.116, stop=["του",
        "και", "το", "της", "η", "την", "από", "ο", "με", "τον", "να", "που", "των", "στην", "για", "στο", "σε",
        "είναι", "τη", "τα", "οι"])),
    "hu": ("hun_Latn", _AT_05E672, dict(dup_line_frac=0.322, dup=[0.169, 0.159, 0.148, 0.136, 0.124, 0.112],
        top=[0.226, 0.198, 0.172], line_punct_thr=0.067, max_avg=15, min_avg=3, non_alpha=0.766, new_line=0.231,
        stop=["a", "az", "és", "is", "egy", "volt", "hogy", "nem", "meg", "de", "magyar", "első", "el", "között"])),
    "ga": ("gle_Latn", _AT_05E672, dict(dup_line_frac=0.395, dup=[0.203, 0.181, 0.181, 0.155, 0.145, 0.132],
        top=[0.533, 0.421, 0.379], line_punct_thr=0.0, max_avg=11, min_avg=2, non_alpha=0.816, new_line=0.214,
        stop=["an", "a", "na", "agus", "ar", "i", "is", "le", "sa", "go", "é", "ag", "sé", "bhí", "de"])),
    "it": ("ita_Latn", _AT_05E672, dict(dup_line_frac=0.246, dup=[0.144, 0.136, 0.127, 0.118, 0.109, 0.1], top=[0.198,
        0.156, 0.133], line_punct_thr=0.025, max_avg=21, min_avg=3, non_alpha=0.807, new_line=0.2, stop=["di", "e",
        "il", "la", "in", "a", "del", "che", "è", "della", "un", "per", "nel", "l'", "con", "da", "i", "una"])),
    "lv": ("lvs_Latn", _AT_BAEDEE, dict(dup_line_frac=0.364, dup=[0.199, 0.177, 0.157, 0.142, 0.124, 0.11],
        top=[0.147, 0.162, 0.178], line_punct_thr=0.2, max_avg=13, min_avg=3, non_alpha=0.727, new_line=0.222,
        stop=["un", "ir", "no", "ar", "gadā", "gada", "par", "bija", "arī"])),
    "lt": ("lit_Latn", _AT_BAEDEE, dict(dup_line_frac=0.353, dup=[0.213, 0.19, 0.173, 0.159, 0.147, 0.136],
        top=[0.098, 0.126, 0.152], line_punct_thr=0.273, max_avg=11, min_avg=3, non_alpha=0.688, new_line=0.25,
        stop=["m", "ir", "buvo", "į", "nuo", "iš", "d", "su", "yra", "lietuvos", "a", "iki", "o", "kaip", "kad",
        "apie", "po", "km"])),
    "mt": ("mlt_Latn", _AT_BAEDEE, dict(dup_line_frac=0.458, dup=[0.267, 0.232, 0.207, 0.189, 0.171, 0.149],
        top=[0.533, 0.607, 0.596], line_punct_thr=0.2, max_avg=12, min_avg=4, non_alpha=0.823, new_line=0.207,
        stop=["l-", "tal-", "u", "ta'", "il-", "li", "fl-", "fil-", "mill-"])),
    "pl": ("pol_Latn", _AT_BAEDEE, dict(dup_line_frac=0.353, dup=[0.203, 0.182, 0.163, 0.15, 0.137, 0.126],
        top=[0.096, 0.12, 0.144], line_punct_thr=0.2, max_avg=11, min_avg=3, non_alpha=0.726, new_line=0.209,
        stop=["w", "i", "na", "z", "do", "się", "roku", "od", "a", "jest", "przez", "po", "jako", "oraz", "o",
        "został", "był", "nie"])),
    "pt": ("por_Latn", _AT_BAEDEE, dict(dup_line_frac=0.325, dup=[0.19, 0.172, 0.154, 0.142, 0.131, 0.12],
        top=[0.093, 0.117, 0.139], line_punct_thr=0.154, max_avg=13, min_avg=3, non_alpha=0.814, new_line=0.23,
        stop=["de", "a", "e", "o", "em", "do", "da", "que", "um", "no", "uma", "com", "para", "na", "é", "foi"])),
    "ro": ("ron_Latn", _AT_05E672, dict(dup_line_frac=0.289, dup=[0.16, 0.149, 0.138, 0.127, 0.117, 0.106],
        top=[0.161, 0.146, 0.131], line_punct_thr=0.081, max_avg=14, min_avg=1, non_alpha=0.779, new_line=0.207,
        stop=["de", "în", "a", "și", "din", "la", "o", "cu", "este", "un", "pe", "fost", "care", "al"])),
    "sk": ("slk_Latn", _AT_05E672, dict(dup_line_frac=0.319, dup=[0.176, 0.165, 0.152, 0.14, 0.127, 0.115],
        top=[0.316, 0.218, 0.171], line_punct_thr=0.0, max_avg=11, min_avg=2, non_alpha=0.752, new_line=0.214,
        stop=["v", "a", "na", "sa", "je", "z", "roku", "s"])),
    "sl": ("slv_Latn", _AT_05E672, dict(dup_line_frac=0.317, dup=[0.17, 0.158, 0.146, 0.135, 0.123, 0.111],
        top=[0.262, 0.225, 0.189], line_punct_thr=0.045, max_avg=12, min_avg=2, non_alpha=0.781, new_line=0.273,
        stop=["je", "v", "in", "na", "so", "se", "ki", "za", "leta", "z"])),
    "es": ("spa_Latn", _AT_BAEDEE, dict(dup_line_frac=0.265, dup=[0.152, 0.137, 0.123, 0.114, 0.107, 0.099],
        top=[0.077, 0.097, 0.112], line_punct_thr=0.3, max_avg=14, min_avg=4, non_alpha=0.825, new_line=0.171,
        stop=["de", "la", "en", "el", "y", "a", "que", "del", "los", "se", "por", "un", "con", "una", "las", "su"])),
    "sv": ("swe_Latn", _AT_05E672, dict(dup_line_frac=0.292, dup=[0.156, 0.147, 0.136, 0.125, 0.116, 0.105],
        top=[0.242, 0.195, 0.174], line_punct_thr=0.2, max_avg=12, min_avg=3, non_alpha=0.841, new_line=0.135,
        stop=["i", "och", "är", "av", "en", "som", "den", "med", "på", "till", "att", "för"])),
}  # fmt: skip


_RO_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def published_config(lang: str) -> dict:
    """The configuration as published, before any corpus adjustment."""
    if lang == "en":
        return {
            "source": "FineWeb's English settings (datatrove examples/fineweb.py): Gopher repetition and quality "
            "defaults, C4 without the terminal-punctuation line rule, FineWeb quality defaults",
            "order": ["gopher_repetition", "gopher_quality", "c4", "fineweb"],
            "c4": {"filter_no_terminal_punct": False},
        }
    if lang == DEFAULT_CONFIG:
        return {
            "source": "Documents whose language is unknown: FineWeb's language-independent rules (no stop words, "
            "no English C4 phrases)",
            "order": ["gopher_repetition", "gopher_quality", "fineweb"],
            "gopher_quality": {"min_stop_words": None},
            "c4": {"enabled": False},
        }
    code, commit, f = _FW2[lang]
    stop = list(f["stop"])
    if lang == "ro":  # Romanian is still often written with the legacy cedilla letters (ş ţ for ș ț)
        stop += [w.translate(_RO_CEDILLA) for w in stop if w.translate(_RO_CEDILLA) != w]
    return {
        "source": f"FineWeb-2 {FW2_REPO}@{commit[:12]} configs/{code}.yml, applied as {FW2_PIPELINE} does",
        "order": ["gopher_repetition", "fineweb", "gopher_quality"],
        "gopher_repetition": {
            "dup_para_frac": 0, "dup_line_char_frac": 0, "dup_para_char_frac": 0, "dup_line_frac": f["dup_line_frac"],
            "top_n_grams": dict(zip([2, 3, 4], f["top"])), "dup_n_grams": dict(zip(range(5, 11), f["dup"])),
        },
        "fineweb": {"short_line_thr": 999, "char_duplicates_ratio": 0.1, "line_punct_thr": f["line_punct_thr"],
                    "new_line_ratio": f["new_line"]},
        "gopher_quality": {
            "max_avg_word_length": f["max_avg"], "min_avg_word_length": f["min_avg"], "stop_words": stop,
            "max_non_alpha_words_ratio": f["non_alpha"], "min_stop_words": 2,
        },
        "c4": {"enabled": False},
    }  # fmt: skip


def measure_all(text: str, lang: str, cfg: LanguageQualityConfig) -> dict[str, float]:
    """Every statistic of every enabled family, without stopping at the first failure."""
    stats: dict[str, float] = {}
    signals = TextSignals(text, lang)
    for family in cfg.order:
        if family == "gopher_repetition" and cfg.gopher_repetition.enabled:
            stats.update(measure_gopher_repetition(signals, cfg.gopher_repetition))
        elif family == "gopher_quality" and cfg.gopher_quality.enabled:
            stats.update(measure_gopher_quality(signals, cfg.gopher_quality))
        elif family == "c4" and cfg.c4.enabled:
            c4_stats, _, kept = apply_c4(signals, cfg.c4)
            stats.update(c4_stats)
            if cfg.c4.edit_text and kept:
                signals = TextSignals(kept, lang)
        elif family == "fineweb" and cfg.fineweb.enabled:
            stats.update(measure_fineweb(signals, cfg.fineweb))
    return stats


# (family, parameter path, statistic, '<' drops below / '>' drops above) of the bounds the tool may move.
_ADJUSTABLE: tuple[tuple[str, tuple, str, str], ...] = (
    ("gopher_repetition", ("dup_line_frac",), "gopher_repetition.dup_line_frac", ">"),
    *(("gopher_repetition", ("top_n_grams", n), f"gopher_repetition.top_{n}_gram", ">") for n in (2, 3, 4)),
    *(("gopher_repetition", ("dup_n_grams", n), f"gopher_repetition.dup_{n}_gram", ">") for n in range(5, 11)),
    ("gopher_quality", ("min_doc_words",), "gopher_quality.n_words", "<"),
    ("gopher_quality", ("min_avg_word_length",), "gopher_quality.mean_word_length", "<"),
    ("gopher_quality", ("max_avg_word_length",), "gopher_quality.mean_word_length", ">"),
    ("gopher_quality", ("max_non_alpha_words_ratio",), "gopher_quality.alpha_words", "<"),
    ("gopher_quality", ("max_ellipsis_lines_ratio",), "gopher_quality.ellipsis_lines", ">"),
    ("c4", ("min_num_sentences",), "c4.sentences", "<"),
    ("fineweb", ("line_punct_thr",), "fineweb.line_punct", "<"),
    ("fineweb", ("new_line_ratio",), "fineweb.new_line_ratio", ">"),
    ("fineweb", ("short_line_thr",), "fineweb.short_lines", ">"),
    ("fineweb", ("char_duplicates_ratio",), "fineweb.char_dup", ">"),
)


def _get(raw_cfg: LanguageQualityConfig, family: str, path: tuple):
    obj = getattr(getattr(raw_cfg, family), path[0])
    return obj.get(path[1]) if len(path) == 2 else obj


def _set(raw: dict, family: str, path: tuple, value) -> None:
    node = raw.setdefault(family, {})
    if len(path) == 2:
        # a table (n -> bound) the file does not list starts from the defaults: setting one entry keeps the others
        node = node.setdefault(path[0], dict(getattr(getattr(LanguageQualityConfig(), family), path[0])))
    node[path[-1]] = value


# Share of the ok pages (a language's, and all languages' relative to their bounds) one rule may drop before it
# moves: chosen by the k-fold among 0.5% and 0.2% (held-out ok kept 98.2% and 98.5%, low-quality dropped 73/73
# both); all languages' pages number ~2,500 per rotation, so 0.2% is a failure mode seen on 5 of them.
BUDGET = 0.002
# Share of the way from the ok pages' quantile to the loosening limit that a moved bound goes: the quantile of
# the derive folds' pages is exceeded by held-out pages of the same kinds (k-fold: tools/quality_crossval.py).
REACH = 0.5
# Statistics that are shares (0..1): a loosened upper bound stays at most half-way from the published value to 1.
_UNBOUNDED = frozenset({"gopher_quality.mean_word_length", "fineweb.new_line_ratio"})


def loosening_limit(bound: float, stat: str, op: str) -> float:
    """The loosest value a derived bound may take: half-way from the published `bound` to the end of the
    statistic's range (0 for lower bounds, 1 for shares, twice the bound for open-ended statistics)."""
    if op == "<":
        return bound / 2
    return bound * 2 if stat in _UNBOUNDED else (bound + 1) / 2


@cache
def published_stats(text: str, lang: str) -> dict[str, float]:
    """`measure_all` under the language's published configuration (cached: every rotation reads the same pages)."""
    return measure_all(text, lang, config_of(published_config(lang)))


Excess = dict[str, tuple[float, float]]  # rule -> (share of pages failing, the budget quantile of value / bound)


def pooled_excess(ok_texts_by_lang: dict[str, list[str]], budget: float) -> Excess:
    """Every language's ok pages together, each statistic relative to its own language's published bound:
    a kind of page (documentation with code, menus, templated phrases) fails the same rules in every
    language, and a language's own pages may show a failure mode only once. Per adjustable rule: the share
    of pages the published bounds drop, and the `budget` quantile of value / bound."""
    ratios: dict[str, list[float]] = defaultdict(list)
    for lang, texts in ok_texts_by_lang.items():
        cfg = config_of(published_config(lang))
        for family, path, stat, _ in _ADJUSTABLE:
            bound = _get(cfg, family, path) if getattr(cfg, family).enabled else None
            if not bound or isinstance(bound, bool):
                continue
            for text in texts:
                stats = published_stats(text, lang)
                value = stats.get(stat)
                if value is not None and math.isfinite(value) and _judged(stats, stat, cfg):
                    ratios[_rule(family, path)].append(value / bound)
    out: Excess = {}
    stop_failing = [_stop_words_short(lang, texts) for lang, texts in ok_texts_by_lang.items() if texts]
    if stop_failing:  # (pages failing, pages): the stop-word rule has no bound to scale, only a share
        failing, pages = map(sum, zip(*stop_failing))
        out[STOP_WORDS_RULE] = (failing / pages if pages else 0.0, 1.0)
    for family, path, _, op in _ADJUSTABLE:
        values = np.array(ratios.get(_rule(family, path), []))
        if len(values):
            failing = float((values < 1).mean() if op == "<" else (values > 1).mean())
            q = np.quantile(values, budget, method="lower") if op == "<" else np.quantile(values, 1 - budget)
            out[_rule(family, path)] = (failing, float(q))
    return out


def _judged(stats: dict[str, float], stat: str, cfg: LanguageQualityConfig) -> bool:
    """Whether the rule reading `stat` judges this page at all (the line-punctuation share is not read on
    pages of fewer than `line_punct_min_lines` lines)."""
    return stat != "fineweb.line_punct" or stats.get("fineweb.lines", 0) >= cfg.fineweb.line_punct_min_lines


def _rule(family: str, path: tuple) -> str:
    return f"{family}.{'.'.join(map(str, path))}"


def derive(
    lang: str, ok_texts: list[str], budget: float, reach: float = REACH, pooled: Excess | None = None
) -> tuple[dict, list[dict]]:
    """(configuration to write, the adjustments made) for one language, from its `quality: ok` pages and,
    with `pooled`, every language's (`pooled_excess`): a bound moves when either drops more than `budget`."""
    raw = published_config(lang)
    cfg = LanguageQualityConfig.model_validate({k: v for k, v in raw.items() if k != "source"})
    if not ok_texts:
        return raw, []
    stats = [published_stats(t, lang) for t in ok_texts]
    changes = []
    for family, path, stat, op in _ADJUSTABLE:
        if not getattr(cfg, family).enabled:
            continue
        bound = _get(cfg, family, path)
        values = np.array([s[stat] for s in stats if stat in s and math.isfinite(s[stat]) and _judged(s, stat, cfg)])
        if not bound or not len(values):
            continue
        failing = float((values < bound).mean() if op == "<" else (values > bound).mean())
        pooled_failing, ratio = (pooled or {}).get(_rule(family, path), (0.0, 1.0))
        if failing <= budget and pooled_failing <= budget:
            continue
        # an observed value ("lower"/"higher"): at most `budget` of the ok pages (this language's, and all
        # languages' relative to their bounds) fail it; never looser than `loosening_limit`; then `reach` of
        # the way on towards that limit, rounded inwards
        limit = loosening_limit(bound, stat, op)
        if op == "<":
            observed = min(float(np.quantile(values, budget, method="lower")), bound * ratio)
            new = max(limit, min(bound, observed))
            new = float(np.ceil((new - reach * (new - limit)) * 1000) / 1000)
            new = int(math.ceil(new)) if path in (("min_doc_words",), ("min_num_sentences",)) else new
        else:
            observed = max(float(np.quantile(values, 1 - budget, method="higher")), bound * ratio)
            new = min(limit, max(bound, observed))
            new = float(np.floor((new + reach * (limit - new)) * 1000) / 1000)
        if new == bound:
            continue
        _set(raw, family, path, new)
        changes.append({"rule": _rule(family, path), "published": bound, "derived": new,
                        "ok_pages_failing_published": round(failing, 4), "ok_pages": len(values),
                        "all_languages_failing_published": round(pooled_failing, 4)})  # fmt: skip
    changes += _derive_stop_words(raw, cfg, lang, ok_texts, budget, (pooled or {}).get(STOP_WORDS_RULE, (0.0, 1.0))[0])
    if cfg.c4.enabled and cfg.c4.filter_curly_bracket:
        failing = sum(apply_c4(TextSignals(t, lang), cfg.c4)[1] == "curly_bracket" for t in ok_texts) / len(ok_texts)
        if failing > budget:  # help pages and technical articles quote code
            _set(raw, "c4", ("filter_curly_bracket",), False)
            changes.append({"rule": "c4.filter_curly_bracket", "published": True, "derived": False,
                            "ok_pages_failing_published": round(failing, 4), "ok_pages": len(ok_texts)})  # fmt: skip
    return raw, changes


def apply_changes(lang: str, changes: list[dict]) -> dict:
    """The published configuration of `lang` with `changes` (entries of `derive`'s list) applied."""
    raw = published_config(lang)
    for change in changes:
        family, *rest = change["rule"].split(".")
        path = tuple(int(x) if x.isdigit() else x for x in rest)
        if change["rule"] == "gopher_quality.stop_words":
            node = raw.setdefault("gopher_quality", {})
            node["stop_words"] = list(node.get("stop_words", GopherQualityParams().stop_words)) + change["added"]
        else:
            _set(raw, family, path, change["derived"])
    return raw


def config_of(raw: dict) -> LanguageQualityConfig:
    return LanguageQualityConfig.model_validate(
        {k: v for k, v in raw.items() if k not in ("source", "derived", "derived_changes", "held_out")}
    )


STOP_WORDS_RULE = "gopher_quality.stop_words"


def _stop_words_short(lang: str, texts: list[str]) -> tuple[int, int]:
    """(pages with fewer distinct stop words than `lang`'s published configuration asks, pages)."""
    p = config_of(published_config(lang)).gopher_quality
    if not p.enabled or not p.min_stop_words:
        return 0, 0
    stop = set(p.stop_words)
    return sum(len(stop.intersection(_token_set(t, lang))) < p.min_stop_words for t in texts), len(texts)


@cache
def _token_set(text: str, lang: str) -> frozenset[str]:
    return frozenset(TextSignals(text, lang).words)


def _derive_stop_words(
    raw: dict, cfg: LanguageQualityConfig, lang: str, ok_texts: list[str], budget: float, pooled_failing: float = 0.0
) -> list[dict]:
    """Adds the ok pages' most widespread short words to the stop-word list until the rule drops at
    most `budget` of them (published lists come from encyclopaedic text: 'roku', 'aastal', 'lietuvos').

    When this language's pages pass but every language's pages together (`pooled_failing`, each against
    its own published list) fail more than `budget`, the kind of page that falls short exists and this
    language's sample did not show it: words are then added until at most `budget` of its pages are
    within one stop word of the minimum, the margin such a page lacks."""
    p = cfg.gopher_quality
    if not p.enabled or not p.min_stop_words:
        return []
    token_sets = [_token_set(t, lang) for t in ok_texts]
    stop = list(p.stop_words)

    def failing(minimum: int = p.min_stop_words) -> float:
        s = set(stop)
        return sum(len(s & toks) < minimum for toks in token_sets) / len(token_sets)

    before = failing()
    if before <= budget and pooled_failing <= budget:
        return []
    target = p.min_stop_words if before > budget else p.min_stop_words + 1
    df = Counter(w for toks in token_sets for w in toks if w.isalpha() and w.islower() and len(w) <= 4)
    added = []
    # most widespread first, ties by the word: `Counter.most_common` breaks them by insertion order, which follows
    # the sets' iteration order, so the hash seed chose the list
    for word, _ in sorted(df.items(), key=lambda item: (-item[1], item[0]))[:60]:
        if failing(target) <= budget or len(added) >= 20:
            break
        if word not in stop:
            stop.append(word)
            added.append(word)
    if not added:
        return []
    _set(raw, "gopher_quality", ("stop_words",), stop)
    return [{"rule": STOP_WORDS_RULE, "published": f"{len(p.stop_words)} words", "derived": f"+{added}",
             "added": added, "ok_pages_failing_published": round(before, 4), "ok_pages": len(token_sets),
             "all_languages_failing_published": round(pooled_failing, 4)}]  # fmt: skip


def corpus_documents(corpus: Path, work: Path, reuse: bool = False) -> list[dict]:
    """The corpus pages as the pipeline sees them (extracted, language-identified), with their truth and
    held-out fold (`tools/heldout_folds.py`)."""
    truth_rows = read_truth(corpus)
    truth = {row["record_id"]: row for row in truth_rows}
    folds = assign_folds(truth_rows)
    docs = []
    for doc in extracted_and_identified(content_warcs(corpus), work, reuse=reuse):
        t = truth.get(doc.get("warc_record_id"))
        if t is not None:
            docs.append({"text": doc["text"], "lang": doc["lang"], "quality": t["quality"],
                         "low_reason": t.get("low_reason"), "record_id": t["record_id"],
                         "gold_lang": t.get("gold_lang"), "fold": folds[t["record_id"]]})  # fmt: skip
    return docs


@dataclass
class HeldOut:
    """One language's k-fold evidence: every page judged by a configuration derived without its fold."""

    ok_pages: int = 0
    low_pages: int = 0
    ok_kept_published: int = 0
    low_dropped_published: int = 0
    ok_kept: int = 0
    low_dropped: int = 0
    supported: list[str] = field(default_factory=list)  # rules whose change kept held-out ok pages
    unsupported: list[str] = field(default_factory=list)  # changes that kept none, or let a low page through
    still_dropped: Counter = field(default_factory=Counter)  # reasons of the held-out ok pages still dropped

    def as_yaml(self, budget: float, folds: int) -> dict:
        return {
            "method": f"{folds}-fold: each fold's pages judged by the published values changed as derived (budget "
            f"{budget:.1%}, every language's pages of those folds pooled) on the other {folds - 1} folds "
            "(tools/heldout_folds.py, tools/quality_crossval.py); a change is kept only where it kept held-out ok "
            "pages and dropped no fewer low-quality pages",
            "ok_pages": self.ok_pages,
            "ok_kept_published": _share(self.ok_kept_published, self.ok_pages),
            "ok_kept": _share(self.ok_kept, self.ok_pages),
            "low_pages": self.low_pages,
            "low_dropped_published": self.low_dropped_published,
            "low_dropped": self.low_dropped,
            "supported_changes": self.supported,
            "unsupported_changes": self.unsupported,
        }


def _share(n: int, d: int) -> float:
    return round(n / d, 4) if d else 1.0


def _kept(texts: list[str], lang: str, cfg: LanguageQualityConfig) -> list[bool]:
    return [assess_quality(t, lang, cfg).drop is None for t in texts]


def pooled_by_fold(by_lang: dict[str, list[dict]], budget: float, folds: int = FOLDS) -> dict[int | None, Excess]:
    """`pooled_excess` of every language's ok pages outside each fold (key None: of all of them)."""
    out: dict[int | None, Excess] = {}
    for f in [*range(folds), None]:
        texts = {
            lang: [d["text"] for d in docs if d["quality"] == "ok" and d["fold"] != f]
            for lang, docs in by_lang.items()
            if lang in EU24
        }
        out[f] = pooled_excess(texts, budget)
    return out


def cross_validate(
    lang: str,
    docs: list[dict],
    budget: float,
    folds: int = FOLDS,
    reach: float = REACH,
    pooled: dict[int | None, Excess] | None = None,
) -> HeldOut:
    """k-fold evidence for `lang`'s derived changes (docs: `corpus_documents` rows labelled `lang`; pooled:
    `pooled_by_fold` of every language's rows, none of them from the held-out fold)."""
    ok = [d for d in docs if d["quality"] == "ok"]
    low = [d for d in docs if d["quality"] == "low"]
    published = config_of(published_config(lang))
    rotations = []  # (changes derived without fold f, held-out ok texts, held-out low texts)
    for f in range(folds):
        _, changes = derive(lang, [d["text"] for d in ok if d["fold"] != f], budget, reach, (pooled or {}).get(f))
        rotations.append(
            (changes, [d["text"] for d in ok if d["fold"] == f], [d["text"] for d in low if d["fold"] == f])
        )
    # ablation: what each change does on the held-out folds, the other changes of its rotation in place
    gain: Counter = Counter()
    cost: Counter = Counter()
    for changes, ok_texts, low_texts in rotations:
        full = config_of(apply_changes(lang, changes))
        ok_full, low_full = sum(_kept(ok_texts, lang, full)), sum(_kept(low_texts, lang, full))
        for change in changes:
            without = config_of(apply_changes(lang, [c for c in changes if c is not change]))
            gain[change["rule"]] += ok_full - sum(_kept(ok_texts, lang, without))
            cost[change["rule"]] += low_full - sum(_kept(low_texts, lang, without))
    out = HeldOut(ok_pages=len(ok), low_pages=len(low))
    out.supported = sorted(r for r in gain if gain[r] > 0 and cost[r] <= 0)
    out.unsupported = sorted(r for r in gain if r not in out.supported)
    for changes, ok_texts, low_texts in rotations:
        cfg = config_of(apply_changes(lang, [c for c in changes if c["rule"] in out.supported]))
        out.ok_kept_published += sum(_kept(ok_texts, lang, published))
        out.low_dropped_published += len(low_texts) - sum(_kept(low_texts, lang, published))
        verdicts = [assess_quality(t, lang, cfg).drop for t in ok_texts]
        out.ok_kept += sum(v is None for v in verdicts)
        out.still_dropped.update(v.reason for v in verdicts if v is not None)
        out.low_dropped += len(low_texts) - sum(_kept(low_texts, lang, cfg))
    return out


def derive_supported(
    lang: str, docs: list[dict], budget: float, held_out: HeldOut, pooled: Excess | None = None, folds: int = FOLDS
) -> dict:
    """The configuration to write: derived on every fold, only the changes the held-out folds supported,
    with the evidence."""
    _, changes = derive(lang, [d["text"] for d in docs if d["quality"] == "ok"], budget, pooled=pooled)
    kept = [c for c in changes if c["rule"] in held_out.supported]
    raw = apply_changes(lang, kept)
    if kept:
        raw["derived"] = (
            f"bounds below moved where the published value dropped more than {budget:.1%} of this language's "
            "`quality: ok` pages of the eu24-dev corpus, or of every language's relative to their own bounds: to that "
            f"{budget:.1%} quantile, then {REACH:.0%} of the way on to the loosening limit (half-way to the end of the "
            "statistic's range), never past it; kept only where the held-out folds supported the change (held_out; "
            "tools/derive_quality_config.py)"
        )
        raw["derived_changes"] = kept
    raw["held_out"] = held_out.as_yaml(budget, folds)
    return raw


_PROBE_CHARS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»“”„‘’…–—°€£§©®™•·"


def probe_spacy_tokenizer(lang: str) -> tuple[str, str, str, str, str]:
    """The character classes of datatrove's word tokenizer for `lang`, probed one character at a time:
    (prefixes, suffixes after a letter, suffixes after a digit, infixes after a letter or digit and before
    a letter, infixes between digits) — the table `filters/quality/words.py` carries."""
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    tok = load_word_tokenizer(lang).word_tokenize

    def splits(template: str) -> str:
        return "".join(c for c in _PROBE_CHARS if tok(template.format(c)) != [template.format(c)])

    # "xyzw": not an abbreviation in any language ("abc." is one in Slovenian)
    return splits("{}xyzw"), splits("xyzw{}"), splits("12{}"), splits("xyzw{}qrst"), splits("12{}34")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="The eu24-dev corpus folder (truth.jsonl, warc/).")
    ap.add_argument("--work", type=Path, help="Folder for the labelled corpus; reused when it already holds one.")
    ap.add_argument("--probe-tokenizers", action="store_true", help="Print the tokenizer character tables and stop.")
    ap.add_argument("--budget", type=float, default=BUDGET, help="Share of the ok pages one rule may drop.")
    ap.add_argument("--write", action="store_true", help=f"Write the files into {CONFIG_DIR}.")
    args = ap.parse_args(argv)
    if args.probe_tokenizers:
        for lang in sorted(set(EU24) - {"mt"}):  # datatrove tokenizes Maltese with stanza (a model download)
            print(f'    "{lang}": CharTable{probe_spacy_tokenizer(lang)!r},')
        return 0
    if args.corpus is None:
        ap.error("--corpus is required (or --probe-tokenizers)")
    by_lang = pages_by_language(labelled_documents(args.corpus, args.work))
    pooled = pooled_by_fold(by_lang, args.budget)
    for lang in [*sorted(EU24), DEFAULT_CONFIG]:
        if lang == DEFAULT_CONFIG:
            raw = published_config(lang)
        else:
            held_out = cross_validate(lang, by_lang[lang], args.budget, pooled=pooled)
            raw = derive_supported(lang, by_lang[lang], args.budget, held_out, pooled[None])
            print(format_held_out(lang, held_out))
        if args.write:
            text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120)
            (CONFIG_DIR / f"{lang}.yaml").write_text(
                "# Written by tools/derive_quality_config.py; see its docstring.\n" + text, encoding="utf-8"
            )
    return 0


def pages_by_language(docs: list[dict]) -> dict[str, list[dict]]:
    """The pages the thresholds are derived and judged on, by the language they were labelled: good pages
    whose label is their true language (or whose language the truth does not know; a page the language ID
    got wrong is its failure, not the quality rules'), and every low-quality page."""
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for d in docs:
        if d["quality"] == "low" or (d["quality"] == "ok" and d["gold_lang"] in (None, d["lang"])):
            by_lang[d["lang"]].append(d)
    return by_lang


def labelled_documents(corpus: Path, work: Path | None) -> list[dict]:
    """`corpus_documents` in `work` (reused when it holds a labelled corpus) or in a temporary folder."""
    if work is not None:
        work.mkdir(parents=True, exist_ok=True)
        return corpus_documents(corpus, work, reuse=True)
    with tempfile.TemporaryDirectory() as tmp:
        return corpus_documents(corpus, Path(tmp))


def format_held_out(lang: str, h: HeldOut) -> str:
    line = (
        f"{lang}: held-out ok kept {h.ok_kept}/{h.ok_pages} ({_share(h.ok_kept, h.ok_pages):.1%}; published "
        f"{_share(h.ok_kept_published, h.ok_pages):.1%}), low dropped {h.low_dropped}/{h.low_pages} (published "
        f"{h.low_dropped_published}); supported: {', '.join(h.supported) or '-'}"
    )
    if h.unsupported:
        line += f"; unsupported: {', '.join(h.unsupported)}"
    if h.still_dropped:
        line += f"; ok pages still dropped by: {dict(h.still_dropped)}"
    return line


if __name__ == "__main__":
    raise SystemExit(main())
