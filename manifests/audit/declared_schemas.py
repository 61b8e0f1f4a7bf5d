"""The Parquet schema each output file of a run must have, as the run declares it: the writers' own schemas (text
shards, token shards and packed sequences with the id type of run.json's tokenizer, the exclusion ledger) and
provenance's, assembled from the spec's stages. Owns finding a file's declared schema and saying how a file's
schema differs from it (column names and types; not their order); `verify` reports the differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import pyarrow as pa

from eurocurate.layout import EXCLUSIONS, PROVENANCE, SEQUENCE_DOCUMENTS, SEQUENCES, SHARDS, TEXT
from eurocurate.manifests.audit.run_manifest import RunManifest
from eurocurate.schema import Meta

# columns a run written before they existed lacks: the key id of the fingerprints
_PROVENANCE_ADDED = frozenset({Meta.PII_KEY_ID})


@dataclass(frozen=True)
class DeclaredSchema:
    what: str  # the kind of file, for the message: "text shard", "provenance"
    schema: pa.Schema
    open_ended: bool = False  # other columns allowed: a plugin stage not loaded here declares them
    added_later: frozenset[str] = frozenset()  # columns that files written before they existed lack


def declared_schema(rel: str, run: RunManifest) -> DeclaredSchema | None:
    """The schema the run declares for the Parquet file `rel` (relative to OUT, posix); None for a file of no
    declared schema (token shards or sequences of a run without a tokenizer record)."""
    from eurocurate.manifests.audit.ledger import LEDGER_SCHEMA
    from eurocurate.manifests.audit.provenance import provenance_schema
    from eurocurate.pipelines.output.pack_sequences import DOCUMENTS_SCHEMA
    from eurocurate.pipelines.output.sequences import sequence_schema
    from eurocurate.pipelines.output.special_tokens import id_type
    from eurocurate.pipelines.output.text_writer import TEXT_SCHEMA
    from eurocurate.pipelines.output.token_shards import token_schema
    from eurocurate.registry import all_stages

    path = PurePosixPath(rel)
    folder = path.parts[0]
    ids = id_type(run.tokenizer.vocab_size) if run.tokenizer is not None else None
    if folder == TEXT:
        return DeclaredSchema("text shard", TEXT_SCHEMA)
    if folder == EXCLUSIONS:
        return DeclaredSchema("exclusion ledger", LEDGER_SCHEMA)
    if folder == PROVENANCE:
        uses = run.stage_uses()
        known = [u for u in uses if u in all_stages()]
        return DeclaredSchema(
            "provenance", provenance_schema(known), open_ended=len(known) < len(uses), added_later=_PROVENANCE_ADDED
        )
    if folder == SEQUENCES and path.name.startswith(SEQUENCE_DOCUMENTS):
        return DeclaredSchema("packed documents", DOCUMENTS_SCHEMA)
    if ids is None:
        return None
    if folder == SHARDS:
        return DeclaredSchema("token shard", token_schema(ids))
    if folder == SEQUENCES:
        return DeclaredSchema("packed sequence", sequence_schema(ids))
    return None


def schema_differences(found: pa.Schema, declared: DeclaredSchema) -> list[str]:
    """How `found` differs from `declared`: a column of another type, a missing one, one the run does not declare."""
    differences = []
    for f in declared.schema:
        if f.name not in found.names:
            if f.name not in declared.added_later:
                differences.append(f"column {f.name} missing")
        elif (got := found.field(f.name).type) != f.type:
            differences.append(f"column {f.name} is {got}, the run's {declared.what} schema has {f.type}")
    if not declared.open_ended:
        differences += [
            f"column {name} is not in the run's {declared.what} schema" for name in found.names
            if name not in declared.schema.names
        ]  # fmt: skip
    return differences
