from pathlib import Path

import pytest

from eurocurate.config import SpecError, load_spec
from eurocurate.pipelines.engine.compiler import compile_pipeline
from eurocurate.registry import InputSet

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["demo.yaml", "web.yaml"])
def test_bundled_specs_validate_and_compile(name, tmp_path):
    spec = load_spec(REPO / "pipelines" / name)
    dag = compile_pipeline(spec, InputSet(root=str(tmp_path), files=["a.warc.gz", "b.warc.gz"]), tmp_path / "out")
    assert [n.kind for n in dag.nodes] == ["map", "barrier"] * 6 + ["map"]
    assert dag.nodes[-2].name == "pack_sequences"  # training rows from the packed shards
    assert dag.nodes[0].tasks == 2 and dag.nodes[1].name == "url_dedup"
    assert dag.ledger_stages() == [
        "warc_reader",
        "optout",
        "html_extractor",
        "language_id",
        "quality_filter",
        "pii_redactor",
        "url_dedup",
        "exact_dedup",
        "minhash_dedup",
    ]
    # the last group always ends with provenance
    assert dag.nodes[-1].steps[-1].name == "provenance_writer"


def test_a_given_tokenizer_runs_first_and_text_and_shards_stream_from_the_dedup_filter_in_one_task(tmp_path):
    given = tmp_path / "tokenizer.json"
    given.write_text("{}")
    spec = load_spec(REPO / "pipelines" / "fineweb_equivalent.yaml", [f"stages.tokenizer.tokenizer={given}"])
    dag = compile_pipeline(spec, InputSet(root=str(tmp_path), files=["a.warc.gz", "b.warc.gz"]), tmp_path / "out")
    assert [(n.name, n.kind) for n in dag.nodes] == [
        ("tokenizer", "barrier"), ("ingest", "map"), ("minhash_dedup", "barrier"), ("map1", "map"),
    ]  # fmt: skip
    assert [s.name for s in dag.nodes[-1].steps] == [
        "intermediate_reader", "minhash_dedup", "tokenize", "text_writer", "token_shard_writer", "provenance_writer",
    ]  # fmt: skip
    trained = compile_pipeline(
        load_spec(REPO / "pipelines" / "fineweb_equivalent.yaml"),
        InputSet(str(tmp_path), ["a.warc.gz"]),
        tmp_path / "o",
    )  # training reads every task's documents: the group before it hands them over in a file
    assert [n.name for n in trained.nodes] == ["ingest", "minhash_dedup", "map1", "tokenizer", "map2"]
    assert trained.node("map1").steps[-1].name == "intermediate_writer"


def test_set_overrides_reach_stage_parameters_and_execution():
    spec = load_spec(REPO / "pipelines" / "demo.yaml", ["execution.workers=5", "stages.language_id.min_score=0.8"])
    assert spec.execution.workers == 5
    assert spec.stage("language_id").params["min_score"] == 0.8


def test_spec_digest_changes_with_a_parameter_and_not_with_layout(tmp_path):
    a = load_spec(REPO / "pipelines" / "demo.yaml")
    b = load_spec(REPO / "pipelines" / "demo.yaml", ["stages.quality_filter.min_words=80"])
    assert a.digest() != b.digest()
    reformatted = tmp_path / "demo.yaml"
    reformatted.write_text("# a comment\n" + (REPO / "pipelines" / "demo.yaml").read_text())
    assert load_spec(reformatted).digest() == a.digest()
    # how the run executes does not change its outputs, so it does not change the digest
    assert (
        load_spec(REPO / "pipelines" / "demo.yaml", ["execution.workers=7", "execution.executor=local"]).digest()
        == a.digest()
    )
    assert load_spec(REPO / "pipelines" / "demo.yaml", ["execution.tasks=3"]).digest() != a.digest()


def test_unknown_stage_name_suggests_the_close_one(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("name: x\nstages:\n  - use: warc_reader\n  - use: langauge_id\n")
    with pytest.raises(SpecError, match="did you mean 'language_id'"):
        compile_pipeline(load_spec(spec), InputSet(str(tmp_path), ["a.warc"]), tmp_path / "o")


def test_bad_stage_parameter_names_the_stage(tmp_path):
    with pytest.raises(SpecError, match="(?s)language_id.*min_score.*less than or equal to 1"):
        spec = load_spec(REPO / "pipelines" / "demo.yaml", ["stages.language_id.min_score=3"])
        compile_pipeline(spec, InputSet(str(tmp_path), ["a.warc"]), tmp_path / "o")


def test_unknown_top_level_key_and_missing_source_stage_are_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstagez: []\nstages:\n  - use: warc_reader\n")
    with pytest.raises(SpecError, match="stagez"):
        load_spec(bad)
    no_source = tmp_path / "nosource.yaml"
    no_source.write_text("name: x\nstages:\n  - use: html_extractor\n")
    with pytest.raises(SpecError, match="starts with exactly one source stage"):
        compile_pipeline(load_spec(no_source), InputSet(str(tmp_path), ["a.warc"]), tmp_path / "o")


def test_token_shards_without_tokenizer_is_rejected(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("name: x\nstages:\n  - use: warc_reader\n  - use: token_shards\n")
    with pytest.raises(SpecError, match="needs \\['tokenizer'\\]"):
        compile_pipeline(load_spec(spec), InputSet(str(tmp_path), ["a.warc"]), tmp_path / "o")


@pytest.mark.parametrize(
    ("stages", "says"),
    [
        # the audit's spec: the token shards held every e-mail in clear, the card said they were removed
        (
            ["html_extractor", "tokenizer", "pii", "text_parquet", "token_shards"],
            r"'pii' \(pii\) comes after 'tokenizer'",
        ),
        (
            ["html_extractor", "tokenizer", "text_parquet", "pii", "token_shards"],
            r"'pii' \(pii\) comes after 'tokenizer'",
        ),
        (
            ["html_extractor", "text_parquet", "language_id"],
            r"'language_id' \(language_id\) comes after 'text_parquet'",
        ),
        (["html_extractor", "tokenizer", "token_shards", "exact_dedup"], "'exact_dedup' .* comes after 'tokenizer'"),
        # page metas are gone after extraction: 8 of the demo's reserved pages were kept
        (
            ["html_extractor", "optout", "language_id"],
            r"'optout' \(optout\) must come before 'html_extractor': .*<meta>",
        ),
    ],
)
def test_a_stage_placed_where_it_cannot_do_its_work_is_refused_with_the_spec(tmp_path, stages, says):
    spec = tmp_path / "s.yaml"
    spec.write_text("name: x\nstages:\n  - use: warc_reader\n" + "".join(f"  - use: {s}\n" for s in stages))
    with pytest.raises(SpecError, match=says):
        compile_pipeline(load_spec(spec), InputSet(str(tmp_path), ["a.warc"]), tmp_path / "o")


def test_set_on_a_missing_stage_and_malformed_set_are_errors():
    with pytest.raises(SpecError, match="no stage 'langid'"):
        load_spec(REPO / "pipelines" / "demo.yaml", ["stages.langid.min_score=0.8"])
    with pytest.raises(SpecError, match="key=value"):
        load_spec(REPO / "pipelines" / "demo.yaml", ["execution.workers"])


def test_per_input_source_rules_first_match_wins_then_the_default(tmp_path):
    rules = tmp_path / "sources.yaml"
    rules.write_text(
        "- match: 'eurlex/**'\n  publisher: Publications Office\n  source_category: public_sector\n  licence: "
        "CC-BY-4.0\n"
        "- match: '*.warc.gz'\n  publisher: Common Crawl\n  source_category: public_dataset\n  licence: https://commoncrawl.org/terms-of-use\n"
    )
    spec = load_spec(REPO / "pipelines" / "demo.yaml", [f"sources_file={rules}"])
    assert spec.source_for("eurlex/2026/a.warc.gz").publisher == "Publications Office"
    assert spec.source_for("cc-main-1.warc.gz").source_category == "public_dataset"
    assert spec.source_for("other/x.warc").publisher == spec.source.publisher
    bad = tmp_path / "bad.yaml"
    bad.write_text("- match: '*'\n  source_category: stolen\n")
    with pytest.raises(SpecError, match="invalid source rule"):
        load_spec(REPO / "pipelines" / "demo.yaml", [f"sources_file={bad}"]).source_for("a")


def test_a_misspelt_or_mistyped_stage_parameter_is_one_line_with_did_you_mean():
    from pydantic import BaseModel, ConfigDict, ValidationError

    from eurocurate.config import describe_validation_errors

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        min_score: float = 0.5
        languages: list[str] = []

    try:
        Params.model_validate({"min_scor": 0.3, "languages": "de"})
    except ValidationError as e:
        line = describe_validation_errors("stage 'language_id' (language_id)", e, Params, noun="parameter")
    assert "\n" not in line and line.startswith("stage 'language_id' (language_id): ")
    assert "unknown parameter 'min_scor'; did you mean 'min_score'?" in line
    assert "languages: Input should be a valid list (got 'de')" in line


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name: x\nexecuton: {workers: 2}\nstages:\n  - use: warc_reader\n",
         "invalid pipeline spec: unknown key 'executon'; did you mean 'execution'?"),
        ("name: x\nexecution: {workers: two, exector: ray}\nstages:\n  - use: warc_reader\n",
         "execution.workers: Input should be a valid integer, unable to parse string as an integer (got 'two')"),
        ("name: x\nexecution: {exector: ray}\nstages:\n  - use: warc_reader\n",
         "unknown key 'execution.exector'; did you mean 'executor'?"),
        ("name: x\nstages:\n  - use: warc_reader\n  - use: warc_reader\n", "stage names must be unique"),
        ("name: x\nstages: [\n  - use: warc_reader\n", "is not valid YAML: while parsing a flow node"),
    ],
    ids=["misspelt-section", "wrong-type", "misspelt-key-in-section", "repeated-stage", "broken-yaml"],
)  # fmt: skip
def test_a_spec_that_does_not_load_is_one_line_naming_the_place(tmp_path, text, says):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert (
        says in str(caught.value) and "\n" not in str(caught.value) and "errors.pydantic.dev" not in str(caught.value)
    )
    with pytest.raises(SpecError, match=r"invalid source rule: source_category: Input should be .*\(got 'stolen'\)"):
        rules = tmp_path / "rules.yaml"
        rules.write_text("- match: '*'\n  source_category: stolen\n")
        load_spec(REPO / "pipelines" / "demo.yaml", [f"sources_file={rules}"]).source_for("a")
