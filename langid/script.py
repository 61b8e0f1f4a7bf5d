"""Which writing system a text is in (Greek, Cyrillic, Latin), counted on its letters.

Owns the script test only; which languages a script allows is in `langid.languages`.
"""

from __future__ import annotations

import re

from eurocurate.langid.languages import CYRILLIC, GREEK, LATIN, NO_SCRIPT

_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_GREEK_OR_CYRILLIC = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f]")


def dominant_script(text: str) -> str:
    """The script of most letters of `text`: `greek`, `cyrillic`, `latin`, or `none` (no such letters)."""
    if text.isascii() or not _GREEK_OR_CYRILLIC.search(text):  # the common cases, without counting
        return LATIN if _LATIN.search(text) else NO_SCRIPT
    counts = {
        LATIN: len(_LATIN.findall(text)),
        GREEK: len(_GREEK.findall(text)),
        CYRILLIC: len(_CYRILLIC.findall(text)),
    }
    script, n = max(counts.items(), key=lambda kv: kv[1])
    return script if n else NO_SCRIPT
