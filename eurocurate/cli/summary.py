"""`eurocurate summary OUT`: the EU AI Act public summary, Croissant and the dataset card of a run.

Thin layer over `eurocurate.manifests.release.summary.write_release_documents`; prints the summary
(Markdown or JSON) on stdout, what is still to provide and what was written on stderr.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, out_console

NAME = "summary"
HELP = "EU AI Act Art. 53(1)(d) public summary of training content, from a run"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("output", help="output folder of a run")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument(
        "--config",
        help="YAML with provider_name, provider_contact, model_name, crawler_name, code_of_practice_signatory, sme, "
        "…; saved in reports/ai_act_summary.config.yaml and reused when omitted",
    )
    p.add_argument("--repo-id", help="Hub dataset id (ORG/NAME) to name in the dataset card's loading examples")
    return p


def main(args: argparse.Namespace) -> int:
    import orjson
    import yaml
    from pydantic import ValidationError

    from eurocurate.config import describe_validation_errors
    from eurocurate.manifests.release.ai_act_summary import SummaryConfig
    from eurocurate.manifests.release.summary import write_release_documents

    config = None  # no --config: write_release_documents reuses the one saved by the last summary
    try:  # the provider's YAML, checked here so that a mistake in it is one line (with "did you mean")
        if args.config is not None:
            config = SummaryConfig.from_file(args.config)
    except OSError as e:
        return error(f"--config {args.config}: cannot read it ({e.strerror or e}); give the path of a YAML file")
    except yaml.YAMLError as e:
        return error(f"--config {args.config} is not valid YAML: {str(e).splitlines()[0]}")
    except ValidationError as e:
        return error(describe_validation_errors(f"--config {args.config}", e, SummaryConfig, noun="parameter"))
    docs = write_release_documents(args.output, config, args.repo_id)
    if args.format == "json":
        out_console.print_json(orjson.dumps(docs.summary).decode())
    else:
        out_console.print(docs.markdown, markup=False, highlight=False)
    if docs.missing_fields:
        console.print(f"[yellow]still to provide (--config):[/] {', '.join(docs.missing_fields)}")
    console.print(
        f"written: {docs.summary_json}, {docs.summary_md}, {docs.domains_csv}, "
        f"{docs.croissant} (Croissant 1.1 + RAI), {docs.card} (dataset card)"
    )
    return 0
