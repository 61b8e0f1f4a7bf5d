"""Code lines: which lines of a page are program code, and what the line-shape rules do with them (FineWeb's
line punctuation, Gopher's bullet/ellipsis shares, C4's curly bracket) — on real listings, shell sessions
and prose, with the per-language configurations the stage ships."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.filters.quality import code_lines as cl
from eurocurate.filters.quality.code_lines import _KEYWORDS, _PLAIN_WORD, certainly_plain, is_code_line
from eurocurate.filters.quality.params import deep_merge, load_language_config
from eurocurate.filters.quality.step import assess_quality
from eurocurate.schema import Reason
from eurocurate.tools.quality_reference import DATATROVE_LINE_RULES, reference_decision, reference_stack

BASIC = """\
Sub ExampleError
On Error Goto ErrorHandler ' set up the error handler
Dim iVar As Integer
Dim sVar As String
    iVar = Freefile
    Open "\\file9879.txt" For Input As #iVar
    Line Input #iVar, sVar
    Close #iVar
    Exit Sub
ErrorHandler:
    MsgBox "Error " & err & ": " & error$ + chr(13) + "at line : " + Erl + chr(13) + Now , 16 ,"An error occurred"
End Sub"""

SHELL = """\
$ python -m venv .venv
$ .venv/bin/pip install eurocurate
>>> import eurocurate
>>> eurocurate.__version__
C:\\> dir /b data
# comment: the corpus folder holds truth.jsonl"""

PYTHON = """\
def plus_one(x):
    return x + 1
result = list(map(plus_one, [1, 2, 3]))
Point = type('Point', (), {'__slots__': ('x', 'y')})"""

# A Finnish help page as LibreOffice ships them: four lines of prose around a Basic example.
FI_HELP = (
    "Erl palauttaa sen rivin numeron, jolla virhe tapahtui ohjelmaa suoritettaessa. Funktiota käytetään "
    "virheenkäsittelyrutiinissa, kun halutaan kertoa käyttäjälle, missä kohdassa ohjelmaa virhe tapahtui.\n"
    "Palautusarvo\n"
    "Integer-tyypin kokonaisluku\n"
    "Erl-funktio palauttaa vain rivinumeron, ei rivitunnusta. Se on myös nolla, jos virhettä ei ole tapahtunut "
    "tai jos ohjelman rivejä ei ole numeroitu, ja sitä voi käyttää vain virheenkäsittelijän sisällä.\n" + BASIC
)

PROSE_LINES = [
    "Erl palauttaa sen rivin numeron, jolla virhe tapahtui ohjelmaa suoritettaessa.",
    "Die Funktion gibt die Zeilennummer zurück, in der während der Programmausführung ein Fehler aufgetreten ist.",
    "Choose Sheet - Insert Rows - Rows Above.",
    "Wybierz Wstaw - Tytuł (Wykresy)",  # a menu path: no punctuation, still not code
    "Integer-tyypin kokonaisluku",
    "Returns the error message that corresponds to a value or raises a given error context.",
    "| Birthday: | Fall 2 |",  # a table row
    "Penny is a villager who lives in Pelican Town and works at the museum (Mondays).",
    "Version 7.4 of LibreOffice was released in 2022.",
    "",
]


@pytest.mark.parametrize("line", [*BASIC.splitlines(), *SHELL.splitlines(), *PYTHON.splitlines()])
def test_lines_of_a_basic_listing_a_shell_session_and_python_are_code(line):
    assert is_code_line(line)


@pytest.mark.parametrize("line", PROSE_LINES)
def test_prose_headings_menus_and_table_rows_are_not_code(line):
    assert not is_code_line(line)


def test_a_help_page_with_a_basic_example_is_judged_on_its_prose_lines():
    cfg = load_language_config("fi", overrides={"fineweb": {"line_punct_thr": 0.25}})  # FineWeb-2's published bound
    result = assess_quality(FI_HELP, "fi", cfg)
    assert result.stats["fineweb.line_punct"] == 0.5  # 2 of the 4 prose lines end a sentence
    assert result.stats["fineweb.code_lines"] > 0.7
    assert result.drop is None
    # every line counted, as datatrove counts them: 2 of 16 lines end in terminal punctuation
    every_line = load_language_config(
        "fi", overrides=deep_merge(DATATROVE_LINE_RULES, {"fineweb": {"line_punct_thr": 0.25}})
    )
    drop = assess_quality(FI_HELP, "fi", every_line).drop
    assert drop.reason == f"{Reason.QUALITY_FINEWEB}.line_punct" and drop.evidence.startswith("fineweb:line_punct=0.1")


def test_prose_without_punctuation_is_still_dropped_by_line_punctuation():
    menu = "\n".join(
        ["Couleur de police", "Interligne : 1", "Exposant", "Indice", "Style de ligne", "Couleur de ligne"] * 4
        + ["Aligner en haut", "Aligner en bas", "Créer un nouveau dossier", "Ouvrir un fichier", "Enregistrer sous"]
    )
    cfg = load_language_config("fr", overrides={"gopher_repetition": {"enabled": False}})
    result = assess_quality(menu, "fr", cfg)
    assert result.stats["fineweb.code_lines"] == 0.0
    assert result.drop.reason == f"{Reason.QUALITY_FINEWEB}.line_punct"


def test_a_page_of_only_code_has_no_sentence_and_fails_line_punctuation():
    off = {"enabled": False}
    cfg = load_language_config("en", overrides={"gopher_repetition": off, "gopher_quality": off, "c4": off})
    result = assess_quality(BASIC, "en", cfg)
    assert result.stats["fineweb.line_punct"] == 0.0
    assert result.drop.reason == f"{Reason.QUALITY_FINEWEB}.line_punct"


def test_line_punctuation_needs_three_lines_to_judge_a_page():
    off = {"enabled": False}
    cfg = load_language_config("sv", overrides={"gopher_repetition": off, "gopher_quality": off})
    heading = "Han värvade landsknektar från hela Europa"
    paragraph = (
        "Han värvade landsknektar från hela Europa, ofta rekryterade bland brottslingar. En stor del av de "
        "följande experimenten förutsätter att man känner till detta. Birgitta Hedvall, ordförande, "
        "hänvisar till vilka elever och lärare är välkomna med extra tänklänk-sidor och lotsblad:"
    )
    two = assess_quality(f"{heading}\n{paragraph}", "sv", cfg)
    assert two.stats["fineweb.line_punct"] == 0.0 and two.stats["fineweb.lines"] == 2 and two.drop is None
    three = assess_quality(f"{heading}\n{paragraph}\n{paragraph}", "sv", cfg)
    assert three.drop.reason == f"{Reason.QUALITY_FINEWEB}.line_punct"


def test_bullet_and_ellipsis_shares_do_not_count_code_lines():
    listing = "\n".join(["Static NombreVar[(inicio To final)] [As TipoVar], ..."] * 3 + ["Declara una variable."] * 7)
    off = {"enabled": False}
    cfg = load_language_config("es", overrides={"gopher_repetition": off, "fineweb": off})
    assert assess_quality(listing, "es", cfg).stats["gopher_quality.ellipsis_lines"] == 0.0
    every_line = load_language_config(
        "es", overrides={"gopher_repetition": off, "fineweb": off, "gopher_quality": {"skip_code_lines": False}}
    )
    assert assess_quality(listing, "es", every_line).stats["gopher_quality.ellipsis_lines"] == 0.3


def test_c4_curly_bracket_in_a_code_sample_keeps_the_post_but_in_prose_drops_it():
    prose = (
        "You might know rubocop as the linter that helps enforce your code styles, but did you know you can use it "
        "to make your code faster? In this post, we will look at static performance analysis.\n"
        "Most performance improvements are made by hotspot analysis. You find some code and a benchmarking tool. "
        "Run the code, find the hotspots and then either speed up those sections or call them less often.\n"
        "Here is an example, instead of writing this code:\n"
    )
    cfg = load_language_config("en", overrides={"gopher_repetition": {"enabled": False}})
    with_code = prose + "array.compact.flatten.map { |x| x.downcase }\nThat allocates three arrays where one will do."
    assert assess_quality(with_code, "en", cfg).drop is None
    in_prose = prose + "Dear {first_name}, thank you for reading our posts about the rubocop linter and its cops."
    assert assess_quality(in_prose, "en", cfg).drop.reason == f"{Reason.QUALITY_C4}.curly_bracket"
    as_c4 = load_language_config(
        "en", overrides={"gopher_repetition": {"enabled": False}, "c4": {"skip_code_lines": False}}
    )
    assert assess_quality(with_code, "en", as_c4).drop.reason == f"{Reason.QUALITY_C4}.curly_bracket"


def test_with_the_line_rules_as_datatrove_has_them_decisions_agree_with_datatrove():
    for lang, text in (("fi", FI_HELP), ("en", PYTHON + "\n" + FI_HELP), ("en", "One line\nTwo lines")):
        cfg = load_language_config(lang, overrides=DATATROVE_LINE_RULES)
        ours = assess_quality(text, lang, cfg).drop is None
        assert ours == reference_decision(reference_stack(cfg, lang), text)[0], (lang, text[:40])


_BACKTRACKING_PLAIN_WORD = re.compile(
    r"(?<!\S)(?!(?:" + "|".join(sorted(_KEYWORDS, key=len, reverse=True)) + r")(?!\S))"
    r"[(\"'«„“‘]?[^\W\d_][^\W\d_A-Z]*(?:-[^\W\d_][^\W\d_A-Z]*)*[.,:!?\"'»”’]*(?!\S)"
)


_TOKEN = st.lists(st.sampled_from([*"aZéℵBΩ1_-(\"'».,:!?”", "def", "self", "Print", "word"]), min_size=1, max_size=4)


@given(
    st.lists(_TOKEN.map("".join), max_size=8).flatmap(
        lambda ts: st.sampled_from([" ", "\t", "  "]).map(lambda gap: gap.join(ts))
    )
)
def test_the_possessive_plain_word_pattern_finds_what_the_backtracking_one_finds(line):
    assert _PLAIN_WORD.findall(line) == _BACKTRACKING_PLAIN_WORD.findall(line)


@given(st.lists(st.sampled_from([*"aZzéǅªℵBßİΩω1²_-',.", "def", "self", "None", "Print", "word", "Wort"]), max_size=5))
def test_a_word_certainly_plain_is_a_plain_word_of_the_pattern(pieces):
    token = "".join(pieces)
    assert certainly_plain([token]) <= len(_PLAIN_WORD.findall(token))


def test_certainly_plain_counts_letter_words_without_inner_capitals_and_no_keywords():
    assert certainly_plain("Die Straße ist für alle offen".split()) == 6
    assert certainly_plain("camelCase snake_case x2 word, a I".split()) == 0  # left to the pattern
    assert certainly_plain("def self None Print Sub".split()) == 0  # keywords are never plain words


def _judged_token_by_token(line: str) -> bool:
    """`is_code_line` without its shortcuts (one pattern for comments and prompts, the plain-word bound and
    count): every line judged token by token."""
    if cl._COMMENT.match(line) or cl._PROMPT.match(line):
        return True
    statement = cl._TRAILING_COMMENT.sub("", line).strip() if ("'" in line or "#" in line or "//" in line) else line
    tokens = [t for t in statement.split() if t != "|" and (cl._WORDLIKE.search(t) or cl._token_is_code(t))]
    if not tokens:
        return False
    code = sum(map(cl._token_is_code, tokens))
    share = code / len(tokens)
    if share < cl.CODE_TOKEN_SHARE or (share == cl.CODE_TOKEN_SHARE and cl._SENTENCE_END.search(statement)):
        return False
    return code >= 2 or len(tokens) == 1 or any(map(cl._token_is_syntax, tokens))


_CODE_OR_PROSE = st.sampled_from(
    ["Dim", "x", "=", "1", "def", "f(x):", "oDoc.Close()", "my_var", "camelCase", "{", "}", ";", "'", "#", "//",
     "$", ">>>", "REM", "|", "-", "the", "Straße", "Wort,", "end.", "(note)", "ℵB", "None", "Print", "C:\\>"]
)  # fmt: skip


@given(st.lists(_CODE_OR_PROSE, max_size=12), st.sampled_from([" ", "  ", "\t"]), st.sampled_from(["", " ", "  "]))
def test_the_shortcuts_give_the_token_by_token_verdict(tokens, gap, indent):
    line = indent + gap.join(tokens)
    assert is_code_line(line) == _judged_token_by_token(line)


@pytest.mark.parametrize("text", [BASIC, FI_HELP])
def test_the_shortcuts_give_the_token_by_token_verdict_on_listings_and_help_pages(text):
    for line in text.splitlines():
        assert is_code_line(line) == _judged_token_by_token(line), line
