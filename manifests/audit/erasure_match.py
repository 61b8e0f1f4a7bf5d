"""Which documents an erasure request names, and whether it can name any: the request, its subject matched
against provenance (URLs in URL dedup's normal form, domains with their subdomains, identifiers through keyed
fingerprints), the key check made before any work, and, for a request no kept document matches, what the
exclusion ledger says became of the documents it names. Removing the documents is `erasure.erase`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from eurocurate.dedup.url import url_match_key as url_match_key  # re-exported: tests and callers name it here
from eurocurate.dedup.url import url_prefix_key as _prefix_key
from eurocurate.filters.optout.robots import normalise_host
from eurocurate.manifests.audit.run_manifest import RunManifest
from eurocurate.schema import Meta, Reason


class ErasureError(RuntimeError):
    """The erasure cannot be done as asked; the message says why and what to do."""


class KeyMismatch(ErasureError):
    """The PII key given is not the one the run fingerprinted with: an identifier could never match."""


class NothingToErase(ErasureError):
    """The request matches no document of the run: nothing was changed or logged (CLI exit code 3)."""


@dataclass(frozen=True)
class ErasureRequest:
    url: str | None = None
    url_prefix: str | None = None
    domain: str | None = None
    identifier: str | None = None
    kind: str | None = None  # identifier kind (EMAIL, PHONE, IBAN, PL_PESEL…); guessed when absent
    reason: str = ""
    signed_off_by: str = ""

    def describe(self) -> str:
        for name in ("url", "url_prefix", "domain"):
            if getattr(self, name):
                return f"{name}={getattr(self, name)}"
        return f"identifier ({self.kind or 'any kind'})"


def check_key(run: RunManifest, request: ErasureRequest, key: bytes | None) -> None:
    """Before any work: an identifier needs the run's fingerprints and the very key that made them."""
    if not request.identifier:
        return
    from eurocurate.filters.pii.step import key_id

    if "pii" not in run.stage_uses():
        raise ErasureError("this run had no `pii` stage: identifiers were neither redacted nor fingerprinted, so "
                           "they cannot be found; erase by --url, --url-prefix or --domain")  # fmt: skip
    policy = run.policies.pii_redactor
    if policy is not None and not policy.fingerprints:
        raise ErasureError("this run kept no PII fingerprints (`fingerprints: false`): an identifier cannot be "
                           "found; erase by --url, --url-prefix or --domain")  # fmt: skip
    if key is None:
        raise ErasureError("erasure by identifier needs the PII key the run used: set $EUROCURATE_PII_KEY")
    if policy is not None and policy.key_id and key_id(key) != policy.key_id:
        raise KeyMismatch(
            f"the PII key given (key id {key_id(key)}) is not the one this run used (key id {policy.key_id}): "
            f"no identifier could match; set ${policy.key_env} to the run's key. Nothing was erased"
        )


def identifier_fingerprints(value: str, kind: str | None, key: bytes) -> set[str]:
    """Fingerprints the identifier would have in provenance, for its kind or for every kind it could be."""
    from eurocurate.filters.pii.detectors import find_pii
    from eurocurate.filters.pii.national_ids import NATIONAL_ID_KINDS
    from eurocurate.filters.pii.redaction import fingerprint

    if kind:
        kinds = [kind]
    else:
        found = [m.kind for m in find_pii(value) if m.valid and m.end - m.start >= len(value.strip()) - 1]
        kinds = found or ["EMAIL", "PHONE", "IBAN", "CARD", "IP", *NATIONAL_ID_KINDS]
    prints = set()
    for k in kinds:
        try:
            prints.add(fingerprint(k, value, key))
        except ValueError:
            if k == "PHONE" and (kind == "PHONE" or _NATIONAL_PHONE.match(value.strip())):
                # the run fingerprinted every phone number in its international form: a national one names no
                # country, so no fingerprint can be made to match (exit 3 would blame the pii stage)
                raise ErasureError(
                    f"{value!r} looks like a phone number in national form: give it with its country code "
                    "(+49 30 1234567), the form the run's fingerprints were made in"
                ) from None
            continue  # not a possible value of this kind (an invalid IP, a card that is no card)
    return prints


_NATIONAL_PHONE = re.compile(r"^\(?0[\d\s\-/().]{6,}$")


def matching_rows(prov: pa.Table, request: ErasureRequest, key: bytes | None) -> pa.Array:
    """A boolean mask over provenance rows: the documents `request` names."""
    urls = prov[Meta.URL]
    if request.url:
        wanted = url_match_key(request.url)
        return pa.array([bool(u) and url_match_key(u) == wanted for u in urls.to_pylist()], pa.bool_())
    if request.url_prefix:
        prefix = _prefix_key(request.url_prefix)
        return pa.array([bool(u) and url_match_key(u).startswith(prefix) for u in urls.to_pylist()], pa.bool_())
    if request.domain:
        domain = normalise_host(request.domain)
        hosts = [normalise_host(u or "") for u in urls.to_pylist()]
        return pa.array([h == domain or h.endswith("." + domain) for h in hosts], pa.bool_())
    if request.identifier:
        if key is None:
            raise ErasureError("erasure by identifier needs the PII key the run used: set $EUROCURATE_PII_KEY")
        wanted = identifier_fingerprints(request.identifier, request.kind, key)
        prints = prov[Meta.PII_FINGERPRINTS].to_pylist()
        return pa.array([bool(wanted & set(fps or [])) for fps in prints], pa.bool_())
    raise ErasureError("give one of --url, --url-prefix, --domain, --identifier")


_DUPLICATE_OF = re.compile(r"duplicate_of=(\S+)")
_EARLIER_RELEASE = frozenset({Reason.URL_IN_EARLIER_RELEASE, Reason.IN_EARLIER_RELEASE})
_SHOWN = 3  # dropped fetches described in a message
_HOPS = 8  # duplicate_of links followed (url dedup, then exact, then near dedup: three in a run)


def where_it_went(prov: pa.Table, ledger: pa.Table | None, request: ErasureRequest) -> str:
    """For a request that matches no kept document: what the run did with the documents it names, from the
    exclusion ledger. A fetch URL dedup dropped is chained (`duplicate_of`) to the fetch it kept, which exact or
    near dedup may then have dropped as a copy of a document kept under another URL; the message names that
    document and URL, or the earlier release, or the drop that left no copy. Empty when the ledger has none."""
    if ledger is None or request.identifier:
        return ""
    dropped = ledger.filter(matching_rows(ledger, request, None)).to_pylist()
    if not dropped:
        return ""

    def row_of(table: pa.Table, doc: str) -> dict | None:  # a few look-ups: no index of a whole ledger built
        at = pc.index(table["doc_id"], doc).as_py()
        return None if at < 0 else table.slice(at, 1).to_pylist()[0]

    told = []
    for row in dropped[:_SHOWN]:
        steps = [f"{row['url']} (doc {row['doc_id']}) was dropped by {row['stage']} ({row['reason']})"]
        for _ in range(_HOPS):
            original = _DUPLICATE_OF.search(row["evidence"] or "")
            if original is None:
                steps.append("no copy of it is kept")
                break
            doc = original.group(1)
            if (kept := row_of(prov, doc)) is not None:
                steps.append(f"as a copy of doc {doc}, kept under {kept[Meta.URL]}")
                break
            if (copy := row_of(ledger, doc)) is None:
                steps.append(
                    f"as a copy of doc {doc} of an earlier release: erase it in that release's output folder"
                    if row["reason"] in _EARLIER_RELEASE
                    else f"as a copy of doc {doc}, which this run neither keeps nor excluded"
                )
                break
            row = copy
            steps.append(f"as a copy of doc {doc} ({row['url']}), which {row['stage']} dropped ({row['reason']})")
        told.append(", ".join(steps))
    more = f"; and {len(dropped) - _SHOWN} more" if len(dropped) > _SHOWN else ""
    advice = (
        "; a copy is kept under another URL: if that text is the request's subject, erase that URL"
        if any(", kept under " in t for t in told)
        else ""
    )
    return f"the run dropped {len(dropped)} document(s) it names: " + "; ".join(told) + more + advice
