"""The EU AI Act Art. 53(1)(d) public summary of training content, filled from a run's manifests.

Follows the Commission's template (July 2025) section by section, with an explicit yes/no for every
source category (2.1-2.6) and claims derived only from what ran (stages, policies, captures). What only a
human can state (provider, model, Code of Practice) comes from a config; anything not provided is written
as "NOT PROVIDED" and listed, never left empty. Domains are `domains`'; shared sentences `descriptions`'.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from eurocurate.files import sha256_file
from eurocurate.layout import RUN_MANIFEST
from eurocurate.manifests.audit.language_counts import routed_non_eu24
from eurocurate.manifests.audit.run_manifest import InputFile, RunManifest, read_run_manifest
from eurocurate.manifests.release.descriptions import (
    NO_ILLEGAL_CONTENT_CLASSIFIER,
    NO_OPTOUT,
    NO_PII_STAGE,
    NO_QUALITY,
    NOT_PROVIDED,
    fetch_date_range,
    keeps_fingerprints,
    language_routing,
    map_column_totals,
    personal_data_measure,
    provenance_files,
    robots_coverage_line,
)
from eurocurate.manifests.release.domains import domain_sizes, robots_coverage, top_domains
from eurocurate.schema import Meta

__all__ = ["NOT_PROVIDED", "SummaryConfig", "build_summary", "size_band", "to_markdown"]
TEMPLATE = "European Commission, Template for the public summary of training content for GPAI models (July 2025)"
SIZE_BANDS = ((10**9, "less than 1 billion tokens"), (10 * 10**12, "1 billion to 10 trillion tokens"))
CRAWLED = ("own_crawl", "public_sector")
YES, NO = "yes", "no"


class SummaryConfig(BaseModel):
    """What the provider states; every field left out is reported as NOT PROVIDED."""

    model_config = ConfigDict(extra="forbid")
    provider_name: str | None = Field(None, description="Legal name of the GPAI model provider.")
    provider_contact: str | None = Field(None, description="Contact address for the summary.")
    authorised_representative: str | None = None
    model_name: str | None = Field(None, description="Model name and version(s) trained on this data.")
    model_versions: list[str] = Field(default_factory=list)
    placed_on_market: str | None = Field(None, description="Date the model was placed on the EU market.")
    crawler_name: str | None = Field(None, description="Name of the crawler that collected own-crawl data.")
    crawler_purpose: str | None = None
    crawler_behaviour: str | None = Field(
        None, description="e.g. honours robots.txt, TDMRep, noai, paywalls, login walls."
    )
    code_of_practice_signatory: bool | None = Field(
        None, description="3.1: whether the provider signed the GPAI Code of Practice (copyright chapter)."
    )
    sme: bool = Field(False, description="SME variant of the top-domains rule (5% or at most 1,000 domains).")

    @field_validator("placed_on_market", mode="before")
    @classmethod
    def _date_as_written(cls, value: object) -> object:
        # YAML reads an unquoted 2027-01-01 as a date: it is the same statement, kept as ISO 8601 text
        return value.isoformat() if isinstance(value, datetime.date) else value

    @classmethod
    def from_file(cls, path: str | Path | None) -> SummaryConfig:
        return cls.model_validate(yaml.safe_load(Path(path).read_text()) or {}) if path else cls()


def size_band(tokens: int) -> str:
    """The template's text size band for a token count."""
    for limit, label in SIZE_BANDS:
        if tokens < limit:
            return label
    return "more than 10 trillion tokens"


def _given(value: object, field: str, missing: list[str]) -> object:
    if value in (None, "", []):
        missing.append(field)
        return f"{NOT_PROVIDED} (set `{field}` in the summary config)"
    return value


def _category(run: RunManifest, *categories: str) -> tuple[str, list[dict]]:
    """yes/no and the sources of the inputs declared in `categories`, one entry per publisher, licence and
    period; never an input's local path (a reader cannot open it and it says nothing about the source)."""
    grouped: dict[tuple[str, str, str], list[InputFile]] = defaultdict(list)
    for i in run.inputs:
        if (i.source_category or "other") in categories:
            grouped[
                (i.publisher or NOT_PROVIDED, i.licence or NOT_PROVIDED, i.collection_period or NOT_PROVIDED)
            ].append(i)
    found = [{"publisher": p, "licence": lic, "collection_period": period, "files": len(files),
              "bytes": sum(f.bytes for f in files)} for (p, lic, period), files in sorted(grouped.items())]  # fmt: skip
    return (YES if found else NO), found


def _collection_period(run: RunManifest, out: Path) -> dict:
    dates = fetch_date_range(provenance_files(out))
    declared = sorted({i.collection_period for i in run.inputs if i.collection_period})
    return {"first_capture": dates[0] if dates else None, "last_capture": dates[1] if dates else None,
            "declared": declared}  # fmt: skip


def _opt_outs(run: RunManifest, out: Path, config: SummaryConfig, missing: list[str]) -> dict:
    policy = run.policies.optout
    signatory = config.code_of_practice_signatory
    section = {
        "code_of_practice_signatory": _given(None if signatory is None else (YES if signatory else NO),
                                             "code_of_practice_signatory", missing),
    }  # fmt: skip
    if policy is None:
        return section | {"opt_outs_checked": NO, "statement": NO_OPTOUT}
    stage = run.stage("optout")
    coverage = robots_coverage(out, run)
    section |= {
        "opt_outs_checked": YES,
        "protocols_honoured": list(policy.protocols),
        "agents": list(policy.agents),
        "missing_robots": policy.missing_robots,
        "documents_excluded_by_reason": stage.dropped_by_reason if stage else {},
        "policy_sha256": policy.policy_sha256,
    }
    if not coverage.checked:
        section["robots_txt"] = "robots.txt was not among the protocols checked."
    elif not coverage.known:
        section["robots_txt"] = f"{policy.robots_hosts:,} hosts had a robots.txt capture (per-host record absent)."
    else:
        section |= {
            "robots_txt": robots_coverage_line(coverage),
            "hosts_with_robots_capture": len(coverage.hosts_with),
            "hosts_without_robots_capture": coverage.hosts_without,
            "hosts_without_robots_capture_in_kept_text": coverage.kept_without,
        }
    return section


def _removals(run: RunManifest) -> list[str]:
    """3.2: what removed unwanted content in this run, one line per measure that ran."""
    lines = [NO_ILLEGAL_CONTENT_CLASSIFIER]
    uses = run.stage_uses()
    quality = run.stage("quality_filter")
    if "quality_filter" in uses:
        dropped = f": {quality.dropped:,} documents removed" if quality else ""
        lines.append(f"Quality-filtered by heuristic rules (short, boilerplate-heavy and junk pages){dropped}.")
    else:
        lines.append(NO_QUALITY)
    if run.policies.optout is not None:
        optout = run.stage("optout")
        lines.append(f"Pages whose publishers reserved rights were removed ({optout.dropped if optout else 0:,}).")
    for use, what in (("exact_dedup", "exact duplicates"), ("minhash_dedup", "near-duplicates"),
                      ("url_dedup", "duplicate URLs")):  # fmt: skip
        if use in uses:
            lines.append(f"Removed {what}.")
    lines.append("Personal data replaced by typed placeholders (section 3.3)." if "pii" in uses else NO_PII_STAGE)
    return lines


def _personal_data(run: RunManifest, out: Path) -> dict:
    if "pii" not in run.stage_uses():
        return {"processed": NO, "measure": NO_PII_STAGE, "values_replaced_by_type": {},
                "erasures_applied": len(run.erasures)}  # fmt: skip
    fingerprints = keeps_fingerprints(run)
    return {
        "processed": YES,
        "measure": personal_data_measure(fingerprints=fingerprints),
        "values_replaced_by_type": map_column_totals(provenance_files(out), Meta.PII_COUNTS),
        "fingerprints_kept": YES if fingerprints else NO,
        "erasures_applied": len(run.erasures),
    }


def _tokens_counted(run: RunManifest) -> str:
    """How the tokens by language were counted, or why there are none: a run without a tokenizer stage has no
    count, one whose tokenizer ran on no document counts none."""
    if run.tokenizer is None:
        return "not counted (no tokenizer stage)"
    if not run.totals.tokens_by_language:
        return "none: the tokenizer ran, and no document reached the token shards"
    return "in the token shards, with the run's tokenizer"


def build_summary(out: Path, config: SummaryConfig) -> dict:
    out = Path(out)
    run = read_run_manifest(out)
    missing: list[str] = []
    tokens = run.totals.tokens_by_language
    total_tokens = sum(tokens.values())
    period = _collection_period(run, out)
    sizes = domain_sizes(out)
    public, public_list = _category(run, "public_dataset")
    licensed, licensed_list = _category(run, "licensed")
    crawled, crawled_list = _category(run, *CRAWLED)
    other, other_list = _category(run, "other")
    policy = run.policies.optout
    behaviour = config.crawler_behaviour or (
        f"opt-outs checked for agents {', '.join(policy.agents)} via {', '.join(policy.protocols)} "
        "(robots.txt coverage per host: section 3.1)"
        if policy
        else NO_OPTOUT
    )
    crawl: dict = {"answer": crawled}
    if crawled == YES:
        crawl |= {
            "crawler": _given(config.crawler_name, "crawler_name", missing),
            "purpose": config.crawler_purpose or "training data for general-purpose language models",
            "behaviour": behaviour,
            "collection_period": period,
            "sources": crawled_list,
            "content_types": "web pages and public-sector documents (main text extracted from HTML)",
            "top_domains_rule": "top 5% of registrable domains by content size, at most 1,000 (SME)"
            if config.sme
            else "top 10% of registrable domains by content size",
            "domains_total": len(sizes),
            "top_domains": [{"domain": d, "bytes": n} for d, n in top_domains(sizes, config.sme)],
        }
    none_declared = "no input of this run is declared in this category: see the spec's `source_category`"
    return {
        "template": TEMPLATE,
        "1_general_information": {
            "1.1_provider": {
                "name": _given(config.provider_name, "provider_name", missing),
                "contact": _given(config.provider_contact, "provider_contact", missing),
                "authorised_representative": config.authorised_representative or "not applicable or not provided",
            },
            "1.2_model": {
                "name": _given(config.model_name, "model_name", missing),
                "versions": config.model_versions or ["as named above"],
                "placed_on_market": _given(config.placed_on_market, "placed_on_market", missing),
            },
            "1.3_modalities_and_size": {
                "modalities": ["text"],
                "text_size_band": size_band(total_tokens),
                "text_tokens": total_tokens,
                "documents": run.totals.kept,
                "types_of_content": "web pages and public-sector documents (main text extracted from HTML)",
                "languages": sorted(tokens),
                "tokens_by_language": dict(sorted(tokens.items())),
                "tokens_counted": _tokens_counted(run),
                "documents_by_language": run.totals.documents_by_language,
                "non_eu24_documents": {
                    "routed_to_own_shards": routed_non_eu24(run.totals.documents_by_language),
                    "excluded": run.totals.non_eu24_excluded,
                    "statement": language_routing(run) or "no language identification stage ran",
                },
                "collection_period": period,
                "latest_collection_date": period["last_capture"] or _given(None, "fetch dates in provenance", missing),
            },
        },
        "2_data_sources": {
            "2.1_publicly_available_datasets": {"answer": public, "datasets": public_list},
            "2.2_private_third_party_datasets": {
                "answer": licensed,
                "2.2.1_licensed_by_rights_holders": {"answer": licensed, "datasets": licensed_list},
                "2.2.2_obtained_from_other_third_parties": {"answer": NO, "note": none_declared},
            },
            "2.3_crawled_and_scraped_data": crawl,
            "2.4_user_data": {"answer": NO, "note": none_declared},
            "2.5_synthetic_data": {"answer": NO, "note": none_declared},
            "2.6_other_sources": {"answer": other, "sources": other_list},
        },
        "3_data_processing": {
            "3.1_reservation_of_rights": _opt_outs(run, out, config, missing),
            "3.2_removal_of_illegal_and_unwanted_content": _removals(run),
            "3.3_other_information": {"personal_data": _personal_data(run, out)},
        },
        "missing_fields": missing,
        "run_id": run.run_id,
        "config_sha256": run.config_sha256,
        # which run.json it was written from: publish refuses a summary an erasure has made stale
        "run_manifest_sha256": sha256_file(out / RUN_MANIFEST),
    }


def _items(values: list | dict) -> list[str]:
    """A list or a mapping as Markdown list items (never a Python repr)."""
    if isinstance(values, dict):
        return [f"  - {k}: {v:,}" if isinstance(v, int) else f"  - {k}: {v}" for k, v in values.items()]
    return [f"  - {v}" for v in values]


def _sources_md(items: list[dict]) -> list[str]:
    return [f"  - {i['publisher']} (licence: {i['licence']}; collected: {i['collection_period']}; "
            f"{i['files']:,} file(s), {i['bytes']:,} bytes)" for i in items]  # fmt: skip


def _period_md(period: dict) -> str:
    captured = (
        f"pages captured {period['first_capture']} to {period['last_capture']}"
        if period["first_capture"]
        else "capture dates not recorded"
    )
    declared = "; declared: " + ", ".join(period["declared"]) if period["declared"] else ""
    return captured + declared


def to_markdown(summary: dict) -> str:
    g = summary["1_general_information"]
    size, model = g["1.3_modalities_and_size"], g["1.2_model"]
    src = summary["2_data_sources"]
    crawl = src["2.3_crawled_and_scraped_data"]
    proc = summary["3_data_processing"]
    opt = proc["3.1_reservation_of_rights"]
    pii = proc["3.3_other_information"]["personal_data"]
    private = src["2.2_private_third_party_datasets"]
    lines = [
        "# Public summary of training content (EU AI Act, Art. 53(1)(d))",
        f"_{summary['template']}_",
        "",
        "## 1. General information",
        "### 1.1 Provider identification",
        f"- **Provider:** {g['1.1_provider']['name']}",
        f"- **Contact:** {g['1.1_provider']['contact']}",
        f"- **Authorised representative:** {g['1.1_provider']['authorised_representative']}",
        "### 1.2 Model identification",
        f"- **Model:** {model['name']}",
        "- **Versions:**",
        *_items(model["versions"]),
        f"- **Placed on the market:** {model['placed_on_market']}",
        "### 1.3 Modalities, overall training data size and other characteristics",
        f"- **Modalities:** {', '.join(size['modalities'])}",
        f"- **Size:** {size['text_size_band']} ({size['text_tokens']:,} tokens, {size['documents']:,} documents)",
        f"- **Types of content:** {size['types_of_content']}",
        f"- **Collection period:** {_period_md(size['collection_period'])}",
        f"- **Latest collection date:** {size['latest_collection_date']}",
        "- **Languages (tokens):**" + ("" if size["tokens_by_language"] else f" {size['tokens_counted']}"),
        *_items(size["tokens_by_language"]),
        "- **Languages (documents):**" + ("" if size["documents_by_language"] else " not counted in this run"),
        *_items(size["documents_by_language"]),
        f"- **Languages outside the EU-24:** {size['non_eu24_documents']['statement']}",
        "",
        "## 2. List of data sources",
        f"### 2.1 Publicly available datasets: {src['2.1_publicly_available_datasets']['answer']}",
        *_sources_md(src["2.1_publicly_available_datasets"]["datasets"]),
        f"### 2.2 Private non-publicly available datasets obtained from third parties: {private['answer']}",
        f"- **2.2.1 Datasets commercially licensed by rights holders:** "
        f"{private['2.2.1_licensed_by_rights_holders']['answer']}",
        *_sources_md(private["2.2.1_licensed_by_rights_holders"]["datasets"]),
        f"- **2.2.2 Private datasets obtained from other third parties:** "
        f"{private['2.2.2_obtained_from_other_third_parties']['answer']} "
        f"({private['2.2.2_obtained_from_other_third_parties']['note']})",
        f"### 2.3 Data crawled and scraped from online sources: {crawl['answer']}",
    ]
    if crawl["answer"] == YES:
        lines += [
            f"- **Crawler:** {crawl['crawler']}",
            f"- **Purpose:** {crawl['purpose']}",
            f"- **Behaviour:** {crawl['behaviour']}",
            f"- **Collection period:** {_period_md(crawl['collection_period'])}",
            f"- **Types of content:** {crawl['content_types']}",
            "- **Sources:**",
            *_sources_md(crawl["sources"]),
            f"- **Top domains** ({crawl['top_domains_rule']}; {crawl['domains_total']:,} domains in all):",
            *[f"  {i + 1}. {d['domain']} ({d['bytes']:,} bytes)" for i, d in enumerate(crawl["top_domains"])],
        ]
    lines += [
        f"### 2.4 User data: {src['2.4_user_data']['answer']} ({src['2.4_user_data']['note']})",
        f"### 2.5 Synthetic data: {src['2.5_synthetic_data']['answer']} ({src['2.5_synthetic_data']['note']})",
        f"### 2.6 Other sources of data: {src['2.6_other_sources']['answer']}",
        *_sources_md(src["2.6_other_sources"]["sources"]),
        "",
        "## 3. Data processing aspects",
        "### 3.1 Respect of reservation of rights from the text and data mining exception",
        f"- **Signatory of the GPAI Code of Practice:** {opt['code_of_practice_signatory']}",
        f"- **Opt-outs checked:** {opt['opt_outs_checked']}",
    ]
    if opt["opt_outs_checked"] == YES:
        lines += [
            f"- **Protocols honoured:** {', '.join(opt['protocols_honoured'])}",
            f"- **Agents:** {', '.join(opt['agents'])}",
            f"- **robots.txt:** {opt['robots_txt']}",
            f"- **Hosts without a robots.txt capture (`missing_robots`):** {opt['missing_robots']}",
            *_items(opt.get("hosts_without_robots_capture", [])),
            *(
                [f"- **Of these, hosts with documents in the kept text:**{'' if kept else ' none'}", *_items(kept)]
                if (kept := opt.get("hosts_without_robots_capture_in_kept_text")) is not None
                else []
            ),
            "- **Documents excluded, by reason:**" + ("" if opt["documents_excluded_by_reason"] else " none"),
            *_items(opt["documents_excluded_by_reason"]),
        ]
    else:
        lines.append(f"- {opt['statement']}")
    lines += [
        "### 3.2 Removal of illegal and unwanted content",
        *[f"- {line}" for line in proc["3.2_removal_of_illegal_and_unwanted_content"]],
        "### 3.3 Other information: personal data",
        f"- **Processed:** {pii['processed']}",
        f"- {pii['measure']}",
    ]
    if pii["processed"] == YES:
        replaced = pii["values_replaced_by_type"]
        lines += ["- **Values replaced, by type:**" + ("" if replaced else " none found"), *_items(replaced)]
    lines.append(f"- **Erasures applied since the run:** {pii['erasures_applied']}")
    if summary["missing_fields"]:
        lines += ["", "**Fields still to be provided:**", *[f"- {f}" for f in summary["missing_fields"]]]
    if digest := summary.get("run_manifest_sha256"):
        lines += ["", _DESCRIBES.format(run_manifest=RUN_MANIFEST, sha256=digest)]
    return "\n".join(lines) + "\n"


_SHA256 = re.compile("[0-9a-f]{64}")
_DESCRIBES = "_This summary describes `{run_manifest}` with sha256 `{sha256}`._"
_DESCRIBED = re.compile(
    re.escape(_DESCRIBES)
    .replace(re.escape("{run_manifest}"), re.escape(RUN_MANIFEST))
    .replace(re.escape("{sha256}"), "([0-9a-f]{64})")
)


def described_run_manifest(summary_json: dict | None = None, summary_md: str | None = None) -> str | None:
    """The sha256 of the run.json a summary (its JSON, or its Markdown) was written from; None in one written
    before it was named."""
    if summary_json is not None:
        digest = summary_json.get("run_manifest_sha256")
        return digest if isinstance(digest, str) and _SHA256.fullmatch(digest) else None
    found = _DESCRIBED.search(summary_md or "")
    return found.group(1) if found else None
