"""Text of the elements trafilatura keeps, read block by block from a lexbor tree.

Owns reading, as trafilatura's `handle_*` functions and its txt output do it: paragraphs with the text
that follows them, headings, lists as `- ` lines, tables as `| a | b |` rows, quotes and code, the
text after line breaks, divs with text of their own on pages with few paragraphs, and the check for
repeated blocks; the walk over a content container and the stray-block walk over a whole page. It
decides nothing about boilerplate (`extract.boilerplate` prunes before anything is read).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from typing import Final

from selectolax.lexbor import LexborNode

from eurocurate.text import collapsed

# Tags whose text trafilatura merges into the surrounding text by the time it reads: formatting it
# strips, its MANUALLY_STRIPPED list, and span and links once the link-density tests ran.
INLINE: Final = frozenset(
    "a span em i b strong u kbd samp tt var sub sup del s strike abbr acronym address bdi bdo big cite "
    "data dfn font hgroup img ins mark meta nobr ruby small template wbr".split()
)
HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "summary"})
LISTS: Final = frozenset({"ul", "ol", "dl"})
_QUOTES: Final = frozenset({"blockquote", "q", "pre", "code"})
_LINE_BREAKS: Final = frozenset({"br", "hr"})
_DIV_LIKE: Final = frozenset({"div", "details", "form"})
# Social-button words trafilatura drops when they are a block of their own (utils.RE_FILTER).
_SOCIAL_LINE: Final = re.compile(
    r"\W*(Drucken|E-?Mail|Facebook|Flipboard|Google|Instagram|Linkedin|Mail|PDF|Pinterest|Pocket|Print|QQ"
    r"|Reddit|Twitter|WeChat|WeiBo|Whatsapp|Xing|Mehr zum Thema:?|More on this.{,8}$)$",
    re.IGNORECASE,
)
# trafilatura drops a block that repeats the one before it, or (stray blocks) text it already has,
# when longer than this (settings.MIN_DUPLICATE_LENGTH).
_MIN_DUPLICATE: Final = 50


# A block read: its output text, its text as trafilatura compares blocks (no list or table markup),
# and whether it is a heading (trafilatura removes the headings that end a container).
_Block = tuple[str, str, bool]


def read_container(container: LexborNode, div_mode: bool, consumed: list[LexborNode]) -> list[str]:
    """The blocks of a pruned container, in order. `div_mode` (the page has little paragraph text):
    divs with text of their own count as paragraphs. Elements read are appended to `consumed`."""
    blocks: list[_Block] = []
    lead = trim(leading_text(container))
    _walk(container, blocks, div_mode, consumed)
    while blocks and blocks[-1][2]:  # a heading that ends the container announces what was cut
        blocks.pop()
    out: list[str] = []
    previous = None
    for text, key, _ in blocks:
        if key == previous and len(key) > _MIN_DUPLICATE:
            continue
        out.append(text)
        previous = key
    if len(out) > 1 and _keep(lead):
        out.insert(0, lead)
    return out


def read_stray_blocks(page: LexborNode, blocks: list[str]) -> list[str]:
    """`blocks` followed by the paragraphs, tables, quotes and code of the whole pruned page that they
    do not hold yet (trafilatura's `recover_wild_text` in precision mode)."""
    found: list[_Block] = []
    _walk_stray(page, found)
    keys = [trim(b) for b in blocks]
    seen, existing = set(keys), "\n".join(keys)
    out = list(blocks)
    for text, key, _ in found:
        if key in seen or (len(key) > _MIN_DUPLICATE and key in existing):
            continue
        out.append(text)
        seen.add(key)
        existing += "\n" + key
    return out


def finish_text(text: str) -> str:
    """What trafilatura does to its output: drop what Python does not print (soft hyphens, zero-width
    spaces) and compose Unicode (NFC)."""
    if not text.replace("\n", "").isprintable():
        text = "".join(c for c in text if c.isprintable() or c == "\n")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _walk(node: LexborNode, blocks: list[_Block], div_mode: bool, consumed: list[LexborNode]) -> None:
    for child in node.iter():
        tag = child.tag
        if tag == "p":
            _add(blocks, _block_text(child))
        elif tag in HEADINGS:
            # the text after a heading goes with it when the heading ends the container
            text, tail = trim(child.text()), trim(text_after(child))
            if _keep(text):
                both = f"{text}\n{tail}" if _keep(tail) else text
                blocks.append((both, trim(both), True))
            else:
                _add(blocks, tail)
            consumed.append(child)
            continue
        elif tag in LISTS:
            _add_lines(blocks, _list_lines(child))
        elif tag in _QUOTES:
            _add(blocks, _quote_text(child))
        elif tag == "table" and not is_layout_table(child):
            _add_tables(blocks, child)
        elif tag not in _LINE_BREAKS and not (tag in _DIV_LIKE and div_mode and _div_block(child, blocks)):
            _walk(child, blocks, div_mode, consumed)
            continue
        consumed.append(child)
        # the text that follows a block (its tail) is a paragraph of its own
        _add(blocks, trim(text_after(child)))


def _walk_stray(node: LexborNode, found: list[_Block]) -> None:
    for child in node.iter():
        tag = child.tag
        if tag == "p":
            text = _block_text(child)
            if _keep(text):
                tail = trim(text_after(child))  # a paragraph keeps the text that follows it
                found.append((f"{text}\n{tail}" if _keep(tail) else text, text, False))
        elif tag in _QUOTES or (tag == "div" and "w3-code" in (child.attributes.get("class") or "")):
            _add(found, _quote_text(child))
        elif tag == "table" and not is_layout_table(child):
            _add_tables(found, child)
        else:
            _walk_stray(child, found)


def _add(blocks: list[_Block], text: str) -> None:
    if _keep(text):
        blocks.append((text, trim(text), False))


def _add_lines(blocks: list[_Block], lines: list[tuple[str, str]]) -> None:
    """A list or a table: one block of lines, compared by its bare text."""
    if lines:
        blocks.append(("\n".join(t for t, _ in lines), trim("".join(k for _, k in lines)), False))


def _add_tables(blocks: list[_Block], table: LexborNode) -> None:
    """A table, then the tables nested in it (trafilatura reads those separately)."""
    _add_lines(blocks, _table_lines(table))
    for nested in inside(table, "table"):
        _add_lines(blocks, _table_lines(nested))


def _div_block(div: LexborNode, blocks: list[_Block]) -> bool:
    """A div with text of its own is one paragraph, children and all."""
    if has_element_child(div):
        if not trim(leading_text(div)):
            return False
        text = trim("".join(_texts_outside(div, ())))
    else:  # an empty div takes the text after it
        text = trim(div.text()) or trim(text_after(div))
    if _keep(text):
        _add(blocks, text)
        return True
    return False


def _list_lines(lst: LexborNode) -> list[tuple[str, str]]:
    lines = []
    lead = trim(leading_text(lst))
    if lead:
        lines.append((f"- {lead}", lead))
    for item in lst.css("li,dd,dt"):
        nested = not _only_text(item) and item.css_first("ul,ol,dl") is not None  # a nested list: lines of its own
        text = trim("".join(_texts_outside(item, LISTS))) if nested else _block_text(item)
        if _keep(text):
            lines.append((f"- {text}", text))
    return lines


def _table_lines(table: LexborNode) -> list[tuple[str, str]]:
    lines = []
    for caption in table.iter():
        if caption.tag == "caption" and (text := trim(caption.text())):
            lines.append((text, text))
    own = table.mem_id
    skip = LISTS | {"table"}  # lists in cells are noise in precision mode; nested tables come on their own
    for row in table.css("tr"):
        if _owner_table(row) != own:
            continue
        cells = [trim("".join(_texts_outside(c, skip))) for c in row.iter() if c.tag in ("td", "th")]
        if any(cells):
            lines.append(("| " + " | ".join(cells) + " |", "".join(cells)))
    return lines


def _owner_table(node: LexborNode) -> int | None:
    parent = node.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent.mem_id if parent is not None else None


def _quote_text(node: LexborNode) -> str:
    """Quotes read like paragraphs; code keeps its lines."""
    if node.tag in ("pre", "code", "div"):
        return "\n".join(line.rstrip() for line in node.text().strip("\n").splitlines() if line.strip())
    return _block_text(node)


def _block_text(node: LexborNode) -> str:
    """Text of a paragraph-like block, with its line breaks."""
    if _only_text(node) or node.css_first("br") is None:  # a block of text alone needs no query for breaks
        return trim(node.text())
    lines = [""]
    for n in node.traverse(include_text=True):
        if n.tag == "-text":
            lines[-1] += n.text_content or ""
        elif n.tag == "br":
            lines.append("")
    return "\n".join(t for t in map(trim, lines) if t)


def _only_text(node: LexborNode) -> bool:
    """Whether the element's children are all text (then no line break is inside it)."""
    child = node.first_child
    while child is not None:
        if child.tag != "-text":
            return False
        child = child.next
    return True


def _texts_outside(node: LexborNode, skip: Collection[str]) -> list[str]:
    """Text of `node`'s subtree without the subtrees of tags in `skip`."""
    parts = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif child.tag != "-comment" and child.tag not in skip:
            parts.extend(_texts_outside(child, skip))
            if child.tag not in INLINE:  # a block boundary separates words
                parts.append(" ")
    return parts


def _keep(text: str) -> bool:
    return bool(text) and not _SOCIAL_LINE.match(text)


# --- tree helpers shared with extract.boilerplate, extract.rules and extract.region ----------------


def trim(text: str | None) -> str:
    """Whitespace collapsed to single spaces, as trafilatura's `trim`. A long text is collapsed a slice at a time
    (`eurocurate.text.collapsed`): a list of all its words held 444 MB for a 41 MB paragraph's 7 million, and
    `re.sub` as much (it too joins a list of the pieces)."""
    return collapsed(text) if text else ""


def leading_text(node: LexborNode) -> str:
    """The element's text before its first child element trafilatura keeps (lxml's `.text`, once
    trafilatura has unwrapped the inline elements: a block inside one ends it too)."""
    parts: list[str] = []
    _run_into(node.first_child, parts)
    return "".join(parts)


def text_after(node: LexborNode) -> str:
    """The text after the element up to the next element trafilatura keeps (lxml's `.tail`), which runs
    on past the end of unwrapped inline parents."""
    parts: list[str] = []
    while _run_into(node.next, parts):
        parent = node.parent
        if parent is None or parent.tag not in INLINE:
            break
        node = parent
    return "".join(parts)


def _run_into(node: LexborNode | None, parts: list[str]) -> bool:
    """Append the run's text; False once an element that ends the run is reached."""
    while node is not None:
        tag = node.tag
        if tag == "-text":
            parts.append(node.text_content or "")
        elif tag in INLINE:
            if not _run_into(node.first_child, parts):
                return False
        elif tag != "-comment":
            return False
        node = node.next
    return True


def exceeds(lengths: Iterable[int], limit: float) -> bool:
    """Whether the lengths add up to more than `limit`, reading no more of them than that takes (a page's link or
    paragraph text measured only until a threshold is passed). The lengths are not negative: once past, always past."""
    total = 0
    for length in lengths:
        total += length
        if total > limit:
            return True
    return total > limit  # none, and a negative limit: 0 is more


def inside(container: LexborNode, selector: str) -> list[LexborNode]:
    """Matches below `container` in document order, each once (as `:is()`: a plain selector list
    returns a node once per part it matches; and lexbor's css() tests the node itself too)."""
    nodes = container.css(f":is({selector})")
    if nodes and nodes[0].mem_id == container.mem_id:
        del nodes[0]
    return nodes


def has_element_child(node: LexborNode) -> bool:
    return any(True for _ in node.iter())


def is_layout_table(table: LexborNode) -> bool:
    """ARIA layout tables, which trafilatura reads as divs."""
    return (table.attributes.get("role") or "") in ("presentation", "none")
