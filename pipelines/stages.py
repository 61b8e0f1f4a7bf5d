"""The built-in stage modules, in the order `eurocurate stages` lists them.

Each module registers its own stages with `@register_stage` (see `eurocurate.registry`); the
registry imports these modules the first time a stage is looked up. A new built-in stage is one
module plus a line here; a stage outside the package is named in a spec's `plugins:` instead.
The order is also the order of the stages' provenance columns (kept as the table always had them).
"""

from __future__ import annotations

from typing import Final

BUILTIN_STAGE_MODULES: Final[tuple[str, ...]] = (
    "eurocurate.pipelines.ingest.sources_stage",  # warc_reader, document_reader
    "eurocurate.pipelines.extract.stage",  # html_extractor
    "eurocurate.langid.step",  # language_id
    "eurocurate.filters.quality.step",  # quality_filter
    "eurocurate.filters.optout.step",  # optout
    "eurocurate.filters.pii.step",  # pii
    "eurocurate.dedup.exact",  # exact_dedup
    "eurocurate.dedup.url_stage",  # url_dedup
    "eurocurate.dedup.minhash_stage",  # minhash_dedup
    "eurocurate.pipelines.output.text_writer",  # text_parquet
    "eurocurate.pipelines.output.tokenize",  # tokenizer
    "eurocurate.pipelines.output.token_shards",  # token_shards
    "eurocurate.pipelines.output.shard_packing",  # shard_packing
    "eurocurate.pipelines.output.pack_sequences",  # pack_sequences
)
