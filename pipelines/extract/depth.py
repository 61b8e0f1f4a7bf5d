"""How deep a page's elements nest, estimated from its markup before any parser sees it.

lexbor (and trafilatura's tree passes) spend time in the square of the nesting depth: 100,000 nested
`<div>`s take minutes to parse. This linear scan of the tags bounds that: a page nested deeper than the
extractor's `max_depth` is dropped unparsed. It follows the HTML parser's rules only as far as depth
needs (void elements, raw-text elements, comments, a `<p>` or list item closed by the next block);
it reads no text and owns no decision beyond the number.
"""

from __future__ import annotations

import re
from typing import Final

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)|<!--")
_VOID: Final = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen basefont bgsound frame".split()
)
_RAW_TEXT: Final = frozenset("script style textarea title xmp noembed noframes plaintext iframe".split())
# Elements closed by an opening tag of the same kind, or (a `p`) by the next block: never nested by the parser.
_SELF_CLOSING_SIBLINGS: Final = frozenset("p li dt dd option optgroup tr td th rb rt rp".split())
_CLOSES_P: Final = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 "
    "h6 header hgroup hr main menu nav ol p pre section table ul li dd dt".split()
)
_CLOSE_SEARCH = 32  # an end tag matches one of the innermost open elements, else it is ignored


def deeper_than(html: str, limit: int) -> bool:
    """True when the page's elements nest deeper than `limit` (`nesting_depth` above it).

    Every open element is a `<` that starts neither an end tag (`</`) nor a comment or doctype (`<!`), so a
    page with at most `limit` of those cannot nest deeper and is not scanned: nine pages in ten of the dev
    corpus (counting is a C loop; the scan, a Python step per tag, was 15% of extraction's CPU)."""
    opened = html.count("<")
    if opened <= limit or opened - html.count("</") - html.count("<!") <= limit:
        return False
    return nesting_depth(html, limit) > limit


def nesting_depth(html: str, limit: int) -> int:
    """The estimated depth of the page's element tree; stops at `limit + 1` (too deep is all that matters)."""
    stack: list[str] = []
    deepest = pos = 0
    search = _TAG.search
    while (m := search(html, pos)) is not None:
        pos = m.end()
        name = m.group(2)
        if name is None:  # a comment: its content is no markup
            end = html.find("-->", pos)
            pos = len(html) if end < 0 else end + 3
            continue
        name = name.lower()
        if m.group(1):  # end tag: close up to the innermost open element of that name
            for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _CLOSE_SEARCH), -1):
                if stack[i] == name:
                    del stack[i:]
                    break
            continue
        if name in _VOID:
            continue
        if stack and (
            (name in _SELF_CLOSING_SIBLINGS and stack[-1] == name) or (stack[-1] == "p" and name in _CLOSES_P)
        ):
            stack.pop()
        if name in _RAW_TEXT:
            end = re.compile(f"</{name}", re.IGNORECASE).search(html, pos)  # re caches the compiled pattern
            pos = len(html) if end is None else end.start()
            continue
        stack.append(name)
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limit:
                return limit + 1
    return deepest
