"""Croissant 1.1 metadata (JSON-LD, with the RAI 1.0 vocabulary) for a finished run's output folder.

Everything is derived from `run.json`, the Parquet schemas and the provenance table (the sentences it
shares with the dataset card come from `descriptions`): what only a human can state (creator, URL,
citation) is left out, and a missing licence is written NOT PROVIDED.
Writing the file is the caller's job; `contentUrl`s and `includes` globs are relative to OUT, so the
document resolves when it sits at OUT's root (or is loaded with OUT as its folder).
"""

from __future__ import annotations

import copy
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from eurocurate.files import sha256_file
from eurocurate.layout import RUN_MANIFEST, is_published
from eurocurate.manifests.audit.language_counts import routed_non_eu24
from eurocurate.manifests.audit.run_manifest import RunManifest, read_run_manifest
from eurocurate.manifests.release.descriptions import (
    COLUMN_DESCRIPTIONS,
    NO_OPTOUT,
    NO_PII_STAGE,
    NOT_PROVIDED,
    TEXT_ROW,
    TOKEN_ROW,
    appends_eos,
    deduplication_limitation,
    documents_by_language_line,
    erasures_applied,
    fetch_date_range,
    keeps_fingerprints,
    language_routing,
    licences,
    lineage,
    map_column_totals,
    optout_policy,
    personal_data_measure,
    protocols_honoured,
    provenance_files,
    robots_coverage_text,
    run_summary,
    stage_line,
    tokenizer_identity,
    traceability,
)
from eurocurate.schema import TEXT_ID, Meta

CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"
CROISSANT_RAI_1_0 = "http://mlcommons.org/croissant/RAI/1.0"
# The @context mlcroissant writes for 1.1 documents (`make_context`); any other key set makes it warn.
CONTEXT: dict[str, object] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
PARQUET = "application/x-parquet"
ENCODING_BY_SUFFIX = {".parquet": PARQUET, ".json": "application/json", ".jsonl": "application/jsonl"}
# (record set id, file set id, folder under OUT, what one row is)
DATA_KINDS = (("text", "text-shards", *TEXT_ROW), ("tokens", "token-shards", *TOKEN_ROW))
# Data types that the Arrow type alone does not say.
SEMANTIC_TYPES = {Meta.URL: "sc:URL"}
COLLECTION_TYPES = {
    "own_crawl": "Web Scraping",
    "public_sector": "Web Scraping",
    "public_dataset": "Secondary Data analysis",
    "licensed": "Others",
    "other": "Others",
}
RAW_INPUTS_LISTED = 20


def dataset_version(erasures: list[str]) -> str:
    """1.0.0 for the run as produced; every erasure applied since bumps the minor version."""
    return f"1.{len(erasures)}.0"


def _field(record_set: str, file_set: str, column: pa.Field) -> dict:
    field: dict = {
        "@type": "cr:Field",
        "@id": f"{record_set}/{column.name}",
        "name": column.name,
        "description": COLUMN_DESCRIPTIONS.get(column.name, f"Column `{column.name}` ({column.type})."),
        "source": {"fileSet": {"@id": file_set}, "extract": {"column": column.name}},
    }
    kind = column.type
    if pa.types.is_map(kind) or (pa.types.is_list(kind) and pa.types.is_struct(kind.value_type)):
        # a map, or a list of (key, value) structs: a repeated record whose entries are sub-fields
        field["isArray"] = True
        field["arrayShape"] = "-1"
        if pa.types.is_map(kind):
            # readers give a map as a list of (key, value) pairs, hence [0] and [1]
            parts = [("key", kind.key_type, "[0]"), ("value", kind.item_type, "[1]")]
        else:
            struct = kind.value_type
            parts = [
                (struct.field(i).name, struct.field(i).type, struct.field(i).name) for i in range(struct.num_fields)
            ]
        field["subField"] = [
            {
                "@type": "cr:Field",
                "@id": f"{record_set}/{column.name}/{part}",
                "name": part,
                "dataType": _data_type(part_type),
                "source": {
                    "fileSet": {"@id": file_set},
                    "extract": {"column": column.name},
                    "transform": {"jsonPath": path},
                },
            }
            for part, part_type, path in parts
        ]
        return field
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        field["isArray"] = True
        field["arrayShape"] = "-1"
        kind = kind.value_type
    field["dataType"] = SEMANTIC_TYPES.get(column.name) or _data_type(kind)
    return field


def _data_type(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "sc:Integer"
    if pa.types.is_floating(kind):
        return "sc:Float"
    if pa.types.is_boolean(kind):
        return "sc:Boolean"
    return "sc:Text"


def _record_set(out: Path, run: RunManifest, record_set: str, file_set: str, folder: str, row: str) -> dict | None:
    files = sorted(o.path for o in run.outputs if o.path.startswith(f"{folder}/") and o.path.endswith(".parquet"))
    if not files:
        return None
    schema = pq.read_schema(out / files[0])
    return {
        "@type": "cr:RecordSet",
        "@id": record_set,
        "name": record_set,
        "description": f"One row per kept document: {row}.",
        # text shards name the document id as FineWeb-2 does (`id`), token shards `doc_id`
        "key": {"@id": f"{record_set}/{TEXT_ID if TEXT_ID in schema.names else 'doc_id'}"},
        "field": [_field(record_set, file_set, column) for column in schema],
    }


def _distribution(run: RunManifest) -> list[dict]:
    file_sets = [
        {
            "@type": "cr:FileSet",
            "@id": file_set,
            "name": file_set,
            "description": f"{folder}/<lang>/*.parquet: {row}, zstd-compressed Parquet.",
            "encodingFormat": PARQUET,
            "includes": f"{folder}/*/*.parquet",
        }
        for _, file_set, folder, row in DATA_KINDS
    ]
    file_objects = [
        {
            "@type": "cr:FileObject",
            "@id": o.path,
            "name": o.path,
            "contentUrl": o.path,
            "contentSize": f"{o.bytes} B",
            "encodingFormat": ENCODING_BY_SUFFIX.get(PurePosixPath(o.path).suffix, "application/octet-stream"),
            "sha256": o.sha256,
        }
        for o in run.outputs
        if is_published(o.path)  # provenance/, exclusions/ and sequences/ stay with the run: never in the repo
    ]
    return file_sets + file_objects


def _collection(run: RunManifest, dates: tuple[str, str] | None) -> dict:
    inputs = run.inputs
    publishers = sorted({i.publisher or NOT_PROVIDED for i in inputs})
    categories = sorted({i.source_category or "other" for i in inputs})
    periods = sorted({i.collection_period for i in inputs if i.collection_period})
    container = "WARC files (archived HTTP responses)" if "warc_reader" in run.stage_uses() else "input files"
    raw = [f"{i.path} ({i.bytes:,} bytes, sha256 {i.sha256}, licence {i.licence or NOT_PROVIDED})" for i in inputs]
    if len(raw) > RAW_INPUTS_LISTED:
        raw = [
            *raw[:RAW_INPUTS_LISTED],
            f"… and {len(raw) - RAW_INPUTS_LISTED} more input files, all listed in {RUN_MANIFEST}",
        ]
    return {
        "rai:dataCollection": (
            f"Web pages read from {len(inputs)} {container}, {sum(i.bytes for i in inputs):,} bytes in all; "
            f"publisher(s): {'; '.join(publishers)}; source categories: {', '.join(categories)}; declared collection "
            f"period(s): {', '.join(periods) or NOT_PROVIDED}. Each input is listed with its size and sha256 in "
            f"{RUN_MANIFEST}."
        ),
        "rai:dataCollectionType": sorted({COLLECTION_TYPES.get(c, "Others") for c in categories}),
        "rai:dataCollectionRawData": "; ".join(raw),
        # the RAI vocabulary wants DateTimes (start, end); without fetch dates the declared periods are all we know
        "rai:dataCollectionTimeframe": list(dates) if dates else periods,
    }


def _processing(run: RunManifest, out: Path) -> dict:
    steps = [stage_line(s) for s in run.stages]
    optout = run.stage("optout")
    if run.policies.optout:
        steps.append(optout_policy(run.policies.optout, optout.dropped if optout else 0))
        if coverage := robots_coverage_text(out, run):
            steps.append(coverage)
    else:
        steps.append(NO_OPTOUT)
    if run.tokenizer:
        steps.append(tokenizer_identity(run.tokenizer, appends_eos(run)))
    steps.append(f"{lineage(run)}. {traceability()}")
    return {"rai:dataPreprocessingProtocol": steps}


def _personal_data(out: Path, run: RunManifest) -> dict:
    if "pii" not in run.stage_uses():
        return {"rai:dataManipulationProtocol": NO_PII_STAGE, "rai:personalSensitiveInformation": [NO_PII_STAGE]}
    prov = provenance_files(out)
    replaced = map_column_totals(prov, Meta.PII_COUNTS)
    candidates = map_column_totals(prov, Meta.PII_CANDIDATES)
    manipulation = personal_data_measure(fingerprints=keeps_fingerprints(run)) + (
        f" {erasures_applied(run)}" if run.erasures else ""
    )
    sensitive = [f"{kind}: {n} values replaced by <{kind}>" for kind, n in replaced.items()] or [
        "No personal data of the detected types was found."
    ]
    sensitive += [
        f"{kind}: {n} identifier-shaped strings left in the text (checksum fails)" for kind, n in candidates.items()
    ]
    return {"rai:dataManipulationProtocol": manipulation, "rai:personalSensitiveInformation": sensitive}


def _fitness(run: RunManifest) -> dict:
    """Limitations, biases, uses and impact: what a reader needs before training on the data."""
    uses = run.stage_uses()
    tokens = run.totals.tokens_by_language
    total = sum(tokens.values()) or 1
    ranked = sorted(tokens.items(), key=lambda kv: (-kv[1], kv[0]))
    shares = ", ".join(f"{lang} {n / total:.1%}" for lang, n in ranked) or "no tokens"
    optout = run.stage("optout")
    publishers = sorted({i.publisher or NOT_PROVIDED for i in run.inputs})
    categories = sorted({i.source_category or "other" for i in run.inputs})
    limitations = []
    if len(ranked) > 1:
        (big, big_n), (small, small_n) = ranked[0], ranked[-1]
        limitations.append(
            f"Languages are not balanced: the largest ({big}, {big_n:,} tokens) has {big_n / max(small_n, 1):.1f}x the "
            f"tokens of the smallest ({small}, {small_n:,} tokens); weight or sample per language when mixing."
        )
    if "language_id" in uses:
        routed = routed_non_eu24(run.totals.documents_by_language)
        limitations.append(
            (
                "Documents identified as one of the EU's 24 official languages were kept, and those in the routed "
                "languages in shards of their own"
                if routed
                else "Only documents identified as one of the EU's 24 official languages were kept"
            )
            + "; code-switched pages carry one language label. "
            + f"{documents_by_language_line(run)} {language_routing(run)}"
        )
    if "quality_filter" in uses:
        limitations.append(
            "Heuristic quality rules (Gopher-style) removed short and boilerplate-heavy pages, so short-form text "
            "is under-represented."
        )
    limitations.append(deduplication_limitation(uses))
    biases = [f"Language distribution (tokens): {shares}."]
    policy = run.policies.optout
    if optout and optout.dropped and policy is not None:
        biases.append(
            f"{optout.dropped} documents were excluded because their publishers reserved rights "
            f"({protocols_honoured(policy)}); sites that opt out of AI training are not represented."
        )
    biases.append(
        f"Sources: {', '.join(publishers)} ({', '.join(categories)}); the corpus reflects what those sources published."
    )
    impact = (
        f"Provides curated text in {len(tokens)} languages for training language models. Every kept document is "
        "traceable to its source URL and WARC record"
        + (
            f", rights reservations expressed through {protocols_honoured(policy)} were honoured at collection,"
            if optout and policy is not None
            else ", rights reservations were NOT checked,"
        )
        + " and documents can be erased on request (`eurocurate erase`)."
    )
    return {
        "rai:dataLimitations": limitations,
        "rai:dataBiases": biases,
        "rai:dataUseCases": [
            "Pre-training of language models (causal language modelling) on the token shards.",
            "Re-tokenization, filtering or inspection of the text shards; quality statistics are stored to "
            "re-threshold without re-running.",
        ],
        "rai:dataSocialImpact": impact,
        "rai:dataReleaseMaintenancePlan": (
            "Erasure requests are applied with `eurocurate erase`, which rewrites the affected shards, replaces "
            f"{RUN_MANIFEST} and bumps the minor version; {len(run.erasures)} applied so far."
        ),
    }


def _run_manifest_file(out: Path) -> dict:
    """run.json itself, with its sha256: which run manifest the document describes (publish compares it)."""
    path = out / RUN_MANIFEST
    return {
        "@type": "cr:FileObject",
        "@id": RUN_MANIFEST,
        "name": RUN_MANIFEST,
        "contentUrl": RUN_MANIFEST,
        "contentSize": f"{path.stat().st_size} B",
        "encodingFormat": "application/json",
        "sha256": sha256_file(path),
    }


def described_run_manifest(croissant: dict) -> str | None:
    """The sha256 of the run.json a Croissant document was written from; None in one written before it was named."""
    for item in croissant.get("distribution") or []:
        if isinstance(item, dict) and item.get("contentUrl") == RUN_MANIFEST:
            return item.get("sha256")
    return None


def build_croissant(out: Path, name: str | None = None, licence: str | None = None) -> dict:
    """Croissant 1.1 JSON-LD describing the run in `out`: files with hashes, record sets, RAI fields."""
    out = Path(out)
    run = read_run_manifest(out)
    languages = sorted(run.totals.tokens_by_language)
    found = licences([i.licence for i in run.inputs], licence)
    summary = run_summary(run)
    description = run.config.description
    record_sets = [_record_set(out, run, *kind) for kind in DATA_KINDS]
    dates = fetch_date_range(provenance_files(out))
    return {
        "@context": copy.deepcopy(CONTEXT),
        "@type": "sc:Dataset",
        "conformsTo": [CROISSANT_1_1, CROISSANT_RAI_1_0],
        "name": name or run.pipeline,
        "description": f"{description}. {summary}" if description else summary,
        "license": found[0] if len(found) == 1 else found,
        "version": dataset_version(run.erasures),
        "dateCreated": run.finished_at or run.started_at,
        "inLanguage": languages,
        "identifier": run.run_id,
        **({"temporalCoverage": f"{dates[0]}/{dates[1]}"} if dates else {}),
        "distribution": [_run_manifest_file(out), *_distribution(run)],
        "recordSet": [r for r in record_sets if r is not None],
        **_collection(run, dates),
        **_processing(run, out),
        **_personal_data(out, run),
        **_fitness(run),
    }
