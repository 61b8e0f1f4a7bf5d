"""`eurocurate pull SOURCE --langs de,fr [--weights] [--tokens] [--seq-len L] [-o FILE]`: a token mix for a trainer.

Thin layer over `eurocurate.hub.pull_mix.pull_mix` (documents) and `pull_sequences` (`--seq-len`: rows of
L ids, `--seed`, `--rank/--world-size`, `--start`): parses the comma lists and writes the stream, to the Parquet
file `-o` names or, without `-o`, as JSON lines on stdout while it is pulled (what was pulled then goes to stderr).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
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
    p.add_argument(
        "--output",
        "-o",
        help="write the stream to this Parquet file (doc_id, lang, input_ids, truncated); "
        "default: one JSON object per document (or row, with --seq-len) on stdout",
    )
    p.add_argument(
        "--seq-len",
        type=int,
        help="pack the stream into rows of exactly this many ids (position, input_ids, doc_ids, document_starts)",
    )
    p.add_argument("--seed", type=int, help="with --seq-len: seed of a shuffle of the rows (default: stream order)")
    p.add_argument("--rank", type=int, default=0, help="with --seq-len: this rank's rows (every world-size-th)")
    p.add_argument("--world-size", type=int, default=1, help="with --seq-len: number of ranks sharing the rows")
    p.add_argument("--start", type=int, default=0, help="with --seq-len: resume at this position of the rank's rows")
    p.add_argument(
        "--no-split",
        action="store_true",
        help="with --seq-len: a document that does not fit the rest of a row starts the next one (rows padded)",
    )
    p.add_argument(
        "--rehydrate",
        action="store_true",
        help="repeat each document by FineWeb-2's weight for its minhash_cluster_size (text shards)",
    )
    return p


def _stdout_closed() -> int:
    """The reader of stdout stopped early (`| head`): not a failure of the pull. Point stdout at /dev/null so
    the interpreter's final flush does not raise again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _output_mistake(output: str) -> str | None:
    """Why `-o` cannot be written, checked before the pull (which may take long and fetch from the Hub), or None."""
    path = Path(output).expanduser()
    if path.is_dir():
        return f"-o {output} is a folder; give the path of the Parquet file to write"
    if not path.parent.is_dir():
        return f"-o {output}: the folder {path.parent} does not exist; create it or write elsewhere"
    if not os.access(path.parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"-o {output}: no permission to write it"
    return None


def _read_error(source: str, e: BaseException) -> int:
    """The one line of a source that cannot be read: a local folder's file, or the Hub unreachable or refusing."""
    what = "cannot read a file of it" if Path(source).expanduser().is_dir() else "cannot read the Hub dataset"
    return error(f"{source}: {what} ({type(e).__name__}: {str(e)[:200]})")


def _sequences(args: argparse.Namespace, langs: list[str], weights: list[float] | None) -> int:
    from eurocurate.hub.pull import PullError
    from eurocurate.hub.pull_mix import pull_sequences
    from eurocurate.hub.transport import HUB_TRANSPORT_ERRORS

    jsonl = None if args.output else sys.stdout.buffer
    try:
        summary = pull_sequences(
            args.source, langs, args.seq_len, weights, args.tokens, seed=args.seed, rank=args.rank,
            world_size=args.world_size, start=args.start, output=args.output, jsonl=jsonl, revision=args.revision,
            endpoint=args.endpoint, rehydrate=args.rehydrate, split=not args.no_split,
        )  # fmt: skip
    except BrokenPipeError:
        return _stdout_closed()
    except (PullError, ValueError) as e:
        return error(e)
    except HUB_TRANSPORT_ERRORS as e:  # the Hub unreachable, or a request it refused (OSError: also a local read)
        return _read_error(args.source, e)
    (out_console if args.output else console).print(
        f"rank {args.rank}/{args.world_size}: {summary.rows:,} rows of {args.seq_len} ids ({summary.tokens:,} tokens"
        f"{f', {summary.padding:,} padding' if summary.padding else ''}); resume with --start {summary.next_position}"
    )
    if args.output:
        console.print(f"written: {args.output}")
    return 0


def main(args: argparse.Namespace) -> int:
    from eurocurate.hub.pull import PullError
    from eurocurate.hub.pull_mix import pull_mix
    from eurocurate.hub.transport import HUB_TRANSPORT_ERRORS

    langs = [x.strip() for x in args.langs.split(",") if x.strip()]
    if repeated := sorted({lang for lang in langs if langs.count(lang) > 1}):
        return error(f"--langs names {', '.join(repeated)} more than once; name each language once (--weights sets "
                     "its share)")  # fmt: skip
    try:
        weights = [float(x) for x in args.weights.split(",")] if args.weights else None
    except ValueError:
        return error(f"--weights expects comma-separated numbers, one per language, got {args.weights!r}")
    if weights is not None and (len(weights) != len(langs) or not all(math.isfinite(w) and w > 0 for w in weights)):
        return error(
            f"--weights needs {len(langs)} positive finite numbers, one per language of --langs, got {args.weights!r}"
        )
    if mistake := not_positive("--tokens", args.tokens) or (args.output and _output_mistake(args.output)):
        return error(mistake)
    if args.seq_len is not None:
        return _sequences(args, langs, weights)
    jsonl = None if args.output else sys.stdout.buffer
    try:
        totals = pull_mix(
            args.source, langs, weights, args.tokens, output=args.output, jsonl=jsonl, revision=args.revision,
            endpoint=args.endpoint, rehydrate=args.rehydrate,
        )  # fmt: skip
    except BrokenPipeError:
        return _stdout_closed()
    except PullError as e:
        return error(e)
    except HUB_TRANSPORT_ERRORS as e:  # the Hub unreachable, or a request it refused (OSError: also a local read)
        return _read_error(args.source, e)
    all_tokens = sum(totals.values()) or 1
    table = Table(title="pulled", show_edge=False)
    for col in ("lang", "tokens", "share"):
        table.add_column(col, justify="left" if col == "lang" else "right")
    for lang, n in totals.items():
        table.add_row(lang, f"{n:,}", f"{n / all_tokens:.1%}")
    (out_console if args.output else console).print(table)  # stdout holds the documents when there is no -o
    if args.output:
        console.print(f"written: {args.output}")
    return 0
