"""Shard manifests: the sidecar `part-*.manifest.json` that lets anyone check a token shard on its own.

Holds what a trainer or auditor needs without opening the run: hash, size, rows, tokens, tokenizer
identity, language histogram, a digest of the doc_id list, and the pipeline that produced it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import orjson
from pydantic import BaseModel, Field

from eurocurate.files import sha256_file, write_bytes_atomic


class TokenizerRef(BaseModel):
    id: str
    sha256: str


class PipelineRef(BaseModel):
    name: str
    config_sha256: str
    code_version: str
    steps: list[dict[str, str]] = Field(description="Stage name and the version of the package implementing it.")


class ShardManifest(BaseModel):
    path: str = Field(description="Shard path relative to the run output folder.")
    sha256: str
    bytes: int
    rows: int
    tokens: int
    tokenizer: TokenizerRef
    languages: dict[str, int] = Field(description="Rows per language.")
    doc_ids_sha256: str = Field(description="sha256 of the shard's doc_ids, newline-joined, in row order.")
    pipeline: PipelineRef
    created_at: str
    supersedes: list[str] = Field(default_factory=list, description="Manifests this one replaces (erasure).")


def doc_ids_digest(doc_ids: list[str]) -> str:
    return hashlib.sha256("\n".join(doc_ids).encode()).hexdigest()


def manifest_path(shard: Path) -> Path:
    return shard.with_name(shard.name.removesuffix(".parquet") + ".manifest.json")


def write_shard_manifest(
    out_dir: Path,
    shard: Path,
    rows: int,
    tokens: int,
    languages: dict[str, int],
    doc_ids: list[str],
    tokenizer: TokenizerRef,
    pipeline: PipelineRef,
) -> ShardManifest:
    manifest = ShardManifest(
        path=shard.relative_to(out_dir).as_posix(),
        sha256=sha256_file(shard),
        bytes=shard.stat().st_size,
        rows=rows,
        tokens=tokens,
        tokenizer=tokenizer,
        languages=languages,
        doc_ids_sha256=doc_ids_digest(doc_ids),
        pipeline=pipeline,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    write_bytes_atomic(manifest_path(shard), orjson.dumps(manifest.model_dump(), option=orjson.OPT_INDENT_2))
    return manifest


def read_shard_manifest(path: Path) -> ShardManifest:
    return ShardManifest.model_validate(orjson.loads(path.read_bytes()))
