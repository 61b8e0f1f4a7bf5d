"""Pull a token mix from wherever a run lives: a local output folder or a Hub dataset repo.

Owns the choice between the two sources (`pull` reads a folder, `hub_pull` a repo; both give the
same documents in the same order) and writing the stream for a trainer, as documents or as fixed-length rows:
to one Parquet file, or as JSON lines to a stream (stdout) while it is pulled. The mixing (quotas,
interleaving, cuts) is `pull`'s, the packing `sequences`'.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.hub.pull import PulledDocument, PullError, pull, run_files
from eurocurate.layout import TOKENIZER
from eurocurate.pipelines.output.sequences import packed_rows, sequence_schema, with_separators
from eurocurate.pipelines.output.special_tokens import id_type, read_special_tokens


def pull_schema(ids: pa.DataType) -> pa.Schema:
    """Document rows: what `pull` yields, ids in type `ids`."""
    return pa.schema(
        [("doc_id", pa.string()), ("lang", pa.string()), ("input_ids", pa.list_(ids)), ("truncated", pa.bool_())]
    )


PULL_SCHEMA = pull_schema(pa.uint32())


def source_id_type(source: str | Path, revision: str | None = None, endpoint: str | None = None) -> pa.DataType:
    """The id type of a run's token shards (the smallest that holds its vocabulary): from a local run's shards, or
    from the vocabulary size in a Hub dataset's `tokenizer/tokenizer.meta.json` (uint32 when it has none)."""
    path = Path(source)
    if path.is_dir():
        shards = [f for files in run_files(path).shards.values() for f in files]
        return pq.read_schema(shards[0]).field("input_ids").type.value_type if shards else pa.uint32()
    from eurocurate.hub.hub_pull import hub_vocab_size

    vocab = hub_vocab_size(str(source), revision, endpoint)
    return id_type(vocab) if vocab is not None else pa.uint32()


def pull_any(
    source: str | Path,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    *,
    revision: str | None = None,
    endpoint: str | None = None,
    rehydrate: bool = False,
) -> Iterator[PulledDocument]:
    """Stream the mix from `source`: a run's output folder if it is a folder, else the Hub dataset ORG/NAME
    (at `revision`, on `endpoint`). Raises `PullError` for a source that is neither, or a request the
    source cannot serve. `rehydrate`: FineWeb-2's up-sampling by cluster size (from the text shards)."""
    if not langs:
        raise PullError("name at least one language to pull")
    if repeated := sorted({lang for lang in langs if langs.count(lang) > 1}):
        raise PullError(f"languages {repeated} named more than once; name each language once (its weight is its share)")
    if tokens is not None and tokens < 1:
        raise PullError(f"tokens must be 1 or more (or None: everything), got {tokens}")
    path = Path(source).expanduser()
    if path.is_dir():
        return pull(path, langs, weights, tokens, rehydrate=rehydrate)
    if mistake := _not_a_source(str(source), path):
        raise PullError(mistake)
    from eurocurate.hub.hub_pull import pull_from_hub  # the Hub client is only imported when it is used

    return pull_from_hub(str(source), langs, weights, tokens, revision=revision, endpoint=endpoint, rehydrate=rehydrate)


def _not_a_source(source: str, path: Path) -> str | None:
    """Why `source` (not a folder) is no Hub dataset id either, or None: a file, or a path-like name (absolute,
    relative, `~`, not ORG/NAME, or in an existing folder) that names no folder."""
    if path.exists():
        return f"{source} is a file, neither a folder nor a Hub dataset id; give the output folder of a run"
    if source.startswith(("/", ".", "~")) or source.count("/") != 1 or path.parent.is_dir():
        return (
            f"{source} is neither a folder nor a Hub dataset id (ORG/NAME): no such folder; give the output "
            f"folder of a run (with shards/<lang>/) or a Hub id"
        )
    return None


class _Rows:
    """The rows a pull yields, by the schema's column names: gathered and written to `output` as one zstd Parquet
    file, and/or written at once to `jsonl` as one JSON object per line (a trainer reads them as they come)."""

    def __init__(self, schema: pa.Schema, output: str | Path | None, jsonl: BinaryIO | None = None):
        self.schema, self.output, self.jsonl = schema, output, jsonl
        self.columns: dict[str, list] = {name: [] for name in schema.names}

    def add(self, item: object) -> None:
        if self.output:
            for name, values in self.columns.items():
                values.append(getattr(item, name))
        if self.jsonl is not None:
            self.jsonl.write(orjson.dumps({name: getattr(item, name) for name in self.columns}) + b"\n")

    def write(self) -> None:
        if self.output:
            try:
                pq.write_table(pa.table(self.columns, schema=self.schema), self.output, compression="zstd")
            except OSError as e:  # a write error, not a source that cannot be read (which callers report as such)
                raise PullError(f"cannot write {self.output}: {e}") from None
        if self.jsonl is not None:
            self.jsonl.flush()


def pull_mix(
    source: str | Path,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    *,
    output: str | Path | None = None,
    jsonl: BinaryIO | None = None,
    revision: str | None = None,
    endpoint: str | None = None,
    rehydrate: bool = False,
) -> dict[str, int]:
    """Pull the mix (see `pull_any`) and return the tokens pulled per language, in `langs` order; with
    `output`, also write the stream to that Parquet file (doc_id, lang, input_ids, truncated; zstd); with
    `jsonl`, write each document to that binary stream as a JSON line as soon as it is pulled."""
    totals: dict[str, int] = dict.fromkeys(langs, 0)
    ids = source_id_type(source, revision, endpoint) if output else pa.uint32()  # JSON lines have no id type
    sink = _Rows(pull_schema(ids), output, jsonl)
    for doc in pull_any(source, langs, weights, tokens, revision=revision, endpoint=endpoint, rehydrate=rehydrate):
        totals[doc.lang] += len(doc.input_ids)
        sink.add(doc)
    sink.write()
    return totals


def _special_tokens(source: str | Path, revision: str | None, endpoint: str | None):  # -> SpecialTokens | None
    """The special tokens the run's tokenizer declares (local folder or published repo)."""
    path = Path(source)
    if path.is_dir():
        return read_special_tokens(path / TOKENIZER)
    from eurocurate.hub.hub_pull import hub_special_tokens

    return hub_special_tokens(str(source), revision, endpoint)


def _pad_id(source: str | Path, revision: str | None, endpoint: str | None) -> int:
    """The pad id the run's tokenizer declares (local folder or published repo); PullError without one."""
    special = _special_tokens(source, revision, endpoint)
    if special is None or special.pad_id is None:
        raise PullError(f"{source}: its tokenizer declares no pad token, so rows cannot be padded; pull with splitting")
    return special.pad_id


@dataclass(slots=True)
class SequenceSummary:
    """What `pull_sequences` produced for its rank: `tokens` are the documents' ids in the rows, `padding` the pad ids
    that fill them (only without splitting); `next_position` is the `start` that resumes after it."""

    rows: int
    tokens: int
    next_position: int
    padding: int = 0


def pull_sequences(
    source: str | Path,
    langs: list[str],
    seq_len: int,
    weights: list[float] | None = None,
    tokens: int | None = None,
    *,
    seed: int | None = None,
    rank: int = 0,
    world_size: int = 1,
    start: int = 0,
    output: str | Path | None = None,
    jsonl: BinaryIO | None = None,
    revision: str | None = None,
    endpoint: str | None = None,
    rehydrate: bool = False,
    split: bool = True,
) -> SequenceSummary:
    """Pull the mix (see `pull_any`) as rows of exactly `seq_len` ids (see `packed_rows`) for one rank; with
    `output`, write them to that Parquet file (position, input_ids, doc_ids, document_starts, continues, padding;
    zstd); with `jsonl`, write each row to that binary stream as a JSON line as soon as it is packed. Without
    `split`, a document that does not fit the rest of a row starts the next one and the row is padded with the
    tokenizer's pad token."""
    docs = pull_any(source, langs, weights, tokens, revision=revision, endpoint=endpoint, rehydrate=rehydrate)
    pad_id = None if split else _pad_id(source, revision, endpoint)  # after the source is known to be a run
    special = _special_tokens(source, revision, endpoint)
    if special is not None and special.eos_id is not None:
        # every document ends with EOS, as the run's own sequences/ do: shards written with `append_eos: false`
        # store none, and rows packed from them had no document boundary a model could see
        docs = with_separators(docs, special.eos_id)
    ids = source_id_type(source, revision, endpoint) if output else pa.uint32()  # JSON lines have no id type
    sink = _Rows(sequence_schema(ids), output, jsonl)
    summary = SequenceSummary(rows=0, tokens=0, next_position=start)
    rows = packed_rows(docs, seq_len, seed=seed, rank=rank, world_size=world_size, start=start, split=split,
                       pad_id=pad_id)  # fmt: skip
    for row in rows:
        summary.rows += 1
        summary.tokens += len(row.input_ids) - row.padding
        summary.padding += row.padding
        summary.next_position = row.position + 1
        sink.add(row)
    sink.write()
    return summary
