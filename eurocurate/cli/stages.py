"""`eurocurate stages`: the stages a spec can use, with their role, summary and parameter defaults.

Thin layer over the stage registry (`eurocurate.registry.all_stages`).
"""

from __future__ import annotations

import argparse

from rich.table import Table

from eurocurate.cli.common import out_console

NAME = "stages"
HELP = "list the stages a spec can use"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(NAME, help=HELP)
    parser.add_argument(
        "--plugin", action="append", default=[], metavar="MODULE", help="also list the stages of a plugin module"
    )
    return parser


def main(args: argparse.Namespace) -> int:
    from eurocurate.registry import all_stages, load_plugins

    load_plugins(args.plugin)
    table = Table(show_edge=False)
    for col in ("stage", "role", "what it does", "parameters"):
        table.add_column(col)
    for s in all_stages().values():
        params = ", ".join(
            f"{n}={f.get_default(call_default_factory=True)!r}" for n, f in s.params.model_fields.items()
        )
        table.add_row(s.name, s.role, s.summary, params)
    out_console.print(table)
    return 0
