"""The text PDFium gives for a page, made plain text: its marks of line-end hyphens resolved, the control
characters of glyphs without a Unicode mapping removed, and running heads and page numbers that repeat on most pages
left out. Owns no PDF reading (`pdf.py` does that).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

# PDFium's get_text_range() replaces a hyphen that ends a line between two letters with U+FFFE (a non-character)
# and drops the line break after it: "ausrei\ufffechende", "day-to\ufffeday". Which of the two it was is for us
# to decide. (pypdfium2 5 / PDFium 159; a line break after the mark is dropped too, should a build keep it.)
HYPHEN_MARK: Final = "\ufffe"
_MARK = re.compile("\ufffe(?:\r?\n)?")
# C0 controls other than tab, line feed and form feed (a page's own separator), and DEL: PDFium's text for glyphs
# whose font maps no Unicode (U+0001, U+0010, U+0011 in a TeX-made PDF of /usr/share/doc)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0d-\x1f\x7f]")
_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?«»„“”‘’"


def without_controls(text: str) -> str:
    """`text` less its C0 control characters but tab, line feed and form feed (carriage returns included: the
    caller has made line ends `\\n`)."""
    return _CONTROLS.sub("", text)


def rejoin_line_hyphens(text: str) -> str:
    """`text` with each of PDFium's line-end hyphen marks made either nothing (a word hyphenated at the line end:
    `ausrei|chende` → `ausreichende`) or a hyphen (`EU-|Kommission`, `day-to-|day`, and `non-|existing` when the
    document writes `non-existing` elsewhere and never `nonexisting`). The hyphen is kept
    when the part after it starts with a capital or is no letter, when either part holds a hyphen already
    (`day-to-|day`), or when the document holds the hyphenated form and not the joined one; otherwise the word is
    joined, which is what a hyphen at a line end between two lowercase letters is in most typeset text."""
    if HYPHEN_MARK not in text:
        return text
    words: set[str] = set()
    hyphenated: set[str] = set()
    for token in text.split():
        if HYPHEN_MARK in token:
            continue
        token = token.strip(_EDGE_PUNCTUATION).casefold()
        words.add(token)
        if "-" in token:
            hyphenated.add(token)

    def hyphen(left: str, right: str) -> str:
        if not left[-1:].isalpha() or not right[:1].isalpha() or right[:1].isupper() or "-" in left + right:
            return "-"  # `EU-|Kommission`, `--show-leak-|kinds`, `side-|by-side`
        with_hyphen = f"{left}-{right}".strip(_EDGE_PUNCTUATION).casefold()
        joined = f"{left}{right}".strip(_EDGE_PUNCTUATION).casefold()
        return "-" if with_hyphen in hyphenated and joined not in words else ""

    pieces = _MARK.split(text)
    out, left = [pieces[0]], _last_token(pieces[0])
    for piece in pieces[1:]:
        right = piece.split(None, 1)[0] if piece[:1] and not piece[0].isspace() else ""
        sep = hyphen(left, right)
        out += [sep, piece]
        left = _last_token(piece) if piece != right else left + sep + piece  # a word over three lines
    return "".join(out)


def _last_token(text: str) -> str:
    return text.rsplit(None, 1)[-1] if text[-1:] and not text[-1].isspace() else ""


RUNNING_LINES_STAT: Final = "pdf_running_lines_removed"
_EDGE_LINES = 3  # lines at the top and at the bottom of a page where running heads and page numbers stand
_MIN_PAGES = 3
_DIGITS = re.compile(r"\d+")


def without_running_lines(pages: list[str]) -> tuple[list[str], int]:
    """`pages` less the lines that stand among the first or last three lines of more than half of the pages of a
    document of three pages or more, digits aside (`L 119/3`, `Page 3 of 9`, a bare page number), and how many lines
    that removed. A line is removed only where it stands at a page's edge: the same words in a page's body stay."""
    if len(pages) < _MIN_PAGES:
        return pages, 0
    split = [page.split("\n") for page in pages]
    edges: list[set[int]] = []
    seen_on: Counter[str] = Counter()
    for lines in split:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edge = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
        edges.append(edge)
        seen_on.update({_running_key(lines[i]) for i in edge})
    running = {key for key, n in seen_on.items() if n > len(pages) / 2}
    if not running:
        return pages, 0
    removed, out = 0, []
    for lines, edge in zip(split, edges):
        kept = [line for i, line in enumerate(lines) if i not in edge or _running_key(line) not in running]
        removed += len(lines) - len(kept)
        out.append("\n".join(kept).strip("\n"))
    return out, removed


def _running_key(line: str) -> str:
    return _DIGITS.sub("0", " ".join(line.split())).casefold()
