"""The `quality_filter` stage: per-language Gopher, C4 and FineWeb rules, plus an optional model score.

`assess_quality` is the pure function (text, language, configuration) -> statistics, verdict and the
text after C4's line removal; `QualityFilter` wires it into the pipeline, picks each document's
configuration by its `lang` metadata and stores every statistic under `metadata["quality"]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from datatrove.data import Document
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.config import SpecError
from eurocurate.filters.quality.params import (
    DEFAULT_CONFIG,
    LanguageQualityConfig,
    load_language_config,
)
from eurocurate.filters.quality.params import (
    deep_merge as _merge,
)
from eurocurate.filters.quality.rules import (
    c4_verdict,
    fineweb_verdict,
    gopher_quality_verdict,
    gopher_repetition_verdict,
)
from eurocurate.filters.quality.signals import (
    TextSignals,
    apply_c4,
    measure_fineweb,
    measure_gopher_quality,
    measure_gopher_repetition,
)
from eurocurate.langid.languages import iso639_3_code, iso639_language
from eurocurate.langid.long_tail import KNOWN_CODES
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import EU24, Meta, Reason
from eurocurate.stage import Drop, LedgerStage

MODEL_SCORE_KEY = "model.score"


class QualityModelParams(BaseModel):
    """A fastText classifier (e.g. a FineWeb-Edu- or DCLM-style quality model) scoring each document."""

    model_config = ConfigDict(extra="forbid")
    path: str | None = Field(None, description="Local path of a fastText .bin/.ftz model; null: no model scoring.")
    label: str = Field("__label__hq", description="The label whose probability is the quality score.")
    min_score: float | None = Field(
        None, description="Drop documents scoring below this; null: only record the score in provenance."
    )
    max_chars: int = Field(10_000, description="Characters of the document the model reads.")


class QualityFilterParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    config_dir: str | None = Field(
        None, description="Folder of <lang>.yaml files overriding the bundled per-language configurations."
    )
    overrides: dict[str, dict] = Field(
        default_factory=dict,
        description="Inline overrides by language ('*': every language), "
        "e.g. {de: {gopher_quality: {min_doc_words: 80}}}.",
    )
    min_words: int | None = Field(
        None, description="Shortcut: every language's Gopher `min_doc_words` (null: each language's own value)."
    )
    model: QualityModelParams = Field(default_factory=QualityModelParams)


@dataclass(frozen=True)
class QualityAssessment:
    stats: dict[str, float]
    drop: Drop | None
    text: str  # the text to keep: C4's line rules may have removed lines


def assess_quality(text: str, lang: str, cfg: LanguageQualityConfig) -> QualityAssessment:
    """Measure and decide, family by family in `cfg.order`; the first failing rule decides."""
    stats: dict[str, float] = {}
    signals = TextSignals(text, lang)
    for family in cfg.order:
        drop = None
        if family == "gopher_repetition" and cfg.gopher_repetition.enabled:
            stats.update(measure_gopher_repetition(signals, cfg.gopher_repetition))
            drop = gopher_repetition_verdict(stats, cfg.gopher_repetition)
        elif family == "gopher_quality" and cfg.gopher_quality.enabled:
            stats.update(measure_gopher_quality(signals, cfg.gopher_quality))
            drop = gopher_quality_verdict(stats, cfg.gopher_quality)
        elif family == "c4" and cfg.c4.enabled:
            c4_stats, failure, kept_text = apply_c4(signals, cfg.c4)
            stats.update(c4_stats)
            drop = c4_verdict(stats, failure, cfg.c4)
            if drop is None and cfg.c4.edit_text and kept_text != signals.text:
                signals = TextSignals(kept_text, lang)  # later families read the edited text, as in datatrove
        elif family == "fineweb" and cfg.fineweb.enabled:
            stats.update(measure_fineweb(signals, cfg.fineweb))
            drop = fineweb_verdict(stats, cfg.fineweb)
        if drop is not None:
            return QualityAssessment(stats, drop, text)
    return QualityAssessment(stats, None, signals.text)


class QualityFilter(LedgerStage):
    """Applies each document's language configuration; statistics go to provenance, drops to the ledger."""

    name = "quality_filter"

    def __init__(self, out_dir: str, params: QualityFilterParams | None = None):
        super().__init__(out_dir)
        self.params = params or QualityFilterParams()
        self._configs: dict[str, LanguageQualityConfig] = {}
        self._model = None

    def config_for(self, lang: str | None) -> LanguageQualityConfig:
        key = lang or DEFAULT_CONFIG
        cfg = self._configs.get(key)
        if cfg is None:
            over: dict = {}
            if self.params.min_words is not None:
                over["gopher_quality"] = {"min_doc_words": self.params.min_words}
            for scope in ("*", key):
                over = _merge(over, self.params.overrides.get(scope, {}))
            cfg = self._configs[key] = load_language_config(key, self.params.config_dir, over)
        return cfg

    def _model_score(self, text: str) -> float:
        if self._model is None:
            from eurocurate.langid.fasttext_lid import load_fasttext

            self._model = load_fasttext(self.params.model.path)
        labels, probs = self._model.predict(" ".join(text[: self.params.model.max_chars].split()), k=-1)
        return round(float(dict(zip(labels, probs)).get(self.params.model.label, 0.0)), 4)

    def judge(self, doc: Document) -> Drop | None:
        result = assess_quality(doc.text, doc.metadata.get(Meta.LANG), self.config_for(doc.metadata.get(Meta.LANG)))
        doc.metadata[Meta.QUALITY] = result.stats
        if result.drop is not None:
            return result.drop
        doc.text = result.text
        if self.params.model.path:
            score = self._model_score(doc.text)
            result.stats[MODEL_SCORE_KEY] = score
            if self.params.model.min_score is not None and score < self.params.model.min_score:
                return Drop(Reason.QUALITY_MODEL, f"model:score={score}<{self.params.model.min_score}")
        return None


@register_stage(
    name="quality_filter",
    summary="Gopher repetition/quality, C4 and FineWeb rules with per-language thresholds; "
    "statistics kept in provenance",
    role="map",
    params=QualityFilterParams,
    provenance_columns=[(Meta.QUALITY, pa.map_(pa.string(), pa.float64()))],
    reasons={
        f"{Reason.QUALITY_GOPHER_REPETITION}.*": "a Gopher repetition rule failed (`.<rule>`)",
        f"{Reason.QUALITY_GOPHER}.*": "a Gopher quality rule failed (`.<rule>`)",
        f"{Reason.QUALITY_C4}.*": "a C4 rule failed (`.<rule>`)",
        f"{Reason.QUALITY_FINEWEB}.*": "a FineWeb rule failed (`.<rule>`)",
        Reason.QUALITY_MODEL: "the quality model scored below model.min_score",
    },
)
def build_quality_filter(p: QualityFilterParams, ctx: BuildContext, key: str) -> StageParts:
    step = QualityFilter(ctx.out_dir, p)
    try:
        for lang in checked_languages(p):  # each configuration a run can use, merged now: not in every worker
            step.config_for(lang)
    except SpecError as e:
        raise SpecError(f"stage {key!r}: {e}") from None
    return StageParts(map_steps=[step])


_LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}$")


def checked_languages(p: QualityFilterParams) -> list[str]:
    """The languages whose merged configuration a run may ask for: the EU-24, the default, and those `overrides`
    and `config_dir` name. A key that is no language code here (`deu`, `DE`, `ger.yaml`) is a `SpecError`: it would
    be silently ignored."""
    named = [k for k in p.overrides if k != "*"]
    if p.config_dir and Path(p.config_dir).is_dir():
        named += [f.stem for f in sorted(Path(p.config_dir).glob("*.yaml"))]
    import pycountry  # ISO 639-2/B codes (`ger`) for the hint; iso639_language loads the same tables

    for name in named:
        if name == DEFAULT_CONFIG:
            continue
        lower = name.lower()
        iso = iso639_language(lower)
        older = pycountry.languages.get(bibliographic=lower) if len(lower) == 3 else None  # ISO 639-2/B: ger
        short = iso639_3_code(older.alpha_3) if iso is None and older is not None else iso639_3_code(lower)
        unknown = iso is None and older is None and name not in KNOWN_CODES  # lid.176's `eml`: no ISO code, a label
        if not _LANGUAGE_KEY.match(name) or (short != name and short in EU24) or unknown:
            hint = f"; did you mean '{short}'?" if short != name and _LANGUAGE_KEY.match(short) else ""
            raise SpecError(
                f"quality configuration for {name!r}: not a language code as the language_id stage labels "
                f"documents (ISO 639-1 such as 'de', or the 639-3 code of a language without one such as 'fur'){hint}"
            )
    return list(dict.fromkeys([*EU24, DEFAULT_CONFIG, *named]))
