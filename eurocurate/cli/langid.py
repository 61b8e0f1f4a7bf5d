"""`eurocurate langid IN.jsonl -o OUT.jsonl`: add lang, lang_score and lang_shares to every line.

Thin layer over `eurocurate.langid.jsonl.identify_jsonl`; `--max-chars` takes its default from the
`language_id` stage, so a file labelled here is labelled as a pipeline run labels it.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, stage_default

NAME = "langid"
HELP = "add lang, lang_score, lang_shares to each line of a JSONL file"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("input", help="JSONL file with a string field `text` per line")
    p.add_argument("--output", "-o", required=True)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument(
        "--max-chars",
        type=int,
        default=stage_default("language_id", "max_chars"),
        help="characters read per document, spread over its paragraphs (default: %(default)s, as the stage)",
    )
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.langid.jsonl import identify_jsonl

    try:
        counts = identify_jsonl(args.input, args.output, batch_size=args.batch_size, max_chars=args.max_chars)
    except (OSError, ValueError) as e:
        return error(e)
    top = ", ".join(f"{k}:{v}" for k, v in sorted(counts["languages"].items(), key=lambda kv: -kv[1])[:12])
    console.print(
        f"{counts['lines']:,} lines, {counts['bad_lines']:,} passed through unchanged; languages: {top} → {args.output}"
    )
    return 0
