"""`eurocurate pull SOURCE --langs de,fr [--weights] [--tokens] [-o FILE]`: stream a token mix for a trainer.

Thin layer over `eurocurate.hub.pull_mix.pull_mix`: parses the comma lists, prints tokens and share
per language, and names the Parquet file written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from eurocurate.cli.common import console, error, not_positive, out_console

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


def _local_path_mistake(source: str) -> str | None:
    """Why `source` must be a local folder that does not exist, or None (a folder, or a Hub id ORG/NAME)."""
    path = Path(source).expanduser()
    if path.is_dir():
        return None
    looks_local = source.startswith(("/", ".", "~")) or source.count("/") != 1 or path.parent.is_dir()
    if path.exists():
        return f"{source} is a file, neither a folder nor a Hub dataset id; give the output folder of a run"
    if looks_local:
        return (
            f"{source} is neither a folder nor a Hub dataset id (ORG/NAME): no such folder; give the output "
            f"folder of a run (with shards/<lang>/) or a Hub id"
        )
    return None


def main(args: argparse.Namespace) -> int:
    import httpx

    from eurocurate.hub.pull import PullError
    from eurocurate.hub.pull_mix import pull_mix

    langs = [x.strip() for x in args.langs.split(",") if x.strip()]
    try:
        weights = [float(x) for x in args.weights.split(",")] if args.weights else None
    except ValueError:
        return error(f"--weights expects comma-separated numbers, one per language, got {args.weights!r}")
    if mistake := not_positive("--tokens", args.tokens) or _local_path_mistake(args.source):
        return error(mistake)
    try:
        totals = pull_mix(
            args.source, langs, weights, args.tokens, output=args.output, revision=args.revision,
            endpoint=args.endpoint,
        )  # fmt: skip
    except PullError as e:
        return error(e)
    except (OSError, httpx.HTTPError) as e:  # the Hub unreachable, or a request it refused
        return error(f"{args.source}: cannot read the Hub dataset ({type(e).__name__}: {str(e)[:200]})")
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
