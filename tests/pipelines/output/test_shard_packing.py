"""Packing and the seeded global shuffle: shards of the target size, every document once, provenance
pointing at the right rows, the same bytes for the same seed, another order for another seed."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from eurocurate.cli import main
from eurocurate.files import sha256_file
from eurocurate.manifests.audit.verify import verify_output
from tests.conftest import robots_of, write_spec


def _run(tmp_path, demo_inputs, name, *extra):
    spec = write_spec(tmp_path / f"{name}.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    tree = yaml.safe_load(spec.read_text())
    assert "shard_packing" in [s["use"] for s in tree["stages"]]  # the bundled demo spec packs and shuffles
    spec.write_text(yaml.safe_dump(tree))
    out = tmp_path / name
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out), *extra]) == 0
    return out


def _rows(out):
    return {
        p.relative_to(out).as_posix(): pq.read_table(p)["doc_id"].to_pylist()
        for p in sorted((out / "shards").rglob("*.parquet"))
    }


# small shards and shuffle buckets, so that the demo input fills several of each
SMALL_SHARDS = (
    "--set", "stages.shard_packing.target_tokens_per_shard=3000",
    "--set", "stages.shard_packing.shuffle_bucket_tokens=2000",
)  # fmt: skip


def test_packed_shuffled_shards_hold_every_document_once_and_provenance_finds_them(tmp_path, demo_inputs, local_run):
    a = _run(tmp_path, demo_inputs, "a", "--set", "stages.shard_packing.shuffle_seed=7", *SMALL_SHARDS)
    assert verify_output(a).ok, verify_output(a).problems
    shards = _rows(a)
    assert all(p.split("/")[-1].startswith("packed-") for p in shards)
    all_ids = [d for ids in shards.values() for d in ids]
    unpacked = sorted(
        pa.concat_tables([pq.read_table(f) for f in (local_run / "provenance").glob("*.parquet")])["doc_id"].to_pylist()
    )
    assert sorted(all_ids) == unpacked  # the documents the run kept, each once
    for p in (a / "shards").rglob("*.parquet"):
        n = sum(pq.read_table(p, columns=["n_tokens"])["n_tokens"].to_pylist())
        assert n <= 3000 or pq.ParquetFile(p).metadata.num_rows == 1
    prov = pa.concat_tables([pq.read_table(f) for f in (a / "provenance").glob("*.parquet")]).to_pylist()
    for row in prov:
        assert pq.read_table(a / row["token_shard"]).slice(row["token_row"], 1)["doc_id"][0].as_py() == row["doc_id"]
    # same seed: the same bytes; another seed: another order
    b = _run(tmp_path, demo_inputs, "b", "--set", "stages.shard_packing.shuffle_seed=7", *SMALL_SHARDS)
    assert {p: sha256_file(a / p) for p in shards} == {p: sha256_file(b / p) for p in _rows(b)}
    c = _run(tmp_path, demo_inputs, "c", "--set", "stages.shard_packing.shuffle_seed=8", *SMALL_SHARDS)
    assert _rows(c) != shards and sorted(d for ids in _rows(c).values() for d in ids) == unpacked
