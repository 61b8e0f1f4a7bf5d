"""Cheap spelling evidence for languages the statistical models mix up or do not know.

Maltese (ħ ġ ċ ż, "għ", hyphenated articles: lid.176 sends it to en/it/pl and lingua has no Maltese),
Irish against Scottish Gaelic (acute against grave accents) and Manx (function words), and
marker words of the Romance neighbours lingua lacks (Galician, Asturian, Corsican, Friulian,
Walloon, Occitan). Returns counts and rates; deciding is `langid.identifier`'s job.
"""

from __future__ import annotations

import re
from typing import Final

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_MALTESE_LETTERS = re.compile(r"[ħĦġĠċĊ]|[gG][ħĦ]")
# il-, tal-, fil-, għall-, ix-, it-, ta' ... : the article glued to its noun
_MALTESE_ARTICLE = re.compile(
    r"(?<![\w-])(?:[Ii][lxtdnrsżċz]|[Tt]a[lxtdnrsżċz]|[Ff]i[lxtdnrsżċz]|[Bb]i[lxtdnrsżċz]|[Mm]i[lxtdnrsżċz]{2}|"
    r"[Gg]ħa[lxtdnrsżċz]{2}|[Ll]i[lxtdnrsżċz]{2}|[Ss]a[lxtdnrsżċz]|[Mm]a[lxtdnrsżċz]|[Ll])-\w|\bta['’]\s"
)
_ACUTE = re.compile(r"[áéíóúÁÉÍÓÚ]")
_GRAVE = re.compile(r"[àèìòùÀÈÌÒÙ]")

# Function words frequent in one language and absent (or very rare) in the EU language of its group.
MARKER_WORDS: dict[str, frozenset[str]] = {
    "gl": frozenset(
        "unha unhas tamén xa coa coas polo pola polos polas moi nunha nun dende aínda xente facer traballo cunha "
        "cómpre".split()
    ),
    "ast": frozenset("ye nun tamién pa ente dende fízose tien yera xunto cola colos pela vezu asturies".split()),
    "co": frozenset("hè chì ghjè ancu cù nantu sò tandu micca ghjente quessu quella puru avà".split()),
    "fur": frozenset("ancje cun jo al è ch’al dut vuê chest cheste achì nol ju ale fâ plui cjase".split()),
    "wa": frozenset("dj’ èt nén ç’ est cwè dins les cåze ossu pol avou todi èn one onk tot mins".split()),
    "oc": frozenset("amb tanben aquò aquel aquela èra fòrça mai lo los una sus qu’es es pas son pòt ben".split()),
    "gv": frozenset("ta va dy ny as cha jeh shen ec yn lesh ooilley mee".split()),
}
# Croatian against Bosnian/Serbian (Latin): the same language family, told apart by standard vocabulary.
CROATIAN_WORDS = frozenset(
    "tko netko nitko što tijekom povijest povijesti tisuća tisuće tjedan tjedna obitelj obitelji zrak znanost "
    "znanosti kemija nogomet točno točka općina općine utjecaj glazba glazbe kazalište sveučilište siječnja "
    "veljače ožujka travnja svibnja lipnja srpnja kolovoza rujna listopada studenoga studenog prosinca izvješće "
    "zrakoplov vlak kruh tvrtka tvrtke ponovno također".split()
)
BOSNIAN_SERBIAN_WORDS = frozenset(
    "ko neko niko šta historija historije istorija hiljada hiljade sedmica sedmice porodica porodice vazduh nauka "
    "nauke hemija fudbal tačno tačka opština opštine uticaj muzika muzike pozorište univerzitet januara februara "
    "marta aprila juna jula avgusta septembra oktobra novembra decembra izvještaj voz hljeb firma ponovo takođe".split()
)

# Words that the EU language of each group uses often, to weigh marker hits against.
_EU_COUNTER_WORDS: dict[str, frozenset[str]] = {
    "gv": frozenset("agus tá an na ar le go ag sa don ní bhí".split()),
    "oc": frozenset("le les et des du une est dans avec au".split()),
}


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


_MALTESE_HINT = re.compile(r"[ħĦġĠċĊ]|\b(?:[Ii]l|[Tt]al|[Ff]il|[Ii][tsnx])-")


def maltese_evidence(text: str) -> tuple[int, int]:
    """(Maltese markers, words): ħ ġ ċ / "għ" letters and hyphenated articles like il-, tal-, ta'."""
    if not maltese_hint(text):  # one quick test instead of two scans on the great majority of texts
        return 0, text.count(" ") + 1
    n_words = text.count(" ") + 1
    return len(_MALTESE_LETTERS.findall(text)) + len(_MALTESE_ARTICLE.findall(text)), n_words


def maltese_hint(text: str) -> bool:
    """Whether `_MALTESE_HINT` is found in `text`: a Maltese letter, or a hyphen right after an article (il, tal, fil,
    it, is, in, ix) that starts a word. The hyphens are looked at one by one (a regex scan tries every position: a
    few µs a paragraph, and fastText's paragraphs are all asked); a text of many hyphens gets the regex."""
    if any(c in text for c in "ħġċĦĠĊ"):  # a string holding only Latin-1 answers at once
        return True
    hyphens = text.count("-")
    if hyphens > _HYPHENS_LOOKED_AT:
        return _MALTESE_HINT.search(text) is not None
    at = text.find("-") if hyphens else -1
    while at >= 0:
        for start in (at - 2, at - 3):
            if start >= 0 and text[start:at] in _ARTICLES and (start == 0 or not _is_word(text[start - 1])):
                return True
        at = text.find("-", at + 1)
    return False


_ARTICLES: Final = frozenset("il Il it It is Is in In ix Ix tal Tal fil Fil".split())  # `_MALTESE_HINT`'s
_HYPHENS_LOOKED_AT: Final = 32


def _is_word(char: str) -> bool:
    """A character of `re`'s \\w (what \\b tells from the others)."""
    return char.isalnum() or char == "_"


def gaelic_accents(text: str) -> tuple[int, int]:
    """(acute, grave) accented vowels: Irish writes síneadh fada (á), Scottish Gaelic grave (à)."""
    return len(_ACUTE.findall(text)), len(_GRAVE.findall(text))


def croatian_balance(tokens: list[str]) -> int:
    """Croatian standard words minus Bosnian/Serbian standard words among `tokens` (occurrences)."""
    return sum(t in CROATIAN_WORDS for t in tokens) - sum(t in BOSNIAN_SERBIAN_WORDS for t in tokens)


def marker_hits(tokens: list[str], lang: str) -> int:
    """Distinct marker words of `lang` among `tokens`, minus distinct counter-words of its EU neighbour."""
    markers = MARKER_WORDS.get(lang)
    if not markers:
        return 0
    present = set(tokens)
    return len(present & markers) - len(present & _EU_COUNTER_WORDS.get(lang, frozenset()))
