"""An erasure asked for with plain arguments: which subject, why, by whom, with which key.

Owns the checks a request must pass before anything is touched (a finished run, exactly one subject)
and the default signer (the current user). Finding and removing the documents is `erasure.erase`.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from eurocurate.manifests.audit.erasure import ErasureError, ErasureRequest, ErasureResult, erase
from eurocurate.manifests.audit.run_folder import require_finished_run

SUBJECTS = ("url", "url_prefix", "domain", "identifier")


def erase_subject(
    out: str | Path,
    *,
    url: str | None = None,
    url_prefix: str | None = None,
    domain: str | None = None,
    identifier: str | None = None,
    kind: str | None = None,
    reason: str = "",
    signed_off_by: str | None = None,
    key: bytes | None = None,
    dry_run: bool = False,
) -> ErasureResult:
    """Erase from run `out` every document of one subject: a URL, a URL prefix, a domain (with its
    subdomains) or a redacted identifier (e-mail, phone, IBAN, national ID; `kind` guessed when None,
    matched through the run's keyed fingerprints, so `key` must be the run's PII key).

    `signed_off_by` defaults to the current user. `dry_run`: find the documents, change nothing. Raises
    `NotARunError` for a folder without a finished run, `ErasureError` when not exactly one subject is given
    or the erasure cannot be done: `KeyMismatch` for another key than the run's (before any work),
    `NothingToErase` when no document matches (nothing is changed or logged).
    """
    out = require_finished_run(out)
    subject = {"url": url, "url_prefix": url_prefix, "domain": domain, "identifier": identifier}
    given = [name for name, value in subject.items() if value]
    if len(given) != 1:
        raise ErasureError(f"give exactly one of {', '.join(SUBJECTS)}; got {', '.join(given) or 'none'}")
    if domain:
        from publicsuffixlist import PublicSuffixList

        from eurocurate.filters.optout.robots import normalise_host

        host = normalise_host(domain)
        if PublicSuffixList().is_public(host):
            raise ErasureError(
                f"--domain {domain}: a public suffix, under which every site of everyone is registered (co.uk, eu, "
                "github.io); name a registrable domain (bbc.co.uk) or a host"
            )
    request = ErasureRequest(**subject, kind=kind, reason=reason, signed_off_by=signed_off_by or getpass.getuser())
    return erase(out, request, key, dry_run=dry_run)
