"""The Hugging Face dataset card (README.md) of a finished run: YAML metadata plus a Markdown body.

Filled from `run.json` and the provenance table only: configs per language over the text shards and
one over the token shards, sources, the processing funnel, opt-out and personal-data measures, the
tokenizer, how to load, and how to check integrity; the sentences it shares with the Croissant file come
from `descriptions`. Data-file globs are relative to OUT, so the card belongs at the root of the
published folder; writing it is the caller's job.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from eurocurate.files import sha256_file
from eurocurate.layout import RUN_MANIFEST, SHARDS, TEXT
from eurocurate.manifests.audit.run_manifest import RunManifest, read_run_manifest
from eurocurate.manifests.release.descriptions import (
    COLUMN_DESCRIPTIONS,
    NO_OPTOUT,
    NO_PII_STAGE,
    NOT_PROVIDED,
    appends_eos,
    erasures_applied,
    fetch_date_range,
    keeps_fingerprints,
    language_id_models,
    language_routing,
    licences,
    lineage,
    map_column_totals,
    markdown_code,
    optout_policy,
    personal_data_measure,
    provenance_files,
    robots_coverage_text,
    run_summary,
    tokenizer_identity,
    traceability,
)
from eurocurate.schema import TEXT_COLUMNS, Meta

TOKENS_CONFIG = "tokens"
TEXT_GLOB = TEXT + "/{lang}/*.parquet"
TOKENS_GLOB = f"{SHARDS}/*/*.parquet"
# Upper bounds of the Hub's size_categories buckets (number of rows).
SIZE_BUCKETS = (
    (10**3, "n<1K"), (10**4, "1K<n<10K"), (10**5, "10K<n<100K"), (10**6, "100K<n<1M"), (10**7, "1M<n<10M"),
    (10**8, "10M<n<100M"), (10**9, "100M<n<1B"), (10**10, "1B<n<10B"), (10**11, "10B<n<100B"), (10**12, "100B<n<1T"),
)  # fmt: skip
# SPDX identifiers the Hub knows (its list is lower-case); anything else is `other`, named in the body.
HUB_LICENCES = frozenset(
    "apache-2.0 mit cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 "
    "cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 "
    "cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 odc-by odbl pddl etalab-2.0 "
    "eupl-1.1 eupl-1.2 gpl-3.0 lgpl-3.0 agpl-3.0 bsd-3-clause unlicense".split()
)
INPUTS_LISTED = 20
# Arrow types whose `datasets` dtype name differs from str(type); ints and strings are spelled the same.
HUB_DTYPES = {"float": "float32", "double": "float64", "halffloat": "float16"}


def size_category(rows: int) -> str:
    """The Hub's size bucket for a number of rows (documents)."""
    for limit, label in SIZE_BUCKETS:
        if rows < limit:
            return label
    return "n>1T"


def hub_licence(declared: list[str]) -> str | list[str]:
    """The card's `license:` value: Hub ids for declared SPDX licences, `other` if any is unknown or missing."""
    ids = sorted({d.lower() for d in declared})
    if not ids or any(i not in HUB_LICENCES for i in ids):
        return "other"
    return ids[0] if len(ids) == 1 else ids


def documents_by_language(run: RunManifest) -> dict[str, int]:
    """Rows of the text shards per language, from the outputs recorded in run.json."""
    docs: dict[str, int] = {}
    for o in run.outputs:
        parts = PurePosixPath(o.path).parts
        if len(parts) == 3 and parts[0] == TEXT and parts[2].endswith(".parquet"):
            docs[parts[1]] = docs.get(parts[1], 0) + (o.rows or 0)
    return dict(sorted(docs.items()))


def hub_features(schema: pa.Schema) -> tuple[list[dict], list[str]]:
    """`dataset_info.features` for the columns `datasets` can represent, and the names of those it cannot.

    `datasets` has no map type: without explicit features and a column list it refuses the whole
    token shard because of `quality`, so the config loads every other column.
    """
    features, omitted = [], []
    for column in schema:
        kind = column.type
        if pa.types.is_list(kind) and not pa.types.is_nested(kind.value_type):
            features.append(
                {"name": column.name, "sequence": HUB_DTYPES.get(str(kind.value_type), str(kind.value_type))}
            )
        elif pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
            fields = [kind.value_type.field(i) for i in range(kind.value_type.num_fields)]
            if any(pa.types.is_nested(f.type) for f in fields):
                omitted.append(column.name)
                continue
            features.append(
                {
                    "name": column.name,
                    "list": [{"name": f.name, "dtype": HUB_DTYPES.get(str(f.type), str(f.type))} for f in fields],
                }
            )
        elif pa.types.is_nested(kind):
            omitted.append(column.name)
        else:
            features.append({"name": column.name, "dtype": HUB_DTYPES.get(str(kind), str(kind))})
    return features, omitted


def token_schema(out: Path, run: RunManifest) -> pa.Schema | None:
    shards = sorted(o.path for o in run.outputs if o.path.startswith(f"{SHARDS}/") and o.path.endswith(".parquet"))
    return pq.read_schema(out / shards[0]) if shards else None


def card_metadata(run: RunManifest, tokens: pa.Schema | None = None, repo_id: str | None = None) -> dict:
    """The YAML front matter, as a dict; `tokens` is the token shards' schema (no `tokens` config without it)."""
    docs = documents_by_language(run)
    declared = [i.licence for i in run.inputs if i.licence]
    licence = hub_licence(declared) if len(declared) == len(run.inputs) else "other"
    configs = [
        {"config_name": lang, "data_files": [{"split": "train", "path": TEXT_GLOB.format(lang=lang)}]} for lang in docs
    ]
    info = []
    if tokens is not None:
        features, _ = hub_features(tokens)
        configs.append(
            {
                "config_name": TOKENS_CONFIG,
                "data_files": [{"split": "train", "path": TOKENS_GLOB}],
                "columns": [f["name"] for f in features],
            }
        )
        info.append({"config_name": TOKENS_CONFIG, "features": features})
    return {
        "pretty_name": repo_id.split("/")[-1] if repo_id else f"eurocurate {run.pipeline}",
        "language": list(docs),
        "license": licence,
        "multilinguality": "multilingual" if len(docs) > 1 else "monolingual",
        "size_categories": [size_category(run.totals.kept)],
        "task_categories": ["text-generation"],
        "task_ids": ["language-modeling"],
        "source_datasets": ["original"],
        "tags": ["eurocurate", "pretraining", "provenance"],
        "configs": configs,
        **({"dataset_info": info} if info else {}),
    }


def _cell(value: object) -> str:
    return str(value if value not in (None, "") else NOT_PROVIDED).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows],
    ]


def _languages(run: RunManifest) -> list[str]:
    docs = documents_by_language(run)
    tokens = run.totals.tokens_by_language
    total = sum(tokens.values()) or 1
    rows = [
        [lang, f"{docs.get(lang, 0):,}", f"{tokens.get(lang, 0):,}", f"{tokens.get(lang, 0) / total:.1%}"]
        for lang in sorted(set(docs) | set(tokens))
    ]
    rows.append(["**all**", f"{sum(docs.values()):,}", f"{sum(tokens.values()):,}", "100%"])
    said = [line for line in (language_routing(run, markdown_code), language_id_models(run, markdown_code)) if line]
    return ["## Languages", "", *_table(["language", "documents", "tokens", "share"], rows), "",
            *(part for line in said for part in (line, ""))]  # fmt: skip


def _sources(run: RunManifest, dates: tuple[str, str] | None) -> list[str]:
    inputs = run.inputs
    rows = [
        [PurePosixPath(i.path).name, i.publisher, i.source_category, i.licence, i.collection_period, f"{i.bytes:,}"]
        for i in inputs[:INPUTS_LISTED]
    ]
    lines = [
        "## Sources and licences",
        "",
        f"{len(inputs)} input files ({sum(i.bytes for i in inputs):,} bytes); licences declared: "
        f"{', '.join(licences([i.licence for i in inputs]))}."
        + (f" Pages were captured between {dates[0]} and {dates[1]} (WARC-Date)." if dates else ""),
        "",
        *_table(["input", "publisher", "category", "licence", "collection period", "bytes"], rows),
    ]
    if len(inputs) > INPUTS_LISTED:
        lines.append(
            f"\n… and {len(inputs) - INPUTS_LISTED} more; every input with its sha256 is in "
            f"`{RUN_MANIFEST}` (`inputs`)."
        )
    return [*lines, ""]


def _processing(run: RunManifest) -> list[str]:
    totals = run.totals
    rows = [
        [
            s.stage,
            f"{s.docs_in:,}",
            f"{s.docs_out:,}",
            f"{s.dropped:,}",
            ", ".join(f"`{r}` {n:,}" for r, n in sorted(s.dropped_by_reason.items())) or "—",
        ]
        for s in run.stages
    ]
    return [
        "## Processing",
        "",
        f"Documents read: {totals.read:,}; kept: {totals.kept:,}; dropped: {totals.dropped:,}, by stage and reason:",
        "",
        *_table(["stage", "in", "kept", "dropped", "drop reasons"], rows),
        "",
    ]


def _optout(run: RunManifest, out: Path) -> list[str]:
    policy = run.policies.optout
    if not policy:
        return ["## Opt-out policy", "", NO_OPTOUT, ""]
    stage = run.stage("optout")
    dropped = stage.dropped_by_reason if stage else {}
    parsers = ", ".join(f"{k}: {v}" for k, v in sorted(policy.parsers.items()))
    return [
        "## Opt-out policy",
        "",
        optout_policy(policy, sum(dropped.values()), markdown_code),
        "",
        f"- Parsers: {parsers or NOT_PROVIDED}",
        f"- Hosts without a robots.txt capture: `missing_robots: {policy.missing_robots}`",
        f"- Coverage: {robots_coverage_text(out, run) or 'robots.txt was not among the protocols checked.'}",
        f"- Documents excluded by reason: {', '.join(f'`{r}` {n:,}' for r, n in sorted(dropped.items())) or 'none'}",
        "",
    ]


def _personal_data(run: RunManifest, out: Path) -> list[str]:
    if "pii" not in run.stage_uses():
        return ["## Personal data", "", NO_PII_STAGE, ""]
    prov = provenance_files(out)
    replaced = map_column_totals(prov, Meta.PII_COUNTS)
    candidates = map_column_totals(prov, Meta.PII_CANDIDATES)
    lines = [
        "## Personal data",
        "",
        personal_data_measure(markdown_code, keeps_fingerprints(run)),
        "",
        *_table(["type", "values"], [[f"`<{k}>`", f"{n:,}"] for k, n in replaced.items()] or [["none found", "0"]]),
    ]
    if candidates:
        lines += [
            "",
            "Candidates left in the text (checksum fails): "
            + ", ".join(f"{k} {n:,}" for k, n in candidates.items())
            + ".",
        ]
    if run.erasures:
        lines += ["", erasures_applied(run, markdown_code)]
    return [*lines, ""]


def _tokenizer(run: RunManifest) -> list[str]:
    if not run.tokenizer:
        return []
    return ["## Tokenizer", "", tokenizer_identity(run.tokenizer, appends_eos(run), markdown_code), ""]


def _structure(tokens: pa.Schema | None) -> list[str]:
    lines = [
        "## Dataset structure",
        "",
        "One config per language over the text shards (`text/<lang>/*.parquet`)"
        + (
            f", and the config `{TOKENS_CONFIG}` over the token shards of all languages "
            "(`shards/<lang>/*.parquet`, each with a `.manifest.json` beside it). A document's `id` in the "
            "text shards is its `doc_id` in the token shards."
            if tokens is not None
            else "."
        )
        + " Every config has one split, `train`.",
        "",
        "Text shards:",
        *[f"- `{c}`: {COLUMN_DESCRIPTIONS[c]}" for c in TEXT_COLUMNS],
        "",
    ]
    if tokens is None:
        return lines
    lines += ["Token shards:", *[f"- `{c.name}`: {COLUMN_DESCRIPTIONS.get(c.name, c.type)}" for c in tokens], ""]
    _, omitted = hub_features(tokens)
    if omitted:
        lines += [
            f"The `{TOKENS_CONFIG}` config leaves out {', '.join(f'`{c}`' for c in omitted)}: `datasets` has no "
            "map type and would refuse the shards. Read it with polars or pyarrow (below).",
            "",
        ]
    return lines


def _loading(docs: dict[str, int], repo_id: str | None) -> list[str]:
    lang = next(iter(docs), "de")
    root = f"hf://datasets/{repo_id}/" if repo_id else ""
    lines = ["## How to load", "", "```python", "from datasets import load_dataset"]
    if repo_id:
        lines += [
            f'ds = load_dataset("{repo_id}", "{lang}", split="train")  # the text of one language',
            f'tokens = load_dataset("{repo_id}", "{TOKENS_CONFIG}", split="train")  # token ids, all languages',
        ]
    lines += [
        f'ds = load_dataset("parquet", data_files="{root}{TEXT_GLOB.format(lang=lang)}", split="train")',
        "",
        "import polars as pl",
        f'df = pl.scan_parquet("{root}{TOKENS_GLOB}").filter(pl.col("n_tokens") > 128).collect()',
        "",
        "# list the Parquet files: shards/<lang>/ also holds each shard's .manifest.json",
        "import pyarrow.dataset as pads",
    ]
    if repo_id:
        lines += [
            "from huggingface_hub import HfFileSystem",
            "fs = HfFileSystem()",
            f'files = fs.glob("datasets/{repo_id}/{TOKENS_GLOB}")',
            'table = pads.dataset(files, format="parquet", filesystem=fs)'
            '.to_table(columns=["doc_id", "input_ids", "lang"])',
        ]
    else:
        lines += [
            "from glob import glob",
            f'table = pads.dataset(sorted(glob("{TOKENS_GLOB}")), format="parquet")'
            '.to_table(columns=["doc_id", "input_ids", "lang"])',
        ]
    return [*lines, "```", ""]


def _integrity(run: RunManifest, run_sha256: str) -> list[str]:
    return [
        "## Integrity and provenance",
        "",
        f"- Run id: `{run.run_id}` ({run.started_at} – {run.finished_at})",
        f"- {lineage(run, markdown_code)}",
        f"- `{RUN_MANIFEST}` lists all {len(run.outputs):,} output files with size, sha256 and row count.",
        f"- This card describes `{RUN_MANIFEST}` with sha256 `{run_sha256}`.",
        "- `eurocurate verify <folder>` re-hashes every file and re-checks every count; it exits 0 only if all agree.",
        "- `eurocurate inspect <folder> --url URL` shows everything known about one document, kept or excluded.",
        "",
    ]


_DESCRIBED = re.compile(rf"^- This card describes `{re.escape(RUN_MANIFEST)}` with sha256 `([0-9a-f]{{64}})`\.$", re.M)


def described_run_manifest(card: str) -> str | None:
    """The sha256 of the run.json a card was written from; None in a card written before it was named."""
    found = _DESCRIBED.search(card)
    return found.group(1) if found else None


def dataset_card(out: Path, repo_id: str | None = None) -> str:
    """README.md for the run in `out`: Hub metadata (configs per language + tokens) and a generated body."""
    out = Path(out)
    run = read_run_manifest(out)
    tokens = token_schema(out, run)
    meta = card_metadata(run, tokens, repo_id)
    description = run.config.description
    dates = fetch_date_range(provenance_files(out))
    body = [
        f"# {meta['pretty_name']}",
        "",
        (f"{description}. " if description else "")
        + run_summary(run, markdown_code)
        + " "
        + traceability(markdown_code),
        "",
        *_structure(tokens),
        *_languages(run),
        *_sources(run, dates),
        *_processing(run),
        *_optout(run, out),
        *_personal_data(run, out),
        *_tokenizer(run),
        *_loading(documents_by_language(run), repo_id),
        *_integrity(run, sha256_file(out / RUN_MANIFEST)),
    ]
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n\n" + "\n".join(body)
