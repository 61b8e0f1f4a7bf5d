"""`eurocurate erase OUT --url|--url-prefix|--domain|--identifier ...`: remove documents from a finished run.

Thin layer over `eurocurate.manifests.audit.erasure_request.erase_subject` (and `erasure.recover` for
`--recover`); prints the erasure's id, what it removed and where it is logged. Exit codes: 0 erased (or
`--dry-run` found documents), 2 a request that cannot be done (e.g. another PII key than the run's), 3 a
request that matches no document (nothing changed, nothing logged).
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, key_from_env, out_console, stage_default

NAME = "erase"
NOTHING_MATCHED = 3  # exit code: the request matches no document; the run and its erasure log are unchanged
SHOWN = 20  # documents listed by --dry-run
HELP = "remove documents from a finished run (by URL, prefix, domain or identifier)"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP)
    p.add_argument("output", help="output folder of a run")
    p.add_argument("--url")
    p.add_argument("--url-prefix")
    p.add_argument("--domain", help="a domain and all its subdomains")
    p.add_argument("--identifier", help="an e-mail, phone (+country), IBAN or national ID that was redacted")
    p.add_argument("--kind", help="the identifier's kind (EMAIL, PHONE, IBAN, PL_PESEL, …); guessed when omitted")
    p.add_argument("--reason", help="why (recorded in the erasure log)")
    p.add_argument("--signed-off-by", help="who authorised it (default: the current user)")
    p.add_argument(
        "--key-env", default=stage_default("pii", "key_env"), help="environment variable with the run's PII key"
    )
    p.add_argument("--recover", action="store_true", help="finish or roll back an interrupted erasure")
    p.add_argument("--dry-run", action="store_true", help="list the documents that would be erased; change nothing")
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.manifests.audit.erasure import ErasureError, NothingToErase, recover
    from eurocurate.manifests.audit.erasure_request import SUBJECTS, erase_subject
    from eurocurate.manifests.audit.run_folder import require_finished_run

    out = require_finished_run(args.output)
    if args.recover:
        console.print(recover(out) or "no interrupted erasure to recover")
        return 0
    if sum(1 for name in SUBJECTS if getattr(args, name)) != 1:
        return error("give exactly one of --url, --url-prefix, --domain, --identifier")
    try:
        result = erase_subject(
            out, url=args.url, url_prefix=args.url_prefix, domain=args.domain, identifier=args.identifier,
            kind=args.kind, reason=args.reason or "", signed_off_by=args.signed_off_by, key=key_from_env(args.key_env),
            dry_run=args.dry_run,
        )  # fmt: skip
    except NothingToErase as e:
        console.print(f"[red]nothing erased:[/] {e}")
        return NOTHING_MATCHED
    except ErasureError as e:
        return error(e)
    if result.dry_run:
        console.print(f"dry run: {len(result.doc_ids)} document(s) would be erased; nothing was changed")
        for doc_id, url in list(zip(result.doc_ids, result.urls))[:SHOWN]:
            out_console.print(f"{doc_id}\t{url}", markup=False, highlight=False)
        if len(result.doc_ids) > SHOWN:
            console.print(f"… and {len(result.doc_ids) - SHOWN} more")
        return 0
    shown = getattr(args, "shown_folder", str(out))  # the URL, when `out` is a local copy of one
    console.print(
        f"{result.erasure_id}: {len(result.doc_ids)} document(s) erased ({result.tokens_removed:,} tokens); "
        f"{len(result.files_removed)} file(s) replaced; logged in {shown}/erasure_log.jsonl; "
        f"subject added to {shown}/suppression.yaml"
    )
    urls = sorted({u for u in result.urls if u})  # what the request matched, as the run's documents write it
    if urls:
        shown_urls = ", ".join(urls[:SHOWN]) + (" …" if len(urls) > SHOWN else "")
        console.print(f"matched {len(urls)} URL(s): {shown_urls}", markup=False, highlight=False)
    if rewritten := rewrite_release_documents(out):
        console.print(f"rewritten for the erasure: {', '.join(rewritten)}")
    return 0


def rewrite_release_documents(out) -> list[str]:
    """The summary, card, Croissant and report the run already had, written again from its new run.json (the summary
    with the config it last used), so that none states the counts from before the erasure; their names."""
    from eurocurate.layout import CARD, CROISSANT, REPORT_HTML, REPORTS
    from eurocurate.manifests.release.report import write_report
    from eurocurate.manifests.release.summary import SUMMARY_JSON, write_release_documents

    rewritten = []
    if any((out / name).is_file() for name in (CARD, CROISSANT)) or (out / REPORTS / SUMMARY_JSON).is_file():
        docs = write_release_documents(out)
        rewritten += [p.relative_to(out).as_posix() for p in (docs.summary_json, docs.summary_md, docs.domains_csv,
                                                              docs.croissant, docs.card)]  # fmt: skip
    if (out / REPORTS / REPORT_HTML).is_file() or (out / REPORT_HTML).is_file():
        rewritten.append(write_report(out).relative_to(out).as_posix())
    return rewritten
