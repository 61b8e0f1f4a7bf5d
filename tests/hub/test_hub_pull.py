"""`pull ORG/NAME` streams from the Hub (the local fake Hub of the publish tests) with `--seq-len` and
`--rehydrate`, exactly as from the run folder it was published from."""

from __future__ import annotations

import collections

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from huggingface_hub import CommitOperationAdd, HfApi

from eurocurate.cli import main
from eurocurate.hub.pull_mix import pull_any, pull_sequences
from eurocurate.pipelines.output.fineweb2 import rehydration_weight
from tests.hub.test_publish import REPO, hub, summarised  # noqa: F401 - the fixtures

SIZES = (2, 4, 150, 1000)  # FineWeb-2 weights 2, 3, 8 and 1


def _with_clusters(out, langs: list[str]) -> dict[str, int]:
    """Give the first documents of each language near-duplicate clusters (the demo corpus has none)."""
    sizes: dict[str, int] = {}
    for lang in langs:
        given = iter(SIZES)
        for f in sorted((out / "text" / lang).glob("*.parquet")):
            t = pq.read_table(f)
            new = t["minhash_cluster_size"].to_pylist()
            for i, (doc_id, size) in enumerate(zip(t["id"].to_pylist(), given)):
                new[i] = sizes[doc_id] = size
            i = t.schema.get_field_index("minhash_cluster_size")
            pq.write_table(t.set_column(i, t.schema.field(i), pa.array(new, pa.int64())), f)
    return sizes


def _upload(endpoint: str, out) -> None:
    """The published layout (text and token shards with their manifests, the tokenizer), in one commit."""
    api = HfApi(endpoint=endpoint)
    api.create_repo(REPO, repo_type="dataset", exist_ok=True)
    files = [p for sub in ("text", "shards", "tokenizer") for p in sorted((out / sub).rglob("*")) if p.is_file()]
    ops = [CommitOperationAdd(path_in_repo=p.relative_to(out).as_posix(), path_or_fileobj=str(p)) for p in files]
    api.create_commit(REPO, ops, commit_message="shards", repo_type="dataset")


def test_pull_from_the_hub_with_seq_len_and_rehydrate_gives_the_local_rows(hub, summarised, tmp_path):  # noqa: F811
    langs = ["de", "fr"]
    sizes = _with_clusters(summarised, langs)
    _upload(hub.endpoint, summarised)

    docs = list(pull_any(REPO, ["de"], endpoint=hub.endpoint, rehydrate=True))  # one language: all of it
    assert docs == list(pull_any(summarised, ["de"], rehydrate=True))
    copies = collections.Counter(d.doc_id for d in docs)
    assert {d: copies[d] for d in copies if d in sizes} == {
        d: rehydration_weight(sizes[d]) for d in copies if d in sizes
    }
    assert sorted(copies.values()) == [2, 3] and not any(d.truncated for d in docs)  # the demo has 2 de documents

    rows = tmp_path / "rows.parquet"
    assert main(["pull", REPO, "--endpoint", hub.endpoint, "--langs", "de,fr", "--seq-len", "512", "--seed", "3",
                 "--rehydrate", "-o", str(rows)]) == 0  # fmt: skip
    remote = pq.read_table(rows).to_pylist()
    pull_sequences(summarised, langs, 512, seed=3, rehydrate=True, output=tmp_path / "local.parquet")
    assert remote == pq.read_table(tmp_path / "local.parquet").to_pylist()
    assert remote and all(len(r["input_ids"]) == 512 for r in remote)
    assert pq.read_schema(rows).field("input_ids").type.value_type == pa.uint16()  # from the tokenizer's vocabulary


def test_pull_from_the_hub_without_output_streams_padded_rows_as_json_lines(hub, summarised, capsysbinary):  # noqa: F811
    _upload(hub.endpoint, summarised)
    args = ["pull", REPO, "--endpoint", hub.endpoint, "--langs", "de", "--seq-len", "64", "--no-split"]
    assert main(args) == 0  # --no-split pads with the pad token the published tokenizer declares
    rows = [orjson.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert rows and all(len(r["input_ids"]) == 64 for r in rows) and rows[-1]["padding"] > 0
    assert [r["position"] for r in rows] == list(range(len(rows)))


def _run_without_minhash(tmp_path):
    """A real run of JSON lines through language ID, exact dedup, tokenizer, text and token shards: no MinHash."""
    from tests.conftest import jsonl_docs_and_spec

    stages = [{"use": "language_id"}, {"use": "exact_dedup"}, {"use": "tokenizer", "with": {"vocab_size": 300}},
              {"use": "text_parquet"}, {"use": "token_shards"}]  # fmt: skip
    docs, spec = jsonl_docs_and_spec(tmp_path, stages)
    out = tmp_path / "out"
    assert main(["run", str(spec), "-i", str(docs), "-o", str(out)]) == 0
    return out


def test_rehydrate_on_a_run_without_minhash_is_refused_locally_and_from_the_hub(hub, tmp_path, capsys):  # noqa: F811
    """`--rehydrate` on such a run silently repeated nothing."""
    out = _run_without_minhash(tmp_path)
    capsys.readouterr()
    api = HfApi(endpoint=hub.endpoint)
    api.create_repo("someorg/nominhash", repo_type="dataset", exist_ok=True)
    files = [out / "run.json", *(p for sub in ("text", "shards", "tokenizer") for p in (out / sub).rglob("*"))]
    ops = [CommitOperationAdd(path_in_repo=p.relative_to(out).as_posix(), path_or_fileobj=str(p))
           for p in files if p.is_file()]  # fmt: skip
    api.create_commit("someorg/nominhash", ops, commit_message="run", repo_type="dataset")
    for source in (str(out), "someorg/nominhash"):
        args = ["pull", source, "--endpoint", hub.endpoint, "--langs", "en", "-o", str(tmp_path / "m.parquet")]
        assert main([*args, "--rehydrate"]) == 2
        err = capsys.readouterr().err
        assert "ran no minhash_dedup stage" in err and len(err.strip().splitlines()) == 1, err
        assert main(args) == 0
        capsys.readouterr()
    from eurocurate.hub.pull import rehydration_mistake  # a run without text shards of a language: the same refusal

    said = rehydration_mistake("out", ["minhash_dedup"], {"de": ["text/de/part-0.parquet"]}, ["de", "fr"])
    assert said and "has none for ['fr']" in said
    assert rehydration_mistake("out", ["minhash_dedup"], {"de": ["text/de/part-0.parquet"]}, ["de"]) is None
