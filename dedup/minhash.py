"""MinHash signatures and LSH band keys of word n-grams, computed for a batch of documents at once.

Words are maximal runs of Unicode letters, marks, digits and `_` in the NFKC-normalised, lower-cased
text without invisible format characters (`invisible`: soft hyphens, zero-width spaces, BOMs...).
Everything after normalisation is vectorised numpy over the whole batch: a polynomial hash per word
(prefix sums over code points), a mixed hash per n-gram, then one-permutation MinHash with
optimal densification (Shrivastava, ICML 2017): one hash per n-gram, split into `bands * rows`
bins, minimum per bin, empty bins borrowed along a fixed per-bin sequence. Its collision
probability per bin is the Jaccard similarity, as with k independent permutations, at 1/k the cost.
All hashing is seeded constants and 64-bit integer arithmetic, so results are identical across
processes, machines and runs (never Python's salted `hash()`). Band keys are what LSH buckets.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np

from eurocurate.dedup.invisible import without_invisible

U64 = np.uint64
EMPTY_BIN: int = 1 << 32  # bins hold 32-bit values; this marks a bin no n-gram fell into
NO_KEY: int = 0  # band key of a document without words: never bucketed
_MASK32 = U64(0xFFFFFFFF)
_P = 0x100000001B3  # odd multiplier of the polynomial word hash (the FNV prime)
_P_INV = pow(_P, -1, 1 << 64)
# The default banding, the one every shipped spec uses and every layer (stage parameters, `dedup_jsonl`,
# `eurocurate dedup`) takes from here: 28 bands of 4 rows put the LSH threshold near Jaccard 0.43, so with
# verification (`verification.DEFAULT_MIN_JACCARD`) every near copy of the evaluation corpus is found at
# precision 1.0 (FineWeb's 14x8, threshold ~0.72, finds 72% of them: tests/eval/test_dedup_eval.py).
DEFAULT_BANDS: Final = 28
DEFAULT_ROWS: Final = 4
DEFAULT_NGRAM: Final = 5
# How text becomes words, recorded in every signature folder's and index's config.json: a change to `normalise` or
# the word rule needs a new value, so that keys of the old rule are refused, never compared with the new ones. An
# index without it was written before invisible format characters were removed (they split words then).
WORD_RULE: Final = "nfkc-lower-without-invisible-format-chars"


@dataclass(frozen=True)
class MinhashConfig:
    """What a signature depends on; an index written under one config can only be read with the same."""

    bands: int = DEFAULT_BANDS
    rows: int = DEFAULT_ROWS
    ngram: int = DEFAULT_NGRAM
    per_language: bool = False
    seed: int = 1

    @property
    def bins(self) -> int:
        return self.bands * self.rows

    def describe(self) -> dict:
        return {
            "scheme": "oph-densified-v1",
            "words": WORD_RULE,
            "bands": self.bands,
            "rows": self.rows,
            "ngram": self.ngram,
            "per_language": self.per_language,
            "seed": self.seed,
        }


# FineWeb's MinHash (datatrove's defaults: 14 buckets of 8 hashes, 5-grams): what the benchmarks compare
# against, never a default of eurocurate's own.
FINEWEB_MINHASH: Final = MinhashConfig(bands=14, rows=8, ngram=5)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection on uint64 that spreads every input bit over the output."""
    z = z ^ (z >> U64(30))
    z = z * U64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> U64(27))
    z = z * U64(0x94D049BB133111EB)
    return z ^ (z >> U64(31))


def stable_hash64(value: str, seed: int = 0) -> int:
    """A process-independent 64-bit hash of a string (blake2b)."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8, key=seed.to_bytes(8, "little")).digest()
    return int.from_bytes(digest, "little")


def is_word_char(cp: int) -> bool:
    """The rule: code points of Unicode categories L*, M*, N* and the underscore belong to words."""
    return cp == ord("_") or unicodedata.category(chr(cp))[0] in "LMN"


class _WordChars:
    """`is_word_char` of every code point, as a table filled on demand: the code points below `eager` (every
    European script, punctuation, symbols) at once, others when a batch first holds them. Filling all
    1.1M code points cost 0.1 CPU s in every process, for texts that hold a few hundred distinct ones."""

    def __init__(self, eager: int = 0x3000) -> None:
        self.eager = eager
        self.table = np.zeros(0x110000, dtype=bool)

        self.known = np.zeros(0x110000, dtype=bool)
        self._learn(np.arange(eager))

    def _learn(self, cps: np.ndarray) -> None:
        # threads may learn the same code points at once: they write the same values, and `known` after `table`
        self.table[cps] = [is_word_char(int(cp)) for cp in cps]
        self.known[cps] = True

    def lookup(self, cps: np.ndarray, out: np.ndarray) -> None:
        """`is_word_char` of each code point of `cps` (uint32, all below 0x110000) into the booleans `out`."""
        rare = cps[cps >= self.eager]
        if len(rare):
            new = rare[~self.known[rare]]
            if len(new):
                self._learn(np.unique(new))
        np.take(self.table, cps, out=out, mode="clip")  # "clip" writes in place; no code point needs clipping


_WORD_CHARS = _WordChars()


class _Powers:
    """P^i and P^-i modulo 2^64, grown on demand."""

    def __init__(self) -> None:
        self.pow = np.ones(1, dtype=U64)
        self.inv = np.ones(1, dtype=U64)

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.pow) < n:
            size = max(n, 2 * len(self.pow), 1 << 16)
            self.pow = self._geometric(_P, size)
            self.inv = self._geometric(_P_INV, size)
        return self.pow[:n], self.inv[:n]

    @staticmethod
    def _geometric(base: int, size: int) -> np.ndarray:
        out = np.empty(size, dtype=U64)
        out[0] = 1
        block = 1
        with np.errstate(over="ignore"):
            while block < size:  # doubling: out[b:2b] = out[:b] * base^b
                step = U64(pow(base, block, 1 << 64))
                end = min(2 * block, size)
                out[block:end] = out[: end - block] * step
                block = end
        return out


_POWERS = _Powers()


@lru_cache(maxsize=8)
def _constants(config: MinhashConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.Generator(np.random.PCG64(config.seed))
    ngram_mult = rng.integers(1, 1 << 63, size=config.ngram, dtype=np.uint64) * U64(2) + U64(1)
    band_seed = rng.integers(1, 1 << 63, size=config.bands, dtype=np.uint64)
    # optimal densification: for each bin, a fixed order in which to borrow from other bins
    borrow = np.stack([rng.permutation(config.bins) for _ in range(config.bins)])
    return ngram_mult, band_seed, borrow


def normalise(text: str) -> str:
    # invisible characters go first: NFKC then composes a letter and an accent a soft hyphen stood between
    return unicodedata.normalize("NFKC", without_invisible(text)).lower()


def word_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(hash of every word in the batch, in order; number of words per document)."""
    return word_hashes_of_normalised([normalise(t) for t in texts])


def word_hashes_of_normalised(normal: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """`word_hashes` of texts `normalise` has already normalised."""
    joined = " ".join(normal)  # a space between documents: no word spans two of them
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    if len(cps) == 0:
        return np.zeros(0, U64), np.zeros(len(normal), np.int64)
    starts, ends, raw = word_spans(cps)
    with np.errstate(over="ignore"):
        hashes = _mix(raw + (ends - starts).astype(U64))
    doc_starts = np.zeros(len(normal), dtype=np.int64)
    if len(normal) > 1:
        doc_starts[1:] = np.cumsum([len(t) + 1 for t in normal[:-1]])
    counts = np.diff(np.searchsorted(starts, doc_starts), append=len(starts))
    return hashes, counts


def word_spans(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end and unmixed polynomial hash sum(cp_i * P^i) of every word) of the code points `cps`."""
    n = len(cps)
    # word flags with a non-word on either side: they change at every word start, then at its end, and so on
    flags = np.empty(n + 2, dtype=bool)
    flags[0] = flags[-1] = False
    _WORD_CHARS.lookup(cps, out=flags[1:-1])
    changes = np.flatnonzero(flags[1:] != flags[:-1])
    starts, ends = changes[0::2], changes[1::2]
    pw, inv = _POWERS.upto(n)
    with np.errstate(over="ignore"):
        prefix = np.empty(n + 1, dtype=U64)
        prefix[0] = 0
        np.multiply(cps, pw, out=prefix[1:])  # no temporaries of n words: in place, as uint64
        np.cumsum(prefix[1:], out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * inv[starts]
    return starts, ends, raw


def ngram_hashes(words: np.ndarray, counts: np.ndarray, config: MinhashConfig) -> tuple[np.ndarray, np.ndarray]:
    """(hash of every word n-gram; index of its document). A document with 1..n-1 words has one n-gram."""
    n = config.ngram
    mult, _, _ = _constants(config)
    doc_of_word = np.repeat(np.arange(len(counts)), counts)
    with np.errstate(over="ignore"):
        m = len(words) - n + 1
        parts_h, parts_d = [], []
        if m > 0:
            acc = words[:m] * mult[0]
            for t in range(1, n):
                acc = acc + words[t : t + m] * mult[t]
            full = doc_of_word[:m] == doc_of_word[n - 1 :]
            parts_h.append(acc[full])
            parts_d.append(doc_of_word[:m][full])
        short = np.flatnonzero((counts > 0) & (counts < n))
        if len(short):
            first = np.concatenate([[0], np.cumsum(counts)[:-1]])[short]
            acc = np.zeros(len(short), dtype=U64)
            for t in range(n - 1):
                take = t < counts[short]
                acc[take] += words[first[take] + t] * mult[t]
            parts_h.append(acc)
            parts_d.append(short)
        if not parts_h:
            return np.zeros(0, U64), np.zeros(0, np.int64)
        h = np.concatenate(parts_h)
        return _mix(h), np.concatenate(parts_d)


def signatures(texts: list[str], config: MinhashConfig) -> np.ndarray:
    """(documents, bands*rows) uint64 MinHash signatures; a document without words is all EMPTY_BIN."""
    words, counts = word_hashes(texts)
    grams, doc = ngram_hashes(words, counts, config)
    return signatures_of_ngrams(grams, doc, len(texts), config)


def gram_sets(grams: np.ndarray, doc: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """(each document's distinct n-gram hashes folded to 32 bits, ascending, concatenated; count per document).

    The exact shingle sets that candidate pairs are verified with (`verification`): two sets of a
    few thousand values share a 32-bit value by accident with probability below 0.5%.
    """
    folded = grams >> U64(32)  # in place from here on: one temporary per step, not one per operator
    folded ^= grams
    folded &= _MASK32
    keyed = doc.astype(U64)
    keyed <<= U64(32)
    keyed |= folded
    keyed.sort()
    if len(keyed):
        first = np.empty(len(keyed), dtype=bool)  # np.unique, without its slower hash path
        first[0] = True
        np.not_equal(keyed[1:], keyed[:-1], out=first[1:])
        keyed = keyed[first]
    values = (keyed & _MASK32).astype(np.uint32)
    keyed >>= U64(32)
    return values, np.bincount(keyed.astype(np.intp), minlength=n_docs)


def signatures_of_ngrams(grams: np.ndarray, doc: np.ndarray, n_docs: int, config: MinhashConfig) -> np.ndarray:
    """`signatures` from n-gram hashes already computed by `ngram_hashes`."""
    k = config.bins
    sig = np.full(n_docs * k, EMPTY_BIN, dtype=U64)
    bin_minima(sig, grams, doc, k)
    sig = sig.reshape(n_docs, k)
    _densify(sig, config)
    return sig


def bin_minima(sig: np.ndarray, grams: np.ndarray, doc: np.ndarray, k: int) -> None:
    """Lower each bin of the flat (documents * k) signatures `sig` to the smallest n-gram value falling into it
    (before densification: a document's n-grams may come in several calls)."""
    with np.errstate(over="ignore"):
        bins = ((grams >> U64(32)) * U64(k)) >> U64(32)
        np.minimum.at(sig, doc.astype(U64) * U64(k) + bins, grams & _MASK32)


def _densify(sig: np.ndarray, config: MinhashConfig) -> None:
    """Fill each empty bin of a partly filled document from the first filled bin in that bin's borrow order."""
    empty = sig == EMPTY_BIN
    if not empty.any():
        return
    _, _, borrow = _constants(config)
    partial = empty.any(axis=1) & ~empty.all(axis=1)
    rows = np.flatnonzero(partial)
    d, j = np.nonzero(empty[rows])
    d = rows[d]
    src = np.empty(len(d), dtype=np.intp)
    # step t looks at the t-th bin of each open bin's order; a bin closes at the first filled one (one exists:
    # the row is partial and the order is a permutation of all bins), so the open set shrinks fast
    open_ = np.arange(len(d))
    for t in range(config.bins):
        cand = borrow[j[open_], t]
        filled = ~empty[d[open_], cand]
        src[open_[filled]] = cand[filled]
        open_ = open_[~filled]
        if not len(open_):
            break
    sig[d, j] = sig[d, src]


def band_keys(sig: np.ndarray, config: MinhashConfig, langs: list[str | None] | None = None) -> np.ndarray:
    """(documents, bands) uint64 LSH keys: a hash of each band's rows, seeded per band (and per language
    when `per_language`), never NO_KEY for a document with words and always NO_KEY for one without."""
    _, band_seed, _ = _constants(config)
    n = len(sig)
    lang_h = np.zeros(n, dtype=U64)
    if config.per_language:
        if langs is None:
            raise ValueError("per_language signatures need the language of every document; got langs=None")
        cache: dict[str | None, int] = {}
        lang_h = np.array([cache.setdefault(x, stable_hash64(x or "", 7)) for x in langs], dtype=U64)
    rows = sig.reshape(n, config.bands, config.rows)  # row r of band b is bin b * rows + r
    with np.errstate(over="ignore"):
        keys = _mix(lang_h[:, None] ^ band_seed[None, :])  # all bands at once: (documents, bands)
        for r in range(config.rows):
            keys = _mix(keys + rows[:, :, r] * U64(0x9E3779B97F4A7C15))
    keys[keys == NO_KEY] = 1
    keys[(sig == EMPTY_BIN).all(axis=1)] = NO_KEY
    return keys
