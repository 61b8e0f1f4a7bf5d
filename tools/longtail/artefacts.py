"""The registry artefacts the long-tail set is built from: each pinned by name, version and sha256
(`pins.json` beside this module), fetched once with the registry's own client into a cache and read
offline afterwards. What is read inside an artefact belongs to `tools.longtail.readers`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final, Literal
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

PINS: Final = Path(__file__).with_name("pins.json")
CACHE_ENV: Final = "EUROCURATE_LONGTAIL_CACHE"
DEFAULT_CACHE: Final = Path("~/.cache/eurocurate/longtail")
# written by a builder (tools/longtail_set.py, tools/quality_outside.py) into its output folder instead of its output
# when an artefact cannot be had, with the reason; the evaluations read it to say why they cannot run
UNAVAILABLE: Final = "UNAVAILABLE.txt"

Registry = Literal["npm", "debian", "pypi"]


class Artefact(BaseModel):
    """One file of a package registry, pinned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    registry: Registry
    name: str = Field(description="package name in its registry")
    version: str = Field(description="exact version (Debian: the archive version string)")
    sha256: str = Field(description="sha256 of the downloaded file; a different file is refused")
    filename: str = Field(description="file name the registry client writes")


class ArtefactUnavailable(RuntimeError):
    """A pinned artefact could not be fetched (registry unreachable, version gone) or did not match its pin."""


def load_pins(path: Path = PINS) -> list[Artefact]:
    return [Artefact.model_validate(row) for row in json.loads(path.read_text(encoding="utf-8"))]


def cache_dir(explicit: str | os.PathLike | None = None) -> Path:
    """`explicit`, else $EUROCURATE_LONGTAIL_CACHE, else ~/.cache/eurocurate/longtail."""
    value = explicit or os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    return Path(value).expanduser()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(registry: Registry, name: str, version: str | None, dest: Path) -> Path:
    """Download one package file into the empty folder `dest` with the registry's client; its path."""
    if registry == "npm":
        command = ["npm", "pack", f"{name}@{version}", "--pack-destination", str(dest), "--silent"]
    elif registry == "debian":
        command = ["apt-get", "download", "-q", f"{name}={version}" if version else name]
    else:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
        command += [f"{name}=={version}", "--dest", str(dest)]
    if shutil.which(command[0]) is None:
        raise ArtefactUnavailable(f"{registry} client {command[0]!r} is not installed")
    try:
        done = subprocess.run(command, cwd=dest, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired as e:
        raise ArtefactUnavailable(f"{' '.join(command)} did not finish in 600 s") from e
    files = [p for p in dest.iterdir() if p.is_file()]
    if done.returncode != 0 or len(files) != 1:
        reason = (done.stderr or done.stdout).strip()[-400:]
        if registry == "debian" and "was not found" in reason:  # apt's lists predate the pin (Debian updates ESRs)
            reason += (
                "; this machine's package lists may be older than the pin: `apt-get update` (as root) reads new ones"
            )
        raise ArtefactUnavailable(f"{' '.join(command)} failed (exit {done.returncode}): {reason}")
    return files[0]


def fetch(artefact: Artefact, cache: Path) -> Path:
    """The cached file of `artefact`, downloading it with the registry's client first if it is missing.

    Raises `ArtefactUnavailable` when the client fails or the file's sha256 is not the pin.
    """
    target = cache / artefact.registry / artefact.filename
    if target.is_file() and sha256_of(target) == artefact.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        got = _download(artefact.registry, artefact.name, artefact.version, Path(tmp))
        digest = sha256_of(got)
        if digest != artefact.sha256:
            raise ArtefactUnavailable(
                f"{got.name}: sha256 {digest} is not the pinned {artefact.sha256} of {artefact.name} "
                f"{artefact.version}; refusing it (a maintainer re-pins with --repin after checking the change)"
            )
        got.replace(target)
    log.info("fetched %s %s %s", artefact.registry, artefact.name, artefact.version)
    return target


def repin(registry: Registry, name: str, version: str | None, cache: Path) -> Artefact:
    """Download `name` (`version`, or for Debian the archive's current one when None) and pin what came."""
    (cache / registry).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache / registry) as tmp:
        got = _download(registry, name, version, Path(tmp))
        if registry == "debian" and not version:
            version = unquote(got.name.split("_")[1])
        artefact = Artefact(
            registry=registry, name=name, version=version or "", sha256=sha256_of(got), filename=got.name
        )
        got.replace(cache / registry / got.name)
    return artefact


def save_pins(artefacts: list[Artefact], path: Path = PINS) -> None:
    rows = [a.model_dump() for a in sorted(artefacts, key=lambda a: (a.registry, a.name))]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def fetch_all(artefacts: list[Artefact], cache: Path) -> dict[str, Path]:
    """Every artefact's cached file by package name; the first failure stops with its reason."""
    return {a.name: fetch(a, cache) for a in artefacts}
