"""What a Word `w:sym` character means: the Unicode character of a code point in a symbol font.

Word stores a symbol-font character in the private-use range U+F000-U+F0FF (its byte in the font); only the
Symbol font has a standard meaning for those bytes (Adobe's Symbol encoding). Other symbol fonts (Wingdings,
Webdings) have none, so their characters are left out; a character outside that range is the character itself.
"""

from __future__ import annotations

from typing import Final


def _symbol_encoding() -> dict[int, str]:
    """Adobe Symbol encoding (unicode.org VENDORS/ADOBE/symbol.txt) for the bytes that map to one Unicode character;
    the pieces of large brackets and arrows (0x60, 0xBD, 0xBE, 0xE6-0xEF, 0xF3-0xFE) have no character of their own."""
    table = {ord(c): c for c in " !#%&(),./0123456789:;<=>?[]_{|}"}
    table.update({0x22: "∀", 0x24: "∃", 0x27: "∋", 0x2A: "∗", 0x2D: "−", 0x40: "≅", 0x5C: "∴", 0x5E: "⊥", 0x7E: "∼"})
    table.update(zip(range(0x41, 0x5B), "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ", strict=True))
    table.update(zip(range(0x61, 0x7B), "αβχδεφγηιϕκλμνοπθρστυϖωξψζ", strict=True))
    table.update(zip(range(0xA1, 0xBD), "ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…", strict=True))
    table.update(zip(range(0xBF, 0xE6), "↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓◊〈®©™∑", strict=True))
    table.update({0xF1: "〉", 0xF2: "∫"})
    return table


_BY_FONT: Final = {"symbol": _symbol_encoding()}
_PRIVATE_FONT_RANGE: Final = range(0xF000, 0xF100)


def symbol_text(font: str | None, char: str | None) -> str:
    """The text of `<w:sym w:font=.. w:char=..>`: "" when the character has no standard meaning."""
    try:
        code = int(char or "", 16)
    except ValueError:
        return ""
    if code in _PRIVATE_FONT_RANGE or code < 0x100 and (font or "").strip().lower() in _BY_FONT:
        return _BY_FONT.get((font or "").strip().lower(), {}).get(code & 0xFF, "")
    if 0xE000 <= code <= 0xF8FF or not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return ""  # private use (a font's own glyph) or not a character
    return chr(code)
