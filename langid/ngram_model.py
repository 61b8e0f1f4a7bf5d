"""A linear classifier over hashed character n-grams and words, stored as one memory-mapped file.

Owns the features (character n-grams of word-boundary padded, lower-cased words, plus the words themselves, hashed
into a fixed number of buckets), the scores (one row of weights per bucket, one column per label, summed over a
text's features), fitting those weights as multinomial naive Bayes, and the model file (`.npz`, uncompressed, so the
weight table is memory-mapped: the workers of one machine share its pages). Which texts a model is trained on and
what a caller does with its scores belong to the trainers (`tools/train_hbs.py`) and callers (`langid.hbs`).
"""

from __future__ import annotations

import json
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path
from typing import Final, TypeVar

import numpy as np
from numpy.typing import NDArray

try:  # the same features and sums in C, built at install (langid/_ngram.c); tests hold the two equal bit for bit
    from eurocurate.langid import _ngram as _native
except ImportError:  # not compiled (no C compiler where eurocurate was installed): numpy, the definition below
    _native = None

FORMAT: Final = "eurocurate-ngram-model/1"
_WORD = re.compile(r"[^\W\d_]+")
# n-gram hashing: polynomial rolling hash over code points (wraps modulo 2**64), then the splitmix64 finaliser so
# that nearby n-grams land in unrelated buckets. Fixed constants: a model file is only valid with the same hash.
_BASE: Final = np.uint64(0x100000001B3)
_MIX1: Final = np.uint64(0xBF58476D1CE4E5B9)
_MIX2: Final = np.uint64(0x94D049BB133111EB)
_ORDER_SALT: Final = np.uint64(0x9E3779B97F4A7C15)
_SPACE: Final = 32
_WORD_SALT: Final = 0x5BD1E995
_MIN_LABELS_BY_BUCKET: Final = 8  # from this many labels a text's weights are summed as (features, labels) rows
_T = TypeVar("_T")


class NgramModelError(ValueError):
    """A model file that is missing, not a model, or inconsistent (wrong shapes, unknown format)."""


@dataclass(frozen=True)
class FeatureSpec:
    """How a text becomes bucket ids; stored in the model file, so a model is always read the way it was trained."""

    min_n: int = 1
    max_n: int = 5
    buckets: int = 1 << 18
    words: bool = True  # one feature per whole word besides its character n-grams

    def __post_init__(self) -> None:
        if not 1 <= self.min_n <= self.max_n <= 8:
            raise NgramModelError(
                f"n-gram orders must satisfy 1 <= min_n <= max_n <= 8, got {self.min_n}..{self.max_n}"
            )
        if not 2 <= self.buckets <= 1 << 26:
            raise NgramModelError(f"buckets must be between 2 and {1 << 26}, got {self.buckets}")


def _mix(h: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """The splitmix64 finaliser, in place (`h` is a fresh array of the caller's)."""
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


# n x _ORDER_SALT modulo 2**64, per n-gram order (a numpy scalar product would warn of the overflow)
_SALT_OF_ORDER: Final = tuple(np.uint64(n * int(_ORDER_SALT) % 2**64) for n in range(9))


def text_words(text: str) -> list[str]:
    """The lower-cased, NFC-normalised letter runs of `text` (digits and punctuation separate words)."""
    return _WORD.findall(lowered_nfc(text))


def lowered_nfc(text: str) -> str:
    """`text` in its NFC form, lower-cased: what the words are read from (the compiled features read it themselves)."""
    return unicodedata.normalize("NFC", text).lower()


def padded_words(text: str, max_chars: int | None = None) -> str | None:
    """ " w1 w2 ... ": `text_words` of `text` (its first `max_chars` characters) between single spaces, what the
    features are read from; None without a word."""
    tokens = text_words(text if max_chars is None else text[:max_chars])
    return " " + " ".join(tokens) + " " if tokens else None


def featurise(text: str, spec: FeatureSpec, max_chars: int | None = None) -> NDArray[np.int64]:
    """Bucket ids of `text`'s features, one per occurrence (repeats count): n-grams of " word " never span two words.
    In a fixed order (the 1-grams in text order, then the 2-grams..., then the words), which `NgramModel.log_scores`
    sums in.

    `max_chars` reads only the text's beginning (the cost is linear in what is read).
    """
    padded = padded_words(text, max_chars)
    if padded is None:
        return np.zeros(0, dtype=np.int64)
    tokens = padded.split()
    # the words are non-empty letter runs: no two spaces meet in the padded text, so every 2-gram is kept; each
    # order's salt is applied once over all of them (a short text's cost is numpy's per call, not its length)
    points = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    space = points == _SPACE
    # spaces[j]: spaces among points[:j+1]; the n-gram at i has none inside (points i+1..i+n-2) when
    # spaces[i+n-2] == spaces[i]
    spaces = np.cumsum(space)
    parts: list[NDArray[np.uint64]] = []
    salts: list[np.uint64] = []
    rolling = points  # the n-gram starting at each point, hashed: rolling * base + next point (wraps modulo 2**64)
    for n in range(1, spec.max_n + 1):
        count = len(points) - n + 1
        if count <= 0:
            break
        if n > 1:
            rolling = rolling[:count] * _BASE
            rolling += points[n - 1 :]
        if n < spec.min_n:
            continue
        if n == 1:
            parts.append(points[~space])
        elif n == 2:
            parts.append(rolling)  # a fresh array, not changed by the next order's step
        else:
            parts.append(rolling[spaces[n - 2 : n - 2 + count] == spaces[:count]])
        salts.append(_SALT_OF_ORDER[n])
    if spec.words:
        encoded = map(str.encode, tokens)  # UTF-8; no Python frame per word (a fifth of a short text's featurise)
        parts.append(np.fromiter(map(zlib.crc32, encoded, repeat(_WORD_SALT)), dtype=np.uint64, count=len(tokens)))
        salts.append(_ORDER_SALT)
    hashes = np.concatenate(parts)
    hashes ^= np.repeat(np.array(salts, dtype=np.uint64), [len(part) for part in parts])
    hashes = _mix(hashes)
    if spec.buckets & (spec.buckets - 1) == 0:  # a power of two: the low bits, as the remainder would give
        hashes &= np.uint64(spec.buckets - 1)
    else:
        hashes %= np.uint64(spec.buckets)
    return hashes.view(np.int64)  # below 2**26: the same values


def lead_over(scores: NDArray[np.float32], flagged: NDArray[np.uint8]) -> tuple[int, float]:
    """(the first label with the highest score among those not `flagged`, its score minus the highest flagged one's,
    in float32). In C where it is compiled (`_ngram.lead`, the same answer)."""
    if _native is not None and scores.dtype == np.float32 and scores.flags.c_contiguous:
        return _native.lead(scores, flagged)
    mask = flagged.astype(bool)
    others, flagged_ones = np.flatnonzero(~mask), np.flatnonzero(mask)
    if not len(others) or not len(flagged_ones):
        raise ValueError("lead needs a flagged label and one that is not")
    best = int(others[np.argmax(scores[others])])
    return best, float(scores[best] - scores[flagged_ones].max())


@dataclass(frozen=True)
class NgramModel:
    """Labels, a (buckets x labels) weight table and a bias per label: score = bias + sum of the features' rows."""

    labels: tuple[str, ...]
    weights: NDArray[np.floating]  # (buckets, len(labels)); float16 on disk, memory-mapped when loaded
    bias: NDArray[np.float32]
    spec: FeatureSpec = field(default_factory=FeatureSpec)
    about: str = ""  # how the model was made and from what (stored in the file)
    # numbers derived with the model that its callers read (temperatures, priors, thresholds), stored in the file
    calibration: Mapping[str, float] = field(default_factory=dict)
    # what callers computed from this model and keep (`remember`); a new model (another file, `replace`) starts empty
    _memo: dict[Hashable, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.weights.ndim != 2 or self.weights.shape != (self.spec.buckets, len(self.labels)):
            raise NgramModelError(
                f"weights must be (buckets={self.spec.buckets}, labels={len(self.labels)}), got {self.weights.shape}"
            )
        if self.bias.shape != (len(self.labels),):
            raise NgramModelError(f"bias must have one value per label ({len(self.labels)}), got {self.bias.shape}")
        if len(set(self.labels)) != len(self.labels) or not self.labels:
            raise NgramModelError(f"labels must be distinct and not empty, got {self.labels}")

    def remember(self, key: Hashable, compute: Callable[[], _T], capacity: int) -> _T:
        """`compute()`, kept under `key` for this model's callers: a text read again is not read again (the same
        answer; the callers key by the text they read). At most `capacity` answers, emptied when full."""
        memo = self._memo
        if key in memo:
            return memo[key]  # type: ignore[return-value]
        if len(memo) >= capacity:
            memo.clear()  # rather than tracked: the next texts refill it
        found = memo[key] = compute()
        return found

    def log_scores(self, text: str, max_chars: int | None = None) -> NDArray[np.float32]:
        """bias + the sum of the weight rows of `text`'s features, one value per label (the bias alone if none).
        In C where it is compiled (`_ngram.scores`: the features and the sum of `scores_of`, bit for bit)."""
        if _native is None:
            return self.scores_of(featurise(text, self.spec, max_chars))
        out = np.empty(len(self.labels), dtype=np.float32)
        spec = self.spec
        lowered = lowered_nfc(text if max_chars is None else text[:max_chars])
        _native.scores(lowered, spec.min_n, spec.max_n, spec.buckets, spec.words, self._row_table, self._bias32, out)
        return out

    def scores_of(self, ids: NDArray[np.int64]) -> NDArray[np.float32]:
        """`log_scores` of the features `ids` (`featurise`'s): in float32, one feature after the other in their order,
        per label (the sum the model was calibrated with, bit for bit; `reference_scores` is that sum written out)."""
        total = self.bias.astype(np.float32)
        if not len(ids):
            return total
        table = self._summing_table
        if table.shape[0] == len(self.labels):  # few labels: a running sum along each label's contiguous row
            return total + np.cumsum(table.take(ids, axis=1), axis=1)[:, -1]
        # many labels: numpy reduces along the outer axis row after row (the inner loop runs over the labels),
        # the same sequential float32 sum as a running sum, ~6x cheaper (regional model: ~45 µs against ~290)
        return total + np.add.reduce(table.take(ids, axis=0), axis=0)

    def reference_scores(self, ids: NDArray[np.int64]) -> NDArray[np.float32]:
        """`scores_of` as the plain running sum over the weight rows (what the tests compare the fast path to)."""
        total = self.bias.astype(np.float32)
        if len(ids):
            total = total + np.cumsum(self.weights.take(ids, axis=0), axis=0, dtype=np.float32)[-1]
        return total

    @cached_property
    def _row_table(self) -> NDArray[np.float32]:
        """The weights as C-contiguous float32 (buckets, labels), what `_ngram.scores` reads (no copy when they are).
        float16 rows converted by the CPU (F16C) were 13% faster to sum, 0.5% of language ID: not worth a
        CPU-dependent path (docs/langid.md)."""
        return np.ascontiguousarray(self.weights, dtype=np.float32)

    @cached_property
    def _bias32(self) -> NDArray[np.float32]:
        return np.ascontiguousarray(self.bias, dtype=np.float32)

    @cached_property
    def _summing_table(self) -> NDArray[np.float32]:
        """The weights as float32 in the layout that sums a text's rows fastest: (buckets, labels) when there are
        many labels (no copy when they already are), (labels, buckets) for a handful (numpy's reduction over an
        outer axis of three columns costs a loop step per feature: the Croatian/Bosnian/Serbian model sums ~1.6x
        faster by label rows; a 3 MB private copy of its 1.5 MB memory-mapped float16 table)."""
        if len(self.labels) >= _MIN_LABELS_BY_BUCKET:
            return self._row_table
        return np.ascontiguousarray(self.weights.T, dtype=np.float32)

    def probabilities(self, text: str, max_chars: int | None = None) -> dict[str, float]:
        """{label: probability}: the softmax of `log_scores` (for naive Bayes, the posterior under its assumptions)."""
        scores = self.log_scores(text, max_chars)
        exp = np.exp(scores - scores.max())
        return dict(zip(self.labels, (exp / exp.sum()).tolist()))

    def save(self, path: Path) -> None:
        """One uncompressed `.npz` (float16 weights), so that `load` can memory-map the table."""
        meta = {
            "format": FORMAT,
            "labels": list(self.labels),
            "spec": {"min_n": self.spec.min_n, "max_n": self.spec.max_n, "buckets": self.spec.buckets},
            "words": self.spec.words,
            "about": self.about,
            "calibration": {k: float(v) for k, v in self.calibration.items()},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez(
                out,
                weights=np.ascontiguousarray(self.weights, dtype=np.float16),
                bias=self.bias.astype(np.float32),
                meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
            )


def load_model(path: Path) -> NgramModel:
    """The model stored at `path`, its weight table memory-mapped (read-only); NgramModelError says what is wrong."""
    if not path.is_file():
        raise NgramModelError(f"no n-gram model file at {path} (a packaged model is missing: reinstall eurocurate)")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = {"weights.npy", "bias.npy", "meta.npy"} - names
            if missing:
                raise NgramModelError(f"{path} is not an n-gram model file: it lacks {sorted(missing)}")
            meta = json.loads(_read_member(archive, "meta.npy").tobytes().decode("utf-8"))
            bias = _read_member(archive, "bias.npy")
            weights_info = archive.getinfo("weights.npy")
        if meta.get("format") != FORMAT:
            raise NgramModelError(f"{path} has format {meta.get('format')!r}; this eurocurate reads {FORMAT!r}")
        spec = FeatureSpec(
            min_n=int(meta["spec"]["min_n"]),
            max_n=int(meta["spec"]["max_n"]),
            buckets=int(meta["spec"]["buckets"]),
            words=bool(meta["words"]),
        )
        weights = _memmap_member(path, weights_info)
        return NgramModel(
            labels=tuple(meta["labels"]),
            weights=weights,
            bias=bias.astype(np.float32),
            spec=spec,
            about=meta["about"],
            calibration={str(k): float(v) for k, v in meta.get("calibration", {}).items()},
        )
    except NgramModelError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise NgramModelError(f"{path} is not a readable n-gram model file ({type(err).__name__}: {err})") from err


def _read_member(archive: zipfile.ZipFile, name: str) -> NDArray[np.generic]:
    with archive.open(name) as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def _memmap_member(path: Path, info: zipfile.ZipInfo) -> NDArray[np.floating]:
    """The `.npy` member `info` of the archive at `path` as a read-only memory map (stored members only)."""
    if info.compress_type != zipfile.ZIP_STORED:
        with zipfile.ZipFile(path) as archive:
            return _read_member(archive, info.filename)  # type: ignore[return-value]
    with path.open("rb") as raw:
        raw.seek(info.header_offset)
        local = raw.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise NgramModelError(f"{path}: the local header of {info.filename} is damaged")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        raw.seek(info.header_offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(raw)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
        else:
            raise NgramModelError(f"{path}: unsupported .npy version {version} for {info.filename}")
        offset = raw.tell()
    expected = int(np.prod(shape)) * dtype.itemsize
    if offset + expected > path.stat().st_size:
        raise NgramModelError(f"{path} is truncated: {info.filename} needs {expected} bytes at offset {offset}")
    table = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")
    return table.view(np.ndarray)  # the same mapped pages; a plain array indexes ~3x faster than np.memmap


def fit_naive_bayes(
    texts: Sequence[str],
    labels: Sequence[str],
    spec: FeatureSpec | None = None,
    alpha: float = 0.1,
    uniform_prior: bool = True,
    about: str = "",
    text_weights: Sequence[float] | None = None,
) -> NgramModel:
    """Multinomial naive Bayes over the hashed features of `texts` (deterministic: same texts, same file).

    Weights are log P(bucket | label) with additive smoothing `alpha`, minus their mean over labels per bucket (the
    mean cancels in every comparison and keeps the values small enough for float16). `uniform_prior`: the bias is 0
    rather than log of each label's share of the texts, which reflects how the training set was gathered.
    `text_weights` multiply each text's counts (e.g. so that every source weighs the same in every label: a
    source one label has more of would otherwise teach its topic words as that label's).
    """
    spec = spec or FeatureSpec()
    names = _label_names(texts, labels)
    column = np.array([names.index(label) for label in labels])
    ids, rows = _design(texts, spec)
    if text_weights is not None and len(text_weights) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(text_weights)} text weights")
    row_weight = np.ones(len(texts)) if text_weights is None else np.asarray(text_weights, dtype=np.float64)
    counts = np.zeros((spec.buckets, len(names)), dtype=np.float64)
    for c in range(len(names)):
        mine = column[rows] == c
        counts[:, c] = np.bincount(ids[mine], weights=row_weight[rows[mine]], minlength=spec.buckets)
    log_prob = np.log(counts + alpha) - np.log(counts.sum(axis=0) + alpha * spec.buckets)
    weights = log_prob - log_prob.mean(axis=1, keepdims=True)
    if uniform_prior:
        bias = np.zeros(len(names), dtype=np.float32)
    else:
        shares = np.array([sum(lab == n for lab in labels) for n in names], dtype=np.float64) / len(labels)
        bias = np.log(shares).astype(np.float32)
    return NgramModel(labels=names, weights=weights.astype(np.float16), bias=bias, spec=spec, about=about)


def _label_names(texts: Sequence[str], labels: Sequence[str]) -> tuple[str, ...]:
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    names = tuple(sorted(set(labels)))
    if len(names) < 2:
        raise ValueError(f"a classifier needs at least two labels, got {names}")
    return names


def _design(texts: Sequence[str], spec: FeatureSpec) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """All texts' bucket ids, concatenated, and the row (text) each belongs to."""
    per_text = [featurise(text, spec) for text in texts]
    empty = [i for i, ids in enumerate(per_text) if not len(ids)]
    if empty:
        raise ValueError(f"{len(empty)} training texts have no letters (first: {texts[empty[0]]!r}); leave them out")
    rows = np.repeat(np.arange(len(texts)), [len(ids) for ids in per_text])
    return np.concatenate(per_text), rows
