"""Fixtures for dedup tests: seeded synthetic texts with a known duplicate structure, built in code."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pytest
from datatrove.data import Document

from eurocurate.dedup.minhash import normalise

if TYPE_CHECKING:
    from eurocurate.registry import StageParts


def run_barrier_stage(
    parts: StageParts, shards: list[list[Document]], barrier_input: str, tasks_reversed: bool = False
) -> list[Document]:
    """A dedup stage as the runner drives it: map steps per rank (they drop nothing), every barrier task
    (`tasks_reversed`: task 0 last), then the steps after the barrier on fresh copies; the kept documents."""
    for rank, docs in enumerate(shards):
        data = iter(docs)
        for step in parts.map_steps:
            data = step.run(data, rank, len(shards))
        assert len(list(data)) == len(docs)
    tasks = range(parts.barrier.tasks)
    for task in reversed(tasks) if tasks_reversed else tasks:
        for step in parts.barrier.build(barrier_input):
            list(step.run(None, task, parts.barrier.tasks) or [])
    kept = []
    for rank, docs in enumerate(shards):
        data = iter([Document(text=d.text, id=d.id, metadata=dict(d.metadata)) for d in docs])
        for step in parts.after_barrier:
            data = step.run(data, rank, len(shards))
        kept += list(data)
    return kept


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal bins of two signatures: an unbiased estimate of the Jaccard similarity."""
    return float(np.mean(a == b))


def ngram_set(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """The exact word n-gram set of `text` as the signatures see it (the slow reference)."""
    words = re.findall(r"[\w\u0300-\u036f]+", normalise(text))
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


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
