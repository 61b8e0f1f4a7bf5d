"""`eurocurate run SPEC -i INPUT -o OUT`: run (or resume) a pipeline spec, then print what it did.

Thin layer over `eurocurate.pipelines.engine.launch.run_spec`; owns the run's terminal summary
(totals, drops by stage and reason, tokens and tokenizer fertility by language).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from eurocurate.cli.common import EXIT_LOCKED, console, error, not_positive
from eurocurate.cli.logs import setup_logging
from eurocurate.layout import FERTILITY_MD, OutputLayout

if TYPE_CHECKING:
    from eurocurate.manifests.audit.run_manifest import RunManifest

NAME = "run"
HELP = "run a pipeline spec (re-running the same command resumes)"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("pipeline", help="pipeline spec, e.g. pipelines/demo.yaml")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input", "-i", action="append",
        help="input file, folder or glob; a local path or a URL (s3://, gs://, hf://, https://); repeatable",
    )  # fmt: skip
    source.add_argument(
        "--input-list", metavar="PATHS",
        help="file (or URL) listing input paths relative to --input-base, one a line; gzip allowed "
        "(Common Crawl's warc.paths.gz)",
    )  # fmt: skip
    p.add_argument("--input-base", metavar="URL", help="folder or URL the paths of --input-list are relative to")
    p.add_argument("--output", "-o", required=True, help="output folder OUT")
    p.add_argument("--ray-address", help="address of an existing Ray cluster (default: embedded local Ray)")
    p.add_argument("--workers", type=int, help="tasks running at once (default: the spec's execution.workers)")
    p.add_argument("--executor", choices=("ray", "local"), help="override the spec's executor")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a spec value")
    p.add_argument("--dry-run", action="store_true", help="check the spec, its files and the inputs; print the DAG")
    p.add_argument("--restart", action="store_true", help="remove the previous run's outputs from OUT and start over")
    p.add_argument("--verbose", "-v", action="store_true")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.pipelines.engine.embedded_ray import planned_embedded_workers, start_ray_early, stop_ray

    if not args.dry_run and not not_positive("--workers", args.workers):
        # the embedded Ray starts (2.5-4 s, mostly waiting on its processes) while the stages are imported, the spec
        # loaded and the inputs checked (about 1 s); a run that ends before it needs Ray stops it below
        planned = planned_embedded_workers(
            args.pipeline, args.set, executor=args.executor, workers=args.workers, ray_address=args.ray_address
        )
        if planned:
            start_ray_early(planned)
    try:
        return _main(args)
    finally:
        stop_ray()


def _main(args: argparse.Namespace) -> int:
    from eurocurate.config import load_spec
    from eurocurate.pipelines.engine.launch import run_spec
    from eurocurate.pipelines.engine.output_folder import FolderNotOurs
    from eurocurate.pipelines.engine.run_lock import OutputLocked
    from eurocurate.pipelines.engine.runner import InputError, OutputConflict, RunFailed
    from eurocurate.pipelines.ingest.inputs import InputList

    if mistake := not_positive("--workers", args.workers):  # 0 or -1 would wait for a worker forever
        return error(mistake)
    from eurocurate.pipelines.engine.run_output import RunOutput

    if (args.input_list is None) != (args.input_base is None):
        return error("--input-list and --input-base go together: the list's paths are relative to the base")
    inputs = [InputList(args.input_list, args.input_base)] if args.input_list else args.input
    place = RunOutput(args.output)  # an s3:// output is worked on through a local copy (logs, summary)
    out = place.local
    spec = load_spec(args.pipeline, args.set)  # a spec that does not load exits 2 before OUT/logs is created
    if args.dry_run:
        from eurocurate.cli.check import print_check

        return print_check(spec, inputs, out)
    from eurocurate.pipelines.engine.embedded_ray import RayUnreachable, check_reachable
    from eurocurate.pipelines.engine.output_folder import check_ownership
    from eurocurate.pipelines.engine.preflight import check_run

    try:  # every check that needs no document, and whose folder OUT is, before OUT/logs is created
        check_run(spec, inputs, out, args.output)
        if args.ray_address:  # it implies the Ray executor
            check_reachable(args.ray_address)
        if not args.restart and not place.remote:  # a remote one is checked once its copy is pulled
            check_ownership(out.resolve())  # made again under the run lock; here so that a refusal writes nothing
    except (InputError, FolderNotOurs, RayUnreachable) as e:
        return error(e)
    setup_logging(out, args.verbose)
    try:
        manifest = run_spec(
            spec, inputs, args.output, spec_path=args.pipeline, ray_address=args.ray_address,
            workers=args.workers, executor=args.executor, console=console, restart=args.restart,
        )  # fmt: skip
    except OutputLocked as e:
        console.print(f"[red]error:[/] {e}")
        return EXIT_LOCKED
    except (InputError, OutputConflict, FolderNotOurs) as e:
        return error(e)
    except RunFailed as e:
        console.print(f"[red]run incomplete:[/] {e}")
        return 1
    _print_summary(manifest, out, place.url)
    return 0


def _print_summary(manifest: RunManifest, out: Path, shown: str) -> None:
    totals = manifest.totals
    console.print(
        f"\n[bold green]done[/] {manifest.pipeline}: {totals.read:,} documents read, "
        f"{totals.kept:,} kept, {totals.dropped:,} dropped"
    )
    drops = Table(title="dropped, by stage and reason", show_edge=False)
    for col in ("stage", "reason", "documents"):
        drops.add_column(col, justify="right" if col == "documents" else "left")
    for st in manifest.stages:
        for reason, n in sorted(st.dropped_by_reason.items(), key=lambda kv: -kv[1]):
            drops.add_row(st.stage, reason, f"{n:,}")
    console.print(drops)
    tokens = totals.tokens_by_language
    if tokens:
        table = Table(title="tokens by language", show_edge=False)
        table.add_column("lang")
        table.add_column("tokens", justify="right")
        for lang, n in sorted(tokens.items(), key=lambda kv: -kv[1]):
            table.add_row(lang, f"{n:,}")
        table.add_row("[bold]all", f"[bold]{sum(tokens.values()):,}")
        console.print(table)
    if manifest.fertility:
        table = Table(
            title="tokenizer fertility (tokens per word; higher = the tokenizer serves the language worse)",
            show_edge=False,
        )
        for col in ("lang", "tokens/word", "tokens/char"):
            table.add_column(col, justify="left" if col == "lang" else "right")
        for lang, f in sorted(manifest.fertility.items(), key=lambda kv: -kv[1].tokens_per_word):
            table.add_row(lang, f"{f.tokens_per_word:.2f}", f"{f.tokens_per_char:.3f}")
        console.print(table)
        console.print(f"fertility report: {OutputLayout(out).reports / FERTILITY_MD}")
    from eurocurate.manifests.release.domains import robots_coverage

    if missing := robots_coverage(out, manifest).warning():
        console.print(f"[yellow]opt-outs:[/] {missing}")
    run_json = OutputLayout(out).run_manifest
    if shown != str(out):
        run_json = f"{shown}/{run_json.name}"
    console.print(f"output: {shown}  (run manifest {run_json}; check it with `eurocurate verify {shown}`)")
