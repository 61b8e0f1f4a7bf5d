"""Bosnian/Serbian words Croatian does not use, derived from registry artefacts outside the long-tail set: the
LibreOffice (bs, hr, sr, sr@latin) and Thunderbird (hr, sr) translation catalogues give the vocabulary, the hunspell
dictionaries (hunspell-hr, -sr, -bs) say which of those words each standard accepts.

Owns the artefacts' pins (`hbs_pins.json`), their readers and the derivation of the word list `langid.hbs` reads
(`langid/models/hbs_words.txt`); not the classifier's training (`tools.train_hbs`) nor how the words weigh.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

import polib

from eurocurate.langid.ngram_model import text_words
from eurocurate.tools.longtail.artefacts import Artefact, load_pins
from eurocurate.tools.longtail.readers import deb_members, xpi_strings

HBS_PINS: Final = Path(__file__).with_name("hbs_pins.json")
# the LibreOffice locale folders read, and their class (Serbian Cyrillic is transliterated by the caller)
LIBREOFFICE_LOCALES: Final = {"bs": "bs", "hr": "hr", "sr": "sr", "sr@latin": "sr"}
_LIBREOFFICE_MO: Final = re.compile(r"/program/resource/([^/]+)/LC_MESSAGES/([^/]+)\.mo$")
# placeholders ($1, %s, %1$s, {0}, <b>, &amp;), escaped newlines and addresses: not words of the language
_PLACEHOLDER: Final = re.compile(r"%\d?\$?\w|\$\w+\$?|\{[^}]*\}|<[^>]*>|&\w+;|\\n|https?:\S+")
_ACCELERATOR: Final = re.compile(r"~|(?:(?<=\w)|(?<=\s)|^)_(?=\w)")
MIN_CHARS: Final = 20
MIN_WORDS: Final = 3
# an extra text sharing this share of its word 3-grams with one long-tail text is a near copy of it
NEAR_COPY_SHARE: Final = 0.5
MIN_WORD_CHARS: Final = 3


@dataclass(frozen=True)
class CatalogueText:
    """One translated string of a catalogue outside the long-tail set."""

    text: str
    cls: str  # hr, bs or sr
    source: str  # libreoffice:<domain> | thunderbird:<catalogue>
    script: str  # Latn or Cyrl


def load_hbs_pins(path: Path = HBS_PINS) -> list[Artefact]:
    return load_pins(path)


def training_text(raw: str) -> str | None:
    """`raw` without placeholders and accelerators, whitespace collapsed; None when fewer than `MIN_CHARS`
    characters or `MIN_WORDS` words of two or more letters remain."""
    text = " ".join(_ACCELERATOR.sub("", _PLACEHOLDER.sub(" ", raw)).split())
    if len(text) < MIN_CHARS or len(re.findall(r"[^\W\d_]{2,}", text)) < MIN_WORDS:
        return None
    return text


def _script(text: str) -> str:
    return "Cyrl" if sum("\u0400" <= c <= "\u04ff" for c in text) > len(text) / 4 else "Latn"


def libreoffice_texts(deb: Path) -> Iterator[CatalogueText]:
    """Translated strings of a `libreoffice-l10n-*` package's UI catalogues (program/resource/<locale>/*.mo)."""
    for path, data in deb_members(deb, (".mo",)):
        match = _LIBREOFFICE_MO.search(path)
        if not match or match.group(1) not in LIBREOFFICE_LOCALES:
            continue
        for entry in polib.mofile(data):
            text = training_text(entry.msgstr) if entry.msgstr and entry.msgstr != entry.msgid else None
            if text:
                cls = LIBREOFFICE_LOCALES[match.group(1)]
                yield CatalogueText(text, cls, f"libreoffice:{match.group(2)}", _script(text))


def thunderbird_texts(deb: Path, cls: str) -> Iterator[CatalogueText]:
    """Strings of a `thunderbird-l10n-*` package's language pack (Fluent and .properties, as Firefox's)."""
    for path, data in deb_members(deb, (".xpi",)):
        locale = PurePosixPath(path).name.removeprefix("langpack-").split("@")[0]
        for catalogue, _key, raw in xpi_strings(data, locale):
            text = training_text(raw)
            if text:
                yield CatalogueText(text, cls, f"thunderbird:{catalogue}", _script(text))


def _shingles(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


class LongTailIndex:
    """The long-tail set's texts, for telling whether a text of another source repeats one: equal after
    normalisation (lower-cased letter runs, NFC), or sharing `NEAR_COPY_SHARE` of its word 3-grams with one
    (Thunderbird shares Firefox's toolkit strings, some reworded or with another brand name)."""

    def __init__(self, reference: Iterable[str]) -> None:
        self._exact: set[str] = set()
        self._index: dict[str, set[int]] = defaultdict(set)
        for i, text in enumerate(reference):
            words = text_words(text)
            self._exact.add(" ".join(words))
            for shingle in _shingles(words):
                self._index[shingle].add(i)
        self._seen: set[str] = set()

    def fresh(self) -> LongTailIndex:
        """The same reference texts, with no text asked before (one index per language of a multi-language read:
        building it is the costly part)."""
        other = object.__new__(LongTailIndex)
        other._exact, other._index, other._seen = self._exact, self._index, set()
        return other

    def verdict(self, text: str) -> str | None:
        """Why `text` is not kept (a long-tail text, a near copy of one, or a text this index was asked before),
        or None."""
        words = text_words(text)
        key = " ".join(words)
        if key in self._seen:
            return "seen before"
        self._seen.add(key)
        if key in self._exact:
            return "equal to a long-tail text"
        shingles = _shingles(words)
        hits: Counter[int] = Counter(i for s in shingles for i in self._index.get(s, ()))
        if hits and max(hits.values()) >= NEAR_COPY_SHARE * len(shingles):
            return "near copy of a long-tail text"
        return None


def drop_overlap(texts: Iterable[str], reference: Iterable[str]) -> tuple[list[str], Counter[str]]:
    """`texts` less the long-tail texts of `reference` and their near copies (`LongTailIndex`), a text kept once.
    The counts of the dropped, by reason (a repeat is not counted)."""
    index = LongTailIndex(reference)
    kept: list[str] = []
    dropped: Counter[str] = Counter()
    for text in texts:
        reason = index.verdict(text)
        if reason is None:
            kept.append(text)
        elif reason != "seen before":
            dropped[reason] += 1
    return kept, dropped


class HunspellDictionary:
    """A hunspell dictionary of a Debian package (`spylls`, hunspell's algorithm in Python), for word look-ups."""

    def __init__(self, deb: Path, stem: str) -> None:
        from spylls.hunspell import Dictionary  # a training-time dependency only

        files = dict(deb_members(deb, (f"/{stem}.dic", f"/{stem}.aff")))
        if len(files) != 2:
            raise FileNotFoundError(f"{deb.name} has no hunspell dictionary {stem}.dic/.aff")
        with tempfile.TemporaryDirectory() as tmp:
            for path, data in files.items():
                Path(tmp, PurePosixPath(path).name).write_bytes(data)
            self._dictionary = Dictionary.from_files(str(Path(tmp, stem)))
        dic = next(data for path, data in files.items() if path.endswith(".dic"))
        aff = next(data for path, data in files.items() if path.endswith(".aff"))
        encoding = re.search(rb"^SET\s+(\S+)", aff, re.MULTILINE)
        lines = dic.decode(encoding.group(1).decode() if encoding else "utf-8").splitlines()[1:]  # 1st: the count
        self.entries: frozenset[str] = frozenset(line.split("/")[0].strip() for line in lines if line.strip())

    def accepts(self, word: str) -> bool:
        return bool(self._dictionary.lookup(word))


# The paradigm of a Bosnian/Serbian verb in -isati (generisati) and in -ovati (sinhronizovati): the endings of the
# present, imperative, active and passive participles, adverb and verbal noun that text uses most
_ISATI_ENDINGS: Final = (
    "isati išem išeš iše išemo išete išu iši išimo išite isao isala isalo isali isale isan isana isano isani isane "
    "isanog isanom isanoj isanu isanih isanim isanje isanja isanju isanjem išući"
).split()
_OVATI_ENDINGS: Final = (
    "ovati ujem uješ uje ujemo ujete uju uj ujmo ujte ovao ovala ovalo ovali ovale ovan ovana ovano ovani ovane "
    "ovanog ovanom ovanoj ovanu ovanih ovanim ovanje ovanja ovanju ovanjem ujući"
).split()
_IRATI: Final = re.compile(r"^[a-zčćžšđ]{4,}irati$")


def loanword_verb_forms(
    croatian: HunspellDictionary, serbian: HunspellDictionary, croatian_vocabulary: set[str]
) -> list[str]:
    """Bosnian/Serbian forms of the loan verbs Croatian writes in -irati (generirati, definirati, analizirati): for
    each such verb of the Croatian dictionary whose -isati or -ovati counterpart is an entry of the Serbian one
    (generisati, analizovati; sinkronizirati has none, Serbian writes sinhronizovati), that verb's forms
    (`_ISATI_ENDINGS`, `_OVATI_ENDINGS`) which no Croatian text has and the Croatian dictionary rejects, lower-case
    or capitalised (sorted)."""
    forms: set[str] = set()
    for verb in croatian.entries:
        if not _IRATI.match(verb):
            continue
        stem = verb.removesuffix("irati")
        for suffix, endings in (("isati", _ISATI_ENDINGS), ("ovati", _OVATI_ENDINGS)):
            if stem + suffix in serbian.entries:
                forms.update(stem + ending for ending in endings)
    return sorted(
        f for f in forms - croatian_vocabulary if not croatian.accepts(f) and not croatian.accepts(f.capitalize())
    )


def bosnian_serbian_words(
    bosnian_serbian_vocabulary: Iterable[str],
    croatian_vocabulary: set[str],
    croatian: HunspellDictionary,
    others: Iterable[HunspellDictionary],
) -> list[str]:
    """The words (3+ letters, sorted) of Bosnian and Serbian texts that no Croatian text has, the Croatian dictionary
    rejects (lower-case or capitalised) and the Serbian or Bosnian one accepts: tačka, prevod, generisanog,
    bezbednost, sinhronizujte.

    hunspell-hr accepts much that Croatian standard avoids (hiljada, historija, ponovo), so this list is short of
    the words Croatian avoids, not wrong about them; a word once seen in Croatian text is never a tell."""
    others = list(others)
    candidates = sorted({w for w in bosnian_serbian_vocabulary if len(w) >= MIN_WORD_CHARS} - croatian_vocabulary)
    # capitalised too: hunspell keeps names capitalised (Zagreb, London), and lower-cased text has lost the capital
    return [
        w
        for w in candidates
        if not croatian.accepts(w) and not croatian.accepts(w.capitalize()) and any(d.accepts(w) for d in others)
    ]


def write_words(words: list[str], path: Path, about: str) -> None:
    path.write_text(f"# {about}\n" + "".join(f"{w}\n" for w in words), encoding="utf-8")
