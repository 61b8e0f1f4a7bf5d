"""What the release documents say about a run, written once: the Croissant metadata and the dataset card both
take their facts and sentences from here.

Owns the column and data-kind descriptions, the facts read from provenance (personal data per type, capture
dates), the declared licences, and the sentences on the run, its funnel, opt-outs, personal data, tokenizer
and erasures. Sentences are plain text; a `code` formatter lets the card set names in Markdown code spans.
Each document keeps its own structure (JSON-LD fields, Markdown sections).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from eurocurate.layout import (
    ERASURE_LOG,
    EXCLUSIONS,
    PROVENANCE,
    RUN_MANIFEST,
    SHARDS,
    TEXT,
    TOKENIZER,
    TOKENIZER_FILE,
)
from eurocurate.manifests.audit.language_counts import routed_non_eu24
from eurocurate.manifests.audit.run_manifest import (
    LanguageModelFile,
    OptoutPolicy,
    RunManifest,
    StageCount,
    TokenizerInfo,
)
from eurocurate.schema import Meta

if TYPE_CHECKING:
    from eurocurate.manifests.release.domains import RobotsCoverage

NOT_PROVIDED = "NOT PROVIDED"
Code = Callable[[str], str]
TOKENIZER_PATH = f"{TOKENIZER}/{TOKENIZER_FILE}"
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
    # the text shards' columns as FineWeb-2 names and means them
    "id": "Document id (`doc_id` in the token shards, provenance and the exclusion ledger).",
    "date": "Crawl date: WARC-Date of the capture (ISO 8601).",
    "dump": "Common Crawl dump the source file belongs to (e.g. CC-MAIN-2024-10); null for other sources.",
    "file_path": "Input file the document was read from, relative to the run's input root.",
    "language": "ISO 639-3 code of the document's language, as FineWeb-2 (GlotLID) spells it.",
    "language_score": "Probability of the language given by the language identifier.",
    "language_script": "Script of the text (ISO 15924, e.g. Latn).",
    "top_langs": 'JSON object {"<language>_<script>_score": probability} for the identified language.',
    "minhash_cluster_size": "Documents in the near-duplicate cluster this kept document stands for (1: unique); "
    "null when no MinHash dedup ran. FineWeb-2's rehydration up-samples by it.",
    "token_count": "Tokens of the run's tokenizer, when the spec tokenizes before writing text; else null "
    "(the token shards' n_tokens holds it).",
    "input_ids": f"Token ids of the run's tokenizer ({TOKENIZER_PATH}).",
    Meta.N_TOKENS: "Length of input_ids.",
    Meta.QUALITY: "Every quality statistic measured on the document, by name.",
}
# What one row of each kind of shard is: (folder under OUT, description).
TEXT_ROW = (TEXT, "one kept document as text, with its source URL and WARC record")
TOKEN_ROW = (SHARDS, "one kept document as token ids of the run's tokenizer")


def _plain(name: str) -> str:
    return name


def markdown_code(name: str) -> str:
    return f"`{name}`"


def provenance_files(out: Path) -> list[Path]:
    return sorted((Path(out) / PROVENANCE).glob("*.parquet"))


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


def licences(declared: list[str | None], override: str | None = None) -> list[str]:
    """The licences the inputs declare (one entry per input, None where it declares none), or NOT PROVIDED
    with a count of the inputs that declare none."""
    if override:
        return [override]
    found = sorted({d for d in declared if d})
    missing = sum(1 for d in declared if not d)
    if missing:
        found.append(f"{NOT_PROVIDED} ({missing} of {len(declared)} inputs declare no licence)")
    return found or [NOT_PROVIDED]


def appends_eos(run: RunManifest) -> bool:
    """Whether the tokenizer stage appended the EOS id to every document (its `append_eos`, default true)."""
    return next((bool(s.params.get("append_eos", True)) for s in run.config.stages if s.use == "tokenizer"), False)


def run_summary(run: RunManifest, code: Code = _plain) -> str:
    """One sentence: what the dataset holds and where it comes from."""
    totals = run.totals
    tokens = totals.tokens_by_language
    return (
        f"{totals.kept:,} documents in {len(tokens)} languages ({sum(tokens.values()):,} tokens), as text and as "
        f"token ids, curated by the eurocurate pipeline {code(run.pipeline)} from {totals.read:,} input documents "
        f"(run {code(run.run_id)})."
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{lang} {n:,}" for lang, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def documents_by_language_line(run: RunManifest) -> str:
    docs = run.totals.documents_by_language
    return f"Documents by language: {_counts(docs)}." if docs else "Documents by language: not counted in this run."


def language_routing(run: RunManifest, code: Code = _plain) -> str | None:
    """What became of the documents in languages outside the EU-24 (routed to their own shards by the spec's
    `route_languages`, or excluded, counted by language); None for a run without the language_id stage."""
    stage = next((s for s in run.config.stages if s.use == "language_id"), None)
    if stage is None:
        return None
    routed = routed_non_eu24(run.totals.documents_by_language)
    excluded = run.totals.non_eu24_excluded
    asked = stage.params.get("route_languages") or []
    parts = []
    if routed:
        from eurocurate.filters.quality.params import bundled_configs  # the quality package is heavier to import

        own = set(bundled_configs())
        default = sorted(lang for lang in routed if lang not in own)
        parts.append(
            f"Outside the EU-24, {sum(routed.values()):,} documents in {len(routed)} languages were routed to their "
            f"own shards ({code(TEXT + '/<lang>/')}, spec {code('route_languages')}: {', '.join(asked)}): "
            f"{_counts(routed)}."
            + (
                f" Quality filtering used the default configuration for {', '.join(default)} (no configuration of "
                f"their own)."
                if default and "quality_filter" in run.stage_uses()
                else ""
            )
        )
    elif asked:
        parts.append(f"No document was in a routed language ({code('route_languages')}: {', '.join(asked)}).")
    if excluded:
        parts.append(
            f"{sum(excluded.values()):,} documents were excluded as neither EU-24 nor routed "
            f"({code('langid.not_eu24')}), by identified language: {_counts(excluded)}."
        )
    else:
        parts.append("No document was excluded for its language being outside the EU-24 and not routed.")
    return " ".join(parts)


def language_id_models(run: RunManifest, code: Code = _plain) -> str | None:
    """Which model files identified the languages, from `policies.language_id` (packaged files by package and
    version, a spec's own by path; any that changed since their package was installed named); None for a run without
    the language_id stage."""
    if "language_id" not in run.stage_uses():
        return None
    policy = run.policies.language_id
    if policy is None:
        return f"Which language-ID model files ran is not recorded in this run (its {code(RUN_MANIFEST)} predates it)."
    by_role: dict[str, list[LanguageModelFile]] = {}
    for model in policy.models:
        by_role.setdefault(model.role, []).append(model)
    parts = [
        f"{role}: {code(files[0].path) if len(files) == 1 else f'{len(files)} files'} "
        f"({files[0].package or 'named by the spec'})"
        for role, files in by_role.items()
    ]
    text = (
        f"Language identification ran with {len(policy.models)} model files, each read when a text needed it: "
        f"{'; '.join(parts)}. Each is listed with its sha256 in {code(RUN_MANIFEST)} "
        f"({code('policies.language_id.models')})."
    )
    if changed := [m.path for m in policy.models if m.as_published is False]:
        text += (
            f" Changed since their package was installed (sha256 not the one the package's RECORD lists): "
            f"{', '.join(map(code, changed))}."
        )
    return text


def traceability(code: Code = _plain) -> str:
    return (
        f"Each kept document is traceable to its source URL and WARC record ({code(PROVENANCE + '/')}), and each "
        f"dropped one is recorded with its stage, reason code and the measured evidence ({code(EXCLUSIONS + '/')})."
    )


def stage_line(stage: StageCount) -> str:
    reasons = ", ".join(f"{r} {n}" for r, n in sorted(stage.dropped_by_reason.items()))
    return f"{stage.stage}: {stage.docs_in} in, {stage.docs_out} kept, {stage.dropped} dropped" + (
        f" ({reasons})" if reasons else ""
    )


def lineage(run: RunManifest, code: Code = _plain) -> str:
    return f"Pipeline {code(run.pipeline)}, config sha256 {code(run.config_sha256)}, eurocurate {run.code_version}"


NO_OPTOUT = (
    "Opt-outs were not checked: no opt-out stage ran in this pipeline, so reservations of rights (robots.txt, "
    "TDMRep, noai) were not honoured and reserved pages may be included."
)


def robots_coverage_text(out: Path, run: RunManifest) -> str | None:
    """The robots.txt coverage sentence of run `out`; None when no opt-out stage checked robots.txt."""
    from eurocurate.manifests.release.domains import robots_coverage  # domains reads shards; imported when asked

    policy, coverage = run.policies.optout, robots_coverage(out, run)
    if policy is None or not coverage.checked:
        return None
    if not coverage.known:
        return f"{policy.robots_hosts:,} hosts had a robots.txt capture (this run did not record which)."
    return robots_coverage_line(coverage)


def robots_coverage_line(coverage: RobotsCoverage) -> str:
    """What robots.txt covered: hosts with a capture, what the opt-out stage did with the pages of those without,
    and how many of those hosts have documents in the kept text."""
    hosts_without, missing_robots = coverage.hosts_without, coverage.missing_robots
    total = len(coverage.hosts_with) + len(hosts_without)
    if not total:
        return "no page with a host reached the opt-out stage, so no robots.txt rule had a page to apply to."
    if not hosts_without:
        return f"robots.txt captures covered every host ({total:,})."
    from eurocurate.manifests.release.domains import some_of  # its caller has the coverage: domains is imported

    if missing_robots == "reserve":
        effect = "their pages were excluded as reserved"
    else:
        effect = (
            "the opt-out stage let their pages through without a robots.txt check (robots.txt opt-outs were not "
            f"verified for them), and {coverage.kept_sentence()}"
        )
    return (
        f"robots.txt captures covered {len(coverage.hosts_with):,} of {total:,} hosts; {len(hosts_without):,} had "
        f"none ({some_of(hosts_without)}) and, as `missing_robots: {missing_robots}` decides, {effect}."
    )


PROTOCOL_NAMES: Final = {"robots": "robots.txt", "tdmrep": "TDMRep", "noai": "noai", "aipref": "AIPREF"}


def protocols_honoured(policy: OptoutPolicy) -> str:
    """The opt-out protocols a run honoured, as a reader names them (`robots.txt, TDMRep`)."""
    return ", ".join(PROTOCOL_NAMES.get(p, p) for p in policy.protocols) or "none"


def deduplication_limitation(uses: set[str] | list[str]) -> str:
    """What duplicates a run's dedup stages leave in the data: derived from the stages that ran."""
    if "minhash_dedup" in uses:
        return (
            "Near-duplicates were removed with MinHash LSH (one document kept per cluster of similar texts); "
            "copies below its similarity threshold, and repeated passages inside otherwise different pages, remain."
        )
    if "exact_dedup" in uses:
        return "Deduplication is exact (identical text only); near-duplicates may remain."
    if "url_dedup" in uses:
        return "Only repeated fetches of the same URL were removed; the same text under other URLs remains."
    return "No deduplication ran: duplicate and near-duplicate documents remain."


def optout_policy(policy: OptoutPolicy, excluded: int, code: Code = _plain) -> str:
    return (
        f"Opt-outs honoured for agents {', '.join(map(code, policy.agents))} via {', '.join(policy.protocols)} "
        f"(policy sha256 {code(policy.policy_sha256)}); {excluded:,} documents excluded."
    )


def tokenizer_identity(tok: TokenizerInfo, eos_appended: bool, code: Code = _plain) -> str:
    return (
        f"Tokenized with {code(tok.id)} (sha256 {code(tok.sha256)}, vocabulary {tok.vocab_size:,}, EOS "
        f"{code(tok.eos_token)} id {tok.eos_id}, {'appended to every document' if eos_appended else 'not appended'}); "
        f"file {code(TOKENIZER_PATH)}."
        + (
            " It was trained on no text: no document reached the tokenizer, so it holds its byte alphabet and special "
            "tokens only."
            if tok.sampling is not None and not tok.training_sample_chars
            else ""
        )
    )


NO_PII_STAGE = (
    "Personal data was not processed: no personal-data redaction stage ran in this pipeline, so the text may "
    "contain personal data."
)
NO_FINGERPRINTS = (
    "The run kept no fingerprints of replaced values (`fingerprints: false`), so erasure requests by identifier "
    "cannot find documents; erase by URL or domain instead."
)
NO_QUALITY = "No quality filter ran in this pipeline."
NO_ILLEGAL_CONTENT_CLASSIFIER = "No dedicated illegal-content classifier ran in this pipeline version."


def personal_data_measure(code: Code = _plain, fingerprints: bool = True) -> str:
    placeholders = ", ".join(map(code, ("<EMAIL>", "<IP>", "<PHONE>", "<IBAN>", "<CARD>")))
    national = ", ".join(map(code, ("<PL_PESEL>", "<NL_BSN>", "<ES_DNI>")))
    return (
        f"Personal data in the text was replaced by typed placeholders before anything was written: {placeholders} "
        f"(IP: public addresses only; card: Luhn-valid), and national identifiers whose checksum validates (e.g. "
        f"{national}) where their name or their format marks them; the forms the detectors read, and the numbers "
        "they cannot tell from ordinary ones, are listed in the project's docs/compliance.md (Personal data). "
        "Identifier-shaped strings whose checksum fails are left in the text and counted as candidates. "
        + (
            "Provenance keeps keyed HMAC-SHA256 fingerprints of replaced values (never the values), so an erasure "
            f"request can find the documents ({code('eurocurate erase')})."
            if fingerprints
            else NO_FINGERPRINTS
        )
    )


def keeps_fingerprints(run: RunManifest) -> bool:
    """Whether the run's `pii` stage kept keyed fingerprints (runs before that was recorded: by the spec)."""
    if run.policies.pii_redactor is not None:
        return run.policies.pii_redactor.fingerprints
    return next((bool(s.params.get("fingerprints", True)) for s in run.config.stages if s.use == "pii"), False)


def erasures_applied(run: RunManifest, code: Code = _plain) -> str:
    return f"{len(run.erasures)} erasure request(s) applied since the run ({code(ERASURE_LOG)})."
