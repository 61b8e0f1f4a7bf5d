"""Whitespace collapsed as `" ".join(text.split())` does, on a text of any length: the extractor's `trim` and exact
dedup's content hash both need it on single rows of tens of millions of characters, where `split` makes a Python
string per word (a 41 MB paragraph: 444 MB of them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

SLICE: Final = 1 << 20  # characters split at once: a slice's words are the only per-word strings alive


def collapsed_parts(text: str, size: int = SLICE) -> Iterator[str]:
    """`" ".join(text.split())` in consecutive parts, each from a slice of at most `size` characters: a word a
    slice boundary cuts is joined again (no space is put between its halves)."""
    if len(text) <= size:
        yield " ".join(text.split())
        return
    started = space = False  # a word was given; whitespace came after the last one
    for lo in range(0, len(text), size):
        part = text[lo : lo + size]
        words = part.split()
        if words:
            if started and (space or part[0].isspace()):
                yield " "
            yield " ".join(words)
            started, space = True, part[-1].isspace()
        elif part:
            space = True


def collapsed(text: str, size: int = SLICE) -> str:
    """`" ".join(text.split())`, holding the words of one slice of `size` characters at a time."""
    if len(text) <= size:  # the common case, on the extractor's hot path: no generator
        return " ".join(text.split())
    return "".join(collapsed_parts(text, size))
