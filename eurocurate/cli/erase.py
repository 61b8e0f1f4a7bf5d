"""`eurocurate erase OUT --url|--url-prefix|--domain|--identifier ...`: remove documents from a finished run.

Thin layer over `eurocurate.manifests.audit.erasure_request.erase_subject` (and `erasure.recover` for
`--recover`); prints the erasure's id, what it removed and where it is logged.
"""

from __future__ import annotations

import argparse

from eurocurate.cli.common import console, error, key_from_env, stage_default

NAME = "erase"
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
    return p


def main(args: argparse.Namespace) -> int:
    from eurocurate.manifests.audit.erasure import ErasureError, recover
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
        )  # fmt: skip
    except ErasureError as e:
        return error(e)
    console.print(
        f"{result.erasure_id}: {len(result.doc_ids)} document(s) erased ({result.tokens_removed:,} tokens); "
        f"{len(result.files_removed)} file(s) replaced; logged in {out / 'erasure_log.jsonl'}; "
        f"subject added to {out / 'suppression.yaml'}"
    )
    return 0
