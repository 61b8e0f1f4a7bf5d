"""`eurocurate verify OUT`: re-hash a run's outputs and re-check its count invariants.

Thin layer over `eurocurate.manifests.audit.verify.verify_output`: a WARN line per check it could not make
(an older run's record lacks what it needs), then one OK line, or one FAIL line per problem.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import out_console

NAME = "verify"
HELP = "re-hash outputs and re-check count invariants of a run"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("output", help="output folder of a run")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.layout import OutputLayout
    from eurocurate.manifests.audit.run_folder import require_finished_run
    from eurocurate.manifests.audit.verify import verify_output

    if not OutputLayout(args.output).state.is_file():  # an unfinished run is a failed check (1); no run at all, a
        require_finished_run(args.output)  # mistake (2), as for every command given a folder that is no run
    report = verify_output(args.output)
    for warning in report.warnings:  # what could not be checked: said, whether or not the checks pass
        out_console.print(f"[yellow]WARN[/] {warning}", markup=True, highlight=False)
    if report.ok:
        shown = getattr(args, "shown_folder", args.output)  # the URL, when the folder is a local copy of one
        out_console.print(f"[green]OK[/] {shown}: {report.checks} checks passed")
        return 0
    for problem in report.problems:
        out_console.print(f"[red]FAIL[/] {problem}", markup=True, highlight=False)
    out_console.print(f"{len(report.problems)} problem(s) in {report.checks} checks")
    return 1
