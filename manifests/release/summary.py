"""All release documents of a finished run in one call: the AI Act summary, Croissant, the dataset card.

Owns which documents a release has, where each is written and in which encoding (`reports/` for the
summary and its domain list; the dataset root for `croissant.json` and the card `README.md`, whose
paths are relative to it, as on the Hub). Their content is built by `ai_act_summary`, `croissant` and
`dataset_card`; this module only calls their public builders and writes the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson
import yaml

from eurocurate.layout import AI_ACT_SUMMARY_CONFIG, DOMAINS_CSV, REPORTS
from eurocurate.layout import AI_ACT_SUMMARY_JSON as SUMMARY_JSON
from eurocurate.layout import AI_ACT_SUMMARY_MD as SUMMARY_MD
from eurocurate.layout import CARD as DATASET_CARD
from eurocurate.layout import CROISSANT as CROISSANT_JSON
from eurocurate.manifests.audit.run_folder import require_finished_run
from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.manifests.release.ai_act_summary import SummaryConfig, build_summary, to_markdown
from eurocurate.manifests.release.croissant import build_croissant
from eurocurate.manifests.release.dataset_card import dataset_card
from eurocurate.manifests.release.domains import domains_csv

# the config the last summary used: a re-run without --config (after an erasure) states the same facts
SUMMARY_CONFIG = AI_ACT_SUMMARY_CONFIG


@dataclass(frozen=True)
class ReleaseDocuments:
    """What `write_release_documents` wrote: the summary (as a dict) and the paths of every document."""

    summary: dict
    summary_json: Path
    summary_md: Path
    domains_csv: Path
    croissant: Path
    card: Path
    missing_fields: list[str] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        """The AI Act summary as Markdown (the text of `summary_md`)."""
        return to_markdown(self.summary)


def write_release_documents(
    out: str | Path, config: SummaryConfig | str | Path | None = None, repo_id: str | None = None
) -> ReleaseDocuments:
    """Write the AI Act summary (JSON + Markdown + domains.csv), Croissant and the dataset card of run `out`.

    `config` is a `SummaryConfig` or the path of its YAML file. None: the config an earlier summary of
    this run saved in `reports/ai_act_summary.config.yaml`, if any (so a re-run after an erasure states
    the same facts); else every provider field is reported as NOT PROVIDED. The config used is saved there.
    `repo_id` (ORG/NAME) is named in the card's loading examples.
    Raises `NotARunError` when `out` holds no finished run.
    """
    out = require_finished_run(out)
    reports = out / REPORTS
    saved = reports / SUMMARY_CONFIG
    if config is None and saved.is_file():
        config = saved
    if not isinstance(config, SummaryConfig):
        config = SummaryConfig.from_file(config)
    summary = build_summary(out, config)
    reports.mkdir(exist_ok=True)
    saved.write_text(yaml.safe_dump(config.model_dump(exclude_defaults=True), sort_keys=True, allow_unicode=True))
    docs = ReleaseDocuments(
        summary=summary,
        summary_json=reports / SUMMARY_JSON,
        summary_md=reports / SUMMARY_MD,
        domains_csv=reports / DOMAINS_CSV,
        croissant=out / CROISSANT_JSON,
        card=out / DATASET_CARD,
        missing_fields=list(summary["missing_fields"]),
    )
    docs.summary_json.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    docs.summary_md.write_text(to_markdown(summary))
    docs.domains_csv.write_text(domains_csv(out, read_run_manifest(out), config.sme))
    docs.croissant.write_bytes(orjson.dumps(build_croissant(out), option=orjson.OPT_INDENT_2))
    docs.card.write_text(dataset_card(out, repo_id))
    return docs
