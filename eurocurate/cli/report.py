"""`eurocurate report OUT`: one self-contained HTML page about a run, for compliance officers.

Thin layer over `eurocurate.manifests.release.report.write_report`.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console

NAME = "report"
HELP = "one self-contained HTML page about a run, for compliance officers"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("output", help="output folder of a run")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.manifests.audit.run_folder import require_finished_run
    from eurocurate.manifests.release.report import write_report

    console.print(
        f"written: {write_report(require_finished_run(args.output))} (self-contained; open it in any browser)"
    )
    return 0
