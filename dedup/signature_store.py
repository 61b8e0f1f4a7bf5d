"""On-disk LSH band keys, one pair of files per writer: `keys-RRRRR.u64` (raw little-endian uint64,
one row of `bands` keys per document, memory-mapped by readers) and `docs-RRRRR.parquet` (doc_id,
order_key, lang, in the same row order), plus `config.json` naming the signature parameters.
With verification on, also each document's n-gram set: `grams-RRRRR.u32` (the sets, concatenated)
and `grams-RRRRR.idx` (uint64 offsets, one more than rows).

The same layout is a map task's signature output and a release's published index, so an earlier
release is read exactly like another task. A document is addressed by `gid = source << 32 | row`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate import storage
from eurocurate.dedup.minhash import MinhashConfig
from eurocurate.files import publish, read_parquet, tmp_path, write_bytes_atomic, write_table_atomic

DOCS_SCHEMA = pa.schema([("doc_id", pa.string()), ("order_key", pa.string()), ("lang", pa.string())])
ROW_BITS = 32


class IndexMismatch(ValueError):
    """An index was written with other signature parameters than this run uses."""


def keys_path(folder: str | Path, rank: int) -> Path:
    return Path(folder) / f"keys-{rank:05d}.u64"


def docs_path(folder: str | Path, rank: int) -> Path:
    return Path(folder) / f"docs-{rank:05d}.parquet"


def gram_paths(folder: str | Path, rank: int) -> tuple[Path, Path]:
    return Path(folder) / f"grams-{rank:05d}.u32", Path(folder) / f"grams-{rank:05d}.idx"


class _GramSetWriter:
    """Appends n-gram sets and their offsets under temporary names; `close` publishes both."""

    def __init__(self, folder: str | Path, rank: int):
        self.finals = gram_paths(folder, rank)
        self.tmps = tuple(tmp_path(p) for p in self.finals)
        # held open across appends and closed by `close`/`abort`: no `with` block spans their life
        self._values = open(self.tmps[0], "wb")  # noqa: SIM115
        self._offsets = open(self.tmps[1], "wb")  # noqa: SIM115
        self._offsets.write(np.zeros(1, "<u8").tobytes())
        self._end = 0

    def append(self, values: np.ndarray, counts: np.ndarray) -> None:
        self._values.write(np.ascontiguousarray(values, dtype="<u4").tobytes())
        self._offsets.write((self._end + np.cumsum(counts, dtype=np.uint64)).astype("<u8").tobytes())
        self._end += int(np.sum(counts))

    def close(self) -> None:
        self._values.close()
        self._offsets.close()
        for tmp, final in zip(self.tmps, self.finals):
            publish(tmp, final)

    def abort(self) -> None:
        self._values.close()
        self._offsets.close()
        for tmp in self.tmps:
            tmp.unlink(missing_ok=True)


def write_config(folder: str | Path, config: MinhashConfig) -> None:
    path = Path(folder) / "config.json"
    data = json.dumps(config.describe(), sort_keys=True).encode()
    if not path.is_file() or path.read_bytes() != data:
        write_bytes_atomic(path, data)


_PARAMETERS = ("bands", "rows", "ngram", "per_language", "seed")


def config_mismatch(found: object, config: MinhashConfig) -> str | None:
    """Why keys written under the config.json `found` cannot be compared with `config`'s, or None when they can."""
    wanted = config.describe()
    if found == wanted:
        return None
    if not isinstance(found, dict) or found.get("scheme") != wanted["scheme"]:
        return f"holds {found}, not MinHash keys of this version ({wanted})"
    if differ := [k for k in _PARAMETERS if found.get(k) != wanted[k]]:
        theirs = ", ".join(f"{k}={found.get(k)}" for k in differ)
        ours = ", ".join(f"{k}={wanted[k]}" for k in differ)
        return f"was written with {theirs}, this run uses {ours}"
    if found.get("words") != wanted["words"]:
        # an index without "words" predates WORD_RULE: soft hyphens, zero-width spaces, BOMs split words then
        theirs = found.get("words", "invisible format characters split words")
        return f"holds keys of words read by another rule ({theirs}) than this run's ({wanted['words']})"
    return f"was written with {found}, this run uses {wanted}"


def check_config(folder: str | Path, config: MinhashConfig) -> None:
    """Refuse (IndexMismatch, one line) an earlier release's index whose keys this run's cannot be compared with;
    a local path or a storage URL (only its config.json is read)."""
    where = storage.display(folder)
    path = storage.locate(folder).child("config.json")
    if not storage.exists(path):
        raise IndexMismatch(
            f"{where} is not a dedup index (no config.json); expected OUT/dedup_index/<minhash_dedup key> of a release"
        )
    try:
        found = json.loads(storage.read_bytes(path))
    except ValueError as e:
        raise IndexMismatch(f"{where}/config.json is not JSON ({e}); expected the index folder of a release") from None
    if (why := config_mismatch(found, config)) is None:
        return
    wanted = config.describe()
    differ = [k for k in _PARAMETERS if isinstance(found, dict) and k in found and found[k] != wanted[k]]
    theirs = ", ".join(f"{k}={found[k]}" for k in differ)
    hint = f"set {theirs} as the release that wrote it did, or " if differ else ""
    raise IndexMismatch(
        f"{where} {why}; {hint}rebuild that index with this eurocurate (re-run its release with write_index: true)"
    )


class SignatureFileWriter:
    """Appends band keys and document rows (and n-gram sets, `with_grams`) for one rank; the files
    appear atomically on `close()`."""

    def __init__(self, folder: str | Path, rank: int, config: MinhashConfig, with_grams: bool = False):
        self.folder = Path(folder)
        self.rank = rank
        self.config = config
        self.folder.mkdir(parents=True, exist_ok=True)
        existing = self.folder / "config.json"
        if existing.is_file() and (why := config_mismatch(json.loads(existing.read_bytes()), config)):
            # other ranks' files of that run would be bucketed with this one's: keys that never meet
            raise IndexMismatch(
                f"signature folder {folder} {why}; a run started with other MinHash parameters or another "
                f"eurocurate version cannot be resumed: re-run with --restart"
            )
        self._keys_final = keys_path(folder, rank)
        self._keys_tmp = tmp_path(self._keys_final)
        self._keys = open(self._keys_tmp, "wb")  # noqa: SIM115 (held open across appends; closed by close/abort)
        self._docs_final = docs_path(folder, rank)
        self._docs_tmp = tmp_path(self._docs_final)
        self._docs = pq.ParquetWriter(self._docs_tmp, DOCS_SCHEMA, compression="zstd")
        self._grams = _GramSetWriter(folder, rank) if with_grams else None
        self.rows = 0

    @property
    def with_grams(self) -> bool:
        return self._grams is not None

    def append(
        self,
        keys: np.ndarray,
        doc_ids: list[str],
        order_keys: list[str | None],
        langs: list[str | None],
        grams: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """One batch: band keys (documents x bands), document columns and, `with_grams`, (set values, set sizes)."""
        if keys.shape != (len(doc_ids), self.config.bands):
            raise ValueError(f"keys of shape {keys.shape} for {len(doc_ids)} documents and {self.config.bands} bands")
        if (grams is None) == self.with_grams:
            raise ValueError(f"this writer {'needs' if self.with_grams else 'takes no'} n-gram sets")
        self._keys.write(np.ascontiguousarray(keys, dtype="<u8").tobytes())
        self._docs.write_table(
            pa.table({"doc_id": doc_ids, "order_key": order_keys, "lang": langs}, schema=DOCS_SCHEMA)
        )
        if self._grams is not None and grams is not None:
            self._grams.append(*grams)
        self.rows += len(doc_ids)

    def close(self) -> None:
        self._keys.close()
        self._docs.close()
        write_config(self.folder, self.config)
        if self._grams is not None:
            self._grams.close()
        publish(self._docs_tmp, self._docs_final)
        publish(self._keys_tmp, self._keys_final)

    def abort(self) -> None:
        self._keys.close()
        self._docs.close()
        if self._grams is not None:
            self._grams.abort()
        self._keys_tmp.unlink(missing_ok=True)
        self._docs_tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class KeySource:
    """One keys/docs file pair; `earlier` sources come from published releases and precede this run."""

    keys: Path
    docs: Path
    bands: int
    earlier: bool
    rank: int  # the map rank that wrote it (this run), or its position among earlier files

    @property
    def rows(self) -> int:
        return self.keys.stat().st_size // (8 * self.bands)

    def mmap(self) -> np.ndarray:
        if self.rows == 0:
            return np.zeros((0, self.bands), dtype="<u8")
        return np.memmap(self.keys, dtype="<u8", mode="r", shape=(self.rows, self.bands))

    def read_docs(self, columns: list[str]) -> pa.Table:
        return read_parquet(self.docs, columns)

    @property
    def grams(self) -> tuple[Path, Path]:
        """(n-gram set values, offsets) files beside the keys; they exist when the writer verified."""
        return gram_paths(self.keys.parent, int(self.keys.name[5:10]))

    @property
    def has_grams(self) -> bool:
        return all(p.is_file() for p in self.grams)


def list_sources(folder: str | Path, bands: int, earlier: bool) -> list[KeySource]:
    ranks = sorted(int(p.name[5:10]) for p in Path(folder).glob("keys-?????.u64"))
    return [KeySource(keys_path(folder, r), docs_path(folder, r), bands, earlier, r) for r in ranks]


def all_sources(sig_dir: str | Path, index_dirs: list[str], config: MinhashConfig) -> list[KeySource]:
    """Earlier releases first (their documents count as published before anything in this run)."""
    sources: list[KeySource] = []
    for folder in index_dirs:
        local = str(storage.local_mirror(folder))  # memory-mapped below: a remote index is read from a local copy
        check_config(local, config)
        sources += list_sources(local, config.bands, earlier=True)
    sources += list_sources(sig_dir, config.bands, earlier=False)
    if len(sources) >= 1 << (64 - ROW_BITS - 1):
        raise ValueError(f"{len(sources)} signature files: too many to address; use fewer, larger map tasks")
    return sources


def iter_key_chunks(source: KeySource, chunk_rows: int) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, keys of rows [first, first+chunk)) — streamed from the memory map."""
    keys = source.mmap()
    for lo in range(0, len(keys), chunk_rows):
        yield lo, np.asarray(keys[lo : lo + chunk_rows])


def write_index_subset(source: KeySource, keep_rows: np.ndarray, folder: str | Path, rank: int, chunk_rows: int) -> int:
    """Copy the rows `keep_rows` (sorted) of a source into an index folder; returns rows written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    final = keys_path(folder, rank)
    tmp = tmp_path(final)
    with open(tmp, "wb") as f:
        for lo, chunk in iter_key_chunks(source, chunk_rows):
            sel = keep_rows[(keep_rows >= lo) & (keep_rows < lo + len(chunk))] - lo
            f.write(np.ascontiguousarray(chunk[sel], dtype="<u8").tobytes())
    docs = source.read_docs(["doc_id", "order_key", "lang"]).take(pa.array(keep_rows, pa.int64()))
    if source.has_grams:
        _copy_gram_sets(source, keep_rows, folder, rank, chunk_rows)
    write_table_atomic(docs_path(folder, rank), docs)
    publish(tmp, final)
    return len(keep_rows)


def _copy_gram_sets(source: KeySource, keep_rows: np.ndarray, folder: Path, rank: int, chunk_rows: int) -> None:
    values_path, offsets_path = source.grams
    offsets = np.memmap(offsets_path, dtype="<u8", mode="r")
    values = np.memmap(values_path, dtype="<u4", mode="r") if offsets[-1] else np.zeros(0, "<u4")
    writer = _GramSetWriter(folder, rank)
    try:
        for lo in range(0, len(keep_rows), chunk_rows):
            rows = keep_rows[lo : lo + chunk_rows]
            starts, counts = offsets[rows].astype(np.int64), (offsets[rows + 1] - offsets[rows]).astype(np.int64)
            writer.append(values[concatenated_ranges(starts, counts)], counts)
    except BaseException:
        writer.abort()
        raise
    writer.close()


def concatenated_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """np.concatenate([np.arange(s, s + c) for s, c in zip(starts, counts)]), vectorised."""
    begin = np.cumsum(counts) - counts  # where each range starts in the output
    return np.arange(int(np.sum(counts)), dtype=np.int64) + np.repeat(starts - begin, counts)
