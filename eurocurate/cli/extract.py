"""`eurocurate extract INPUT... -o OUT.jsonl`: the main text of input documents, one JSON line each.

Thin layer over `eurocurate.pipelines.extract.jsonl.extract_to_jsonl`; `--mode` takes its default from
the `html_extractor` stage and the read limits from the `document_reader` stage.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, stage_default

NAME = "extract"
HELP = "extract the main text of input documents into a JSONL file, for inspection"
_FORMATS = "WARC/WET/ARC, .html/.htm, .jsonl(.gz/.zst), .parquet, .pdf, Akoma Ntoso/Formex .xml, .docx"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("input", nargs="+", help=f"files or folders: {_FORMATS}")
    p.add_argument("--output", "-o", required=True, help="JSONL, one extracted document per line")
    p.add_argument("--mode", choices=("fast", "reference"), default=stage_default("html_extractor", "mode"))
    p.add_argument(
        "--max-bytes",
        type=int,
        default=stage_default("document_reader", "max_bytes"),
        help="largest record, row or single-document file read",
    )
    p.add_argument(
        "--parse-timeout",
        type=float,
        default=stage_default("document_reader", "parse_timeout_s"),
        help="seconds one PDF or XML document may take",
    )
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.pipelines.engine.runner import InputError
    from eurocurate.pipelines.extract.jsonl import extract_to_jsonl

    try:
        counts = extract_to_jsonl(
            args.input, args.output, mode=args.mode, max_bytes=args.max_bytes, parse_timeout_s=args.parse_timeout
        )
    except (InputError, OSError, ValueError) as e:
        return error(e)
    drops = {k.removeprefix("dropped_"): v for k, v in counts.items() if k.startswith("dropped_") and v}
    console.print(f"{counts.get('written', 0):,} documents written to {args.output}; dropped: {drops or 'none'}")
    return 0
