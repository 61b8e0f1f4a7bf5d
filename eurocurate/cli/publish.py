"""`eurocurate publish OUT --repo ORG/NAME`: upload a run to a Hugging Face dataset repo (changed files only).

Thin layer over `eurocurate.hub.publish.publish`; prints the commit and what it changed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eurocurate.cli.common import console, error

NAME = "publish"
HELP = "upload a run to a Hugging Face dataset repo (only changed files)"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("output", help="output folder of a run (run `eurocurate summary` first: card + Croissant)")
    p.add_argument("--repo", required=True, help="ORG/NAME")
    p.add_argument("--revision", help="branch (created from main when missing)")
    p.add_argument("--private", action="store_true")
    p.add_argument("--endpoint", help="Hub endpoint (default: $HF_ENDPOINT or huggingface.co)")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.hub.publish import PublishError, publish

    try:
        r = publish(Path(args.output), args.repo, revision=args.revision, private=args.private, endpoint=args.endpoint)
    except PublishError as e:
        return error(e)
    if r.commit is None:
        console.print(f"{r.repo_id}@{r.revision}: nothing changed ({r.unchanged} files already published)")
    else:
        console.print(
            f"{r.repo_id}@{r.revision}: commit {r.commit[:12]} — {len(r.uploaded)} file(s) uploaded "
            f"({r.bytes:,} bytes), {len(r.deleted)} deleted, {r.unchanged} unchanged"
        )
    return 0
