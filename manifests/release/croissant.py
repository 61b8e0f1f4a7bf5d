"""Croissant 1.1 metadata (JSON-LD, with the RAI 1.0 vocabulary) for a finished run's output folder.

Everything is derived from `run.json`, the Parquet schemas and the provenance table: what only a
human can state (creator, URL, citation) is left out, and a missing licence is written NOT PROVIDED.
Writing the file is the caller's job; `contentUrl`s and `includes` globs are relative to OUT, so the
document resolves when it sits at OUT's root (or is loaded with OUT as its folder).
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.manifests.release.ai_act_summary import NOT_PROVIDED
from eurocurate.schema import Meta

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
DATA_KINDS = (
    ("text", "text-shards", "text", "one kept document as text, with its source URL and WARC record"),
    ("tokens", "token-shards", "shards", "one kept document as token ids of the run's tokenizer"),
)
# Data types that the Arrow type alone does not say.
SEMANTIC_TYPES = {Meta.URL: "sc:URL"}
COLUMN_DESCRIPTIONS = {
    "doc_id": "Document id; joins text shards, token shards, provenance and the exclusion ledger.",
    "text": "Main text extracted from the HTML page.",
    Meta.LANG: "ISO 639-1 code of the document's language.",
    Meta.LANG_SCORE: "Probability of `lang` given by the language identifier.",
    Meta.URL: "URL the page was fetched from.",
    Meta.WARC_RECORD_ID: "WARC-Record-ID of the response record the document comes from.",
    Meta.TITLE: "Title of the HTML page.",
    Meta.FETCH_DATE: "WARC-Date of the capture (ISO 8601).",
    Meta.SOURCE_CATEGORY: "public_dataset, own_crawl, public_sector, licensed or other.",
    "input_ids": "Token ids of the run's tokenizer (tokenizer/tokenizer.json).",
    Meta.N_TOKENS: "Length of input_ids.",
    Meta.QUALITY: "Every quality statistic measured on the document, by name.",
}
COLLECTION_TYPES = {
    "own_crawl": "Web Scraping",
    "public_sector": "Web Scraping",
    "public_dataset": "Secondary Data analysis",
    "licensed": "Others",
    "other": "Others",
}
RAW_INPUTS_LISTED = 20


def map_column_totals(files: list[Path], column: str) -> dict[str, int]:
    """Sum of a map<string, int> provenance column over all rows, per key (e.g. PII replaced by type)."""
    totals: Counter[str] = Counter()
    for f in files:
        values = pq.read_table(f, columns=[column])[column].combine_chunks()
        if len(values.keys) == 0:
            continue
        grouped = pa.table({"k": values.keys, "v": values.items}).group_by("k").aggregate([("v", "sum")])
        totals.update(dict(zip(grouped["k"].to_pylist(), grouped["v_sum"].to_pylist())))
    return dict(sorted(totals.items()))


def fetch_date_range(files: list[Path]) -> tuple[str, str] | None:
    """Earliest and latest capture date (WARC-Date) of the kept documents."""
    lows, highs = [], []
    for f in files:
        bounds = pc.min_max(pq.read_table(f, columns=[Meta.FETCH_DATE])[Meta.FETCH_DATE])
        if bounds["min"].is_valid:
            lows.append(bounds["min"].as_py())
            highs.append(bounds["max"].as_py())
    return (min(lows), max(highs)) if lows else None


def provenance_files(out: Path) -> list[Path]:
    return sorted((out / "provenance").glob("*.parquet"))


def licences(run: dict, override: str | None = None) -> list[str]:
    """The licences the inputs declare, or NOT PROVIDED (with a count) for inputs that declare none."""
    if override:
        return [override]
    declared = sorted({i["licence"] for i in run["inputs"] if i.get("licence")})
    missing = sum(1 for i in run["inputs"] if not i.get("licence"))
    if missing:
        declared.append(f"{NOT_PROVIDED} ({missing} of {len(run['inputs'])} inputs declare no licence)")
    return declared or [NOT_PROVIDED]


def dataset_version(run: dict) -> str:
    """1.0.0 for the run as produced; every erasure applied since bumps the minor version."""
    return f"1.{len(run.get('erasures', []))}.0"


def stage_uses(run: dict) -> list[str]:
    return [s["use"] for s in run.get("config", {}).get("stages", [])]


def appends_eos(run: dict) -> bool:
    """Whether the tokenizer stage appended the EOS id to every document (its `append_eos`, default true)."""
    stages = run.get("config", {}).get("stages", [])
    return next(((s.get("with") or {}).get("append_eos", True) for s in stages if s["use"] == "tokenizer"), False)


def _stage_line(stage: dict) -> str:
    reasons = ", ".join(f"{r} {n}" for r, n in sorted(stage.get("dropped_by_reason", {}).items()))
    return f"{stage['stage']}: {stage['in']} in, {stage['out']} kept, {stage['dropped']} dropped" + (
        f" ({reasons})" if reasons else ""
    )


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


def _record_set(out: Path, run: dict, record_set: str, file_set: str, folder: str, row: str) -> dict | None:
    files = sorted(
        o["path"] for o in run["outputs"] if o["path"].startswith(f"{folder}/") and o["path"].endswith(".parquet")
    )
    if not files:
        return None
    schema = pq.read_schema(out / files[0])
    return {
        "@type": "cr:RecordSet",
        "@id": record_set,
        "name": record_set,
        "description": f"One row per kept document: {row}.",
        "key": {"@id": f"{record_set}/doc_id"},
        "field": [_field(record_set, file_set, column) for column in schema],
    }


def _distribution(run: dict) -> list[dict]:
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
            "@id": o["path"],
            "name": o["path"],
            "contentUrl": o["path"],
            "contentSize": f"{o['bytes']} B",
            "encodingFormat": ENCODING_BY_SUFFIX.get(PurePosixPath(o["path"]).suffix, "application/octet-stream"),
            "sha256": o["sha256"],
        }
        for o in run["outputs"]
    ]
    return file_sets + file_objects


def _collection(run: dict, dates: tuple[str, str] | None) -> dict:
    inputs = run["inputs"]
    publishers = sorted({i.get("publisher") or NOT_PROVIDED for i in inputs})
    categories = sorted({i.get("source_category") or "other" for i in inputs})
    periods = sorted({i["collection_period"] for i in inputs if i.get("collection_period")})
    container = "WARC files (archived HTTP responses)" if "warc_reader" in stage_uses(run) else "input files"
    raw = [
        f"{i['path']} ({i['bytes']:,} bytes, sha256 {i['sha256']}, licence {i.get('licence') or NOT_PROVIDED})"
        for i in inputs
    ]
    if len(raw) > RAW_INPUTS_LISTED:
        raw = [
            *raw[:RAW_INPUTS_LISTED],
            f"… and {len(raw) - RAW_INPUTS_LISTED} more input files, all listed in run.json",
        ]
    return {
        "rai:dataCollection": (
            f"Web pages read from {len(inputs)} {container}, {sum(i['bytes'] for i in inputs):,} bytes in all; "
            f"publisher(s): {'; '.join(publishers)}; source categories: {', '.join(categories)}; declared collection "
            f"period(s): {', '.join(periods) or NOT_PROVIDED}. Each input is listed with its size and sha256 in run.json."
        ),
        "rai:dataCollectionType": sorted({COLLECTION_TYPES.get(c, "Others") for c in categories}),
        "rai:dataCollectionRawData": "; ".join(raw),
        # the RAI vocabulary wants DateTimes (start, end); without fetch dates the declared periods are all we know
        "rai:dataCollectionTimeframe": list(dates) if dates else periods,
    }


def _processing(run: dict) -> dict:
    policy = run.get("policies", {}).get("optout")
    tok = run.get("tokenizer") or {}
    optout = next((s for s in run["stages"] if s["stage"] == "optout"), None)
    steps = [_stage_line(s) for s in run["stages"]]
    if policy:
        steps.append(
            f"Opt-outs honoured for agents {', '.join(policy['agents'])} via {', '.join(policy['protocols'])} "
            f"(policy sha256 {policy['policy_sha256']}); {optout['dropped'] if optout else 0} documents excluded."
        )
    if tok:
        steps.append(
            f"Tokenized with {tok.get('id')} (sha256 {tok.get('sha256')}, vocabulary {tok.get('vocab_size')}, "
            f"EOS id {tok.get('eos_id')}"
            + (", appended to every document)." if appends_eos(run) else ", not appended).")
        )
    steps.append(
        f"Pipeline '{run['pipeline']}', config sha256 {run['config_sha256']}, eurocurate {run['code_version']}; "
        "every dropped document is in exclusions/ with its stage, reason and evidence."
    )
    return {"rai:dataPreprocessingProtocol": steps}


def _personal_data(out: Path, run: dict) -> dict:
    if "pii" not in stage_uses(run):
        return {
            "rai:dataManipulationProtocol": "No personal-data redaction stage ran in this pipeline.",
            "rai:personalSensitiveInformation": [
                "Personal data was not detected or redacted; the text may contain personal data."
            ],
        }
    prov = provenance_files(out)
    replaced = map_column_totals(prov, Meta.PII_COUNTS)
    candidates = map_column_totals(prov, Meta.PII_CANDIDATES)
    manipulation = (
        "Personal data in the text was replaced by typed placeholders before anything was written: <EMAIL>, "
        "<IP> (public addresses), <PHONE>, <IBAN>, <CARD> (Luhn), and national identifiers whose checksum "
        "validates (e.g. <PL_PESEL>, <NL_BSN>, <ES_DNI>). Strings shaped like an identifier whose checksum "
        "fails are left in the text and counted as candidates. Provenance keeps keyed HMAC-SHA256 "
        "fingerprints of replaced values (never the values) so erasure requests can be served."
    )
    if run.get("erasures"):
        manipulation += f" {len(run['erasures'])} erasure request(s) applied after the run (erasure_log.jsonl)."
    sensitive = [f"{kind}: {n} values replaced by <{kind}>" for kind, n in replaced.items()] or [
        "No personal data of the detected types was found."
    ]
    sensitive += [
        f"{kind}: {n} identifier-shaped strings left in the text (checksum fails)" for kind, n in candidates.items()
    ]
    return {"rai:dataManipulationProtocol": manipulation, "rai:personalSensitiveInformation": sensitive}


def _fitness(run: dict) -> dict:
    """Limitations, biases, uses and impact: what a reader needs before training on the data."""
    uses = stage_uses(run)
    tokens = run["totals"]["tokens_by_language"]
    total = sum(tokens.values()) or 1
    ranked = sorted(tokens.items(), key=lambda kv: (-kv[1], kv[0]))
    shares = ", ".join(f"{lang} {n / total:.1%}" for lang, n in ranked) or "no tokens"
    optout = next((s for s in run["stages"] if s["stage"] == "optout"), None)
    publishers = sorted({i.get("publisher") or NOT_PROVIDED for i in run["inputs"]})
    categories = sorted({i.get("source_category") or "other" for i in run["inputs"]})
    limitations = []
    if len(ranked) > 1:
        (big, big_n), (small, small_n) = ranked[0], ranked[-1]
        limitations.append(
            f"Languages are not balanced: the largest ({big}, {big_n:,} tokens) has {big_n / max(small_n, 1):.1f}x the "
            f"tokens of the smallest ({small}, {small_n:,} tokens); weight or sample per language when mixing."
        )
    if "language_id" in uses:
        limitations.append(
            "Only documents identified as one of the EU's 24 official languages were kept; code-switched pages carry one language label."
        )
    if "quality_filter" in uses:
        limitations.append(
            "Heuristic quality rules (Gopher-style) removed short and boilerplate-heavy pages, so short-form text is under-represented."
        )
    if "exact_dedup" in uses:
        limitations.append("Deduplication is exact (identical text only); near-duplicates may remain.")
    biases = [f"Language distribution (tokens): {shares}."]
    if optout and optout["dropped"]:
        biases.append(
            f"{optout['dropped']} documents were excluded because their publishers reserved rights (robots.txt, TDMRep, "
            "noai); sites that opt out of AI training are not represented."
        )
    biases.append(
        f"Sources: {', '.join(publishers)} ({', '.join(categories)}); the corpus reflects what those sources published."
    )
    impact = (
        f"Provides curated text in {len(tokens)} languages for training language models. Every kept document is traceable "
        "to its source URL and WARC record"
        + (", rights reservations were honoured at collection," if optout else "")
        + " and documents can be erased on request (`eurocurate erase`)."
    )
    return {
        "rai:dataLimitations": limitations,
        "rai:dataBiases": biases,
        "rai:dataUseCases": [
            "Pre-training of language models (causal language modelling) on the token shards.",
            "Re-tokenization, filtering or inspection of the text shards; quality statistics are stored to re-threshold without re-running.",
        ],
        "rai:dataSocialImpact": impact,
        "rai:dataReleaseMaintenancePlan": (
            "Erasure requests are applied with `eurocurate erase`, which rewrites the affected shards, replaces run.json "
            f"and bumps the minor version; {len(run.get('erasures', []))} applied so far."
        ),
    }


def build_croissant(out: Path, name: str | None = None, licence: str | None = None) -> dict:
    """Croissant 1.1 JSON-LD describing the run in `out`: files with hashes, record sets, RAI fields."""
    out = Path(out)
    run = read_run_manifest(out)
    totals = run["totals"]
    languages = sorted(totals["tokens_by_language"])
    found = licences(run, licence)
    summary = (
        f"{totals['kept']:,} documents in {len(languages)} languages ({sum(totals['tokens_by_language'].values()):,} tokens), "
        f"curated from {totals['read']:,} input documents by eurocurate pipeline '{run['pipeline']}' (run {run['run_id']})."
    )
    description = run.get("config", {}).get("description")
    record_sets = [_record_set(out, run, *kind) for kind in DATA_KINDS]
    dates = fetch_date_range(provenance_files(out))
    return {
        "@context": copy.deepcopy(CONTEXT),
        "@type": "sc:Dataset",
        "conformsTo": [CROISSANT_1_1, CROISSANT_RAI_1_0],
        "name": name or run["pipeline"],
        "description": f"{description}. {summary}" if description else summary,
        "license": found[0] if len(found) == 1 else found,
        "version": dataset_version(run),
        "dateCreated": run.get("finished_at") or run.get("started_at"),
        "inLanguage": languages,
        "identifier": run["run_id"],
        **({"temporalCoverage": f"{dates[0]}/{dates[1]}"} if dates else {}),
        "distribution": _distribution(run),
        "recordSet": [r for r in record_sets if r is not None],
        **_collection(run, dates),
        **_processing(run),
        **_personal_data(out, run),
        **_fitness(run),
    }
