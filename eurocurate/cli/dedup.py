"""`eurocurate dedup IN.jsonl -o OUT.jsonl`: near-dedup (MinHash-LSH) the lines of a JSONL file.

Thin layer over `eurocurate.dedup.jsonl.dedup_jsonl`; every MinHash option takes its default from the
`minhash_dedup` stage, so a file deduplicated here is deduplicated as a pipeline run does it.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, stage_default

NAME = "dedup"
HELP = "near-dedup (MinHash-LSH) the lines of a JSONL file by their `text`"
_STAGE = "minhash_dedup"


def _jaccard(value: str) -> float | None:
    """A similarity in [0, 1], or `none` for no verification of LSH candidates."""
    return None if value.lower() in ("none", "off") else float(value)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("input")
    p.add_argument("--output", "-o", required=True)
    p.add_argument("--bands", type=int, default=stage_default(_STAGE, "bands"), help="LSH bands (default: %(default)s)")
    p.add_argument(
        "--rows", type=int, default=stage_default(_STAGE, "rows"), help="MinHash values per band (default: %(default)s)"
    )
    p.add_argument(
        "--ngram",
        type=int,
        default=stage_default(_STAGE, "ngram"),
        help="word n-gram length of the shingles (default: %(default)s)",
    )
    p.add_argument("--urls", action="store_true", help="also drop lines whose normalised `url` came earlier")
    p.add_argument(
        "--max-docs-in-memory",
        type=int,
        default=stage_default(_STAGE, "max_docs_in_memory"),
        help="clustered documents merged in memory; above, on disk",
    )
    p.add_argument(
        "--min-jaccard",
        type=_jaccard,
        default=stage_default(_STAGE, "min_jaccard"),
        help="verify candidate pairs at this exact n-gram Jaccard (default: %(default)s, as the stage); "
        "`none`: link LSH candidates unverified",
    )
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.dedup.jsonl import dedup_jsonl

    try:
        counts = dedup_jsonl(
            args.input, args.output, bands=args.bands, rows=args.rows, ngram=args.ngram, urls=args.urls,
            max_docs_in_memory=args.max_docs_in_memory, min_jaccard=args.min_jaccard,
        )  # fmt: skip
    except (OSError, ValueError) as e:
        return error(e)
    console.print(", ".join(f"{k}: {v:,}" for k, v in counts.items() if isinstance(v, int)) + f" → {args.output}")
    return 0
