"""`eurocurate export`: a run's token shards in the files trainers read, written with datatrove's writers.

`megatron`: `DIR/<lang>.bin` + `.idx` (Megatron-LM's indexed dataset, one sequence per document) by
datatrove's `MegatronTokenizedFile`. `nanotron`: `DIR/<lang>/tokens.ds` + `.ds.index` (+ `.ds.metadata`) by
datatrove's `TokenizedFile`, which nanotron's `DatatroveFolderDataset` reads. Documents keep their EOS and
their order in the shards; ids keep their width (2 bytes for a vocabulary up to 65,536, else 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.pipeline.tokens.megatron_tokenizer import MegatronTokenizedFile
from datatrove.pipeline.tokens.tokenizer import TokenizedFile

from eurocurate.layout import SHARDS
from eurocurate.pipelines.output.tokenize import read_tokenizer_meta

ExportFormat = Literal["megatron", "nanotron"]
FORMATS: tuple[str, ...] = ("megatron", "nanotron")
NANOTRON_FILE = "tokens.ds"


class ExportError(ValueError):
    """The run cannot be exported as asked; the message says why."""


@dataclass(slots=True)
class ExportSummary:
    """Documents and tokens written per language, and the files written (relative to the export folder)."""

    documents: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _documents(shards: list[Path]):
    for shard in shards:
        for batch in pq.ParquetFile(shard).iter_batches(columns=["input_ids"], batch_size=1024):
            yield from batch["input_ids"].to_pylist()


def export_tokens(
    out_dir: str | Path, fmt: ExportFormat, dest: str | Path, langs: list[str] | None = None
) -> ExportSummary:
    """Write every document of the run's token shards (of `langs`, default all) to `dest` in format `fmt`."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    shards_dir = out / SHARDS
    available = sorted(p.name for p in shards_dir.iterdir() if p.is_dir()) if shards_dir.is_dir() else []
    if not available:
        raise ExportError(f"{out} has no token shards ({SHARDS}/<lang>/*.parquet); run a spec with token_shards")
    missing = sorted(set(langs or []) - set(available))
    if missing:
        raise ExportError(f"no token shards for {missing}; available languages: {available}")
    shard_lists = {lang: sorted((shards_dir / lang).glob("*.parquet")) for lang in (langs or available)}
    id_type = pq.read_schema(next(f for fs in shard_lists.values() for f in fs)).field("input_ids").type.value_type
    token_size = 2 if id_type == pa.uint16() else 4
    tokenizer = read_tokenizer_meta(out)["id"]
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary()
    for lang, shards in shard_lists.items():
        if fmt == "megatron":
            writer = MegatronTokenizedFile(str(dest), lang, token_size=token_size)
            files = [f"{lang}.bin", f"{lang}.idx"]
        else:
            writer = TokenizedFile(
                str(dest / lang), NANOTRON_FILE, tokenizer_name_or_path=tokenizer, save_final_metadata=True,
                token_size=token_size,
            )  # fmt: skip
            files = [f"{lang}/{NANOTRON_FILE}{suffix}" for suffix in ("", ".index", ".metadata")]
        documents = tokens = 0
        for ids in _documents(shards):
            if fmt == "megatron":
                writer.write(ids)
            else:
                writer.write(ids, None)
            documents += 1
            tokens += len(ids)
        writer.close()
        summary.documents[lang], summary.tokens[lang] = documents, tokens
        summary.files += files
    return summary
