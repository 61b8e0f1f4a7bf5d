"""`eurocurate publish`: a run's output folder to a Hugging Face dataset repo, only what changed, in one commit.

Owns the diff against the remote tree (git blob sha1, or the LFS sha256 for files the Hub stores in LFS); what is
public is `eurocurate.layout.is_published`. It neither writes the dataset card nor checks the run: it
refuses to publish a folder that `eurocurate verify` rejects or whose card or Croissant file was written from
another run.json than the one there (each names its sha256).
The token is whatever `huggingface_hub` resolves (`HF_TOKEN`, then the stored login); it is only ever
handed to `HfApi`, never logged or written.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, get_token
from huggingface_hub.errors import HFValidationError
from huggingface_hub.hf_api import RepoFile
from huggingface_hub.utils import validate_repo_id

from eurocurate.files import sha256_file
from eurocurate.hub.transport import HUB_TRANSPORT_ERRORS
from eurocurate.layout import (
    AI_ACT_SUMMARY_JSON,
    AI_ACT_SUMMARY_MD,
    CARD,
    CROISSANT,
    REPORTS,
    RUN_MANIFEST,
    is_published,
)
from eurocurate.manifests.audit.run_manifest import RunManifest, RunManifestError, read_run_manifest
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.manifests.release.ai_act_summary import described_run_manifest as summary_describes
from eurocurate.manifests.release.croissant import described_run_manifest as croissant_describes
from eurocurate.manifests.release.dataset_card import described_run_manifest as card_describes

logger = logging.getLogger(__name__)

REPO_TYPE = "dataset"
DEFAULT_BRANCH = "main"
_CHUNK = 1 << 20


class PublishError(RuntimeError):
    """The folder cannot be published as is; the message says what to do."""


@dataclass(frozen=True, slots=True)
class LocalFile:
    path: Path
    size: int
    sha256: str
    git_sha1: str  # git blob id: what the Hub reports for files it does not store in LFS


@dataclass(frozen=True, slots=True)
class PublishResult:
    repo_id: str
    revision: str
    commit: str | None  # None when nothing changed (no commit was made)
    uploaded: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int
    bytes: int  # bytes of the uploaded files
    private: bool | None


def hash_file(path: Path) -> LocalFile:
    """sha256 and git blob sha1 of a file, in one pass."""
    size = path.stat().st_size
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(f"blob {size}\0".encode())
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            sha256.update(block)
            sha1.update(block)
    return LocalFile(path, size, sha256.hexdigest(), sha1.hexdigest())


def published_files(out: Path) -> dict[str, LocalFile]:
    """The files of OUT that a publish uploads, by path in the repo (= path relative to OUT)."""
    found: dict[str, LocalFile] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if is_published(rel):
            found[rel] = hash_file(path)
    return found


def unchanged(local: LocalFile, remote: RepoFile) -> bool:
    if remote.lfs is not None:
        return remote.lfs.sha256 == local.sha256
    return remote.size == local.size and remote.blob_id == local.git_sha1


def _described_run_manifest(doc: Path) -> str | None:
    """The sha256 of the run.json the card, Croissant file or AI Act summary `doc` was written from, as it records
    it."""
    if doc.name == CARD:
        return card_describes(doc.read_text(encoding="utf-8", errors="replace"))
    if doc.name == AI_ACT_SUMMARY_MD:
        return summary_describes(summary_md=doc.read_text(encoding="utf-8", errors="replace"))
    try:
        document = orjson.loads(doc.read_bytes())
    except orjson.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return None
    return (
        summary_describes(summary_json=document) if doc.name == AI_ACT_SUMMARY_JSON else croissant_describes(document)
    )


def _check_publishable(out: Path) -> RunManifest:
    if not (out / RUN_MANIFEST).is_file():
        raise PublishError(f"{out} has no {RUN_MANIFEST}; give the output folder of a finished eurocurate run")
    run_sha256 = sha256_file(out / RUN_MANIFEST)
    # the release documents `eurocurate summary` writes together, each naming the run.json it describes
    for name in (CARD, CROISSANT, f"{REPORTS}/{AI_ACT_SUMMARY_JSON}", f"{REPORTS}/{AI_ACT_SUMMARY_MD}"):
        doc = out / name
        if not doc.is_file():
            raise PublishError(
                f"{doc} is missing; run `eurocurate summary {out}` first (it writes the card and Croissant file)"
            )
        # by content, not by time: a copied folder gets new times, and a touched stale card a newer one
        described = _described_run_manifest(doc)
        if described is None:
            raise PublishError(
                f"{doc} does not name the {RUN_MANIFEST} it describes (written by an older eurocurate, or edited); "
                f"run `eurocurate summary {out}` again"
            )
        if described != run_sha256:
            raise PublishError(
                f"{doc} describes another {RUN_MANIFEST} (sha256 {described[:16]}…, this one is {run_sha256[:16]}…: "
                f"an erasure since the summary?); run `eurocurate summary {out}` again"
            )
    report = verify_output(out)
    if not report.ok:
        shown = "; ".join(report.problems[:5])
        raise PublishError(
            f"{out} does not match its manifests ({len(report.problems)} problem(s): {shown}); "
            f"see `eurocurate verify {out}`"
        )
    try:
        return read_run_manifest(out)
    except RunManifestError as e:  # verify has read it already; only a change since then lands here
        raise PublishError(str(e)) from None


def _remote_files(api: HfApi, repo_id: str, commit: str) -> Iterator[RepoFile]:
    # expand=False: blob ids and LFS sha256 are in the plain listing (expand adds last commits, 50 per page)
    for entry in api.list_repo_tree(repo_id, recursive=True, repo_type=REPO_TYPE, revision=commit):
        if isinstance(entry, RepoFile):
            yield entry


def publish(
    out: Path,
    repo_id: str,
    revision: str | None = None,
    private: bool = False,
    endpoint: str | None = None,
    token: str | None = None,
) -> PublishResult:
    """Publish OUT to the dataset repo `repo_id` (created if missing) on branch `revision` (created if missing).

    Uploads the files `is_published` selects whose content differs from the branch head, and deletes
    published-kind files that are gone locally (e.g. shards rewritten by an erasure), in one commit
    whose parent is the head the diff was computed against. Files of other kinds on the remote (its
    `.gitattributes`, anything added by hand) are left alone. `private` applies when the repo is
    created; an existing public repo is refused rather than silently published to.
    """
    out = Path(out)
    run = _check_publishable(out)
    try:
        validate_repo_id(repo_id)
    except HFValidationError as e:
        raise PublishError(f"--repo {repo_id!r} is not a Hub repo id (ORG/NAME): {e}") from None
    api = HfApi(endpoint=endpoint, token=token)
    if (token or get_token()) is None:
        raise PublishError("no Hugging Face token: set HF_TOKEN or log in with `hf auth login`")
    try:
        return _publish(api, out, run, repo_id, revision or DEFAULT_BRANCH, private)
    except HUB_TRANSPORT_ERRORS as e:  # the Hub refused (a bad token, no rights) or could not be reached
        where = endpoint or "the Hugging Face Hub"
        raise PublishError(f"publishing {repo_id} to {where} failed: {type(e).__name__}: {e}"[:500]) from e


def _publish(api: HfApi, out: Path, run: RunManifest, repo_id: str, branch: str, private: bool) -> PublishResult:
    api.create_repo(repo_id, repo_type=REPO_TYPE, private=True if private else None, exist_ok=True)
    info = api.repo_info(repo_id, repo_type=REPO_TYPE)
    if private and not info.private:
        raise PublishError(
            f"{repo_id} already exists and is public; make it private on the Hub first, or publish without --private"
        )
    if branch != DEFAULT_BRANCH:
        api.create_branch(repo_id, branch=branch, repo_type=REPO_TYPE, exist_ok=True)
    head = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=branch).sha
    local = published_files(out)
    remote = {f.path: f for f in _remote_files(api, repo_id, head)}
    changed = [rel for rel, f in local.items() if rel not in remote or not unchanged(f, remote[rel])]
    gone = sorted(rel for rel in remote if is_published(rel) and rel not in local)
    same = len(local) - len(changed)
    size = sum(local[rel].size for rel in changed)
    if not changed and not gone:
        logger.info("nothing to publish", extra={"repo_id": repo_id, "revision": branch, "unchanged": same})
        return PublishResult(repo_id, branch, None, (), (), same, 0, info.private)
    operations = [CommitOperationAdd(path_in_repo=rel, path_or_fileobj=str(local[rel].path)) for rel in changed]
    operations += [CommitOperationDelete(path_in_repo=rel) for rel in gone]
    commit = api.create_commit(
        repo_id,
        operations,
        commit_message=f"eurocurate run {run.run_id}: {len(changed)} file(s) added or changed, {len(gone)} deleted",
        commit_description=(
            f"Pipeline `{run.pipeline}`, config sha256 `{run.config_sha256}`, eurocurate {run.code_version}, "
            f"{len(run.erasures)} erasure(s) applied. Published with `eurocurate publish`."
        ),
        repo_type=REPO_TYPE,
        revision=branch,
        parent_commit=head,
    )
    logger.info(
        "published",
        extra={
            "repo_id": repo_id,
            "revision": branch,
            "commit": commit.oid,
            "uploaded": len(changed),
            "deleted": len(gone),
            "unchanged": same,
            "bytes": size,
        },
    )
    return PublishResult(repo_id, branch, commit.oid, tuple(changed), tuple(gone), same, size, info.private)
