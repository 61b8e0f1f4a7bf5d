"""The Bosnian/Serbian word list's sources: catalogue texts read out of real .deb files, cleaned, kept apart from the
long-tail set, and words chosen by real hunspell dictionaries (small ones written here, packed with dpkg-deb)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib
import pytest

from eurocurate.tools.longtail.hbs_sources import (
    HunspellDictionary,
    bosnian_serbian_words,
    drop_overlap,
    libreoffice_texts,
    loanword_verb_forms,
    training_text,
)


def _deb(folder: Path, name: str, files: dict[str, bytes]) -> Path:
    """A real Debian package holding `files` (path under the root: bytes), built by dpkg-deb."""
    root = folder / name
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: test <test@example.invalid>\n"
        "Description: test package\n",
        encoding="utf-8",
    )
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    deb = folder / f"{name}_1.0_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)], check=True, capture_output=True)
    return deb


def _mo(pairs: dict[str, str]) -> bytes:
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in pairs.items():
        catalogue.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    return bytes(catalogue.to_binary())


def _dictionary(folder: Path, package: str, stem: str, words: list[str]) -> HunspellDictionary:
    files = {
        f"usr/share/hunspell/{stem}.aff": b"SET UTF-8\n",
        f"usr/share/hunspell/{stem}.dic": f"{len(words)}\n{chr(10).join(words)}\n".encode(),
    }
    return HunspellDictionary(_deb(folder, package, files), stem)


def test_catalogue_strings_lose_placeholders_and_accelerators_and_short_ones_are_left_out():
    assert (
        training_text("Spremi ~dokument u %s mapu {0} prije _zatvaranja") == "Spremi dokument u mapu prije zatvaranja"
    )
    assert training_text("U redu") is None  # a button, not text
    assert training_text("%1$s %2$s: %3$s (%4$s)") is None


def test_libreoffice_catalogues_are_read_per_locale_with_their_class(tmp_path: Path):
    deb = _deb(
        tmp_path,
        "libreoffice-l10n-sr",
        {
            "usr/lib/libreoffice/program/resource/sr@latin/LC_MESSAGES/sw.mo": _mo(
                {"The document could not be saved.": "Dokument nije moguće sačuvati na izabranoj lokaciji."}
            ),
            "usr/lib/libreoffice/program/resource/sr/LC_MESSAGES/sw.mo": _mo(
                {"The document could not be saved.": "Документ није могуће сачувати на изабраној локацији."}
            ),
            "usr/lib/libreoffice/program/resource/de/LC_MESSAGES/sw.mo": _mo(
                {"The document could not be saved.": "Das Dokument konnte nicht gespeichert werden."}
            ),
        },
    )
    texts = sorted(libreoffice_texts(deb), key=lambda t: t.script)
    assert [(t.cls, t.script, t.source) for t in texts] == [
        ("sr", "Cyrl", "libreoffice:sw"),
        ("sr", "Latn", "libreoffice:sw"),
    ]


def test_texts_equal_to_or_copied_from_the_long_tail_set_are_dropped():
    long_tail = ["Firefox ne može otvoriti ovu stranicu jer je veza prekinuta tijekom učitavanja."]
    texts = [
        "FIREFOX ne može otvoriti ovu stranicu, jer je veza prekinuta tijekom učitavanja!",  # equal once normalised
        "Thunderbird ne može otvoriti ovu stranicu jer je veza prekinuta tijekom učitavanja.",  # the brand changed
        "Poruka je spremljena u mapu nacrta i bit će poslana kasnije.",
        "Poruka je spremljena u mapu nacrta i bit će poslana kasnije.",
    ]
    kept, dropped = drop_overlap(texts, long_tail)
    assert kept == ["Poruka je spremljena u mapu nacrta i bit će poslana kasnije."]
    assert dropped == {"equal to a long-tail text": 1, "near copy of a long-tail text": 1}


def test_a_word_is_bosnian_serbian_only_when_croatian_text_and_dictionary_lack_it(tmp_path: Path):
    pytest.importorskip("spylls", reason="spylls is in the test extra; install eurocurate[test] to run this")
    croatian = _dictionary(tmp_path, "hunspell-hr", "hr_HR", ["točka", "prijevod", "Zagreb", "ekran"])
    serbian = _dictionary(tmp_path, "hunspell-sr", "sr_Latn_RS", ["tačka", "prevod", "Zagreb", "ekran", "reka"])
    words = bosnian_serbian_words(
        ["tačka", "prevod", "zagreb", "ekran", "reka", "xyzzy", "uz"],
        croatian_vocabulary={"reka"},  # seen once in Croatian text: never a tell
        croatian=croatian,
        others=[serbian],
    )
    # zagreb: a capitalised Croatian entry; ekran: Croatian accepts it; xyzzy: no dictionary has it; uz: too short
    assert words == ["prevod", "tačka"]


def test_loan_verbs_croatian_writes_in_irati_give_their_serbian_forms(tmp_path: Path):
    pytest.importorskip("spylls", reason="spylls is in the test extra; install eurocurate[test] to run this")
    # Croatian generirati/kopirati/telefonirati; Serbian has generisati and telefonirati (no -isati form of it)
    croatian = _dictionary(tmp_path, "hunspell-hr", "hr_HR", ["generirati", "kopirati", "telefonirati", "generisan"])
    serbian = _dictionary(tmp_path, "hunspell-sr", "sr_Latn_RS", ["generisati", "kopisati", "telefonirati"])
    forms = loanword_verb_forms(croatian, serbian, croatian_vocabulary={"generiše"})
    assert {"generisati", "generišem", "generisanog", "generisanje", "generišući"} <= set(forms)
    assert all(f.startswith(("generis", "generiš")) for f in forms)  # kop-: too short a stem to be a loan verb
    assert "generisan" not in forms  # the Croatian dictionary accepts it
    assert "generiše" not in forms  # seen in Croatian text
    assert forms == sorted(forms)
