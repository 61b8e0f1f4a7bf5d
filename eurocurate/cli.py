"""The `eurocurate` command: run a pipeline, verify an output, list stages.

Only this layer prints; everything below logs. Errors a user can fix exit with code 2 and one
actionable line; a failed run exits 1 and says how to resume.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from eurocurate.config import SpecError, load_spec
from eurocurate.layout import FERTILITY_MD, OutputLayout

if TYPE_CHECKING:
    from eurocurate.manifests.audit.run_manifest import RunManifest

console = Console(stderr=True, soft_wrap=True)
out_console = Console(soft_wrap=True)


def _setup_logging(out: Path | None, verbose: bool) -> None:
    """Python logging and datatrove's loguru go to files under OUT/logs; the terminal gets warnings only."""
    from loguru import logger as loguru_logger

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(logging.DEBUG if verbose else logging.WARNING)
    loguru_logger.remove()
    if out is not None:
        (out / "logs").mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(out / "logs" / "run.jsonl", encoding="utf-8")
        fh.setFormatter(_JsonLines())
        fh.setLevel(logging.INFO)
        handlers.append(fh)
        loguru_logger.add(out / "logs" / "datatrove.log", level="INFO")
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True)


_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class _JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message and every `extra=` field."""

    def format(self, record: logging.LogRecord) -> str:
        import orjson

        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def _print_summary(manifest: RunManifest, out: Path) -> None:
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
    run_json = OutputLayout(out).run_manifest
    console.print(f"output: {out}  (run manifest {run_json}; check it with `eurocurate verify {out}`)")


def cmd_run(args: argparse.Namespace) -> int:
    from eurocurate.pipelines.engine.runner import (
        InputError,
        OutputConflict,
        RunFailed,
        RunOptions,
        run_pipeline,
        stop_ray,
    )

    out = Path(args.output)
    spec = load_spec(args.pipeline, args.set)
    _setup_logging(out, args.verbose)
    options = RunOptions(
        inputs=args.input,
        output=args.output,
        ray_address=args.ray_address,
        workers=args.workers,
        executor="ray" if args.ray_address else args.executor,
    )
    try:
        manifest = run_pipeline(spec, args.pipeline, options, console)
    except (InputError, OutputConflict) as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    except RunFailed as e:
        console.print(f"[red]run incomplete:[/] {e}")
        return 1
    finally:
        stop_ray()
    _print_summary(manifest, out.resolve())
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from eurocurate.manifests.audit.verify import verify_output

    report = verify_output(args.output)
    if report.ok:
        out_console.print(f"[green]OK[/] {args.output}: {report.checks} checks passed")
        return 0
    for problem in report.problems:
        out_console.print(f"[red]FAIL[/] {problem}", markup=True, highlight=False)
    out_console.print(f"{len(report.problems)} problem(s) in {report.checks} checks")
    return 1


def cmd_pii(args: argparse.Namespace) -> int:
    import os

    from eurocurate.filters.pii.step import redact_jsonl

    key = os.environ.get(args.key_env)
    if not key:
        console.print(f"[yellow]warning:[/] ${args.key_env} is unset: no fingerprints will be written")
    try:
        totals = redact_jsonl(args.input, args.output, key.encode() if key else None, batch_size=args.batch_size)
    except (OSError, ValueError) as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    replaced = {k: v for k, v in sorted(totals.items()) if k not in ("lines", "skipped_lines") and v}
    console.print(
        f"{totals['lines']:,} lines, {totals['skipped_lines']:,} passed through unchanged (not a JSON object with "
        f"a string `text`); replaced: {replaced or 'nothing'} → {args.output}"
    )
    return 0


def _is_run(out: Path) -> bool:
    """True for the output folder of a finished run; otherwise says so on the terminal."""
    if (out / "run.json").is_file():
        return True
    console.print(f"[red]error:[/] {out / 'run.json'} not found: not a finished eurocurate run")
    return False


def cmd_erase(args: argparse.Namespace) -> int:
    import getpass
    import os

    from eurocurate.manifests.audit.erasure import ErasureError, ErasureRequest, erase, recover

    out = Path(args.output)
    if not _is_run(out):
        return 2
    if args.recover:
        console.print(recover(out) or "no interrupted erasure to recover")
        return 0
    given = [n for n in ("url", "url_prefix", "domain", "identifier") if getattr(args, n)]
    if len(given) != 1:
        console.print("[red]error:[/] give exactly one of --url, --url-prefix, --domain, --identifier")
        return 2
    key = os.environ.get(args.key_env)
    request = ErasureRequest(
        url=args.url, url_prefix=args.url_prefix, domain=args.domain, identifier=args.identifier, kind=args.kind,
        reason=args.reason or "", signed_off_by=args.signed_off_by or getpass.getuser(),
    )  # fmt: skip
    try:
        result = erase(out, request, key.encode() if key else None)
    except ErasureError as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    console.print(
        f"{result.erasure_id}: {len(result.doc_ids)} document(s) erased ({result.tokens_removed:,} tokens); "
        f"{len(result.files_removed)} file(s) replaced; logged in {out / 'erasure_log.jsonl'}; "
        f"subject added to {out / 'suppression.yaml'}"
    )
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from eurocurate.manifests.audit.inspect import inspect_document

    found = inspect_document(Path(args.output), doc_id=args.doc_id, url=args.url)
    if not found:
        console.print("no document with that id or URL in this run (kept or excluded)")
        return 1
    import orjson

    for entry in found:
        out_console.print_json(orjson.dumps(entry, default=str).decode())
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    import orjson

    from eurocurate.manifests.release.ai_act_summary import SummaryConfig, build_summary, domains_csv, to_markdown

    out = Path(args.output)
    if not _is_run(out):
        return 2
    config = SummaryConfig.from_file(args.config)
    summary = build_summary(out, config)
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "ai_act_summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    (reports / "ai_act_summary.md").write_text(to_markdown(summary))
    (reports / "domains.csv").write_text(domains_csv(out, config.sme))
    # machine-readable documentation at the dataset root: their paths are relative to it, as on the Hub
    from eurocurate.manifests.release.croissant import build_croissant
    from eurocurate.manifests.release.dataset_card import dataset_card

    (out / "croissant.json").write_bytes(orjson.dumps(build_croissant(out), option=orjson.OPT_INDENT_2))
    (out / "README.md").write_text(dataset_card(out, args.repo_id))
    if args.format == "json":
        out_console.print_json(orjson.dumps(summary).decode())
    else:
        out_console.print(to_markdown(summary), markup=False, highlight=False)
    if summary["missing_fields"]:
        console.print(f"[yellow]still to provide (--config):[/] {', '.join(summary['missing_fields'])}")
    console.print(
        f"written: {reports / 'ai_act_summary.json'}, {reports / 'ai_act_summary.md'}, {reports / 'domains.csv'}, "
        f"{out / 'croissant.json'} (Croissant 1.1 + RAI), {out / 'README.md'} (dataset card)"
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from eurocurate.manifests.release.report import write_report

    out = Path(args.output)
    if not _is_run(out):
        return 2
    console.print(f"written: {write_report(out)} (self-contained; open it in any browser)")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eurocurate.hub.pull import PullError, pull

    source = Path(args.source)
    if not source.is_dir() and args.source.count("/") != 1:
        console.print(f"[red]error:[/] {source} is neither a folder nor a Hub dataset id (ORG/NAME)")
        return 2
    langs = [x.strip() for x in args.langs.split(",") if x.strip()]
    weights = [float(x) for x in args.weights.split(",")] if args.weights else None
    rows: dict[str, list] = {"doc_id": [], "lang": [], "input_ids": [], "truncated": []}
    totals: dict[str, int] = dict.fromkeys(langs, 0)
    try:
        if source.is_dir():
            docs = pull(source, langs, weights, args.tokens)
        else:
            from eurocurate.hub.hub_pull import pull_from_hub

            docs = pull_from_hub(
                args.source, langs, weights, args.tokens, revision=args.revision, endpoint=args.endpoint
            )
        for doc in docs:
            totals[doc.lang] += len(doc.input_ids)
            if args.output:
                for key in rows:
                    rows[key].append(getattr(doc, key))
    except PullError as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    all_tokens = sum(totals.values()) or 1
    table = Table(title="pulled", show_edge=False)
    for col in ("lang", "tokens", "share"):
        table.add_column(col, justify="left" if col == "lang" else "right")
    for lang, n in totals.items():
        table.add_row(lang, f"{n:,}", f"{n / all_tokens:.1%}")
    out_console.print(table)
    if args.output:
        schema = pa.schema(
            [
                ("doc_id", pa.string()),
                ("lang", pa.string()),
                ("input_ids", pa.list_(pa.uint32())),
                ("truncated", pa.bool_()),
            ]
        )
        pq.write_table(pa.table(rows, schema=schema), args.output, compression="zstd")
        console.print(f"written: {args.output}")
    return 0


def cmd_langid(args: argparse.Namespace) -> int:
    from eurocurate.langid.jsonl import identify_jsonl

    try:
        counts = identify_jsonl(args.input, args.output, batch_size=args.batch_size)
    except (OSError, ValueError) as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    top = ", ".join(f"{k}:{v}" for k, v in sorted(counts["languages"].items(), key=lambda kv: -kv[1])[:12])
    console.print(
        f"{counts['lines']:,} lines, {counts['bad_lines']:,} passed through unchanged; languages: {top} → {args.output}"
    )
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from eurocurate.pipelines.engine.runner import InputError
    from eurocurate.pipelines.extract.jsonl import extract_to_jsonl

    try:
        counts = extract_to_jsonl(
            args.input, args.output, mode=args.mode, max_bytes=args.max_bytes, parse_timeout_s=args.parse_timeout
        )
    except (InputError, OSError, ValueError) as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    drops = {k.removeprefix("dropped_"): v for k, v in counts.items() if k.startswith("dropped_") and v}
    console.print(f"{counts.get('written', 0):,} documents written to {args.output}; dropped: {drops or 'none'}")
    return 0


def cmd_dedup(args: argparse.Namespace) -> int:
    from eurocurate.dedup.jsonl import dedup_jsonl

    try:
        counts = dedup_jsonl(
            args.input, args.output, bands=args.bands, rows=args.rows, ngram=args.ngram, urls=args.urls,
            max_docs_in_memory=args.max_docs_in_memory, min_jaccard=args.min_jaccard,
        )  # fmt: skip
    except (OSError, ValueError) as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    console.print(", ".join(f"{k}: {v:,}" for k, v in counts.items() if isinstance(v, int)) + f" → {args.output}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from eurocurate.hub.publish import PublishError, publish

    try:
        r = publish(Path(args.output), args.repo, revision=args.revision, private=args.private, endpoint=args.endpoint)
    except PublishError as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    if r.commit is None:
        console.print(f"{r.repo_id}@{r.revision}: nothing changed ({r.unchanged} files already published)")
    else:
        console.print(
            f"{r.repo_id}@{r.revision}: commit {r.commit[:12]} — {len(r.uploaded)} file(s) uploaded ({r.bytes:,} bytes), "
            f"{len(r.deleted)} deleted, {r.unchanged} unchanged"
        )
    return 0


def cmd_stages(args: argparse.Namespace) -> int:
    from eurocurate.registry import all_stages

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eurocurate", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a pipeline spec (re-running the same command resumes)")
    run.add_argument("pipeline", help="pipeline spec, e.g. pipelines/demo.yaml")
    run.add_argument("--input", "-i", action="append", required=True, help="WARC file, folder or glob (repeatable)")
    run.add_argument("--output", "-o", required=True, help="output folder OUT")
    run.add_argument("--ray-address", help="address of an existing Ray cluster (default: embedded local Ray)")
    run.add_argument("--workers", type=int, help="tasks running at once (default: the spec's execution.workers)")
    run.add_argument("--executor", choices=("ray", "local"), help="override the spec's executor")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a spec value")
    run.add_argument("--verbose", "-v", action="store_true")
    run.set_defaults(func=cmd_run)

    verify = sub.add_parser("verify", help="re-hash outputs and re-check count invariants of a run")
    verify.add_argument("output", help="output folder of a run")
    verify.set_defaults(func=cmd_verify)

    pii = sub.add_parser("pii", help="redact personal data in the `text` field of a JSONL file")
    pii.add_argument("input", help="JSONL file, one JSON object with a string `text` (and optional `lang`) per line")
    pii.add_argument(
        "--output", "-o", required=True, help="output JSONL: same lines, `text` redacted, `pii` counts added"
    )
    pii.add_argument("--key-env", default="EUROCURATE_PII_KEY", help="environment variable with the HMAC key")
    pii.add_argument("--batch-size", type=int, default=256)
    pii.set_defaults(func=cmd_pii)

    er = sub.add_parser("erase", help="remove documents from a finished run (by URL, prefix, domain or identifier)")
    er.add_argument("output", help="output folder of a run")
    er.add_argument("--url")
    er.add_argument("--url-prefix")
    er.add_argument("--domain", help="a domain and all its subdomains")
    er.add_argument("--identifier", help="an e-mail, phone (+country), IBAN or national ID that was redacted")
    er.add_argument("--kind", help="the identifier's kind (EMAIL, PHONE, IBAN, PL_PESEL, …); guessed when omitted")
    er.add_argument("--reason", help="why (recorded in the erasure log)")
    er.add_argument("--signed-off-by", help="who authorised it (default: the current user)")
    er.add_argument("--key-env", default="EUROCURATE_PII_KEY", help="environment variable with the run's PII key")
    er.add_argument("--recover", action="store_true", help="finish or roll back an interrupted erasure")
    er.set_defaults(func=cmd_erase)

    ins = sub.add_parser("inspect", help="everything known about one document, kept or excluded")
    ins.add_argument("output", help="output folder of a run")
    ins.add_argument("--doc-id")
    ins.add_argument("--url")
    ins.set_defaults(func=cmd_inspect)

    sm = sub.add_parser("summary", help="EU AI Act Art. 53(1)(d) public summary of training content, from a run")
    sm.add_argument("output", help="output folder of a run")
    sm.add_argument("--format", choices=("md", "json"), default="md")
    sm.add_argument("--config", help="YAML with provider_name, provider_contact, model_name, crawler_name, sme, …")
    sm.add_argument("--repo-id", help="Hub dataset id (ORG/NAME) to name in the dataset card's loading examples")
    sm.set_defaults(func=cmd_summary)

    rp = sub.add_parser("report", help="one self-contained HTML page about a run, for compliance officers")
    rp.add_argument("output", help="output folder of a run")
    rp.set_defaults(func=cmd_report)

    pl = sub.add_parser("pull", help="stream token shards with per-language weights and a token budget")
    pl.add_argument("source", help="output folder of a run (a folder with shards/<lang>/) or a Hub dataset ORG/NAME")
    pl.add_argument("--revision", help="Hub branch or commit (default: main)")
    pl.add_argument("--endpoint", help="Hub endpoint (default: $HF_ENDPOINT or huggingface.co)")
    pl.add_argument("--langs", required=True, help="comma-separated languages, e.g. de,fr,pl")
    pl.add_argument("--weights", help="comma-separated mixing weights by tokens, one per language (default equal)")
    pl.add_argument("--tokens", type=int, help="token budget (default: the most every language can fill)")
    pl.add_argument("--output", "-o", help="write the stream to this Parquet file (doc_id, lang, input_ids, truncated)")
    pl.set_defaults(func=cmd_pull)

    li = sub.add_parser("langid", help="add lang, lang_score, lang_shares to each line of a JSONL file")
    li.add_argument("input", help="JSONL file with a string field `text` per line")
    li.add_argument("--output", "-o", required=True)
    li.add_argument("--batch-size", type=int, default=256)
    li.set_defaults(func=cmd_langid)

    ex = sub.add_parser("extract", help="extract the main text of input documents into a JSONL file, for inspection")
    ex.add_argument(
        "input", nargs="+",
        help="files or folders: WARC/WET/ARC, .html/.htm, .jsonl(.gz/.zst), .parquet, .pdf, Akoma Ntoso/Formex .xml, .docx",
    )  # fmt: skip
    ex.add_argument("--output", "-o", required=True, help="JSONL, one extracted document per line")
    ex.add_argument("--mode", choices=("fast", "reference"), default="fast")
    ex.add_argument("--max-bytes", type=int, default=64 << 20, help="largest record, row or single-document file read")
    ex.add_argument("--parse-timeout", type=float, default=60.0, help="seconds one PDF or XML document may take")
    ex.set_defaults(func=cmd_extract)

    dd = sub.add_parser("dedup", help="near-dedup (MinHash-LSH) the lines of a JSONL file by their `text`")
    dd.add_argument("input")
    dd.add_argument("--output", "-o", required=True)
    dd.add_argument("--bands", type=int, default=14)
    dd.add_argument("--rows", type=int, default=8)
    dd.add_argument("--ngram", type=int, default=5)
    dd.add_argument("--urls", action="store_true", help="also drop lines whose normalised `url` came earlier")
    dd.add_argument(
        "--max-docs-in-memory", type=int, default=8_000_000, help="clustered documents merged in memory; above, on disk"
    )
    dd.add_argument(
        "--min-jaccard",
        type=float,
        default=None,
        help="verify candidate pairs at this exact 5-gram Jaccard (e.g. 0.55)",
    )
    dd.set_defaults(func=cmd_dedup)

    pb = sub.add_parser("publish", help="upload a run to a Hugging Face dataset repo (only changed files)")
    pb.add_argument("output", help="output folder of a run (run `eurocurate summary` first: card + Croissant)")
    pb.add_argument("--repo", required=True, help="ORG/NAME")
    pb.add_argument("--revision", help="branch (created from main when missing)")
    pb.add_argument("--private", action="store_true")
    pb.add_argument("--endpoint", help="Hub endpoint (default: $HF_ENDPOINT or huggingface.co)")
    pb.set_defaults(func=cmd_publish)

    stages = sub.add_parser("stages", help="list the stages a spec can use")
    stages.set_defaults(func=cmd_stages)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SpecError as e:
        console.print(f"[red]error:[/] {e}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
