"""`eurocurate pii IN.jsonl -o OUT.jsonl`: redact personal data in the `text` field of each line.

Thin layer over `eurocurate.filters.pii.step.redact_jsonl`; the key comes from an environment
variable, never from the command line (where it would land in shell history).
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, key_from_env, stage_default

NAME = "pii"
HELP = "redact personal data in the `text` field of a JSONL file"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("input", help="JSONL file, one JSON object with a string `text` (and optional `lang`) per line")
    p.add_argument(
        "--output", "-o", required=True, help="output JSONL: same lines, `text` redacted, `pii` counts added"
    )
    p.add_argument("--key-env", default=stage_default("pii", "key_env"), help="environment variable with the HMAC key")
    p.add_argument("--batch-size", type=int, default=256)
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.filters.pii.step import redact_jsonl

    key = key_from_env(args.key_env)
    if key is None:
        console.print(f"[yellow]warning:[/] ${args.key_env} is unset: no fingerprints will be written")
    try:
        totals = redact_jsonl(args.input, args.output, key, batch_size=args.batch_size)
    except (OSError, ValueError) as e:
        return error(e)
    replaced = {k: v for k, v in sorted(totals.items()) if k not in ("lines", "skipped_lines") and v}
    console.print(
        f"{totals['lines']:,} lines, {totals['skipped_lines']:,} passed through unchanged (not a JSON object with "
        f"a string `text`); replaced: {replaced or 'nothing'} → {args.output}"
    )
    return 0
