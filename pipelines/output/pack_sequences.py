"""The `pack_sequences` stage: the run's token shards as training rows of exactly `seq_len` ids in `OUT/sequences/`.

A barrier after the token shards (and their packing): the mix (`mixing.py`: languages, weights, token budget,
FineWeb-2 rehydration) is packed (`sequences.py`: EOS after every document, BOS if asked, split or padded,
seeded shuffle) into `sequences/part-<k>.parquet`, and `sequences/documents.parquet` says which documents the
rows hold and how many times. `write_sequences` is also what an erasure calls to re-pack without the erased
documents. Checking the files against provenance is `verify`'s. One task: about 3M tokens/s on one core of these
machines (packing and shuffle ~12M/s, rows to Arrow ~4M/s; 4.9M synthetic tokens, rows of 2,048), so ~6 min per
billion tokens; memory is the shuffle buffer (4,096 rows of 2,048 ids as Python ints, about 300 MB).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.files import StreamingParquet, write_table_atomic
from eurocurate.layout import SEQUENCE_DOCUMENTS, SEQUENCES, TOKENIZER, OutputLayout
from eurocurate.pipelines.output.mixing import MixError, PulledDocument, mix_folder, shard_files
from eurocurate.pipelines.output.sequences import packed_rows, sequence_schema, with_separators
from eurocurate.pipelines.output.special_tokens import id_type, read_special_tokens
from eurocurate.pipelines.output.tokenize import read_tokenizer_meta
from eurocurate.registry import Barrier, BuildContext, StageParts, register_stage

STAGE = "pack_sequences"
DOCUMENTS_SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("lang", pa.string()), ("times_packed", pa.int32()), ("tokens_packed", pa.int64())]
)


class PackSequencesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq_len: int = Field(2048, gt=0, description="Ids per row: every row has exactly this many.")
    split_documents: bool = Field(
        True,
        description="A document that does not fit the rest of a row continues in the next one (no padding; the "
        "tokens after the last full row are left out). false: it starts the next row and the rest of the row is "
        "the tokenizer's pad token (only a document longer than a row is split).",
    )
    bos: bool = Field(
        False, description="Start every document with the tokenizer's BOS (EOS always ends every document)."
    )
    languages: list[str] | None = Field(
        None, description="Languages to pack (default: those of `weights`, else every language with token shards)."
    )
    weights: dict[str, float] | None = Field(
        None,
        description="Mixing weight by tokens per language, e.g. {de: 0.6, fr: 0.4} (default: each language's "
        "share of the tokens, i.e. the corpus as it is).",
    )
    tokens: int | None = Field(
        None,
        gt=0,
        description="Token budget, split over languages by weight (default: the most all can fill; "
        "without weights, every token).",
    )
    rehydrate: bool = Field(
        False, description="Repeat each document by FineWeb-2's weight for its minhash_cluster_size before mixing."
    )
    shuffle_seed: int | None = Field(None, description="Seed of a streaming shuffle of the rows; none: packed order.")
    shuffle_buffer: int = Field(4096, gt=0, description="Rows held by the streaming shuffle.")
    rows_per_file: int = Field(16384, gt=0, description="Rows per sequences/part-*.parquet file.")

    def mix(self, available: list[str]) -> tuple[list[str], list[float] | None]:
        """The languages to pack and their weights, in the same order; raises MixError for a mismatch."""
        langs = self.languages or (sorted(self.weights) if self.weights else available)
        if self.weights is None:
            return langs, None
        extra = sorted(set(self.weights) - set(langs))
        missing = [lang for lang in langs if lang not in self.weights]
        if extra or missing:
            raise MixError(f"weights must name exactly the languages packed {langs}: missing {missing}, extra {extra}")
        if bad := {lang: w for lang, w in self.weights.items() if not (math.isfinite(w) and w > 0)}:
            raise MixError(f"weights must be positive finite numbers, got {bad}")
        return langs, [self.weights[lang] for lang in langs]


@dataclass(slots=True)
class SequencesSummary:
    rows: int = 0
    tokens: int = 0
    padding: int = 0
    documents: int = 0
    files: list[str] | None = None  # relative to the folder written into


def packing_params(config_stages: list) -> PackSequencesParams | None:
    """The parameters of the spec's `pack_sequences` stage (stages as run.json records them), or None."""
    for stage in config_stages:
        if stage.use == STAGE:
            return PackSequencesParams.model_validate(stage.params)
    return None


def _name(kind: str, generation: int | None) -> str:
    return f"{kind}.e{generation}.parquet" if generation else f"{kind}.parquet"


def write_sequences(
    out: Path,
    p: PackSequencesParams,
    dest: Path,
    files: dict[str, list[Path]] | None = None,
    generation: int | None = None,
) -> SequencesSummary:
    """Pack run `out`'s token shards (or `files`, per language) into `dest/part-<k>.parquet` and
    `dest/documents.parquet` (`.e<generation>` before `.parquet` when an erasure rewrites them)."""
    out = Path(out)
    special = read_special_tokens(out / TOKENIZER)
    if special.eos_id is None:
        raise MixError("packing separates documents with EOS, and the run's tokenizer declares none")
    if p.bos and special.bos_id is None:
        raise MixError("bos: true, but the run's tokenizer declares no BOS token")
    files = shard_files(out) if files is None else files
    langs, weights = p.mix(sorted(files))
    lang_of: dict[str, str] = {}

    def remember(docs: Iterator[PulledDocument]) -> Iterator[PulledDocument]:
        for doc in docs:
            lang_of[doc.doc_id] = doc.lang
            yield doc

    # a run that kept no document has no shards: it packs no row (and says so in an empty documents table)
    mixed = mix_folder(out, langs, weights, p.tokens, p.rehydrate, files, natural=True) if langs else iter(())
    docs = remember(mixed)
    docs = with_separators(docs, special.eos_id, special.bos_id if p.bos else None)
    schema = sequence_schema(id_type(read_tokenizer_meta(out)["vocab_size"]))
    times: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    summary = SequencesSummary(files=[])
    part: StreamingParquet | None = None
    try:
        for row in packed_rows(docs, p.seq_len, seed=p.shuffle_seed, shuffle_buffer=p.shuffle_buffer,
                               split=p.split_documents, pad_id=special.pad_id):  # fmt: skip
            if part is None:
                part = StreamingParquet(dest / _name(f"part-{len(summary.files):05d}", generation), schema,
                                        flush_rows=1024, row_group_size=1024)  # fmt: skip
            part.append({name: getattr(row, name) for name in schema.names})
            ends = [*row.document_starts[1:], p.seq_len - row.padding]
            for i, (doc_id, a, b) in enumerate(zip(row.doc_ids, row.document_starts, ends)):
                tokens[doc_id] += b - a
                times[doc_id] += not (i == 0 and row.continues)  # a segment that starts its document
            summary.rows += 1
            summary.tokens += p.seq_len - row.padding
            summary.padding += row.padding
            if part.rows == p.rows_per_file:
                summary.files.append(part.close().name)
                part = None
        if part is not None:
            summary.files.append(part.close().name)
    except BaseException:
        if part is not None:
            part.abort()
        raise
    ids = sorted(tokens)
    table = pa.table(
        {
            "doc_id": ids,
            "lang": [lang_of[d] for d in ids],
            "times_packed": [times[d] for d in ids],
            "tokens_packed": [tokens[d] for d in ids],
        },
        schema=DOCUMENTS_SCHEMA,
    )
    write_table_atomic(dest / _name(SEQUENCE_DOCUMENTS, generation), table)
    summary.documents = len(ids)
    summary.files.append(_name(SEQUENCE_DOCUMENTS, generation))
    return summary


class SequencePacker(PipelineStep):
    """Barrier (one task): packs the run's token shards into `OUT/sequences/`, replacing what a previous
    attempt left there."""

    name = "sequence_packer"
    type = "💽 - WRITER"

    def __init__(self, out_dir: str, params: dict):
        super().__init__()
        self.out_dir = out_dir
        self.params = params

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        layout = OutputLayout(self.out_dir)
        for stale in layout.sequences.glob("*") if layout.sequences.is_dir() else []:
            stale.unlink()
        summary = write_sequences(layout.root, PackSequencesParams.model_validate(self.params), layout.sequences)
        self.stat_update("rows", value=summary.rows)
        self.stat_update("tokens_packed", value=summary.tokens)
        self.stat_update("padding", value=summary.padding)
        self.stat_update("documents_packed", value=summary.documents)
        return
        yield


def _check_languages(p: PackSequencesParams, ctx: BuildContext) -> None:
    """Refuse, with the spec, a language of `languages` or `weights` the run cannot have shards of: one the spec's
    `language_id` stage neither keeps (its `languages`, the EU-24 by default) nor routes (`route_languages`; with
    `*`, any language code). Found only at the last barrier, a typo cost the whole run, and its fix a new one."""
    from difflib import get_close_matches

    from eurocurate.langid.long_tail import is_language_code
    from eurocurate.langid.step import ROUTE_ALL, LanguageIdParams, check_route_languages

    if p.languages and (repeated := sorted({c for c in p.languages if p.languages.count(c) > 1})):
        raise ValueError(f"languages name {repeated} more than once; name each language once")
    named = sorted({*(p.languages or ()), *(p.weights or {})})
    langid = next((s for s in ctx.spec.stages if s.use == "language_id"), None)
    if not named or langid is None:  # without language ID the run's labels are the reader's: not known here
        return
    identified = LanguageIdParams.model_validate(langid.params)
    routed = check_route_languages(identified.route_languages)
    kept = sorted({*identified.languages, *(routed - {ROUTE_ALL})})
    bad = [c for c in named if c not in kept and not (ROUTE_ALL in routed and is_language_code(c))]
    if bad:
        hints = {c: get_close_matches(c, kept, n=1) for c in bad}
        hint = "; ".join(f"did you mean '{m[0]}' for '{c}'?" for c, m in hints.items() if m)
        raise ValueError(
            f"languages/weights name {bad}, which language_id neither keeps nor routes, so the run has no shards of "
            f"them; it can have {kept}" + (f"; {hint}" if hint else "")
        )


@register_stage(
    name=STAGE,
    summary=f"Training rows of exactly seq_len ids OUT/{SEQUENCES}/part-*.parquet (EOS-separated documents, "
    "boundaries, mix, rehydration, seeded shuffle)",
    role="barrier",
    params=PackSequencesParams,
    requires=("token_shards",),
    writes_output=True,
)
def build_pack_sequences(p: PackSequencesParams, ctx: BuildContext, key: str) -> StageParts:
    stages = [s.use for s in ctx.spec.stages]
    if "shard_packing" in stages and stages.index("shard_packing") > stages.index(STAGE):
        raise ValueError("put it after shard_packing (which re-cuts the token shards it reads)")
    _check_languages(p, ctx)
    if p.rehydrate and not {"minhash_dedup", "text_parquet"} <= set(stages):
        raise ValueError(
            "rehydrate: true repeats documents by the minhash_cluster_size that minhash_dedup records in the text "
            "shards (text_parquet); without both stages it would repeat nothing: add them or set rehydrate: false"
        )
    if p.weights is not None:
        p.mix(sorted(p.weights))  # the languages and weights agree (the languages' shards are checked at run time)
    params = p.model_dump()

    def build(inputs: str) -> list[PipelineStep]:  # the barrier reads the token shards, not the intermediate files
        return [SequencePacker(ctx.out_dir, params)]

    return StageParts(barrier=Barrier(key, 1, build))
