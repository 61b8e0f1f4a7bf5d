"""The `pack_sequences` stage: rows of exactly seq_len ids that AutoTokenizer decodes back into the source texts
with the declared EOS, FineWeb-2's up-sampling by cluster size, weights and budgets, whole documents when asked,
and sequences/ that an erasure re-packs (verify and publish refuse rows that still hold an erased document)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import transformers
import yaml

from eurocurate.cli import main
from eurocurate.config import SpecError, load_spec
from eurocurate.hub.publish import PublishError, publish
from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.pipelines.engine.compiler import compile_pipeline
from eurocurate.pipelines.output.fineweb2 import rehydration_weight
from eurocurate.pipelines.output.mixing import MixError
from eurocurate.pipelines.output.pack_sequences import PackSequencesParams, packing_params, write_sequences
from eurocurate.registry import InputSet

REPO = Path(__file__).resolve().parents[3]


def _rows(folder) -> list[dict]:
    return [r for f in sorted(folder.glob("part-*.parquet")) for r in pq.read_table(f).to_pylist()]


def _documents(folder) -> dict[str, dict]:
    (table,) = [pq.read_table(f) for f in folder.glob("documents*.parquet")]
    return {r["doc_id"]: r for r in table.to_pylist()}


def _segments(rows: list[dict]) -> dict[str, list[list[int]]]:
    """Each document's copies, re-assembled from the segments of rows in packed (unshuffled) order."""
    docs: dict[str, list[list[int]]] = {}
    for row in rows:
        ends = [*row["document_starts"][1:], len(row["input_ids"]) - row["padding"]]
        for i, (doc_id, a, b) in enumerate(zip(row["doc_ids"], row["document_starts"], ends)):
            if i == 0 and row["continues"]:
                docs[doc_id][-1].extend(row["input_ids"][a:b])
            else:
                docs.setdefault(doc_id, []).append(row["input_ids"][a:b])
    return docs


def _texts(run) -> dict[str, str]:
    return {r["id"]: r["text"] for f in (run / "text").rglob("*.parquet") for r in pq.read_table(f).to_pylist()}


def test_the_stage_writes_rows_of_exactly_seq_len_that_autotokenizer_decodes_into_the_source_texts(local_run, tmp_path):
    params = packing_params(read_run_manifest(local_run).config.stages)
    assert params is not None and params.seq_len == 1024  # the demo spec packs
    rows = _rows(local_run / "sequences")
    assert rows and all(len(r["input_ids"]) == 1024 and r["padding"] == 0 for r in rows)
    assert (
        pq.read_schema(next((local_run / "sequences").glob("part-*"))).field("input_ids").type.value_type == pa.uint16()
    )
    # the same packing without the shuffle: copies of a document are whole in packed order
    plain = write_sequences(local_run, params.model_copy(update={"shuffle_seed": None}), tmp_path)
    assert plain.rows == len(rows)
    assert sorted(r["input_ids"] for r in _rows(tmp_path)) == sorted(r["input_ids"] for r in rows)
    tok = transformers.AutoTokenizer.from_pretrained(str(local_run / "tokenizer"))
    texts = _texts(local_run)
    decoded = 0
    for doc_id, copies in _segments(_rows(tmp_path)).items():
        for ids in copies:
            if ids[-1] == tok.eos_token_id:  # only the copy cut by the end of the last row is partial
                assert tok.decode(ids) == texts[doc_id] + tok.eos_token
                decoded += 1
    assert decoded >= len(_documents(tmp_path)) - 1
    assert verify_output(local_run).ok


def _set_cluster_sizes(run, sizes: dict[str, int]) -> None:
    for f in sorted((run / "text").rglob("*.parquet")):
        t = pq.read_table(f)
        new = [sizes.get(d, s) for d, s in zip(t["id"].to_pylist(), t["minhash_cluster_size"].to_pylist())]
        i = t.schema.get_field_index("minhash_cluster_size")
        pq.write_table(t.set_column(i, t.schema.field(i), pa.array(new, pa.int64())), f)


def test_rehydration_packs_each_document_as_often_as_fineweb2_weighs_its_cluster(run_copy, tmp_path):
    lang = "de"
    ids = pq.read_table(next((run_copy / "shards" / lang).glob("*.parquet")), columns=["doc_id"])["doc_id"].to_pylist()
    sizes = dict(zip(ids, [2, 4, 150, 1000]))
    _set_cluster_sizes(run_copy, sizes)
    p = PackSequencesParams(seq_len=64, languages=[lang], rehydrate=True, split_documents=False)
    write_sequences(run_copy, p, tmp_path)
    packed = _documents(tmp_path)
    assert {d: packed[d]["times_packed"] for d in ids} == {d: rehydration_weight(sizes.get(d, 1)) for d in ids}
    assert [rehydration_weight(n) for n in (1, 2, 3, 4, 5, 99, 100, 999, 1000)] == [1, 2, 3, 3, 5, 5, 8, 8, 1]


def test_weights_and_a_budget_set_each_languages_share_and_documents_stay_whole_when_asked(local_run, tmp_path):
    p = PackSequencesParams(seq_len=128, weights={"de": 3, "fr": 1}, tokens=2000, split_documents=False)
    summary = write_sequences(local_run, p, tmp_path)
    per_lang = Counter()
    for d in _documents(tmp_path).values():
        per_lang[d["lang"]] += d["tokens_packed"]
    assert set(per_lang) == {"de", "fr"} and sum(per_lang.values()) == summary.tokens
    assert 1500 <= per_lang["de"] <= 1501 and 500 <= per_lang["fr"] <= 501  # + EOS after a document cut by its quota
    rows = _rows(tmp_path)
    assert all(len(r["input_ids"]) == 128 for r in rows) and summary.padding == sum(r["padding"] for r in rows) > 0
    assert all(r["input_ids"][128 - r["padding"] :] == [0] * r["padding"] for r in rows)  # <pad> is id 0
    long_docs = {d for d, c in _segments(rows).items() if len(c[0]) > 128}
    assert all(not r["continues"] or r["doc_ids"][0] in long_docs for r in rows)  # only a too-long document splits
    with pytest.raises(MixError, match="missing \\['fr'\\]"):
        write_sequences(local_run, PackSequencesParams(languages=["de", "fr"], weights={"de": 1}), tmp_path / "x")


def test_an_erasure_re_packs_the_sequences_and_verify_and_publish_refuse_rows_holding_an_erased_document(run_copy):
    out = run_copy
    before = out / "before"
    shutil.copytree(out / "sequences", before)
    victim = next(iter(_documents(out / "sequences")))
    prov = pa.concat_tables([pq.read_table(f) for f in sorted((out / "provenance").glob("*.parquet"))])
    url = prov.filter(pc.equal(prov["doc_id"], victim))["url"][0].as_py()
    assert main(["erase", str(out), "--url", url]) == 0
    after = _documents(out / "sequences")
    assert victim not in after and after and all(victim not in r["doc_ids"] for r in _rows(out / "sequences"))
    assert all(len(r["input_ids"]) == 1024 for r in _rows(out / "sequences"))
    assert [f.name for f in sorted((out / "sequences").glob("*"))] == ["documents.e1.parquet", "part-00000.e1.parquet"]
    assert verify_output(out).ok, verify_output(out).problems

    # rows that still hold the erased document (put back by hand) are flagged, and publish refuses them
    for f in (out / "sequences").glob("*"):
        f.unlink()
    for f in before.glob("*"):
        shutil.copy(f, out / "sequences" / f.name)
    shutil.rmtree(before)
    problems = verify_output(out).problems
    assert any("provenance does not keep" in p and victim in p for p in problems), problems
    assert main(["summary", str(out)]) == 0
    with pytest.raises(PublishError, match="does not match its manifests"):
        publish(out, "eurocurate-test/demo", endpoint="http://127.0.0.1:9")


def test_a_run_without_token_shards_packs_no_row_and_says_so(run_copy, tmp_path):
    summary = write_sequences(run_copy, PackSequencesParams(), tmp_path, files={})
    assert (summary.rows, summary.documents) == (0, 0) and summary.files == ["documents.parquet"]
    assert pq.read_table(tmp_path / "documents.parquet").num_rows == 0


def test_with_bos_every_document_decodes_between_the_declared_bos_and_eos(local_run, tmp_path):
    tok = transformers.AutoTokenizer.from_pretrained(str(local_run / "tokenizer"))
    p = PackSequencesParams(seq_len=256, languages=["de", "fr"], bos=True, split_documents=False)
    write_sequences(local_run, p, tmp_path)
    texts = _texts(local_run)
    copies = _segments(_rows(tmp_path))
    assert copies and all(len(c) == 1 for c in copies.values())  # no rehydration: each document once
    for doc_id, (ids,) in copies.items():
        assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
        assert tok.decode(ids) == tok.bos_token + texts[doc_id] + tok.eos_token


@pytest.mark.parametrize(
    "order,params,says",
    [
        (["pack_sequences", "shard_packing"], {}, "put it after shard_packing"),
        (["shard_packing", "pack_sequences"], {"languages": ["de", "fr"], "weights": {"de": 1, "pl": 1}},
         "weights must name exactly the languages packed"),
    ],
)  # fmt: skip
def test_a_spec_that_cannot_pack_is_refused_before_anything_runs(order, params, says, tmp_path):
    tree = yaml.safe_load((REPO / "pipelines" / "demo.yaml").read_text())
    moved = {s["use"]: s for s in tree["stages"] if s["use"] in order}
    moved["pack_sequences"]["with"] = params
    tree["stages"] = [s for s in tree["stages"] if s["use"] not in order] + [moved[use] for use in order]
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(tree))
    inputs = InputSet(root=str(tmp_path), files=["a.warc.gz"])
    with pytest.raises(SpecError, match=says):
        compile_pipeline(load_spec(tmp_path / "spec.yaml"), inputs, tmp_path / "out")


def test_check_refuses_a_language_the_run_cannot_have_shards_of_in_one_line(capsys):
    """A typo in `languages` or `weights` passed `check` and failed only at the last barrier of the run."""
    demo = str(REPO / "pipelines" / "demo.yaml")
    for override, says in (
        ("stages.pack_sequences.languages=[de, frr]", "name ['frr'], which language_id neither keeps nor routes"),
        ("stages.pack_sequences.weights={de: 1, fx: 1}", "name ['fx'], which language_id neither keeps nor routes"),
    ):
        assert main(["check", demo, "--set", override]) == 2
        err = capsys.readouterr().err
        assert says in err and len(err.strip().splitlines()) == 1, err
    assert main(["check", demo, "--set", "stages.pack_sequences.languages=[de, frr]"]) == 2
    assert "did you mean 'fr' for 'frr'?" in capsys.readouterr().err
    routed = ["--set", "stages.language_id.route_languages=[cat]", "--set", "stages.language_id.min_scores={ca: 0.3}"]
    assert main(["check", demo, *routed, "--set", "stages.pack_sequences.weights={de: 1, ca: 1}"]) == 0
    every = ["--set", "stages.language_id.route_languages=['*']"]
    assert main(["check", demo, *every, "--set", "stages.pack_sequences.languages=[de, fur]"]) == 0


def test_a_packing_that_fails_for_its_parameters_says_the_changed_spec_runs_with_restart(demo_inputs, tmp_path, capsys):
    """The run said 're-run the same command to resume', which cannot fix it, and the fixed command was refused."""
    from tests.conftest import robots_of, write_spec

    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs), executor="local", workers=1)
    run = ["run", str(spec), "-i", str(demo_inputs), "-o", str(tmp_path / "out")]
    assert main([*run, "--set", "stages.pack_sequences.tokens=1000000000"]) == 1
    err = capsys.readouterr().err
    assert "not enough tokens" in err and "run the changed command with --restart" in err
    assert main([*run, "--set", "stages.pack_sequences.tokens=1000"]) == 2  # a changed spec does not resume
    assert main([*run, "--set", "stages.pack_sequences.tokens=1000", "--restart"]) == 0


def test_check_refuses_a_repeated_language_or_a_weight_that_is_no_positive_number(capsys):
    demo = str(REPO / "pipelines" / "demo.yaml")
    for override, says in (
        ("stages.pack_sequences.languages=[de, de]", "languages name ['de'] more than once"),
        ("stages.pack_sequences.weights={de: 1, fr: .nan}", "weights must be positive finite numbers"),
    ):
        assert main(["check", demo, "--set", override]) == 2
        err = capsys.readouterr().err
        assert says in err and len(err.strip().splitlines()) == 1, err


def test_check_refuses_rehydration_in_a_spec_without_minhash_dedup(tmp_path, capsys):
    """`rehydrate: true` without the stage that records cluster sizes repeated nothing, silently."""
    tree = yaml.safe_load((REPO / "pipelines" / "demo.yaml").read_text())
    tree["stages"] = [s for s in tree["stages"] if s["use"] != "minhash_dedup"]
    for s in tree["stages"]:
        if s["use"] == "pack_sequences":
            s["with"] = {**s.get("with", {}), "rehydrate": True}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(tree))
    assert main(["check", str(tmp_path / "spec.yaml")]) == 2
    err = capsys.readouterr().err
    assert "without both stages it would repeat nothing" in err and len(err.strip().splitlines()) == 1
