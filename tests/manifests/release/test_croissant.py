"""Croissant metadata of a run: every file hash is real, the globs and record sets describe the shards
on disk, the RAI fields use the RAI vocabulary and agree with the provenance, and mlcroissant loads it."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import orjson
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from eurocurate.files import sha256_file
from eurocurate.manifests.release.ai_act_summary import NOT_PROVIDED
from eurocurate.manifests.release.croissant import CROISSANT_1_1, CROISSANT_RAI_1_0, build_croissant, dataset_version
from eurocurate.manifests.release.descriptions import licences
from eurocurate.schema import TEXT_COLUMNS

# Properties of the RAI 1.0 vocabulary (mlcommons/croissant docs/croissant_rai.ttl).
RAI_VOCABULARY = {
    "dataCollection", "dataCollectionType", "dataCollectionMissingData", "dataCollectionRawData",
    "dataCollectionTimeframe", "dataPreprocessingProtocol", "dataImputationProtocol", "dataManipulationProtocol",
    "dataReleaseMaintenancePlan", "personalSensitiveInformation", "dataAnnotationProtocol", "dataAnnotationPlatform",
    "dataAnnotationAnalysis", "annotationsPerItem", "annotatorDemographics", "machineAnnotationTools",
    "dataSocialImpact", "dataBiases", "dataLimitations", "dataUseCases",
}  # fmt: skip


@pytest.fixture(scope="module")
def croissant(local_run) -> dict:
    return build_croissant(local_run)


def _run(out: Path) -> dict:
    return orjson.loads((out / "run.json").read_bytes())


def _of_type(doc: dict, kind: str) -> list[dict]:
    return [d for d in doc["distribution"] if d["@type"] == kind]


def test_every_file_object_is_a_run_output_whose_size_and_sha256_match_the_file_on_disk(local_run, croissant):
    from eurocurate.layout import is_published

    objects = _of_type(croissant, "cr:FileObject")
    outputs = [o["path"] for o in _run(local_run)["outputs"]]
    # the published ones only: provenance/, exclusions/ and sequences/ never reach the repo the file describes; and
    # run.json itself, whose sha256 says which run manifest the document describes (publish compares it)
    assert sorted(o["contentUrl"] for o in objects) == sorted([*(p for p in outputs if is_published(p)), "run.json"])
    assert any(p.startswith(("provenance/", "exclusions/")) for p in outputs)
    for o in objects:
        path = local_run / o["contentUrl"]
        assert o["contentSize"] == f"{path.stat().st_size} B", o["contentUrl"]
        assert o["sha256"] == sha256_file(path), o["contentUrl"]
        assert o["encodingFormat"] == ("application/x-parquet" if path.suffix == ".parquet" else "application/json")
    assert len({o["@id"] for o in croissant["distribution"]}) == len(croissant["distribution"])  # ids are unique


def test_file_set_globs_match_exactly_the_text_and_token_shards(local_run, croissant):
    outputs = [o["path"] for o in _run(local_run)["outputs"]]
    sets = {s["@id"]: s for s in _of_type(croissant, "cr:FileSet")}
    for file_set, folder in (("text-shards", "text/"), ("token-shards", "shards/")):
        matched = sorted(p.relative_to(local_run).as_posix() for p in local_run.glob(sets[file_set]["includes"]))
        assert matched == sorted(p for p in outputs if p.startswith(folder) and p.endswith(".parquet"))
        assert matched and sets[file_set]["encodingFormat"] == "application/x-parquet"


def test_record_sets_describe_every_shard_column_with_its_type_and_source(local_run, croissant):
    sets = {r["@id"]: r for r in croissant["recordSet"]}
    file_sets = {s["@id"] for s in _of_type(croissant, "cr:FileSet")}
    text = {f["name"]: f for f in sets["text"]["field"]}
    tokens = {f["name"]: f for f in sets["tokens"]["field"]}
    assert list(text) == list(TEXT_COLUMNS)
    assert list(tokens) == pq.read_schema(next(local_run.glob("shards/*/*.parquet"))).names
    assert text["url"]["dataType"] == "sc:URL" and text["text"]["dataType"] == "sc:Text"
    assert tokens["input_ids"]["dataType"] == "sc:Integer" and tokens["input_ids"]["isArray"] is True
    assert tokens["n_tokens"]["dataType"] == "sc:Integer" and tokens["lang_score"]["dataType"] == "sc:Float"
    assert [(s["name"], s["dataType"]) for s in tokens["quality"]["subField"]] == [
        ("key", "sc:Text"),
        ("value", "sc:Float"),
    ]
    assert sets["text"]["key"] == {"@id": "text/id"} and sets["tokens"]["key"] == {"@id": "tokens/doc_id"}
    for record_set in sets.values():
        for f in record_set["field"]:
            assert f["@id"] == f"{record_set['@id']}/{f['name']}"
            assert f["source"]["fileSet"]["@id"] in file_sets and f["source"]["extract"]["column"] == f["name"]


def test_dataset_level_fields_come_from_the_run(local_run, croissant):
    run = _run(local_run)
    assert croissant["@type"] == "sc:Dataset" and croissant["conformsTo"] == [CROISSANT_1_1, CROISSANT_RAI_1_0]
    assert croissant["@context"]["rai"] == "http://mlcommons.org/croissant/RAI/"
    assert croissant["@context"]["cr"] == "http://mlcommons.org/croissant/"
    assert croissant["name"] == "demo" and croissant["identifier"] == run["run_id"]
    assert croissant["license"] == "CC0-1.0" and croissant["version"] == "1.0.0"
    assert croissant["dateCreated"] == run["finished_at"]
    assert croissant["inLanguage"] == sorted(run["totals"]["tokens_by_language"])
    assert build_croissant(local_run, name="eu-web", licence="CC-BY-4.0")["name"] == "eu-web"
    json.dumps(croissant)  # plain JSON, nothing a serializer must know about


def test_rai_fields_use_the_rai_vocabulary_and_agree_with_provenance_and_stages(local_run, croissant):
    run = _run(local_run)
    rai = {k.removeprefix("rai:"): v for k, v in croissant.items() if k.startswith("rai:")}
    assert set(rai) <= RAI_VOCABULARY
    assert {"dataCollection", "dataCollectionTimeframe", "dataPreprocessingProtocol", "dataManipulationProtocol",
            "personalSensitiveInformation", "dataLimitations", "dataBiases", "dataUseCases"} <= set(rai)  # fmt: skip
    assert rai["dataCollectionType"] == ["Web Scraping"]  # own_crawl inputs

    prov = [pq.read_table(f) for f in sorted((local_run / "provenance").glob("*.parquet"))]
    replaced: Counter[str] = Counter()
    for t in prov:
        for counts in t["pii_counts"].to_pylist():
            replaced.update(dict(counts or []))
    assert replaced, "the demo corpus plants personal data"
    for kind, n in replaced.items():
        assert f"{kind}: {n} values replaced by <{kind}>" in rai["personalSensitiveInformation"]
    dates = [d for t in prov for d in t["fetch_date"].to_pylist() if d]
    assert rai["dataCollectionTimeframe"] == [min(dates), max(dates)]
    assert croissant["temporalCoverage"] == f"{min(dates)}/{max(dates)}"

    protocol = "\n".join(rai["dataPreprocessingProtocol"])
    for stage in run["stages"]:
        assert f"{stage['stage']}: {stage['in']} in, {stage['out']} kept, {stage['dropped']} dropped" in protocol
        for reason, n in stage["dropped_by_reason"].items():
            assert f"{reason} {n}" in protocol
    assert run["policies"]["optout"]["policy_sha256"] in protocol and run["tokenizer"]["sha256"] in protocol
    assert "<EMAIL>" in rai["dataManipulationProtocol"]
    tokens = run["totals"]["tokens_by_language"]
    share = tokens["de"] / sum(tokens.values())
    assert f"de {share:.1%}" in rai["dataBiases"][0]


def test_licence_comes_from_the_inputs_or_is_marked_not_provided():
    declared = ["CC-BY-4.0", "CC0-1.0", "CC0-1.0"]
    assert licences(declared) == ["CC-BY-4.0", "CC0-1.0"]
    assert licences(declared, override="ODbL-1.0") == ["ODbL-1.0"]
    assert licences([None]) == [f"{NOT_PROVIDED} (1 of 1 inputs declare no licence)"]
    partly = licences(["CC0-1.0", None])
    assert partly[0] == "CC0-1.0" and partly[1].startswith(NOT_PROVIDED)


def test_each_erasure_bumps_the_minor_version():
    assert dataset_version([]) == "1.0.0"
    assert dataset_version(["e1", "e2"]) == "1.2.0"


def test_mlcroissant_loads_the_metadata_and_streams_text_and_token_records(run_copy):
    import mlcroissant as mlc  # a declared test dependency: missing, the test fails

    path = run_copy / "croissant.json"
    path.write_text(json.dumps(build_croissant(run_copy)))
    dataset = mlc.Dataset(jsonld=path)  # raises ValidationError on any error
    assert not dataset.metadata.ctx.issues.errors

    text_ids = set(pc.unique(pq.read_table(run_copy / "text", columns=["id"])["id"]).to_pylist())
    for record in itertools.islice(dataset.records("text"), 5):
        assert record["text/id"].decode() in text_ids
        assert record["text/text"].decode().strip() and record["text/url"].decode().startswith("http")
    for record in itertools.islice(dataset.records("tokens"), 5):
        assert len(record["tokens/input_ids"]) == record["tokens/n_tokens"] > 0
        assert {q["tokens/quality/key"] for q in record["tokens/quality"]} >= {b"gopher_quality.n_words"}
    assert sum(1 for _ in dataset.records("text")) == _run(run_copy)["totals"]["kept"]
