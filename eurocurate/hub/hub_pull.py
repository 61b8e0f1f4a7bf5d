"""`eurocurate pull ORG/NAME`: stream token shards from a Hub dataset repo, as `pull` does from a folder.

Shards are read in place through `HfFileSystem` (HTTP range requests: the Parquet footer, then one row
group at a time), so a trainer starts at once, holds one batch per language in memory and never
downloads a shard beyond its budget. The mix and the order are those of `eurocurate.pipelines.output.mixing`
(same quotas, same deficit round robin), at one commit of the repo resolved when the pull starts.

Other readers of the same files: `pl.read_parquet("hf://datasets/ORG/NAME/shards/de/*.parquet")`,
`pyarrow.parquet.ParquetFile(open_shard(...))`, `datasets.load_dataset("ORG/NAME", "de")` (the card's configs).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import orjson
import pyarrow.parquet as pq
from huggingface_hub import HfApi, HfFileSystem
from huggingface_hub.hf_api import RepoFile
from huggingface_hub.hf_file_system import safe_revision

from eurocurate.hub.pull import rehydration_mistake
from eurocurate.layout import RUN_MANIFEST, SHARDS, TEXT, TOKENIZER, TOKENIZER_CONFIG, TOKENIZER_FILE, TOKENIZER_META
from eurocurate.manifests.audit.run_manifest import RunManifestError, parse_run_manifest
from eurocurate.pipelines.output.mixing import (
    PulledDocument,
    PullError,
    cluster_weights,
    interleave,
    plan_quotas,
    rehydrated,
)
from eurocurate.pipelines.output.special_tokens import SpecialTokens, read_special_tokens
from eurocurate.schema import TEXT_ID

REPO_TYPE = "dataset"


def _all_shard_files(api: HfApi, repo_id: str, revision: str | None, folder: str = SHARDS) -> dict[str, list[str]]:
    """`<folder>/<lang>/*.parquet` of the repo per language, sorted (token shards; text shards with TEXT)."""
    files: dict[str, list[str]] = {}
    for entry in api.list_repo_tree(repo_id, folder, recursive=True, repo_type=REPO_TYPE, revision=revision):
        parts = PurePosixPath(entry.path).parts
        if isinstance(entry, RepoFile) and len(parts) == 3 and parts[2].endswith(".parquet"):
            files.setdefault(parts[1], []).append(entry.path)
    return {lang: sorted(paths) for lang, paths in sorted(files.items())}


def hub_shard_files(
    repo_id: str, langs: list[str], revision: str | None = None, endpoint: str | None = None
) -> dict[str, list[str]]:
    """Token shard paths in the repo (`shards/<lang>/*.parquet`, sorted as `pull` reads them) per requested language.

    A language without shards maps to an empty list.
    """
    found = _all_shard_files(HfApi(endpoint=endpoint), repo_id, revision)
    return {lang: found.get(lang, []) for lang in langs}


def hub_vocab_size(repo_id: str, revision: str | None = None, endpoint: str | None = None) -> int | None:
    """The vocabulary size a published run's `tokenizer/tokenizer.meta.json` records, or None without one."""
    fs = HfFileSystem(endpoint=endpoint, skip_instance_cache=True)
    try:
        meta = orjson.loads(fs.cat_file(_fs_path(repo_id, revision or "main", f"{TOKENIZER}/{TOKENIZER_META}")))
    except FileNotFoundError:
        return None
    return int(meta["vocab_size"]) if "vocab_size" in meta else None


def hub_special_tokens(repo_id: str, revision: str | None = None, endpoint: str | None = None) -> SpecialTokens | None:
    """The special tokens a published run's `tokenizer/` declares (its two files read into a temporary folder),
    or None when the repo has no tokenizer folder."""
    fs = HfFileSystem(endpoint=endpoint, skip_instance_cache=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in (TOKENIZER_CONFIG, TOKENIZER_FILE):
            try:
                (Path(tmp) / name).write_bytes(
                    fs.cat_file(_fs_path(repo_id, revision or "main", f"{TOKENIZER}/{name}"))
                )
            except FileNotFoundError:
                return None
        return read_special_tokens(Path(tmp))


def _fs_path(repo_id: str, revision: str, path: str) -> str:
    return f"datasets/{repo_id}@{safe_revision(revision)}/{path}"


def open_shard(fs: HfFileSystem, repo_id: str, revision: str, path: str) -> BinaryIO:
    """A seekable, read-only file object over one file of the repo; bytes are fetched by range as they are read."""
    return fs.open(_fs_path(repo_id, revision, path), "rb")


def _shard_tokens(fs: HfFileSystem, repo_id: str, revision: str, shard: str) -> int:
    manifest = shard.removesuffix(".parquet") + ".manifest.json"
    try:
        return int(orjson.loads(fs.cat_file(_fs_path(repo_id, revision, manifest)))["tokens"])
    except FileNotFoundError:  # a repo published without sidecars: sum the column, as `available_tokens` does
        with open_shard(fs, repo_id, revision, shard) as f:
            return sum(pq.read_table(f, columns=["n_tokens"])["n_tokens"].to_pylist())


def _language_stream(
    fs: HfFileSystem, repo_id: str, revision: str, shards: list[str]
) -> Iterator[tuple[str, list[int]]]:
    for shard in shards:  # opened when the stream reaches it: shards past the budget are never fetched
        with open_shard(fs, repo_id, revision, shard) as f:
            for batch in pq.ParquetFile(f).iter_batches(columns=["doc_id", "input_ids"], batch_size=1024):
                yield from zip(batch["doc_id"].to_pylist(), batch["input_ids"].to_pylist())


def _hub_weights(fs: HfFileSystem, repo_id: str, revision: str, text_files: list[str]) -> dict[str, int]:
    """doc_id → FineWeb-2 rehydration weight from the published text shards (two columns read by range)."""
    weights: dict[str, int] = {}
    for path in text_files:
        with open_shard(fs, repo_id, revision, path) as f:
            weights.update(cluster_weights(pq.read_table(f, columns=[TEXT_ID, "minhash_cluster_size"])))
    return weights


def _published_stages(fs: HfFileSystem, repo_id: str, revision: str) -> list[str]:
    """The stages (`use`) of the run a repo publishes, from its run.json; `minhash_dedup` assumed without one (a repo
    not made by `publish`), so that its text shards decide."""
    try:
        run = parse_run_manifest(fs.cat_file(_fs_path(repo_id, revision, RUN_MANIFEST)))
    except FileNotFoundError:
        return ["minhash_dedup"]
    except RunManifestError as e:
        raise PullError(f"{repo_id}: {e}") from None
    return run.stage_uses()


def _hub_rehydrated_tokens(
    fs: HfFileSystem, repo_id: str, revision: str, shards: list[str], weights: dict[str, int]
) -> int:
    total = 0
    for shard in shards:
        with open_shard(fs, repo_id, revision, shard) as f:
            t = pq.read_table(f, columns=["doc_id", "n_tokens"])
        total += sum(n * weights.get(d, 1) for d, n in zip(t["doc_id"].to_pylist(), t["n_tokens"].to_pylist()))
    return total


def pull_from_hub(
    repo_id: str,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    revision: str | None = None,
    endpoint: str | None = None,
    rehydrate: bool = False,
) -> Iterator[PulledDocument]:
    """`pull` over a Hub dataset repo published by `eurocurate publish`: same documents, same order, same cuts;
    with `rehydrate`, FineWeb-2's up-sampling by the `minhash_cluster_size` of the published text shards."""
    api = HfApi(endpoint=endpoint)
    commit = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=revision).sha  # one snapshot for the whole pull
    files = _all_shard_files(api, repo_id, commit)
    missing = [lang for lang in langs if lang not in files]
    if missing:
        raise PullError(f"no shards for {missing} in {repo_id}; available languages: {sorted(files)}")
    fs = HfFileSystem(endpoint=endpoint, skip_instance_cache=True)
    streams = {lang: _language_stream(fs, repo_id, commit, files[lang]) for lang in langs}
    if rehydrate:
        text = _all_shard_files(api, repo_id, commit, TEXT)
        if mistake := rehydration_mistake(repo_id, _published_stages(fs, repo_id, commit), text, langs):
            raise PullError(mistake)
        repeat = _hub_weights(fs, repo_id, commit, [f for lang in langs for f in text.get(lang, [])])
        have = {lang: _hub_rehydrated_tokens(fs, repo_id, commit, files[lang], repeat) for lang in langs}
        streams = {lang: rehydrated(stream, repeat) for lang, stream in streams.items()}
    else:
        have = {lang: sum(_shard_tokens(fs, repo_id, commit, s) for s in files[lang]) for lang in langs}
    quota = plan_quotas(have, langs, weights, tokens)
    yield from interleave(streams, langs, quota)
