"""The EU AI Act Art. 53(1)(d) public summary of training content, filled from a run's manifests.

Follows the sections of the Commission's template (July 2025): general information, list of data
sources (with the top-domains list for crawled data), and data-processing aspects (opt-outs honoured,
illegal content, personal data). What only a human can state (provider, model) comes from a config
file; anything not provided is written as an explicit "NOT PROVIDED" and listed, never left empty.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, Field

from eurocurate.layout import OutputLayout
from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.schema import Meta

NOT_PROVIDED = "NOT PROVIDED"
SIZE_BANDS = ((10**9, "less than 1 billion tokens"), (10 * 10**12, "1 billion to 10 trillion tokens"))
CATEGORY_SECTIONS = {
    "public_dataset": "2.1 Publicly available datasets",
    "licensed": "2.2 Private non-publicly available datasets obtained from third parties (licensed)",
    "own_crawl": "2.3 Data crawled and scraped from online sources",
    "public_sector": "2.3 Data crawled and scraped from online sources",
    "other": "2.6 Other sources of data",
}


class SummaryConfig(BaseModel):
    """What the provider states; every field left out is reported as NOT PROVIDED."""

    model_config = ConfigDict(extra="forbid")
    provider_name: str | None = Field(None, description="Legal name of the GPAI model provider.")
    provider_contact: str | None = Field(None, description="Contact address for the summary.")
    authorised_representative: str | None = None
    model_name: str | None = Field(None, description="Model name and version(s) trained on this data.")
    model_versions: list[str] = Field(default_factory=list)
    crawler_name: str | None = Field(None, description="Name of the crawler that collected own-crawl data.")
    crawler_purpose: str | None = None
    crawler_behaviour: str | None = Field(
        None, description="e.g. honours robots.txt, TDMRep, noai, paywalls, login walls."
    )
    sme: bool = Field(False, description="SME variant of the top-domains rule (5% or at most 1,000 domains).")

    @classmethod
    def from_file(cls, path: str | Path | None) -> SummaryConfig:
        return cls.model_validate(yaml.safe_load(Path(path).read_text()) or {}) if path else cls()


def size_band(tokens: int) -> str:
    """The template's text size band for a token count."""
    for limit, label in SIZE_BANDS:
        if tokens < limit:
            return label
    return "more than 10 trillion tokens"


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable_domain(host: str) -> str:
    return _psl().privatesuffix(host.lower()) or host.lower()


def top_domains(sizes: dict[str, int], sme: bool = False) -> list[tuple[str, int]]:
    """The template's top-domain list: the top 10% of domains by content size (SMEs: 5%, at most 1,000)."""
    ranked = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    share = 0.05 if sme else 0.10
    n = math.ceil(len(ranked) * share)
    if sme:
        n = min(n, 1000)
    return ranked[:n]


def domain_sizes(out: Path) -> dict[str, int]:
    """Bytes of kept text per registrable domain, from provenance and the text shards."""
    sizes: dict[str, int] = defaultdict(int)
    for f in OutputLayout(out).text_files():
        t = pq.read_table(f, columns=["url", "text"])
        lengths = pc.binary_length(pc.cast(t["text"], pa.large_binary())).to_pylist()
        for url, n in zip(t["url"].to_pylist(), lengths):
            host = (url or "").split("/")[2] if url and "://" in url else "unknown"
            sizes[registrable_domain(host)] += n
    return dict(sizes)


def _given(value: object, field: str, missing: list[str]) -> object:
    if value in (None, "", []):
        missing.append(field)
        return f"{NOT_PROVIDED} (set `{field}` in the summary config)"
    return value


def build_summary(out: Path, config: SummaryConfig) -> dict:
    run = read_run_manifest(out)
    missing: list[str] = []
    tokens = run.totals.tokens_by_language
    total_tokens = sum(tokens.values())
    prov = [pq.read_table(f, columns=[Meta.FETCH_DATE, Meta.PII_COUNTS]) for f in OutputLayout(out).provenance_files()]
    dates = [d for t in prov for d in t[Meta.FETCH_DATE].to_pylist() if d]
    pii_totals: dict[str, int] = defaultdict(int)
    for t in prov:
        for counts in t[Meta.PII_COUNTS].to_pylist():
            for kind, n in counts or []:
                pii_totals[kind] += n
    sizes = domain_sizes(out)
    top = top_domains(sizes, config.sme)
    sources: dict[str, list[dict]] = defaultdict(list)
    for inp in run.inputs:
        sources[CATEGORY_SECTIONS.get(inp.source_category or "other", CATEGORY_SECTIONS["other"])].append(
            {
                "path": inp.path,
                "publisher": inp.publisher,
                "licence": inp.licence,
                "collection_period": inp.collection_period,
                "bytes": inp.bytes,
                "sha256": inp.sha256,
            }  # fmt: skip
        )
    optout_stage = run.stage("optout")
    policy = run.policies.optout
    crawled = any(inp.source_category in ("own_crawl", "public_sector") for inp in run.inputs)
    summary = {
        "template": "European Commission, Template for the public summary of training content for GPAI models "
        "(July 2025)",
        "1_general_information": {
            "1.1_provider": {
                "name": _given(config.provider_name, "provider_name", missing),
                "contact": _given(config.provider_contact, "provider_contact", missing),
                "authorised_representative": config.authorised_representative or "not applicable or not provided",
            },
            "1.2_model": {
                "name": _given(config.model_name, "model_name", missing),
                "versions": config.model_versions or "as named above",
            },
            "1.3_modalities_and_size": {
                "modalities": ["text"],
                "text_size_band": size_band(total_tokens),
                "text_tokens": total_tokens,
                "documents": run.totals.kept,
                "types_of_content": "web pages and public-sector documents (main text extracted from HTML)",
                "languages": sorted(tokens),
                "tokens_by_language": dict(sorted(tokens.items())),
                "latest_collection_date": max(dates) if dates else _given(None, "fetch dates in provenance", missing),
            },
        },
        "2_data_sources": {
            "sources_by_category": dict(sources),
            "2.3_crawled_data": {
                "crawler": _given(config.crawler_name, "crawler_name", missing) if crawled else "no crawled data",
                "purpose": (config.crawler_purpose or "training data for general-purpose language models")
                if crawled
                else "not applicable (no crawled data)",
                "behaviour": (
                    config.crawler_behaviour
                    or (
                        f"opt-outs honoured for agents {policy.agents} via {policy.protocols}"
                        if policy
                        else "no opt-out stage"
                    )
                )
                if crawled
                else "not applicable (no crawled data)",
                "collection_period": sorted({i.collection_period for i in run.inputs if i.collection_period}),
                "top_domains_rule": "top 5% of registrable domains by content size, at most 1,000 (SME)"
                if config.sme
                else "top 10% of registrable domains by content size",
                "domains_total": len(sizes),
                "top_domains": [{"domain": d, "bytes": n} for d, n in top],
            },
        },
        "3_data_processing": {
            "3.1_text_and_data_mining_opt_outs": {
                "protocols_honoured": policy.protocols if policy else "NONE: the pipeline had no opt-out stage",
                "agents": policy.agents if policy else [],
                "policy_sha256": policy.policy_sha256 if policy else None,
                "documents_excluded_by_reason": optout_stage.dropped_by_reason if optout_stage else {},
            },
            "3.2_illegal_content": "no dedicated illegal-content classifier in this pipeline version; pages are "
            "limited to the inputs' declared sources and quality-filtered",
            "3.3_personal_data": {
                "measure": "detected and replaced by typed placeholders before training (e-mail, public IP, phone, "
                "IBAN, payment card, checksum-validated national identifiers); keyed fingerprints kept for erasure "
                "requests",
                "values_replaced_by_type": dict(sorted(pii_totals.items())),
                "erasures_applied": len(run.erasures),
            },
        },
        "missing_fields": missing,
        "run_id": run.run_id,
        "config_sha256": run.config_sha256,
    }
    return summary


def domains_csv(out: Path, sme: bool = False) -> str:
    sizes = domain_sizes(out)
    top = {d for d, _ in top_domains(sizes, sme)}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["rank", "registrable_domain", "text_bytes", "share", "in_top_list"])
    total = sum(sizes.values()) or 1
    for rank, (domain, n) in enumerate(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])), 1):
        w.writerow([rank, domain, n, f"{n / total:.6f}", domain in top])
    return buf.getvalue()


def to_markdown(summary: dict) -> str:
    g = summary["1_general_information"]
    size = g["1.3_modalities_and_size"]
    crawl = summary["2_data_sources"]["2.3_crawled_data"]
    opt = summary["3_data_processing"]["3.1_text_and_data_mining_opt_outs"]
    pii = summary["3_data_processing"]["3.3_personal_data"]
    lines = [
        "# Public summary of training content (EU AI Act, Art. 53(1)(d))",
        f"_{summary['template']}_",
        "",
        "## 1. General information",
        f"- **Provider:** {g['1.1_provider']['name']} — contact: {g['1.1_provider']['contact']}",
        f"- **Model:** {g['1.2_model']['name']}",
        f"- **Modalities:** {', '.join(size['modalities'])}; **size:** {size['text_size_band']} "
        f"({size['text_tokens']:,} tokens, {size['documents']:,} documents)",
        f"- **Languages:** {', '.join(size['languages'])}",
        f"- **Latest collection date:** {size['latest_collection_date']}",
        "",
        "## 2. List of data sources",
    ]
    for section, items in summary["2_data_sources"]["sources_by_category"].items():
        lines.append(f"### {section}")
        lines += [
            f"- {i['path']} — publisher: {i['publisher'] or NOT_PROVIDED}; licence: {i['licence'] or NOT_PROVIDED}"
            for i in items
        ]
    lines += [
        "### Crawled data",
        f"- **Crawler:** {crawl['crawler']}; **purpose:** {crawl['purpose']}; **behaviour:** {crawl['behaviour']}",
        f"- **Top domains** ({crawl['top_domains_rule']}; {crawl['domains_total']} domains in all):",
        *[f"  {i + 1}. {d['domain']} ({d['bytes']:,} bytes)" for i, d in enumerate(crawl["top_domains"])],
        "",
        "## 3. Data processing aspects",
        f"- **Opt-outs honoured:** {opt['protocols_honoured']} for agents {opt['agents']}; "
        f"documents excluded: {opt['documents_excluded_by_reason']}",
        f"- **Illegal content:** {summary['3_data_processing']['3.2_illegal_content']}",
        f"- **Personal data:** {pii['measure']}. Values replaced: {pii['values_replaced_by_type']}. "
        f"Erasures applied: {pii['erasures_applied']}.",
    ]
    if summary["missing_fields"]:
        lines += ["", f"**Fields still to be provided:** {', '.join(summary['missing_fields'])}"]
    return "\n".join(lines) + "\n"
