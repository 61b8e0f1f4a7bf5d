"""Gopher's word n-gram repetition statistics (datatrove's definitions) of one text's words.

`ngram_repetition` returns, for each n asked, the characters of the most frequent n-gram times its count
and the characters in n-grams repeating an earlier one; `signals.measure_gopher_repetition` turns them
into shares of the text. Two paths give the same figures: plain dicts and tuples of words for short texts,
numpy on 64-bit n-gram hashes for long ones (below `SHORT_TEXT_WORDS` numpy's per-call overhead costs more
than it saves).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from itertools import accumulate, compress

import numpy as np

# Below this many words the dict path is faster: 0.24 s against 0.33 s on the 2,950 dev-corpus texts it
# takes (loaded 2-core machine, same minute); above, numpy's vectorised steps win (median text: 167 words).
SHORT_TEXT_WORDS = 256
_MULT = np.uint64(1_000_003)


def ngram_repetition(words: list[str], top_ns: list[int], dup_ns: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """({n: characters of the most frequent n-gram (space-joined) x its count}, {n: characters in n-grams
    repeating an earlier one, scanning left to right and jumping over each repeat}).

    A repeated n-gram starts where a repeated (n-1)-gram starts and is followed by another, so each n
    only looks at the positions the previous n left; on ordinary text that set shrinks fast.
    """
    if len(words) < SHORT_TEXT_WORDS:
        return _by_dicts(words, top_ns, dup_ns)
    return _by_hashes(words, top_ns, dup_ns)


def _by_dicts(words: list[str], top_ns: list[int], dup_ns: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """The statistics with n-grams as tuples of words (exact keys)."""
    n_words = len(words)
    c = list(accumulate(map(len, words), initial=0))
    top: dict[int, int] = {}
    dup: dict[int, int] = {}
    repeated: list[int] | None = None  # positions whose (n-1)-gram occurs more than once
    for n in range(2, max(top_ns + dup_ns, default=1) + 1):
        if n_words - n + 1 <= 0:
            top.update({k: 0 for k in top_ns if k >= n})
            dup.update({k: 0 for k in dup_ns if k >= n})
            break
        if repeated is None:
            starts: range | list[int] = range(n_words - 1)
            keys: list[tuple[str, ...]] = list(zip(words, words[1:]))
        else:
            followed = set(repeated)
            starts = [p for p in repeated if p + 1 in followed]
            keys = [tuple(words[p : p + n]) for p in starts]
        tally = Counter(keys)
        again = list(map((1).__lt__, map(tally.__getitem__, keys)))
        repeated = list(compress(starts, again))
        if n in top_ns:
            if not repeated:  # every n-gram occurs once: Counter.most_common returns the first
                top[n] = c[n] - c[0] + n - 1
            else:
                best = max(tally.values())
                # Counter.most_common keeps the first-inserted among equal counts: the earliest first occurrence
                first = next(k for k, v in tally.items() if v == best)
                pos = starts[keys.index(first)]
                top[n] = best * (c[pos + n] - c[pos] + n - 1)
        if n in dup_ns:
            sizes = [c[p + n] - c[p] for p in repeated]
            dup[n] = _duplicate_chars(n, repeated, compress(keys, again), sizes)
        if not repeated and n >= max(top_ns, default=0):  # no repeated n-gram: none longer either
            dup.update({k: 0 for k in dup_ns if k > n})
            break
    return top, dup


def _duplicate_chars(n: int, repeated: list[int], keys: Iterable[Hashable], sizes: list[int]) -> int:
    """datatrove's scan over the positions of repeated n-grams (`sizes`: their characters): positions
    outside `repeated` hold n-grams that occur once, never a repeat, never looked up."""
    seen: set[Hashable] = set()
    total = idx = 0
    for pos, key, size in zip(repeated, keys, sizes):
        if pos < idx:
            continue
        if key in seen:
            total += size
            idx = pos + n
        else:
            seen.add(key)
    return total


def _by_hashes(words: list[str], top_ns: list[int], dup_ns: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """The statistics on 64-bit n-gram hashes: Python's string hash names each word (equal words, equal ids;
    collisions are negligible next to datatrove's own 64-bit n-gram hashing), n-grams extend it polynomially."""
    n_words = len(words)
    ids = np.fromiter(map(hash, words), dtype=np.int64, count=n_words).view(np.uint64) + np.uint64(1)
    c = np.concatenate(([0], np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=n_words))))
    top: dict[int, int] = {}
    dup: dict[int, int] = {}
    h = ids.copy()
    repeated_at = np.arange(n_words)  # positions whose (n-1)-gram occurs more than once
    with np.errstate(over="ignore"):  # the hashes wrap around 2**64 by design
        for n in range(2, max(top_ns + dup_ns, default=1) + 1):
            m = n_words - n + 1
            if m <= 0:
                top.update({k: 0 for k in top_ns if k >= n})
                dup.update({k: 0 for k in dup_ns if k >= n})
                break
            h = h[:m] * _MULT + ids[n - 1 : n - 1 + m]
            if n == 2:
                candidates = np.arange(m)
            else:
                prev = np.zeros(n_words + 1, dtype=bool)
                prev[repeated_at] = True
                candidates = np.flatnonzero(prev[:m] & prev[1 : m + 1])
            repeated_at, best, best_at = _repeated(candidates, h)
            if n in top_ns:
                if best < 2:  # every n-gram occurs once: Counter.most_common returns the first
                    top[n] = int(c[n] - c[0]) + n - 1
                else:
                    top[n] = best * (int(c[best_at + n] - c[best_at]) + n - 1)
            if n in dup_ns:
                sizes = (c[repeated_at + n] - c[repeated_at]).tolist()
                dup[n] = _duplicate_chars(n, repeated_at.tolist(), h[repeated_at].tolist(), sizes)
            if not len(repeated_at) and n >= max(top_ns, default=0):
                dup.update({k: 0 for k in dup_ns if k > n})
                break
    return top, dup


def _repeated(positions: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, int, int]:
    """(the positions among `positions` whose hash occurs more than once among them, the highest count,
    the first position of the earliest-starting hash with that count)."""
    if not len(positions):
        return positions, 0, 0
    if len(positions) < 256:  # the usual case after n=2: a dict beats numpy's per-call overhead
        keys = h[positions].tolist()
        tally = Counter(keys)
        best = max(tally.values())
        # Counter.most_common keeps the first-inserted among equal counts: the earliest first occurrence
        best_at = int(positions[next(i for i, k in enumerate(keys) if tally[k] == best)])
        return positions[[tally[k] > 1 for k in keys]], best, best_at
    _, first, inverse, counts = np.unique(h[positions], return_index=True, return_inverse=True, return_counts=True)
    best = int(counts.max())
    return positions[counts[inverse] > 1], best, int(positions[first[counts == best].min()])
