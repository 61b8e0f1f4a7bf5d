"""MinHash signatures and n-gram sets of a batch in bounded memory: short documents in sub-batches of at most
`PIECE` code points, a longer one in consecutive pieces of its normalised text. The values are `minhash`'s, bit
for bit; only the memory differs. Owns the piecewise hashing, not the hashes themselves (`minhash`).

`minhash.word_hashes` holds about 30 bytes per code point of a batch at once (the code points, word flags, prefix
sums, and powers of P cached for the process): a 55 M-character text row peaked the signer at 2 GB. Pieces bound that
to about 30 bytes times `PIECE`, plus the normalised text and the document's distinct n-gram set.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from eurocurate.dedup.minhash import (
    _MASK32,
    _P,
    EMPTY_BIN,
    U64,
    MinhashConfig,
    _constants,
    _densify,
    _mix,
    bin_minima,
    gram_sets,
    ngram_hashes,
    normalise,
    signatures_of_ngrams,
    word_hashes_of_normalised,
    word_spans,
)

# Code points hashed at once: ~60 MB of temporaries. A batch of 256 pages of 1.7 KB (the demo corpus's: 0.4 M code
# points) is one sub-batch, hashed as before pieces existed.
PIECE = 1 << 21


def sign_texts(
    texts: list[str], config: MinhashConfig, with_grams: bool, piece: int = PIECE
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """(signatures, (n-gram set values, set sizes) when `with_grams`) of `texts`, equal to `minhash.signatures`
    and `minhash.gram_sets` of the whole batch; no more than `piece` code points are hashed at once."""
    normal = [normalise(t) for t in texts]
    sig = np.empty((len(texts), config.bins), dtype=U64)
    sets: list[np.ndarray] = [np.zeros(0, np.uint32)] * len(texts)
    for first, last in _sub_batches(normal, piece):
        if last - first == 1 and len(normal[first]) > piece:
            sig[first], sets[first] = _long_text(normal[first], config, with_grams, piece)
            continue
        words, counts = word_hashes_of_normalised(normal[first:last])
        grams, doc = ngram_hashes(words, counts, config)
        sig[first:last] = signatures_of_ngrams(grams, doc, last - first, config)
        if with_grams:
            values, sizes = gram_sets(grams, doc, last - first)
            sets[first:last] = np.split(values, np.cumsum(sizes)[:-1])
    if not with_grams:
        return sig, None
    return sig, (np.concatenate(sets), np.array([len(s) for s in sets], dtype=np.int64))


def _sub_batches(texts: list[str], piece: int) -> Iterator[tuple[int, int]]:
    """[first, last) runs of consecutive texts of at most `piece` code points together; a longer text alone."""
    first, size = 0, 0
    for i, text in enumerate(texts):
        if i > first and size + len(text) + 1 > piece:
            yield first, i
            first, size = i, 0
        size += len(text) + 1  # the space `word_hashes` puts between documents
    if first < len(texts):
        yield first, len(texts)


def _long_text(normal: str, config: MinhashConfig, with_grams: bool, piece: int) -> tuple[np.ndarray, np.ndarray]:
    """(signature row, n-gram set) of one normalised text, hashed `piece` code points at a time."""
    words, grams = _WordStream(), _GramStream(config)
    row = _SignatureRow(config, with_grams, piece)
    for lo in range(0, len(normal), piece):
        row.add(grams.feed(words.feed(np.frombuffer(normal[lo : lo + piece].encode("utf-32-le"), dtype=np.uint32))))
    row.add(grams.close(words.close()))
    return row.finish()


class _SignatureRow:
    """One document's signature and distinct folded n-grams, from its n-gram hashes given in several runs."""

    def __init__(self, config: MinhashConfig, with_grams: bool, piece: int) -> None:
        self.config, self.with_grams, self.piece = config, with_grams, piece
        self.sig = np.full(config.bins, EMPTY_BIN, dtype=U64)
        self.seen: list[np.ndarray] = []
        self.held = 0

    def add(self, grams: np.ndarray) -> None:
        bin_minima(self.sig, grams, np.zeros(len(grams), np.int64), self.config.bins)
        if self.with_grams and len(grams):
            self.seen.append(_distinct(_fold(grams)))
            self.held += len(self.seen[-1])
            if self.held > self.piece:  # only the distinct values are kept: a repetitive text holds few
                self.seen = [_distinct(np.concatenate(self.seen))]
                self.held = len(self.seen[0])

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        _densify(self.sig.reshape(1, -1), self.config)
        values = _distinct(np.concatenate(self.seen)) if self.seen else np.zeros(0, U64)
        return self.sig, values.astype(np.uint32)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of `values`, ascending (sorted in place; np.unique's hash path is 10x slower here)."""
    values.sort()
    first = np.empty(len(values), dtype=bool)
    first[:1] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def _fold(grams: np.ndarray) -> np.ndarray:
    """An n-gram hash folded to 32 bits, as `minhash.gram_sets` folds it."""
    return ((grams >> U64(32)) ^ grams) & _MASK32


class _WordStream:
    """The word hashes of one normalised text fed in consecutive pieces of code points; a word a piece boundary
    cuts is joined across it: its polynomial hash is sum(cp_i * P^i), so hash(AB) = hash(A) + P^len(A) hash(B)."""

    def __init__(self) -> None:
        self.open_raw = 0  # the unmixed hash and length of the word the last piece ended in (length 0: none)
        self.open_len = 0

    def feed(self, cps: np.ndarray) -> np.ndarray:
        """The hashes of the words that end in this piece (or at its end, when the next piece starts outside one)."""
        n = len(cps)
        starts, ends, raw = word_spans(cps)
        lengths = (ends - starts).astype(U64)
        if self.open_len:
            if len(starts) and starts[0] == 0:  # the open word goes on
                raw[0] = (self.open_raw + pow(_P, self.open_len, 1 << 64) * int(raw[0])) % (1 << 64)
                lengths[0] += U64(self.open_len)
            else:  # it ended at the piece boundary
                raw = np.concatenate([np.array([self.open_raw], dtype=U64), raw])
                lengths = np.concatenate([np.array([self.open_len], dtype=U64), lengths])
            self.open_raw = self.open_len = 0
        if len(ends) and ends[-1] == n:  # the piece ends inside a word: held until it ends
            self.open_raw, self.open_len = int(raw[-1]), int(lengths[-1])
            raw, lengths = raw[:-1], lengths[:-1]
        with np.errstate(over="ignore"):
            return _mix(raw + lengths)

    def close(self) -> np.ndarray:
        """The hash of the word the text ends in, if it ends in one."""
        if not self.open_len:
            return np.zeros(0, dtype=U64)
        with np.errstate(over="ignore"):
            last = _mix(np.array([self.open_raw], dtype=U64) + U64(self.open_len))
        self.open_raw = self.open_len = 0
        return last


class _GramStream:
    """The n-gram hashes of one document's words fed in consecutive runs; the last n-1 words are carried over."""

    def __init__(self, config: MinhashConfig) -> None:
        self.config = config
        self.tail = np.zeros(0, dtype=U64)
        self.words = 0

    def feed(self, words: np.ndarray) -> np.ndarray:
        n = self.config.ngram
        self.words += len(words)
        run = np.concatenate([self.tail, words])
        self.tail = run[len(run) - min(n - 1, len(run)) :]
        m = len(run) - n + 1
        if m <= 0:
            return np.zeros(0, dtype=U64)
        mult, _, _ = _constants(self.config)
        with np.errstate(over="ignore"):
            acc = run[:m] * mult[0]
            for t in range(1, n):
                acc = acc + run[t : t + m] * mult[t]
            return _mix(acc)

    def close(self, words: np.ndarray) -> np.ndarray:
        """The n-grams of the last words; a document of 1..n-1 words has one n-gram of them all (`ngram_hashes`)."""
        grams = self.feed(words)
        if 0 < self.words < self.config.ngram:
            grams, _ = ngram_hashes(self.tail, np.array([self.words]), self.config)
        return grams
