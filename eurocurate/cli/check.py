"""`eurocurate check SPEC [--input …] [--output OUT]`: validate a spec, its files and inputs; print the DAG.

Thin layer over `eurocurate.pipelines.engine.preflight`; `run --dry-run` prints the same. Reads no
document and writes nothing: a spec that fails here never locks an output folder.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from eurocurate.cli.common import console, error

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eurocurate.config import PipelineSpec
    from eurocurate.pipelines.ingest.inputs import InputList

NAME = "check"
HELP = "validate a spec, every file it names and the inputs, and print the compiled DAG (runs nothing)"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("pipeline", help="pipeline spec, e.g. pipelines/demo.yaml")
    p.add_argument("--input", "-i", action="append", help="WARC file, folder or glob (repeatable)")
    p.add_argument("--output", "-o", help="output folder OUT the run would write (checked, not created)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a spec value")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.config import load_spec

    spec = load_spec(args.pipeline, args.set)
    return print_check(spec, args.input, Path(args.output) if args.output else None)


def print_check(spec: PipelineSpec, inputs: Sequence[str | InputList] | None, out: Path | None) -> int:
    """Check `spec` (with `inputs` when given, else a placeholder input) and print its DAG; the exit code."""
    from eurocurate.pipelines.engine.output_folder import FolderNotOurs, check_ownership
    from eurocurate.pipelines.engine.preflight import check_run, describe_dag
    from eurocurate.pipelines.engine.runner import OutputConflict, check_resume
    from eurocurate.pipelines.ingest.inputs import WARC_SUFFIXES, InputError, describe_set_aside
    from eurocurate.pipelines.ingest.sources_stage import accepted_suffixes

    with tempfile.TemporaryDirectory(prefix="eurocurate-check-") as tmp:
        patterns = inputs
        if not patterns:  # compile against one placeholder input so that the stages and files are still checked
            placeholder = Path(tmp) / f"placeholder{(accepted_suffixes(spec) or WARC_SUFFIXES)[0]}"
            placeholder.touch()
            patterns = [str(placeholder)]
        try:
            found, dag = check_run(spec, patterns, out or Path(tmp) / "out")
            if out is not None:
                check_ownership(out.resolve())
                if inputs:  # a run's state there must be of this spec and these inputs (a placeholder never is)
                    check_resume(out.resolve(), spec, found, dag)
        except (InputError, FolderNotOurs, OutputConflict) as e:
            return error(e)
    where = f"{len(found.files)} input file(s) under {found.root}" if inputs else "no --input given"
    console.print(f"[bold green]ok[/] {spec.name}: spec, stage parameters and referenced files are valid; {where}")
    if aside := describe_set_aside(found):
        console.print(f"  {aside}")
    for line in describe_dag(dag):
        console.print(f"  {line}")
    return 0
