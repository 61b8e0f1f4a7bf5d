"""`eurocurate pull SOURCE --langs de,fr [--weights] [--tokens] [-o FILE]`: stream a token mix for a trainer.

Thin layer over `eurocurate.hub.pull_mix.pull_mix`: parses the comma lists, prints tokens and share
per language, and names the Parquet file written.
"""

from __future__ import annotations

import argparse

from rich.table import Table

from eurocurate.cli.common import console, error, out_console

NAME = "pull"
HELP = "stream token shards with per-language weights and a token budget"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("source", help="output folder of a run (a folder with shards/<lang>/) or a Hub dataset ORG/NAME")
    p.add_argument("--revision", help="Hub branch or commit (default: main)")
    p.add_argument("--endpoint", help="Hub endpoint (default: $HF_ENDPOINT or huggingface.co)")
    p.add_argument("--langs", required=True, help="comma-separated languages, e.g. de,fr,pl")
    p.add_argument("--weights", help="comma-separated mixing weights by tokens, one per language (default equal)")
    p.add_argument("--tokens", type=int, help="token budget (default: the most every language can fill)")
    p.add_argument("--output", "-o", help="write the stream to this Parquet file (doc_id, lang, input_ids, truncated)")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.hub.pull import PullError
    from eurocurate.hub.pull_mix import pull_mix

    langs = [x.strip() for x in args.langs.split(",") if x.strip()]
    weights = [float(x) for x in args.weights.split(",")] if args.weights else None
    try:
        totals = pull_mix(
            args.source, langs, weights, args.tokens, output=args.output, revision=args.revision,
            endpoint=args.endpoint,
        )  # fmt: skip
    except PullError as e:
        return error(e)
    all_tokens = sum(totals.values()) or 1
    table = Table(title="pulled", show_edge=False)
    for col in ("lang", "tokens", "share"):
        table.add_column(col, justify="left" if col == "lang" else "right")
    for lang, n in totals.items():
        table.add_row(lang, f"{n:,}", f"{n / all_tokens:.1%}")
    out_console.print(table)
    if args.output:
        console.print(f"written: {args.output}")
    return 0
