"""Configuration of the language identifier: thresholds, segmentation and models, with documented defaults.

Pure data (a pydantic model). The defaults were chosen on the eu24-dev corpus's assembled and
look-alike pages (thresholds only; no model is trained on it) and on the sentences of the tests.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SegmentMode = Literal["document", "segments", "route"]


class LangIdConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_score: float = Field(
        0.5, ge=0, le=1, description="Default minimum calibrated score to accept an EU-24 label (else a low-score drop)."
    )
    min_scores: dict[str, float] = Field(
        default_factory=dict,
        description="Per-language minimum score, overriding `min_score` (e.g. {'hr': 0.4} to keep more Croatian).",
    )
    sure_score: float = Field(
        0.90, ge=0, le=1, description="fastText probability above which its EU-24 label is taken without a second opinion."
    )
    sure_scores: dict[str, float] = Field(
        default_factory=lambda: {"hr": 1.01, "sk": 0.97, "cs": 0.97, "da": 0.97, "sv": 0.95, "pt": 0.95, "es": 0.97,
                                 "it": 0.97, "fr": 0.97, "ga": 0.95, "bg": 0.97},
        description="Per-language fast-path threshold; > 1 means always ask the second opinion (Croatian: lid.176 "
        "is confidently wrong between hr/bs/sr).",
    )  # fmt: skip
    rival_score: float = Field(
        0.02, ge=0, le=1, description="A look-alike in fastText's top 5 above this probability also sends a text to the second opinion."
    )
    runner_up_score: float = Field(
        0.05, ge=0, le=1, description="Languages in fastText's top 5 above this probability join the group's second opinion."
    )
    broad_below: float = Field(
        0.60, ge=0, le=1, description="Below this fastText probability, lingua weighs all European languages it knows."
    )
    group_priors: dict[str, float] = Field(
        default_factory=lambda: {"hr": 3.0, "sl": 3.0},
        description="Multiplier of a language's second-opinion probability inside its group for a single paragraph "
        "(lingua reads many a Croatian sentence as Bosnian; the prior favours the EU language on a near tie). "
        "Only applied to texts shorter than `prior_below_chars`; longer ones are read well enough without it.",
    )
    prior_below_chars: int = Field(400, ge=0, description="Texts shorter than this get `group_priors`.")
    fasttext_weight: float = Field(
        0.5, ge=0, description="Exponent of fastText's probability when it is combined with lingua's inside a group (0: lingua alone)."
    )
    croatian_word_weight: float = Field(
        1.5, ge=0, description="Log-odds per Croatian-standard word (tko, tijekom, povijest...) minus Bosnian/Serbian "
        "ones (ko, historija, hiljada...) added to lingua's Croatian when a document is decided as a whole."
    )
    always_ask: tuple[str, ...] = Field(
        ("hr",), description="Confusable groups whose pages always get the second opinion, however sure fastText is."
    )
    always_ask_chars: int = Field(
        2000, ge=100, description="Characters the second opinion reads on pages of an `always_ask` group (Croatian "
        "against Bosnian needs the whole page)."
    )
    pooled_margin: float = Field(
        0.05, ge=0, le=1, description="fastText's probability on a page's paragraphs of one group read together, within this "
        "margin of the language's sure score, settles the group's unsure paragraphs without lingua."
    )
    pooled_rival_score: float = Field(
        0.05, ge=0, le=1, description="...provided the group's other languages hold at most this probability on the page."
    )
    page_language_score: float = Field(
        0.3, ge=0, le=1, description="A paragraph fastText is unsure of is read as the page's language when fastText "
        "gives that language at least this probability."
    )
    pooled_chars: int = Field(
        800, ge=100, description="Characters of a document's unsure paragraphs of one group that the second opinion reads, "
        "together, once per document (lingua reads a page far better than a line, and one call is cheaper than many)."
    )
    maltese_min_rate: float = Field(
        0.06, ge=0, description="Maltese markers (ħ ġ ċ għ, il-/tal- articles) per word above which Latin text is Maltese."
    )
    marker_min_hits: int = Field(
        3, ge=1, description="Distinct marker words of a look-alike lingua does not know (gl ast co fur wa oc gd gv) that make it win."
    )
    paragraph_min_chars: int = Field(
        40, ge=1, description="Paragraphs shorter than this inherit their language from neighbours or the document."
    )
    paragraph_chars: int = Field(
        160, ge=20, description="Characters of each paragraph the models read (its start)."
    )
    min_sample_chars: int = Field(
        80, ge=20, description="Fewest characters read per paragraph when the document budget is spread thin."
    )
    max_chars: int = Field(
        800, ge=50, description="Budget of characters read per document; beyond it, paragraphs are sampled evenly."
    )
    second_opinion: bool = Field(True, description="Ask lingua and the spelling rules when fastText is unsure.")
    model_path: str | None = Field(
        None, description="fastText LID model (lid.176 labels or GlotLID/OpenLID `xxx_Scrp` labels); default lid.176.ftz."
    )

    def min_score_for(self, lang: str) -> float:
        return self.min_scores.get(lang, self.min_score)

    def sure_score_for(self, lang: str) -> float:
        return self.sure_scores.get(lang, self.sure_score)
