"""Tokenization: shards decode back to the text shards, the trained tokenizer is language-balanced and
recorded by hash, and a user's tokenizer.json is used as given."""

from __future__ import annotations

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tokenizers import Tokenizer

from eurocurate.cli import main
from eurocurate.files import sha256_file
from eurocurate.pipelines.output.tokenize import balanced_sample
from tests.conftest import REPO, robots_of, write_spec


def _concat(files):
    return pa.concat_tables([pq.read_table(f) for f in files])


def test_token_shards_decode_to_the_text_of_the_text_shards(local_run):
    tok = Tokenizer.from_file(str(local_run / "tokenizer" / "tokenizer.json"))
    meta = orjson.loads((local_run / "tokenizer" / "tokenizer.meta.json").read_bytes())
    texts = dict(
        zip(*(_concat(sorted((local_run / "text").rglob("*.parquet"))).select(["id", "text"]).columns), strict=True)
    )
    texts = {k.as_py(): v.as_py() for k, v in texts.items()}
    shards = _concat(sorted((local_run / "shards").rglob("*.parquet")))
    assert shards.schema.field("input_ids").type == pa.list_(pa.uint16())  # a 600-token vocabulary
    for doc_id, ids, n in zip(
        shards["doc_id"].to_pylist(), shards["input_ids"].to_pylist(), shards["n_tokens"].to_pylist()
    ):
        assert ids[-1] == meta["eos_id"] and n == len(ids)
        assert tok.decode(ids[:-1]) == texts[doc_id]
    assert meta["sha256"] == sha256_file(local_run / "tokenizer" / "tokenizer.json")


def test_training_sample_is_balanced_and_deterministic(tmp_path):
    rows = [{"id": f"{lang}{i}", "text": ("x" * 50 if lang == "en" else "y" * 50), "lang": lang}
            for lang in ("en", "mt") for i in range(100 if lang == "en" else 5)]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "00000.parquet")
    sample = balanced_sample(tmp_path, chars_per_lang=500)
    assert sum(map(len, sample["en"])) == 500 and sum(map(len, sample["mt"])) == 250
    assert balanced_sample(tmp_path, chars_per_lang=500) == sample


def test_a_user_supplied_tokenizer_file_is_used_and_recorded(local_run, demo_inputs, tmp_path):
    given = local_run / "tokenizer" / "tokenizer.json"
    spec = write_spec(tmp_path / "spec.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    out = tmp_path / "out"
    assert main(["run", str(spec), "--input", str(demo_inputs), "--output", str(out),
                 "--set", f"stages.tokenizer.tokenizer={given}"]) == 0  # fmt: skip
    run = orjson.loads((out / "run.json").read_bytes())
    assert run["tokenizer"]["id"] == str(given.resolve())
    assert run["tokenizer"]["sha256"] == sha256_file(given)
    manifest = orjson.loads(next((out / "shards").rglob("*.manifest.json")).read_bytes())
    assert manifest["tokenizer"] == {"id": str(given.resolve()), "sha256": sha256_file(given)}
    # the same tokenizer given: its barrier runs first and text and shards stream in the dedup filter's task,
    # where the run that trained it wrote and read a hand-over file; rows, ids and order are the same
    for folder in ("text", "shards", "sequences", "provenance"):
        ours = sorted(p.relative_to(out) for p in (out / folder).rglob("*.parquet"))
        assert ours == sorted(p.relative_to(local_run) for p in (local_run / folder).rglob("*.parquet")), folder
        for rel in ours:
            assert pq.read_table(out / rel).equals(pq.read_table(local_run / rel)), rel


def test_datasets_and_polars_read_the_token_shards_as_trainers_do(local_run):
    import polars as pl
    from datasets import load_dataset

    files = sorted(str(p) for p in (local_run / "shards").rglob("*.parquet"))
    ds = load_dataset("parquet", data_files=files, split="train")
    df = pl.read_parquet(files)
    assert ds.num_rows == df.height == sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    assert set(ds.column_names) >= {"doc_id", "input_ids", "n_tokens", "lang", "quality"}
    tok = Tokenizer.from_file(str(local_run / "tokenizer" / "tokenizer.json"))
    texts = {r["id"]: r["text"] for r in _concat(sorted((local_run / "text").rglob("*.parquet"))).to_pylist()}
    row = ds[0]
    assert tok.decode(row["input_ids"][:-1]) == texts[row["doc_id"]]
    assert {q["key"] for q in row["quality"]} >= {"gopher_quality.n_words", "gopher_quality.mean_word_length"}


@pytest.mark.slow
def test_a_run_whose_every_document_is_dropped_finishes_and_says_so(tmp_path):
    """Every page too short for the quality filter: the run used to stop at the tokenizer ("nothing to train a
    tokenizer on") as an incomplete run to resume, which no re-run could finish, and left no run.json to audit."""
    from eurocurate.cli import main
    from eurocurate.manifests.audit.run_manifest import read_run_manifest
    from eurocurate.manifests.release.dataset_card import dataset_card
    from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc

    short = b"<html><body><p>short</p></body></html>"
    write_warc(
        tmp_path / "in" / "a.warc.gz", [WarcRecordSpec(url=f"https://x{i}.example.eu/p", body=short) for i in range(3)]
    )
    out = tmp_path / "out"
    spec = str(REPO / "pipelines" / "demo.yaml")
    assert main(["run", spec, "-i", str(tmp_path / "in"), "-o", str(out), "--executor", "local"]) == 0
    run = read_run_manifest(out)
    assert (run.totals.read, run.totals.kept, run.totals.dropped) == (3, 0, 3)
    assert main(["verify", str(out)]) == 0
    assert "trained on no text: no document reached the tokenizer" in dataset_card(out)
