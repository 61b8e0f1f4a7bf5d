"""The invisible format characters that dedup keys ignore: exact dedup's content hash and MinHash's words are
computed from the text without them (the stored text keeps them). Owns which characters those are, not the rest
of either key's normalisation (NFKC, case) nor the word rule (`minhash.is_word_char`).

Removed: every default-ignorable code point of category Cf (Unicode's Default_Ignorable_Code_Point and Cf, as the
`regex` module's tables give them): soft hyphen U+00AD, zero-width space U+200B, word joiner U+2060 and the
invisible operators U+2061-2064, BOM/zero-width no-break space U+FEFF, the bidirectional marks and embeddings
(U+061C, U+200E/F, U+202A-202E, U+2066-206F), U+180E, shorthand format controls U+1BCA0-1BCA3, musical
format controls U+1D173-1D17A and the tag characters U+E0001, U+E0020-E007F. CMSs insert the first ones for
hyphenation and line breaking, so two copies of a page differ by them alone.

Kept: zero-width non-joiner and joiner (U+200C/D). They choose a word's written form in Persian, Indic scripts
(Malayalam chillus, Devanagari half forms) and emoji sequences, so a text with them is not always the text
without them. UTS #46 draws the same line for comparing host names: it maps U+00AD, U+200B, U+2060 and U+FEFF to
nothing and keeps U+200C/D (IDNA2008 allows them in joining contexts only, RFC 5892 CONTEXTJ). datatrove's
`simplify_text` (FineWeb's MinHash normalisation) removes none of these characters.
"""

from __future__ import annotations

from typing import Final

import regex

# found fast (`regex` checks its own property table; 16 us per 6 KB of text, a third of the V1 set expression
# below), then narrowed to what is removed only where one occurs: most texts hold none
_CANDIDATES: Final = regex.compile(r"\p{Default_Ignorable_Code_Point}+")
_REMOVED: Final = regex.compile(r"[[\p{Default_Ignorable_Code_Point}&&\p{Cf}]--[\u200c\u200d]]", regex.V1)


def without_invisible(text: str) -> str:
    """`text` without the invisible format characters dedup ignores (the module's docstring says which)."""
    if text.isascii():  # constant time on a str: the common case costs nothing
        return text
    return _CANDIDATES.sub(lambda m: _REMOVED.sub("", m.group()), text)
