"""Parameters of the quality rule families and the per-language configuration files that set them.

Defaults are the published values of each family (Gopher: Rae et al. 2021, table A1; C4: Raffel et al.
2020; FineWeb: Penedo et al. 2024). `configs/<lang>.yaml` holds each EU language's values with their
source cited in the file; `load_language_config` merges file, user directory and inline overrides.
A value of `null` (or 0 where datatrove treats 0 as "off") disables that one rule.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eurocurate.config import SpecError

Family = Literal["gopher_repetition", "gopher_quality", "c4", "fineweb"]
FAMILIES: tuple[Family, ...] = ("gopher_repetition", "gopher_quality", "c4", "fineweb")
DEFAULT_CONFIG = "default"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(True, description="Apply this rule family.")


class GopherRepetitionParams(_Params):
    dup_line_frac: float | None = Field(0.3, description="Share of lines that repeat an earlier line, above: drop.")
    dup_para_frac: float | None = Field(0.3, description="Share of paragraphs (blank-line separated) repeated.")
    dup_line_char_frac: float | None = Field(0.2, description="Characters in repeated lines / all characters.")
    dup_para_char_frac: float | None = Field(0.2, description="Characters in repeated paragraphs / all characters.")
    top_n_grams: dict[int, float] = Field(
        {2: 0.2, 3: 0.18, 4: 0.16}, description="n -> max characters covered by the most frequent word n-gram."
    )
    dup_n_grams: dict[int, float] = Field(
        {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10},
        description="n -> max characters in word n-grams that occur more than once.",
    )


class GopherQualityParams(_Params):
    min_doc_words: int | None = Field(50, description="Fewer non-symbol words: drop.")
    max_doc_words: int | None = Field(100_000, description="More non-symbol words: drop.")
    min_avg_word_length: float | None = Field(3, description="Mean word length below: drop.")
    max_avg_word_length: float | None = Field(10, description="Mean word length above: drop.")
    max_symbol_word_ratio: float | None = Field(0.1, description="'#' or ellipses per word above: drop.")
    max_bullet_lines_ratio: float | None = Field(0.9, description="Share of lines starting with a bullet above: drop.")
    max_ellipsis_lines_ratio: float | None = Field(0.3, description="Share of lines ending with an ellipsis above.")
    max_non_alpha_words_ratio: float | None = Field(
        0.8, description="Share of words with a letter below this: drop (datatrove's name, kept for parity)."
    )
    min_stop_words: int | None = Field(2, description="Fewer distinct stop words than this: drop.")
    skip_code_lines: bool = Field(
        True,
        description="Bullet and ellipsis line shares count only lines that are not program code "
        "(`code_lines.is_code_line`); false: every line, as datatrove does.",
    )
    stop_words: list[str] = Field(
        ["the", "be", "to", "of", "and", "that", "have", "with"],
        description="The language's stop words (case-sensitive).",
    )


class C4Params(_Params):
    edit_text: bool = Field(True, description="Remove the lines the line rules reject from the kept text, as C4 does.")
    filter_no_terminal_punct: bool = Field(True, description="Remove lines not ending in . ? ! \" '.")
    min_num_sentences: int = Field(5, description="Fewer sentences in the kept lines: drop (-1: off).")
    min_words_per_line: int = Field(3, description="Remove lines with fewer words (-1: off).")
    max_word_length: int = Field(1000, description="Remove lines with a longer word (-1: off).")
    remove_citations: bool = Field(True, description="Strip [1], [edit], [citation needed].")
    filter_lorem_ipsum: bool = Field(True, description="'lorem ipsum' in a kept line: drop.")
    filter_javascript: bool = Field(True, description="Remove lines mentioning javascript.")
    filter_curly_bracket: bool = Field(True, description="'{' in a kept line: drop.")
    skip_code_lines: bool = Field(
        True,
        description="The curly-bracket rule does not read lines that are program code (`code_lines.is_code_line`): "
        "a '{' in a code sample of a documentation page or a programming post does not drop it; false: every "
        "line, as C4 and datatrove do.",
    )
    filter_policy: bool = Field(True, description="Remove lines with cookie/terms-of-use phrases.")
    policy_substrings: list[str] = Field(
        ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"],
        description="Lower-case phrases of the policy rule (the language's own in its config file).",
    )


class FineWebParams(_Params):
    line_punct_thr: float = Field(0.12, description="Share of lines ending in terminal punctuation below: drop.")
    line_punct_exclude_zero: bool = Field(False, description="Do not drop when that share is exactly 0.")
    line_punct_min_lines: int = Field(
        3,
        description="Pages with fewer non-empty lines are not judged by the line-punctuation share: on one or two "
        "lines it is the ending of the last line (a heading and one paragraph ending on a colon); 1: every page, "
        "as datatrove does.",
    )
    short_line_thr: float = Field(0.67, description="Share of lines of at most `short_line_length` characters above.")
    short_line_length: int = Field(30, description="Characters of a short line.")
    char_duplicates_ratio: float = Field(0.01, description="Characters in repeated lines / characters, above: drop.")
    new_line_ratio: float = Field(0.3, description="Newlines per word above: drop (list-like pages).")
    skip_code_lines: bool = Field(
        True,
        description="The line-punctuation share counts only lines that are not program code "
        "(`code_lines.is_code_line`: a Basic listing, a shell session); false: every line, as datatrove does.",
    )


class LanguageQualityConfig(BaseModel):
    """Everything the quality stage applies to documents of one language."""

    model_config = ConfigDict(extra="forbid")
    order: list[Family] = Field(
        list(FAMILIES), description="Families in the order they are applied; first failure decides."
    )
    gopher_repetition: GopherRepetitionParams = Field(default_factory=GopherRepetitionParams)
    gopher_quality: GopherQualityParams = Field(default_factory=GopherQualityParams)
    c4: C4Params = Field(default_factory=C4Params)
    fineweb: FineWebParams = Field(default_factory=FineWebParams)


def deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _strip_meta(raw: dict) -> dict:
    # `source:`, `derived:`, `derived_changes:` and `held_out:` document where the numbers come from; not parameters.
    return {k: v for k, v in raw.items() if k not in ("source", "derived", "derived_changes", "held_out")}


# libyaml's parser where PyYAML was built with it (the wheels are): the same safe loading, 6x less CPU on the
# 25 bundled files that every worker reads once (0.18 -> 0.03 s)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path | resources.abc.Traversable, what: str) -> dict:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as e:
        raise SpecError(f"{what}: not valid YAML ({e})") from e
    if not isinstance(raw, dict):
        raise SpecError(f"{what}: expected a mapping of rule families, got {type(raw).__name__}")
    return _strip_meta(raw)


@lru_cache(maxsize=1)
def bundled_configs() -> dict[str, dict]:
    """The configuration files shipped in `filters/quality/configs`, by language code."""
    folder = resources.files("eurocurate.filters.quality") / "configs"
    return {
        f.name[:-5]: _read_yaml(f, f"bundled quality config {f.name}")
        for f in folder.iterdir()
        if f.name.endswith(".yaml")
    }


def load_language_config(
    lang: str, config_dir: str | None = None, overrides: dict | None = None
) -> LanguageQualityConfig:
    """The configuration for `lang`: bundled file (or `default`), then `config_dir/<lang>.yaml`, then overrides."""
    bundled = bundled_configs()
    raw = bundled.get(lang, bundled[DEFAULT_CONFIG])
    if config_dir:
        user = Path(config_dir) / f"{lang}.yaml"
        if user.is_file():
            raw = deep_merge(raw, _read_yaml(user, str(user)))
    if overrides:
        raw = deep_merge(raw, overrides)
    try:
        return LanguageQualityConfig.model_validate(raw)
    except ValidationError as e:
        from eurocurate.config import describe_validation_errors

        where = f"quality configuration for '{lang}' (bundled file, config_dir, overrides merged)"
        raise SpecError(describe_validation_errors(where, e, LanguageQualityConfig)) from None
