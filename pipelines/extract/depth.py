"""How deep a page's elements nest, estimated from its markup before any parser sees it.

lexbor (and trafilatura's tree passes) spend time in the square of the nesting depth: 100,000 nested
`<div>`s take minutes to parse. This linear scan of the tags bounds that: a page nested deeper than the
extractor's `max_depth` is dropped unparsed. It follows the HTML parser's rules only as far as depth
needs (void elements, raw-text elements outside `<svg>`/`<math>`, comments with their abrupt forms, a `<p>` or list
item closed by the next block);
it reads no text and owns no decision beyond the number.
"""

from __future__ import annotations

import re
from typing import Final

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

_NAME_END = r"(?![A-Za-z0-9-])"  # a tag name runs on over letters, digits and hyphens
# Every tag in one C pass: an opening or end tag comes out as its name (`div`, `/div`); what holds no markup
# comes out empty: a comment (to its end, else to the end of the page) and a raw-text element with its content
# (to an end tag of its name in any case), whose opening tag neither opens nor closes anything.
# A comment ends at `-->` or `--!>`; `<!-->` and `<!--->` are whole, empty comments (the parser's "abrupt closing of
# empty comment"): read as opening a comment to the end of the page, they hid everything after them from the scan.
_COMMENT: Final = r"!--(?:-?>|[^-]*(?:-(?!-!?>)[^-]*)*(?:--!?>)?)"
_TAG: Final = r"|(/?[A-Za-z][A-Za-z0-9-]*))"
_TAGS = re.compile(
    "<(?:"
    + _COMMENT
    + "".join(
        rf"|(?a:(?i:{name})){_NAME_END}[^<]*(?:<(?!/(?i:{name}))[^<]*)*"
        for name in sorted(_RAW_TEXT, key=len, reverse=True)
    )
    + _TAG
)
# Inside `<svg>` and `<math>` (foreign content) the parser reads `title`, `style`, `script`... as markup, not raw
# text, and an HTML tag such as `<div>` breaks out of them: a page with either is scanned with no raw-text element,
# so that `<svg><title>` cannot hide nesting (a script's text may then count a little deeper: never less).
_TAGS_FOREIGN = re.compile("<(?:" + _COMMENT + _TAG)
_FOREIGN = re.compile(r"<(?:svg|math)(?![A-Za-z0-9-])", re.IGNORECASE)


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
    deepest = 0
    # the tags found in one C pass, then a Python step per tag (a `search` per tag took twice as long)
    for tag in (_TAGS_FOREIGN if _FOREIGN.search(html) else _TAGS).findall(html):
        if not tag:
            continue
        tag = tag.lower()
        if tag[0] == "/":  # end tag: close up to the innermost open element of that name
            name = tag[1:]
            if stack and stack[-1] == name:
                stack.pop()
                continue
            for i in range(len(stack) - 2, max(-1, len(stack) - 1 - _CLOSE_SEARCH), -1):
                if stack[i] == name:
                    del stack[i:]
                    break
            continue
        if tag in _VOID:
            continue
        if stack and ((tag in _SELF_CLOSING_SIBLINGS and stack[-1] == tag) or (stack[-1] == "p" and tag in _CLOSES_P)):
            stack.pop()
        stack.append(tag)
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limit:
                return limit + 1
    return deepest
