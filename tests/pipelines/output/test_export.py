"""`eurocurate export`: Megatron .bin/.idx and nanotron (datatrove) .ds/.index files read back, with each
format's reader, to exactly the token sequences of the run's token shards."""

from __future__ import annotations

import struct

import numpy as np
import pyarrow.parquet as pq
import pytest

from eurocurate.cli import main
from eurocurate.pipelines.output.export import ExportError, export_tokens


def _shard_documents(run, lang: str) -> list[list[int]]:
    files = sorted((run / "shards" / lang).glob("*.parquet"))
    return [ids for f in files for ids in pq.read_table(f)["input_ids"].to_pylist()]


def _megatron_documents(prefix) -> list[list[int]]:
    """Megatron-LM's `_IndexReader`/`IndexedDataset` layout (megatron/core/datasets/indexed_dataset.py): header
    MMIDIDX, version 1, dtype code, sequence and document counts, then lengths (int32), byte pointers (int64)
    and document indices (int64); tokens are read from the .bin at each pointer."""
    idx = prefix.with_suffix(".idx").read_bytes()
    assert idx[:9] == b"MMIDIDX\x00\x00" and struct.unpack("<Q", idx[9:17]) == (1,)
    dtype = {8: np.uint16, 4: np.int32}[idx[17]]
    n_seq, n_doc = struct.unpack("<QQ", idx[18:34])
    lengths = np.frombuffer(idx, np.int32, n_seq, 34)
    pointers = np.frombuffer(idx, np.int64, n_seq, 34 + 4 * n_seq)
    doc_index = np.frombuffer(idx, np.int64, n_doc, 34 + 12 * n_seq)
    assert doc_index.tolist() == list(range(n_seq + 1))  # one sequence per document
    data = np.memmap(prefix.with_suffix(".bin"), dtype=np.uint8, mode="r")
    return [np.frombuffer(data, dtype, int(n), int(p)).tolist() for n, p in zip(lengths, pointers)]


def test_megatron_export_reads_back_to_the_token_sequences(local_run, tmp_path):
    dest = tmp_path / "megatron"
    assert main(["export", str(local_run), "--format", "megatron", "-o", str(dest), "--langs", "de,fr"]) == 0
    for lang in ("de", "fr"):
        assert _megatron_documents(dest / lang) == _shard_documents(local_run, lang)


def test_megatron_export_reads_back_with_megatron_cores_indexed_dataset(local_run, tmp_path):
    from megatron.core.datasets import indexed_dataset as indexed

    export_tokens(local_run, "megatron", tmp_path, ["de"])
    ds = indexed.IndexedDataset(str(tmp_path / "de"))
    assert [ds[i].tolist() for i in range(len(ds))] == _shard_documents(local_run, "de")


def test_nanotron_export_reads_back_with_datatroves_reader(local_run, tmp_path):
    from datatrove.pipeline.tokens.merger import get_data_reader, load_doc_ends

    summary = export_tokens(local_run, "nanotron", tmp_path)
    for lang in summary.documents:
        ds = tmp_path / lang / "tokens.ds"
        ends = load_doc_ends(open(f"{ds}.index", "rb"))  # noqa: SIM115 - load_doc_ends closes it
        docs = [np.frombuffer(b, np.uint16).tolist() for b in get_data_reader(open(ds, "rb"), ends, nb_bytes=2)]  # noqa: SIM115
        assert docs == _shard_documents(local_run, lang)
        assert (tmp_path / lang / "tokens.ds.metadata").read_text().splitlines()[0].endswith("|2")
    exported = sum(len(d) for lang in summary.documents for d in _shard_documents(local_run, lang))
    assert sum(summary.tokens.values()) == exported


def test_nanotron_export_reads_back_with_datatroves_torch_dataset(local_run, tmp_path):
    from datatrove.utils.dataset import DatatroveFolderDataset

    export_tokens(local_run, "nanotron", tmp_path, ["de"])
    flat = [t for d in _shard_documents(local_run, "de") for t in d]
    ds = DatatroveFolderDataset(str(tmp_path / "de"), seq_len=63, token_size=2)
    assert len(ds) == len(flat) // 64
    assert [ds[i]["input_ids"].tolist() for i in range(len(ds))] == [
        flat[i * 64 : (i + 1) * 64] for i in range(len(ds))
    ]


def test_export_names_a_missing_language_and_an_unknown_format(local_run, tmp_path):
    with pytest.raises(ExportError, match="no token shards for"):
        export_tokens(local_run, "megatron", tmp_path, ["xx"])
    with pytest.raises(ExportError, match="unknown format"):
        export_tokens(local_run, "gpt-neox", tmp_path)
