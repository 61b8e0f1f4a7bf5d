"""`eurocurate inspect OUT --doc-id ID | --url URL`: everything a run knows about one document.

Thin layer over `eurocurate.manifests.audit.inspect.inspect_document`; prints each entry as JSON.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, out_console

NAME = "inspect"
HELP = "everything known about one document, kept or excluded"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("output", help="output folder of a run")
    p.add_argument("--doc-id")
    p.add_argument("--url")
    return p


def main(args: argparse.Namespace) -> int:
    import orjson

    from eurocurate.manifests.audit.inspect import inspect_document
    from eurocurate.manifests.audit.run_folder import require_finished_run

    if not args.doc_id and not args.url:
        return error(f"name the document: eurocurate inspect {args.output} --doc-id ID (or --url URL)")
    out = require_finished_run(args.output)  # a folder that is no run is a mistake (2), not "no such document"
    found = inspect_document(out, doc_id=args.doc_id, url=args.url)
    if not found:
        console.print("no document with that id or URL in this run (kept or excluded)")
        return 1
    for entry in found:
        out_console.print_json(orjson.dumps(entry, default=str).decode())
    return 0
