"""`eurocurate pull` from a run folder: the token mix of `eurocurate.pipelines.output.mixing` over the files a
finished run lists in its run.json, under the names the command and its callers use (`pull`, `PullError`).

Owns which folder may be pulled (a finished run: run.json present, its run lock not held by a live run) and which
of its files are read (the shards run.json lists, so that a killed run's leftovers are never read twice). The
mixing itself lives below both `pull` and the `pack_sequences` stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eurocurate.layout import RUN_MANIFEST, SHARDS, TEXT
from eurocurate.manifests.audit.run_manifest import RunManifest, RunManifestError, read_run_manifest
from eurocurate.object_lock import OutputLocked
from eurocurate.pipelines.output.mixing import (
    MixError,
    PulledDocument,
    PullError,
    interleave,
    listed_files,
    mix_folder,
    plan_quotas,
    quotas,
)

__all__ = [
    "MixError",
    "PullError",
    "PulledDocument",
    "RunFiles",
    "available_tokens",
    "interleave",
    "plan_quotas",
    "pull",
    "quotas",
    "rehydration_mistake",
    "run_files",
]


@dataclass(frozen=True, slots=True)
class RunFiles:
    """The Parquet files a finished run lists in run.json, per language: token shards and text shards."""

    run: RunManifest
    shards: dict[str, list[Path]]
    text: dict[str, list[Path]]


def run_files(folder: str | Path) -> RunFiles:
    """The shard files of the finished run in `folder`, as its run.json lists them. Raises `OutputLocked` for a
    folder a live run is writing (its run lock held), `PullError` for one without run.json (a run stopped or killed
    before its end, or no run) and for a run.json that cannot be read. A dataset downloaded from the Hub holds
    run.json (`publish` uploads it)."""
    from eurocurate.pipelines.engine.run_lock import live_holder

    folder = Path(folder)
    if holder := live_holder(folder):
        raise OutputLocked(
            f"{folder} is being written by a running eurocurate run ({holder}); pull once it has finished"
        )
    if not (folder / RUN_MANIFEST).is_file():
        raise PullError(
            f"{folder} has no {RUN_MANIFEST}: not a finished eurocurate run (a run stopped or killed before its end "
            f"leaves none; re-run the same command to finish it), and only a finished run's shards are pulled"
        )
    try:
        run = read_run_manifest(folder)
    except RunManifestError as e:
        raise PullError(f"{folder}: {e}") from None
    listed = [f.path for f in run.outputs]
    return RunFiles(run=run, shards=listed_files(folder, listed, SHARDS), text=listed_files(folder, listed, TEXT))


def _present(folder: Path, files: dict[str, list[Path]], langs: list[str], what: str) -> None:
    """PullError when a file run.json lists for one of `langs` is not in the folder (deleted, or not downloaded)."""
    gone = [f for lang in langs for f in files.get(lang, []) if not f.is_file()]
    if gone:
        raise PullError(
            f"{folder}: {RUN_MANIFEST} lists {len(gone)} {what} file(s) the folder lacks "
            f"({gone[0].relative_to(folder).as_posix()}); check it with `eurocurate verify {folder}`"
        )


def rehydration_mistake(source: str, stages: list[str], text: dict, langs: list[str]) -> str | None:
    """Why `--rehydrate` would repeat nothing for this run, or None: its weights come from the near-duplicate cluster
    sizes the `minhash_dedup` stage records in the text shards (`minhash_cluster_size`), so a run without that stage
    or without text shards of a requested language has no weight but 1."""
    if "minhash_dedup" not in stages:
        return (
            f"--rehydrate: {source} ran no minhash_dedup stage, so every document's cluster size is 1 and nothing "
            f"would be repeated; pull without --rehydrate"
        )
    if missing := [lang for lang in langs if not text.get(lang)]:
        return (
            f"--rehydrate reads minhash_cluster_size from the text shards, and {source} has none for {missing} "
            f"(no text_parquet stage?); pull without --rehydrate"
        )
    return None


def available_tokens(folder: str | Path) -> dict[str, int]:
    """Tokens per language of the token shards a finished run lists."""
    from eurocurate.pipelines.output.mixing import file_tokens

    files = run_files(folder).shards
    _present(Path(folder), files, list(files), "token shard")
    return {lang: file_tokens(fs) for lang, fs in files.items()}


def pull(
    folder: str | Path,
    langs: list[str],
    weights: list[float] | None = None,
    tokens: int | None = None,
    rehydrate: bool = False,
) -> Iterator[PulledDocument]:
    """The mix (see `mixing.mix_folder`) from the token shards a finished run in `folder` lists in its run.json.
    Raises `PullError` at once for a folder that is no finished run, and when iterated for a request it cannot
    serve."""
    folder = Path(folder)
    files = run_files(folder)
    _present(folder, files.shards, langs, "token shard")
    if rehydrate:
        if mistake := rehydration_mistake(str(folder), [s.use for s in files.run.config.stages], files.text, langs):
            raise PullError(mistake)
        _present(folder, files.text, langs, "text shard")
    return mix_folder(folder, langs, weights, tokens, rehydrate, files=files.shards, text=files.text)
