"""`eurocurate export OUT --format megatron|nanotron -o DIR [--langs de,fr]`: token shards as trainer files.

Thin layer over `eurocurate.pipelines.output.export.export_tokens`: prints documents and tokens per language
and the files written.
"""

from __future__ import annotations

import argparse

from rich.table import Table

from eurocurate.cli.common import console, error, out_console

NAME = "export"
HELP = "write a run's token shards as Megatron (.bin/.idx) or nanotron (datatrove .ds/.index) files"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("out", help="output folder of a run (with shards/<lang>/)")
    p.add_argument("--format", required=True, choices=["megatron", "nanotron"], help="trainer file format")
    p.add_argument("--output", "-o", required=True, help="folder to write the files into")
    p.add_argument("--langs", help="comma-separated languages (default: every language with token shards)")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.pipelines.output.export import ExportError, export_tokens

    langs = [x.strip() for x in args.langs.split(",") if x.strip()] if args.langs else None
    try:
        summary = export_tokens(args.out, args.format, args.output, langs)
    except ExportError as e:
        return error(e)
    table = Table(title=f"exported ({args.format})", show_edge=False)
    for col in ("lang", "documents", "tokens"):
        table.add_column(col, justify="left" if col == "lang" else "right")
    for lang, n in summary.documents.items():
        table.add_row(lang, f"{n:,}", f"{summary.tokens[lang]:,}")
    out_console.print(table)
    console.print(f"written: {args.output} ({len(summary.files)} files)")
    return 0
