"""Fixtures for dedup tests: seeded synthetic texts with a known duplicate structure, built in code."""

from __future__ import annotations

import numpy as np
import pytest


def random_words(rng: np.random.Generator, n: int, vocab: int = 50_000) -> list[str]:
    return [f"w{x}" for x in rng.integers(0, vocab, size=n)]


def replace_words(rng: np.random.Generator, words: list[str], fraction: float) -> list[str]:
    """A near copy: `fraction` of the positions get a word from outside the base vocabulary."""
    out = list(words)
    for i in rng.choice(len(words), size=max(1, round(fraction * len(words))), replace=False):
        out[i] = f"x{rng.integers(0, 1 << 30)}"
    return out


def pair_with_jaccard(rng: np.random.Generator, target: float, n: int = 400) -> tuple[str, str]:
    """Two texts whose word 5-gram sets have roughly the given Jaccard similarity (shared prefix, own tails)."""
    shared = int(round(n * 2 * target / (1 + target)))
    common = random_words(rng, shared)
    a = common + random_words(rng, n - shared)
    b = common + [f"y{x}" for x in rng.integers(0, 1 << 30, size=n - shared)]
    return " ".join(a), " ".join(b)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261125)
