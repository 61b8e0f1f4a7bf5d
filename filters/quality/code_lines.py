"""Which lines of a text are program code (a Basic listing, a Python or shell session), not prose.

FineWeb's line-punctuation ratio and Gopher's bullet/ellipsis line shares ask whether a page's lines look
like sentences; a code line is neither a sentence nor a menu item, so those rules read only the other lines
(`TextSignals.prose_lines`, docs/quality.md). The test is by syntax and knows no natural language: it does
not decide whether a page is good, only which lines the line-shape rules should not count.
"""

from __future__ import annotations

import re
from operator import itemgetter

# Tokens that are syntax of a program: an operator or statement punctuation, an identifier of the shapes
# prose does not use (camelCase, snake_case, a name with a digit, a dotted path, a call), a sigil (`#iVar`,
# `$HOME`, `error$`) or a keyword of Basic, Python, C-like languages and shells. Table cells (`|`), dashes
# and prose in parentheses (`(Charts)`) are not code.
_OPERATOR = re.compile(r"^(?:[=+*/%<>!&^~:]?=|[+*/%<>]|&&|\|\||->|=>|::|<<|>>|\+\+|--|\{|\}|;|\(\)|\)|\()$")
_CODE_CHARS = re.compile(r"[{};=<>\\$]|[\w)\]]\(|[)\]]\.|\[\w|\w\[|\w\||\|\w|^#\w|^@\w")
_IDENTIFIER = re.compile(
    r"^[(\[\"']?(?:[a-z]+[A-Z]\w*|[A-Z][a-z]+[A-Z]\w*|[A-Za-z]+_\w+|_\w+|[A-Za-z]+\d+\w*|[A-Za-z_]\w*\.[A-Za-z_]\w*(?:\.\w+)*)"
    r"[)\]\"',:]*$"
)
_KEYWORDS = frozenset(
    # Basic
    "Sub Function Dim ReDim Const Static As Integer Long String Boolean Variant Double Object Then ElseIf EndIf "
    "Next Wend Loop GoTo Goto Resume MsgBox Print Exit End Rem "
    # Python, C-like, shells
    "def elif lambda None True False self import return int void var let const function null nil echo sudo".split()
)
# A line comment starting the line: Basic (' text, REM text), C-like (// text), Python/shell (# text)
_COMMENT = re.compile(r"^\s*(?:'\s|REM\s|//|#\s|#!|/\*|\*/)")
# A trailing comment of a statement (`x = 1 ' set x`, `y = 2  # note`): only the code before it is judged
_TRAILING_COMMENT = re.compile(r"\s(?:'|//|#)\s.*$")
# An interactive prompt: shell ($ / % / # at a prompt), Python (>>>), Windows (C:\>, PS C:\>)
_PROMPT = re.compile(r"^\s*(?:[$%]\s+\S|>>>\s|\.\.\.\s{2,}|[A-Z]:\\[^ ]*>|PS\s+[A-Z]:\\)")
_COMMENT_OR_PROMPT = re.compile(f"{_COMMENT.pattern}|{_PROMPT.pattern}")  # one call a line, not two
_WORDLIKE = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[.!?]$")
# A plain word (letters, no inner capital, no digit; a hyphen between letters) that is not a keyword: never
# a code token. Possessive quantifiers: what follows each part can never be what it gave back (a letter run is
# followed by a hyphen, a closing mark or a space), so a failing token fails at once (10% of the time).
_PLAIN_WORD = re.compile(
    r"(?<!\S)(?!(?:" + "|".join(sorted(_KEYWORDS, key=len, reverse=True)) + r")(?!\S))"
    r"[(\"'«„“‘]?+[^\W\d_][^\W\d_A-Z]*+(?:-[^\W\d_][^\W\d_A-Z]*+)*+[.,:!?\"'»”’]*+(?!\S)"
)
# Keywords that `certainly_plain` would count: letters only, no capital after the first
_PLAIN_SHAPED_KEYWORDS = frozenset(k for k in _KEYWORDS if k.isalpha() and k[1:].islower())
_TAIL = itemgetter(slice(1, None))
# Share of a line's counted tokens that must be code for the line to be code.
CODE_TOKEN_SHARE = 0.5


def certainly_plain(words: list[str]) -> int:
    """How many of `words` are letters only with no capital after the first and not a keyword: plain words
    by `_PLAIN_WORD`'s definition (a letter, then letters that are not A-Z), counted by C-level passes."""
    shaped = sum(map(str.islower, map(_TAIL, filter(str.isalpha, words))))
    return shaped - sum(map(_PLAIN_SHAPED_KEYWORDS.__contains__, words))


def _token_is_syntax(token: str) -> bool:
    """An operator, statement punctuation, a call or a sigil: what prose does not write."""
    return bool(_OPERATOR.match(token)) or bool(_CODE_CHARS.search(token))


def _token_is_code(token: str) -> bool:
    """Syntax, or a keyword or code-shaped identifier (which a heading may also hold: `LibreOffice`, `Print`)."""
    return token in _KEYWORDS or _token_is_syntax(token) or bool(_IDENTIFIER.match(token))


def is_code_line(line: str) -> bool:
    """True when `line` reads as a statement of a program rather than a sentence or a label: it opens
    with a line comment or an interactive prompt, or at least half of its tokens (numbers, dashes and
    table bars not counted) are operators, code-shaped identifiers, calls or keywords — two of them, or
    one that is syntax."""
    if _COMMENT_OR_PROMPT.match(line):
        return True
    statement = _TRAILING_COMMENT.sub("", line).strip() if ("'" in line or "#" in line or "//" in line) else line
    words = statement.split()
    # fast path, same verdict: plain words are never code tokens, so when they are more than half of all
    # tokens the line is prose without judging token by token; the words `certainly_plain` counts are plain
    # words too, and count at a third of the pattern's cost (they settle 44,489 of the dev corpus's 68,583 lines)
    if 2 * certainly_plain(words) > len(words) or 2 * len(_PLAIN_WORD.findall(statement)) > len(words):
        return False
    tokens = [t for t in words if t != "|" and (_WORDLIKE.search(t) or _token_is_code(t))]
    if not tokens:
        return False
    code = sum(_token_is_code(t) for t in tokens)
    share = code / len(tokens)
    # a sentence end is evidence of prose ("=FACT(3) returns 6."): such a line needs more than half
    if share < CODE_TOKEN_SHARE or (share == CODE_TOKEN_SHARE and _SENTENCE_END.search(statement)):
        return False
    # one keyword or identifier in a short line is a heading ("Choose LibreOffice"); syntax is not
    return code >= 2 or len(tokens) == 1 or any(map(_token_is_syntax, tokens))
