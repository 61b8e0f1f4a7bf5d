"""heliport's model as memory-mapped tables: built once per node from the installed wheel, shared by its workers.

Owns decoding heliport's model files (bitcode 0.6 of a `HashMap<String, Vec<(Lang, f32)>>` per n-gram order), the
cache of the decoded tables (`.npy` files opened with mmap_mode='r', so every worker of a node reads the same
page-cache pages), its key (heliport's version and files: a new or changed package gets new tables), its checksums
(a corrupt or half-written cache is rebuilt, never used), and the check that the tables answer exactly as heliport
does. Which cache folders are in use, and removing other versions' folders, is `langid.heliport_cache`; scoring
is `langid.heliport_scorer`. The tables derive from heliport's GPL-3.0 model: they are built on the user's machine
from the installed package and never shipped with eurocurate.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

import numpy as np
import orjson
import xxhash

from eurocurate.langid.heliport_cache import BUILD_LOCK, mark_in_use, prune_unused
from eurocurate.langid.heliport_scorer import HELIPORT_LANGS, ORDERS, MappedHeliport, NgramTable

log = logging.getLogger(__name__)

FORMAT: Final = 2  # of the tables' layout; a new layout gets new cache folders
CONFIDENCE_FILE: Final = "confidenceThresholds"
MODEL_FILES: Final = (*(f"{order}.bin" for order in ORDERS), CONFIDENCE_FILE)
TABLES: Final = ("words", "ngrams")
_ARRAYS: Final = ("hashes", "offsets", "langs", "probs", "buckets")


class HeliportTablesError(RuntimeError):
    """heliport's files could not be turned into tables that answer as heliport does."""


# -- heliport's package --------------------------------------------------------------------------------------------
def heliport_package_dir() -> Path:
    """The installed heliport package's folder (its model files), found without loading the model."""
    spec = importlib.util.find_spec("heliport")
    if spec is None or not spec.submodule_search_locations:
        raise HeliportTablesError(
            "heliport is not installed: pip install 'eurocurate[heliport]' (in a checkout: pip install '.[heliport]')"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def source_key(package_dir: Path) -> str:
    """The cache folder's name for `package_dir`: heliport's version and a digest of its model files' names, sizes
    and modification times (a reinstall or an edited file gives another key; no need to read 130 MB per worker)."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in MODEL_FILES:
        path = package_dir / name
        if not path.is_file():
            raise HeliportTablesError(f"{path} not found: is heliport installed completely?")
        st = path.stat()
        digest.update(f"{name} {st.st_size} {st.st_mtime_ns}\n".encode())
    try:
        version = importlib.metadata.version("heliport")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return f"heliport-{version}-{digest.hexdigest()[:16]}"


def cache_root() -> Path:
    """Where tables are kept: $EUROCURATE_CACHE_DIR, else $XDG_CACHE_HOME/eurocurate, else ~/.cache/eurocurate."""
    root = os.environ.get("EUROCURATE_CACHE_DIR")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "eurocurate"


# -- bitcode 0.6 ---------------------------------------------------------------------------------------------------
_FACTOR: Final = {1: 16, 2: 6, 3: 4, 4: 3, 5: 2}  # byte packing: digits of this base per byte
_DIGITS: Final = {16: 2, 6: 3, 4: 4, 3: 5, 2: 8}


class _Bitcode:
    """The parts of bitcode 0.6's columnar format heliport's model uses (lengths, bytes, u64, f32, small enums)."""

    def __init__(self, data: bytes):
        self.data = np.frombuffer(data, dtype=np.uint8)
        self.pos = 0

    def take(self, n: int) -> np.ndarray:
        if n < 0 or self.pos + n > len(self.data):
            raise HeliportTablesError("heliport model file ends early (not bitcode 0.6?)")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def digits(self, factor: int, n: int) -> np.ndarray:
        per_byte = _DIGITS[factor]
        packed = self.take(-(-n // per_byte)).astype(np.uint16)
        out = np.empty((len(packed), per_byte), dtype=np.uint8)
        for j in range(per_byte):
            out[:, j] = packed % factor
            packed //= factor
        return out.reshape(-1)[:n]

    def bytes(self, n: int) -> np.ndarray:
        if n <= 2:
            return self.take(n)
        header = int(self.take(1)[0])
        packing, offset = -(-header // 2), header & 1
        if packing > 5:
            raise HeliportTablesError("invalid byte packing in heliport model file")
        low = int(self.take(1)[0]) if offset else 0
        if packing == 0:
            return self.take(n)
        return (self.digits(_FACTOR[packing], n) + np.uint8(low)).astype(np.uint8)

    def u64(self, n: int) -> np.ndarray:
        if n == 0:
            return np.zeros(0, dtype=np.uint64)
        header = int(self.take(1)[0])
        packing, offset = -(-header // 2) + 1, header & 1
        low = int(self.take(8).view("<u8")[0]) if offset else 0
        if packing == 1:
            out = self.take(8 * n).view("<u8").astype(np.uint64)
        elif packing in (2, 3):
            width = 4 if packing == 2 else 2
            out = self.take(width * n).view(f"<u{width}").astype(np.uint64)
        elif packing == 4:
            out = self.bytes(n).astype(np.uint64)
        else:
            raise HeliportTablesError("invalid integer packing in heliport model file")
        return out + np.uint64(low)

    def lengths(self, n: int) -> np.ndarray:
        small = self.bytes(n)
        out = small.astype(np.int64)
        if out.sum() >= 255:
            large = small == 255
            out[large] = self.u64(int(large.sum())).astype(np.int64)
        return out

    def f32(self, n: int) -> np.ndarray:
        raw = self.take(4 * n)
        low = raw[: 3 * n].reshape(-1, 3).astype(np.uint32)
        bits = low[:, 0] | (low[:, 1] << 8) | (low[:, 2] << 16) | (raw[3 * n :].astype(np.uint32) << 24)
        return bits.view(np.float32)


def decode_model_file(path: Path, order: int) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray]:
    """One of heliport's `<order>.bin`: (keys as UTF-8, entries per key, language index and -log10 probability of
    each entry, keys' entries one after the other)."""
    reader = _Bitcode(path.read_bytes())
    n_keys = int(reader.lengths(1)[0])
    key_lengths = reader.lengths(n_keys)
    key_bytes = reader.take(int(key_lengths.sum())).tobytes()
    entries = reader.lengths(n_keys)
    total = int(entries.sum())
    langs = reader.take(total).copy()
    probs = reader.f32(total)
    model_type = int(reader.digits(16, 1)[0])
    if reader.pos != len(reader.data) or model_type != order:
        raise HeliportTablesError(f"{path}: not heliport's {ORDERS[order]} model in bitcode 0.6 (format changed?)")
    if total and int(langs.max()) >= len(HELIPORT_LANGS):
        raise HeliportTablesError(f"{path}: language index {int(langs.max())} unknown to this eurocurate")
    ends = np.cumsum(key_lengths).tolist()
    keys = [key_bytes[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    return keys, entries, langs, probs


def build_tables(package_dir: Path, out_dir: Path) -> None:
    """Decode heliport's model files in `package_dir` into `out_dir`: the word model and the 1- to 6-gram models (one
    table: a key's length is its order), each as sorted key hashes (uint64) with a CSR of (language uint8, probability
    float32) and a bucket index; the confidence thresholds; `manifest.json` with every file's checksum."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for table, orders in (("words", (0,)), ("ngrams", tuple(range(1, len(ORDERS))))):
        parts = [decode_model_file(package_dir / f"{ORDERS[o]}.bin", o) for o in orders]
        hashes = np.concatenate(
            [np.fromiter(map(xxhash.xxh3_64_intdigest, keys), dtype=np.uint64, count=len(keys)) for keys, *_ in parts]
        )
        entries = np.concatenate([p[1] for p in parts])
        langs = np.concatenate([p[2] for p in parts])
        probs = np.concatenate([p[3] for p in parts])
        del parts
        perm = np.argsort(hashes, kind="stable")
        hashes = hashes[perm]
        if len(hashes) > 1 and bool((hashes[1:] == hashes[:-1]).any()):
            raise HeliportTablesError(f"two keys of heliport's {table} share a 64-bit hash; tables cannot be built")
        starts = np.concatenate([[0], np.cumsum(entries)])[:-1]
        lengths = entries[perm]
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        gather = np.repeat(starts[perm] - offsets[:-1], lengths) + np.arange(int(offsets[-1]))
        arrays = {
            "hashes": hashes,
            "offsets": offsets.astype(np.uint32),
            "langs": langs[gather],
            "probs": probs[gather],
            "buckets": NgramTable.bucket_index(hashes),
        }
        for kind, array in arrays.items():
            files[f"{table}.{kind}.npy"] = _save(out_dir / f"{table}.{kind}.npy", array)
    files["confidence.npy"] = _save(out_dir / "confidence.npy", _confidence(package_dir / CONFIDENCE_FILE))
    manifest = {
        "format": FORMAT,
        "source": source_key(package_dir),
        # which install they were built from: pruning removes the tables of an install that is gone
        "package_dir": str(package_dir.resolve()),
        "langs": list(HELIPORT_LANGS),
        "files": files,
    }
    (out_dir / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))


def _confidence(path: Path) -> np.ndarray:
    index = {code: i for i, code in enumerate(HELIPORT_LANGS)}
    out = np.zeros(len(HELIPORT_LANGS), dtype=np.float32)
    for line in path.read_text(encoding="utf-8").strip().splitlines():
        code, value = line.strip().split("\t")
        if code not in index:
            raise HeliportTablesError(f"{path}: language {code!r} unknown to this eurocurate")
        out[index[code]] = np.float32(float(value))
    return out


def _save(path: Path, array: np.ndarray) -> str:
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)
    return _checksum(path)


def _checksum(path: Path) -> str:
    digest = xxhash.xxh3_128()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


# -- the cache -----------------------------------------------------------------------------------------------------
def load_tables(directory: Path, *, source: str | None = None) -> MappedHeliport:
    """The tables in `directory`, memory-mapped, after checking its manifest (format, languages, `source` key when
    given) and every file's checksum; `HeliportTablesError` when anything differs."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = orjson.loads(manifest_path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as e:
        raise HeliportTablesError(f"{manifest_path}: unreadable ({e})") from e
    if manifest.get("format") != FORMAT or manifest.get("langs") != list(HELIPORT_LANGS):
        raise HeliportTablesError(f"{directory}: tables of another format or language list")
    if source is not None and manifest.get("source") != source:
        raise HeliportTablesError(f"{directory}: built from {manifest.get('source')}, not {source}")
    files = manifest.get("files", {})
    expected = {f"{t}.{kind}.npy" for t in TABLES for kind in _ARRAYS} | {"confidence.npy"}
    if set(files) != expected:
        raise HeliportTablesError(f"{directory}: manifest lists {len(files)} files, expected {len(expected)}")
    for name, checksum in files.items():
        if not (directory / name).is_file() or _checksum(directory / name) != checksum:
            raise HeliportTablesError(f"{directory / name}: missing or corrupt (checksum differs)")
    words, ngrams = (NgramTable(*(_mapped(directory / f"{t}.{kind}.npy") for kind in _ARRAYS)) for t in TABLES)
    return MappedHeliport(words, ngrams, np.load(directory / "confidence.npy", allow_pickle=False))


def _mapped(path: Path) -> np.ndarray:
    # a plain ndarray over the read-only mapping: np.memmap's own indexing costs ~10 µs a call on the hot path
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)


def shared_tables(package_dir: Path | None = None, root: Path | None = None) -> MappedHeliport:
    """This node's tables for the installed heliport: loaded from the cache, else built once (in a child process,
    checked against heliport itself, under a lock so that the node's other workers wait and then share them). A build
    removes the tables of other heliport versions, and of installs that are gone, that no process is using
    (`langid.heliport_cache`)."""
    package_dir = package_dir or heliport_package_dir()
    root = root or cache_root()
    key = source_key(package_dir)
    directory = root / key
    mark_in_use(root, key)
    try:
        return load_tables(directory, source=key)
    except HeliportTablesError as e:
        if directory.exists():
            log.warning("heliport tables: %s; rebuilding", e)
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / BUILD_LOCK, "w")  # noqa: SIM115 (held for the build, closed below)
    except OSError as e:
        raise HeliportTablesError(f"cannot write heliport tables to {root} ({e}); set EUROCURATE_CACHE_DIR") from e
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker of the node may be building the same tables
        try:
            return load_tables(directory, source=key)
        except HeliportTablesError:
            pass
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
        try:
            done = subprocess.run(
                [sys.executable, "-m", "eurocurate.langid.heliport_tables", "--package-dir", str(package_dir),
                 "--out", str(staging)],
                capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode != 0:
                raise HeliportTablesError(f"building heliport tables failed:\n{done.stderr[-2000:]}")
            shutil.rmtree(directory, ignore_errors=True)
            staging.rename(directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        log.info("heliport tables built in %s", directory)
        tables = load_tables(directory, source=key)
        prune_unused(root, keep=key, key_of=source_key)  # under the build's lock, as pruning must be
        return tables


# -- the check against heliport ------------------------------------------------------------------------------------
# Sentences in several scripts and languages, CJK included (its spacing and penalty), for the build's check.
CHECK_SENTENCES: Final = (
    "The committee will publish its annual report on the state of the single market next spring.",
    "Die Kommission veröffentlicht im Frühjahr ihren Jahresbericht über den Zustand des Binnenmarkts.",
    "La Commission publiera au printemps son rapport annuel sur l'état du marché unique.",
    "Komisija će na proljeće objaviti godišnje izvješće o stanju jedinstvenog tržišta.",
    "Komisja opublikuje wiosną roczne sprawozdanie o stanie jednolitego rynku.",
    "Η Επιτροπή θα δημοσιεύσει την ετήσια έκθεσή της για την κατάσταση της ενιαίας αγοράς.",
    "Комиссия опубликует весной ежегодный доклад о состоянии единого рынка.",
    "Il-Kummissjoni se tippubblika r-rapport annwali tagħha dwar is-suq uniku fir-rebbiegħa.",
    "Komissio julkaisee keväällä vuosikertomuksensa sisämarkkinoiden tilasta.",
    "Ar an gcéad dul síos, foilseoidh an Coimisiún a thuarascáil bhliantúil san earrach.",
    "Lo cunsigliu hà da publicà u so rapportu annuale nant'à u mercatu unicu.",
    "委员会将于明年春天发布关于单一市场状况的年度报告。",
    "日本語の文章と English words が混ざった文です。",
    "Xyzzyq plughwq",
    "123 456 !!!",
)


def check_against_heliport(mapped: MappedHeliport, texts: tuple[str, ...] = CHECK_SENTENCES) -> list[str]:
    """Where `mapped` answers otherwise than the installed heliport on `texts` (label and score of
    `identify_with_score`, the 8 best of `identify_topk_with_score`, the whole ranking of a CJK text, where every
    other language ties and heliport's language order shows): [] when they agree exactly."""
    import heliport

    native = heliport.Identifier()
    differences = []
    for text in texts:
        for call, args in (("identify_with_score", ()), ("identify_topk_with_score", (8,))):
            ours, theirs = _plain(getattr(mapped, call)(text, *args)), _plain(getattr(native, call)(text, *args))
            if ours != theirs:
                differences.append(f"{call}({text!r}): heliport {theirs}, tables {ours}")
    tie = "中文"
    ours, theirs = _plain(mapped.identify_topk_with_score(tie, 300)), _plain(native.identify_topk_with_score(tie, 300))
    if ours != theirs:
        differences.append(f"language order differs from heliport's: heliport {theirs[:12]}..., tables {ours[:12]}...")
    return differences


def _plain(answer: object) -> object:
    return [tuple(x) for x in answer] if isinstance(answer, list) else tuple(answer)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build heliport's memory-mapped tables and check them against it.")
    parser.add_argument("--package-dir", type=Path, default=None, help="heliport's package folder (default: installed)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the tables to")
    args = parser.parse_args(argv)
    package_dir = args.package_dir or heliport_package_dir()
    build_tables(package_dir, args.out)
    differences = check_against_heliport(load_tables(args.out))
    if differences:
        print("heliport tables answer otherwise than heliport:\n" + "\n".join(differences[:10]), file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
