"""The dataset card of a run: its YAML is what the Hub and `datasets` read (configs per language and
for tokens, globs that match the shards), and its body reports the run's own numbers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
import yaml

from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.manifests.release.dataset_card import (
    TOKENS_CONFIG,
    card_metadata,
    dataset_card,
    hub_licence,
    size_category,
)
from eurocurate.pipelines.output.fineweb2 import FINEWEB2_LANGUAGE


@pytest.fixture(scope="module")
def card(local_run) -> str:
    return dataset_card(local_run)


def _front_matter(card: str) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", card, re.S)
    assert match, "a card starts with YAML front matter between --- lines"
    return yaml.safe_load(match.group(1))


def _run(out: Path) -> dict:
    return orjson.loads((out / "run.json").read_bytes())


def _text_rows_by_language(out: Path) -> dict[str, int]:
    rows: Counter[str] = Counter()
    for f in out.glob("text/*/*.parquet"):
        rows[f.parent.name] += pq.ParquetFile(f).metadata.num_rows
    return dict(rows)


@pytest.mark.parametrize(
    ("rows", "bucket"),
    [(0, "n<1K"), (999, "n<1K"), (1_000, "1K<n<10K"), (99_999, "10K<n<100K"), (10**6, "1M<n<10M"),
     (10**11 - 1, "10B<n<100B"), (10**12, "n>1T")],
)  # fmt: skip
def test_size_category_is_the_hub_bucket_of_the_document_count(rows, bucket):
    assert size_category(rows) == bucket


def test_licence_is_the_hub_id_of_the_declared_spdx_licence_or_other(local_run):
    assert hub_licence(["CC0-1.0", "CC0-1.0"]) == "cc0-1.0"
    assert hub_licence(["CC-BY-4.0", "CC0-1.0"]) == ["cc-by-4.0", "cc0-1.0"]
    assert hub_licence(["Proprietary-Newswire-Terms"]) == "other"
    assert hub_licence([]) == "other"
    run = read_run_manifest(local_run)
    declared = run.inputs[0].model_copy(update={"licence": "CC0-1.0"})
    run.inputs = [declared, declared.model_copy(update={"licence": None})]
    assert card_metadata(run)["license"] == "other"  # one input without a licence: the card cannot claim cc0


def test_front_matter_parses_and_has_one_config_per_language_with_text_shards_plus_tokens(local_run, card):
    meta = _front_matter(card)
    languages = sorted(_text_rows_by_language(local_run))
    assert len(languages) >= 12
    assert meta["language"] == languages
    assert [c["config_name"] for c in meta["configs"]] == [*languages, TOKENS_CONFIG]
    for config in meta["configs"]:
        assert [set(d) for d in config["data_files"]] == [{"split", "path"}] and config["data_files"][0][
            "split"
        ] == "train"
    assert meta["license"] == "cc0-1.0" and meta["size_categories"] == ["n<1K"]
    assert meta["task_categories"] == ["text-generation"] and meta["pretty_name"]


def test_every_config_glob_matches_exactly_its_shards(local_run, card):
    outputs = {o["path"] for o in _run(local_run)["outputs"]}
    for config in _front_matter(card)["configs"]:
        pattern = config["data_files"][0]["path"]
        matched = {p.relative_to(local_run).as_posix() for p in local_run.glob(pattern)}
        folder = "shards/" if config["config_name"] == TOKENS_CONFIG else f"text/{config['config_name']}/"
        assert matched == {p for p in outputs if p.startswith(folder) and p.endswith(".parquet")}, pattern
        assert matched


def test_the_hub_card_parser_reads_the_metadata(card):
    from huggingface_hub import DatasetCard

    data = DatasetCard(card).data
    assert data.task_categories == ["text-generation"] and data.license == "cc0-1.0"
    assert data.configs[-1]["config_name"] == TOKENS_CONFIG


def test_datasets_loads_each_config_of_the_card_from_the_folder(run_copy, tmp_path, monkeypatch):
    import datasets  # a declared test dependency: missing, the test fails

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    (run_copy / "README.md").write_text(dataset_card(run_copy))
    cache = str(tmp_path / "hf-cache")
    rows = _text_rows_by_language(run_copy)
    for lang in ("de", "el", "mt"):
        ds = datasets.load_dataset(str(run_copy), lang, split="train", cache_dir=cache)
        assert ds.num_rows == rows[lang] and set(ds["language"]) == {FINEWEB2_LANGUAGE[lang][0]}
    tokens = datasets.load_dataset(str(run_copy), TOKENS_CONFIG, split="train", cache_dir=cache)
    assert tokens.num_rows == _run(run_copy)["totals"]["kept"]
    assert "quality" in tokens.column_names  # a list of (key, value) structs, which datasets reads
    row = tokens[0]
    assert len(row["input_ids"]) == row["n_tokens"] > 0


def test_the_cards_loading_code_runs_in_the_output_folder(run_copy, tmp_path, monkeypatch):
    import datasets  # a declared test dependency: missing, the test fails

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    monkeypatch.chdir(run_copy)
    code = re.search(r"## How to load\n\n```python\n(.*?)```", dataset_card(run_copy), re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the snippet the card shows users
    assert scope["ds"].num_rows > 0 and scope["table"].num_rows == _run(run_copy)["totals"]["kept"]


def test_body_reports_languages_funnel_optout_personal_data_tokenizer_and_integrity(local_run, card):
    run = _run(local_run)
    body = card.split("\n---\n", 1)[1]
    tokens = run["totals"]["tokens_by_language"]
    for lang, n in _text_rows_by_language(local_run).items():
        assert f"| {lang} | {n:,} | {tokens[lang]:,} |" in body
    for stage in run["stages"]:
        assert f"| {stage['stage']} | {stage['in']:,} | {stage['out']:,} | {stage['dropped']:,} |" in body
        for reason, n in stage["dropped_by_reason"].items():
            assert f"`{reason}` {n:,}" in body
    policy = run["policies"]["optout"]
    assert policy["policy_sha256"] in body and all(f"`{a}`" in body for a in policy["agents"])

    replaced: Counter[str] = Counter()
    for f in (local_run / "provenance").glob("*.parquet"):
        for counts in pq.read_table(f, columns=["pii_counts"])["pii_counts"].to_pylist():
            replaced.update(dict(counts or []))
    for kind, n in replaced.items():
        assert f"| `<{kind}>` | {n:,} |" in body

    assert run["tokenizer"]["id"] in body and run["tokenizer"]["sha256"] in body
    assert run["run_id"] in body and run["config_sha256"] in body and "eurocurate verify" in body
    assert 'load_dataset("parquet", data_files="text/' in body


def test_a_repo_id_names_the_card_and_points_loading_at_the_hub(local_run):
    card = dataset_card(local_run, repo_id="acme/eu-web-demo")
    assert _front_matter(card)["pretty_name"] == "eu-web-demo"
    assert 'load_dataset("acme/eu-web-demo", "bg", split="train")' in card
    assert "hf://datasets/acme/eu-web-demo/shards/*/*.parquet" in card
