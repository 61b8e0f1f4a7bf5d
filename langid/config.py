"""Configuration of the language identifier: thresholds, segmentation and models, with documented defaults.

Pure data (a pydantic model). The defaults were chosen on the eu24-dev corpus's assembled and
look-alike pages (thresholds only; no model is trained on it) and on the sentences of the tests.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SegmentMode = Literal["document", "segments"]
SecondOpinionModel = Literal["heliport", "lingua"]
Probability = Annotated[float, Field(ge=0, le=1)]  # a probability or a share: from 0 to 1
# The defaults the pipeline stage's parameters and `LanguageIdentifier` take from here (one definition).
DEFAULT_MIN_SCORE: Final = 0.5
DEFAULT_MAX_CHARS: Final = 800


class LangIdConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_score: Probability = Field(
        DEFAULT_MIN_SCORE,
        description="Default minimum calibrated score to accept an EU-24 label (else a low-score drop).",
    )
    min_scores: dict[str, float] = Field(
        default_factory=dict,
        description="Per-language minimum score, overriding `min_score` (e.g. {'hr': 0.4} to keep more Croatian).",
    )
    sure_score: Probability = Field(
        0.90,
        description="fastText probability above which its EU-24 label is taken without a second opinion.",
    )
    sure_scores: dict[str, float] = Field(
        default_factory=lambda: {"hr": 1.01, "sk": 0.97, "cs": 0.97, "da": 0.97, "sv": 0.95, "pt": 0.95, "es": 0.97,
                                 "it": 0.97, "fr": 0.97, "ga": 0.95, "bg": 0.97},
        description="Per-language fast-path threshold; > 1 means always ask the second opinion (Croatian: lid.176 is "
        "confidently wrong between hr/bs/sr).",
    )  # fmt: skip
    rival_score: Probability = Field(
        0.02,
        description="A look-alike in fastText's top 5 above this probability also sends a text to the second opinion.",
    )
    runner_up_score: Probability = Field(
        0.05,
        description="Languages in fastText's top 5 above this probability join the group's second opinion.",
    )
    broad_below: Probability = Field(
        0.60,
        description="Below this fastText probability (Latin script, no confusable group), lingua weighs fastText's "
        "five candidates and their look-alikes.",
    )
    group_priors: dict[str, float] = Field(
        default_factory=lambda: {"hr": 3.0, "sl": 3.0},
        description="Multiplier of a language's second-opinion probability inside its group for a single paragraph "
        "(lingua reads many a Croatian sentence as Bosnian; the prior favours the EU language on a near tie). Only "
        "applied to texts shorter than `prior_below_chars`; longer ones are read well enough without it.",
    )
    prior_below_chars: int = Field(400, ge=0, description="Texts shorter than this get `group_priors`.")
    fasttext_weight: float = Field(
        0.5,
        ge=0,
        description="Exponent of fastText's probability when it is combined with lingua's inside a group (0: lingua "
        "alone).",
    )
    croatian_word_weight: float = Field(
        1.5,
        ge=0,
        description="Log-odds per Croatian-standard word (tko, tijekom, povijest...) minus Bosnian/Serbian ones (ko, "
        "historija, hiljada...) added to lingua's Croatian when a document is decided as a whole.",
    )
    always_ask: tuple[str, ...] = Field(
        ("hr", "bs", "sr", "hbs"),
        description="Languages whose pages always get the second opinion, however sure fastText is, and the "
        "confusable groups they name (a group is named after its first member).",
    )
    always_ask_chars: int = Field(
        2000,
        ge=100,
        description="Characters the second opinion reads on pages of an `always_ask` language (Croatian against "
        "Bosnian needs the whole page).",
    )
    pooled_margin: Probability = Field(
        0.05,
        description="fastText's probability on a page's paragraphs of one group read together, within this margin of "
        "the language's sure score, settles the group's unsure paragraphs without lingua.",
    )
    pooled_rival_score: Probability = Field(
        0.05,
        description="...provided the group's other languages hold at most this probability on the page.",
    )
    page_language_score: Probability = Field(
        0.3,
        description="A paragraph fastText is unsure of is read as the page's language when fastText gives that "
        "language at least this probability.",
    )
    page_join_score: Probability = Field(
        0.05,
        description="A paragraph fastText is unsure of joins the second opinion of the page's language (fastText's "
        "reading of the whole document) when it gives that language at least this probability.",
    )
    pooled_chars: int = Field(
        300,
        ge=100,
        description="Characters of a document's unsure paragraphs of one group that the second opinion reads, "
        "together, once per document (lingua reads a page far better than a line, and one call is cheaper than many).",
    )
    maltese_min_rate: float = Field(
        0.06,
        ge=0,
        description="Maltese markers (ħ ġ ċ għ, il-/tal- articles) per word above which Latin text is Maltese.",
    )
    marker_min_hits: int = Field(
        3,
        ge=1,
        description="Distinct marker words of a look-alike lingua does not know (gl ast co fur wa oc gd gv) that make "
        "it win.",
    )
    document_first: bool = Field(
        True,
        description="Read a sample of the whole document first (one fastText call) and label the document as one "
        "language when that settles it; read it paragraph by paragraph only otherwise. A foreign block too small to "
        "shake fastText on the sample then goes unseen in `shares` (eu24-dev pages with 15/25/35% of their text in "
        "another language: found in 31/50/72%; 97-98% when every paragraph is read). The `segments` mode of the "
        "pipeline stage always reads paragraphs.",
    )
    document_chars: int = Field(
        400,
        ge=50,
        description="Characters of the whole-document sample, spread over its paragraphs (at least 40 of each).",
    )
    document_parts: int = Field(
        1,
        ge=1,
        le=4,
        description="Parts (runs of consecutive paragraphs) the sample is read in, fastText's probabilities averaged: "
        "a foreign block weighs on its part. 2 finds the foreign block in 51/84/92% of the pages above, for about 15% "
        "(built eu24-dev documents) to 25% (LibreOffice pages) more CPU.",
    )
    document_sure_score: Probability = Field(
        0.80,
        description="fastText probability on the document sample above which its EU-24 label is the document's "
        "language (no eu24-dev page in another language reaches 0.6 there).",
    )
    document_sure_scores: dict[str, float] = Field(
        default_factory=lambda: {"de": 0.95, "el": 0.95, "fi": 0.95, "fr": 0.95, "hu": 0.95, "it": 0.95, "lt": 0.95,
                                 "nl": 0.95, "pl": 0.95, "sv": 0.95, "cs": 0.90, "en": 0.90, "es": 0.90, "pt": 0.90,
                                 "bg": 0.85, "lv": 0.85, "da": 1.01, "ga": 1.01, "mt": 1.01},
        description="Per-language `document_sure_score`: the 10th percentile of fastText's probability on the "
        "eu24-dev pages of the language, rounded down to 0.05, within [0.80, 0.95] (`langid.calibration`; `make eval` "
        "prints it against these); a page fastText is less sure of than usual (as one with a foreign block is) gets "
        "read by paragraph. > 1: never settled by fastText alone (da: Norwegian look-alikes; ga: fastText too unsure "
        "of Irish to tell a mixed page from a pure one; mt: spelling decides).",
    )  # fmt: skip
    document_rival_score: Probability = Field(
        0.10,
        description="Most probability the look-alikes of fastText's language may hold on the document sample for its "
        "label to be taken without a second opinion (pages read as Bulgarian keep some Macedonian).",
    )
    document_group_mass: Probability = Field(
        0.90,
        description="fastText probability of one confusable group on the document sample above which the document is "
        "taken as single-language and one second opinion on the sample picks the language.",
    )
    document_group_masses: dict[str, float] = Field(
        default_factory=lambda: {"hr": 0.70},
        description="Per-group `document_group_mass` (hr: lid.176 spreads Slovenian pages over sl, hr and others).",
    )
    paragraph_min_chars: int = Field(
        40, ge=1, description="Paragraphs shorter than this inherit their language from neighbours or the document."
    )
    paragraph_chars: int = Field(160, ge=20, description="Characters of each paragraph the models read (its start).")
    min_sample_chars: int = Field(
        80, ge=20, description="Fewest characters read per paragraph when the document budget is spread thin."
    )
    max_chars: int = Field(
        DEFAULT_MAX_CHARS,
        ge=50,
        description="Budget of characters read per document; beyond it, paragraphs are sampled evenly.",
    )
    second_opinion: bool = Field(
        True, description="Ask the second-opinion model and the spelling rules when fastText is unsure."
    )
    second_opinion_model: SecondOpinionModel = Field(
        "heliport",
        description="Who weighs the members of a confusable group when fastText is unsure. `heliport` (HPLT's "
        "HeLI-OTS port, ~220 languages with Europe's regional ones, ~840 MB resident, ~15-30 µs a paragraph): "
        "Croatian/Bosnian/Serbian, which it merges, split by `langid.hbs` (a naive Bayes classifier of those "
        "three, ~1.5 MB memory-mapped). `lingua`: lingua-language-detector on the group, high-accuracy mode "
        "(~1.1 GB for the 40 languages it is asked about, ~50x slower); then no long-tail veto.",
    )
    heliport_sharpness: float = Field(
        8.0,
        gt=0,
        description="heliport's raw scores (mean -log10 probability per word, lower is better) become "
        "probabilities over a group as exp(-sharpness x distance from the best).",
    )
    hbs_croatian_log_odds: float | None = Field(
        None,
        description="With heliport: the log-odds over the likelier of Bosnian and Serbian a Latin-script text of the "
        "Croatian/Bosnian/Serbian group needs to be labelled Croatian. None: the value the packaged classifier was "
        "calibrated with for the text's length (`langid/models/hbs.npz`, `tools/train_hbs.py`: strict for a "
        "paragraph, lenient for a page; docs/langid.md).",
    )
    hbs_tell_weight: float | None = Field(
        None,
        ge=0,
        description="With heliport: log-odds per vocabulary tell of `langid.hbs` (Croatian-only words against "
        "Bosnian/Serbian ones, ijekavian against ekavian forms) added to the classifier's. None: the calibrated "
        "weight stored in the packaged classifier.",
    )
    long_tail_veto: bool = Field(
        True,
        description="Replace an EU-24 label with a European language outside the EU-24 (Corsican, Walloon, "
        "Luxembourgish, Silesian...) when heliport reads it ahead of the EU label by `veto_margin`, or its spelling "
        "tells (`langid.long_tail.LONG_TAIL_MARKERS`) say so. Needs `second_opinion_model: heliport`.",
    )
    veto_margin: float = Field(
        0.15,
        ge=0,
        description="heliport's raw-score lead of a non-EU-24 European language over the EU-24 label needed to veto "
        "it (see docs/langid.md for how it was derived, on the dev part of the long-tail set only).",
    )
    veto_margins: dict[str, float] = Field(
        default_factory=dict, description="Per-language `veto_margin`, keyed by the non-EU-24 language."
    )
    veto_labels: tuple[str, ...] = Field(
        (
            *("cs", "da", "de", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "nl", "pl", "pt", "ro"),
            *("sk", "sl", "sv"),
        ),
        description="EU-24 labels the veto reviews: those a European non-EU-24 language is read as (issue 17's "
        "confusions and the long-tail dev set's: Ligurian and Limburgish strings read as Estonian, Romani and Scots "
        "as Finnish, Frisian and Romansh as Lithuanian; Latvian, Greek, Bulgarian and Maltese got none, and skipping "
        "them saves the calls there). Croatian gets the spelling tells and `langid.regional`'s classifier (Romani), "
        "not heliport: it reads Bosnian and Serbian as its own `hbs`, which `langid.hbs` splits.",
    )
    veto_gate_score: Probability = Field(
        0.99,
        description="fastText probability of the EU-24 label at or above which heliport is not asked for the veto, "
        "unless a European non-EU-24 language holds `veto_rival_score` of fastText's top five (saves the heliport "
        "call on most EU-24 text; see docs/langid.md for what it misses on the long-tail dev set).",
    )
    veto_rival_score: Probability = Field(
        0.01, description="See `veto_gate_score`: a European non-EU-24 language this likely to fastText means ask."
    )
    veto_fasttext_score: Probability = Field(
        0.10,
        description="fastText probability of a European non-EU-24 language heliport cannot name (Aragonese, "
        "Asturian, Low German...) that vetoes the EU-24 label when heliport reads the text as the EU language.",
    )
    regional_veto: bool = Field(
        True,
        description="In the long-tail veto, ask `langid.regional`'s classifier (EU-24 languages in Latin script "
        "against Europe's regional and neighbouring ones, trained on the long-tail set's dev part): it knows "
        "Aragonese, Asturian, Ligurian, Friulian, Silesian, Limburgish, Romani... which heliport does not.",
    )
    romanized_veto: bool = Field(
        True,
        description="With the long-tail veto: an EU-24 label in Latin script that fastText gives less than "
        "`veto_gate_score` is replaced by `other` when `langid.romanized`'s classifier reads the text, typed in "
        "ASCII, as Russian, Ukrainian, Belarusian, Bulgarian, Macedonian or Greek in Latin letters (translit, "
        "Greeklish: read as Slovenian, Croatian, Czech... otherwise; trained and its threshold derived on the "
        "long-tail set's dev part, "
        "docs/langid.md).",
    )
    regional_min_lead: float | None = Field(
        None,
        description="Log-score lead of the classifier's non-EU-24 language over its likeliest EU-24 one needed to "
        "veto; None: the value derived with the model on the dev part (stored in the model file, docs/langid.md).",
    )
    regional_model_path: str | None = Field(
        None,
        description="Another regional-language model for the veto (a file `python -m eurocurate.tools.train_regional` "
        "wrote, e.g. with `--desktop`: trained on Debian's desktop catalogues too, mostly GPL-licensed translations, "
        "so never packaged; docs/langid.md); None: the packaged one. Its `min_lead` is read from the file.",
    )
    veto_glance_chars: int = Field(
        60,
        ge=10,
        description="Characters of a text `langid.regional`'s classifier reads first in the veto (see "
        "`veto_glance_lead`).",
    )
    veto_glance_lead: float | None = Field(
        -60.0,
        description="The veto stops after the spelling tells when the classifier's reading of the first "
        "`veto_glance_chars` characters puts its likeliest non-EU-24 language this far (log-score) or further behind "
        "the likeliest EU-24 one, unless fastText names a European language the classifier does not know (heliport "
        "is then asked). Derived with the packaged classifier on the long-tail dev part and the eu24-dev pages "
        "(docs/langid.md): re-derive it with a retrained `regional.npz`. None: no glance, every text read whole.",
    )
    veto_chars: int = Field(
        400, ge=50, description="Characters of a document's paragraphs of one EU-24 label the veto reads, together."
    )
    model_path: str | None = Field(
        None,
        description="fastText LID model (lid.176 labels or GlotLID/OpenLID `xxx_Scrp` labels); default lid.176.ftz.",
    )

    @property
    def vetoes(self) -> bool:
        return self.second_opinion and self.long_tail_veto and self.second_opinion_model == "heliport"

    @property
    def reads_regional_model(self) -> bool:
        """Whether the long-tail veto reads the regional-language model (`regional_model_path`, or the packaged one)."""
        return self.vetoes and self.regional_veto

    @property
    def reads_romanized_model(self) -> bool:
        """Whether the veto reads `langid.romanized`'s model."""
        return self.vetoes and self.romanized_veto

    def unread_regional_model(self) -> str | None:
        """Why `regional_model_path` would never be read with this configuration (one line), or None: a model a user
        points at must not be listed as run while the veto that reads it is off."""
        if not self.regional_model_path or self.reads_regional_model:
            return None
        off = [
            name
            for name, on in (
                ("second_opinion_model is lingua", self.second_opinion_model == "heliport"),
                ("second_opinion is off", self.second_opinion),
                ("long_tail_veto is off", self.long_tail_veto),
                ("regional_veto is off", self.regional_veto),
            )
            if not on
        ]
        return (
            f"regional_model_path {self.regional_model_path} would not be read: only the long-tail veto reads it, "
            f"with second_opinion_model: heliport, and here {' and '.join(off)}"
        )

    @model_validator(mode="after")
    def _regional_model_is_read(self) -> LangIdConfig:
        if why := self.unread_regional_model():
            raise ValueError(why)
        return self

    def min_score_for(self, lang: str) -> float:
        return self.min_scores.get(lang, self.min_score)

    def sure_score_for(self, lang: str) -> float:
        return self.sure_scores.get(lang, self.sure_score)

    def document_sure_score_for(self, lang: str) -> float:
        return self.document_sure_scores.get(lang, self.document_sure_score)

    def document_group_mass_for(self, group: str) -> float:
        return self.document_group_masses.get(group, self.document_group_mass)
