"""The outside Aragonese strings for the regional model: read out of real .deb files (packed here with dpkg-deb),
kept apart from the long-tail set, split by catalogue into training text and a held-out check, and weighted in
training to a fixed share of the dev part's Aragonese."""

from __future__ import annotations

import orjson
import pytest

from eurocurate.tools.longtail.regional_sources import (
    CatalogueText,
    catalogue_texts,
    held_out_rows,
    is_held_out,
    main,
    outside_texts,
    split_rows,
)
from eurocurate.tools.train_regional import DESKTOP, DESKTOP_SHARE, RegionalRow, desktop_rows, fit
from tests.tools.test_hbs_sources import _deb, _mo

ARAGONESE = {
    "The file could not be opened because the server is not available.": (
        "No s'ha puesto ubrir o fichero porque o servidor no ye disponible."
    ),
    "Save the changes before closing the window of the program.": (
        "Alza os cambeos antes de zarrar a finestra d'o programa."
    ),
    "Press %s to choose _another folder for the files.": "Preta %s ta trigar _unatra carpeta ta os fichers.",
    "Untranslated string that stays in English here.": "Untranslated string that stays in English here.",
}


def _package(tmp_path, name: str = "caja-common"):
    files = {
        f"usr/share/locale/an/LC_MESSAGES/{name}.mo": _mo(ARAGONESE),
        "usr/share/locale/an/LC_MESSAGES/gtk30.mo": _mo({"Open the file in a new window now.": "Ubrir o fichero."}),
        f"usr/share/locale/es/LC_MESSAGES/{name}.mo": _mo({"Save the file.": "Guarde el archivo en el disco."}),
        "usr/share/doc/readme.mo": _mo({"Save it.": "Alza-lo en o disco agora mesmo."}),
    }
    return _deb(tmp_path, name, files)


def test_the_aragonese_catalogues_strings_are_read_translated_and_cleaned_and_gtk_is_left_to_the_set(tmp_path):
    texts = list(catalogue_texts(_package(tmp_path), "caja-common"))
    assert sorted(t.text for t in texts) == [  # a .mo file holds its messages sorted by msgid
        "Alza os cambeos antes de zarrar a finestra d'o programa.",
        "No s'ha puesto ubrir o fichero porque o servidor no ye disponible.",
        "Preta ta trigar unatra carpeta ta os fichers.",  # placeholder and accelerator gone
    ]  # the untranslated string, the GTK catalogue (the set reads it), Spanish and files outside locale/an: not read
    assert {t.unit for t in texts} == {"debian:caja-common:caja-common.mo"}


def test_a_catalogue_that_does_not_parse_is_an_error_naming_the_package(tmp_path):
    deb = _deb(tmp_path, "broken", {"usr/share/locale/an/LC_MESSAGES/broken.mo": b"not a catalogue at all"})
    with pytest.raises(ValueError, match="broken: usr/share/locale/an/LC_MESSAGES/broken.mo"):
        list(catalogue_texts(deb, "broken"))


def test_long_tail_texts_their_near_copies_and_repeats_are_dropped(tmp_path):
    debs = {"caja-common": _package(tmp_path), "other": _package(tmp_path / "o", "other")}
    (tmp_path / "o").mkdir(exist_ok=True)
    long_tail = ["No s'ha puesto ubrir o fichero porque o servidor no ye disponible.", "Bonjour tout le monde."]
    kept, dropped = outside_texts(debs, long_tail)
    assert sorted(t.text for t in kept) == [
        "Alza os cambeos antes de zarrar a finestra d'o programa.",
        "Preta ta trigar unatra carpeta ta os fichers.",
    ]  # the second package repeats the first: its strings are kept once
    assert dropped == {"equal to a long-tail text": 1}  # its repeat in the second package is a repeat


def test_held_out_catalogues_are_the_check_and_never_training_text():
    units = [f"debian:pkg{i}:cat{i}.mo" for i in range(40)]
    held = [u for u in units if is_held_out(u)]
    assert 0 < len(held) < len(units)
    text = "Alza os cambeos antes de zarrar a finestra d'o programa y d'os fichers."
    texts = [CatalogueText(f"{text} {i}", u) for i, u in enumerate(units)]
    rows = held_out_rows(texts)
    assert [r["unit"] for r in rows] == held
    assert all(r["lang"] == "arg_Latn" and r["split"] == "unseen" and r["eu24"] is None for r in rows)
    others = split_rows(texts, held_out=False)  # the development split of the same strings: the rest, none twice
    assert [r["unit"] for r in others] == [u for u in units if u not in held]
    assert all(r["split"] == "dev" for r in others)
    dev = [RegionalRow("A pachina que busca no existe u ha estau tresladada ta unatra adreza.", "an", "firefox:a", 0)]
    trained, left_out = desktop_rows(texts, dev, read_as=lambda strings: ["an"] * len(strings))
    assert {r.unit.removeprefix(DESKTOP) for r in trained} == set(units) - set(held)  # the check is never trained on
    assert all(r.unit.startswith(DESKTOP) and r.cls == "an" for r in trained) and left_out == []
    assert sum(r.scale * len(r.text) for r in trained) == pytest.approx(DESKTOP_SHARE * len(dev[0].text))
    model = fit(dev + trained + [RegionalRow("La página que busca no existe o ha sido trasladada.", "es", "f:b", 1)])
    assert set(model.labels) == {"an", "es"}
    assert desktop_rows(texts, [], read_as=list) == ([], [])  # no dev Aragonese: no class to train them as


def test_desktop_rows_weigh_each_language_to_its_dev_share_and_leave_out_mislabelled_catalogues():
    """Every language of the dev rows gets its desktop strings, together `DESKTOP_SHARE` of its dev mass; a
    catalogue of a regional locale that fastText reads as one EU-24 language is that language: left out."""
    aragonese = "Alza os cambeos antes de zarrar a finestra d'o programa y d'os fichers"
    spanish = "Guarde los cambios antes de cerrar la ventana del programa y de los archivos"
    units = [u for u in (f"debian:pkg{i}:cat{i}.mo" for i in range(60)) if not is_held_out(u)]
    texts = [CatalogueText(f"{aragonese} {i}.", units[0]) for i in range(12)]  # a real Aragonese catalogue
    texts += [CatalogueText(f"{spanish} {i}.", units[1]) for i in range(12)]  # ...and one written in Spanish
    texts += [CatalogueText(f"{spanish} {i}.", units[2], "es") for i in range(12)]  # Spanish under its own name
    texts += [CatalogueText(f"{aragonese} {i}.", units[3], "oc") for i in range(12)]  # no dev Occitan: not read
    texts += [CatalogueText("Фајл не може да се отвори јер сервер није доступан овог тренутка.", units[0], "bg")]
    dev = [
        RegionalRow("A pachina que busca no existe u ha estau tresladada ta unatra adreza.", "an", "firefox:a", 0),
        RegionalRow("La página que busca no existe o ha sido trasladada a otra dirección.", "es", "firefox:a", 0),
    ]

    def fasttext(strings: list[str]) -> list[str]:
        return ["es" if s.startswith("Guarde") else "an" for s in strings]

    trained, left_out = desktop_rows(texts, dev, read_as=fasttext)
    assert left_out == [f"{units[1]} (an: 12 of 12 read as es)"]
    assert sorted({(r.cls, r.unit.removeprefix(DESKTOP)) for r in trained}) == [("an", units[0]), ("es", units[2])]
    for row in dev:
        mass = sum(r.scale * len(r.text) for r in trained if r.cls == row.cls)
        assert mass == pytest.approx(DESKTOP_SHARE * len(row.text))
    assert len({r.fold for r in trained if r.unit.endswith(units[0])}) == 1  # a catalogue is one fold


def test_the_command_writes_the_held_out_split_for_the_evaluation(tmp_path, monkeypatch):
    import eurocurate.tools.longtail.regional_sources as sources

    deb = _package(tmp_path)
    monkeypatch.setattr(sources, "fetch_all", lambda pins, cache: {"caja-common": deb})
    monkeypatch.setattr(sources, "is_held_out", lambda unit: True)  # CatalogueText.held_out asks it
    folder = tmp_path / "set"
    folder.mkdir()
    for split in ("dev", "unseen"):
        (folder / f"{split}.jsonl").write_bytes(orjson.dumps({"text": "Bonjour tout le monde.", "lang": "fra_Latn"}))
    out = tmp_path / "held-out"
    assert main(["--set", str(folder), "--output", str(out), "--cache", str(tmp_path / "cache")]) == 0
    rows = [orjson.loads(line) for line in (out / "unseen.jsonl").read_bytes().splitlines()]
    assert sorted(r["text"] for r in rows) == [
        "Alza os cambeos antes de zarrar a finestra d'o programa.",
        "No s'ha puesto ubrir o fichero porque o servidor no ye disponible.",
    ]  # the third is shorter than the set's paragraph filter
    assert (out / "dev.jsonl").read_bytes() == b""  # every catalogue is held out here: none left to develop on


HBS = {
    "bs": {"Sačuvajte izmjene prije nego što zatvorite prozor programa.": "s1",
           "Datoteka se ne može otvoriti jer server nije dostupan.": "shared"},
    "hr": {"Spremite promjene prije zatvaranja prozora programa.": "s1",
           "Datoteka se ne može otvoriti jer poslužitelj nije dostupan!": "s2",
           "datoteka se ne može otvoriti jer server nije dostupan": "shared"},
    "sr@latin": {"Sačuvajte izmene pre nego što zatvorite prozor programa.": "s1"},
}  # fmt: skip


def _hbs_package(tmp_path):
    files = {
        f"usr/share/locale/{locale}/LC_MESSAGES/caja.mo": _mo(
            {f"English {key} {i}": text for i, (text, key) in enumerate(strings.items())}
        )  # fmt: skip
        for locale, strings in HBS.items()
    }
    return _deb(tmp_path, "caja", files)


def test_other_locales_are_read_under_their_own_label_and_texts_two_of_them_share_are_dropped(tmp_path):
    debs = {"caja": _hbs_package(tmp_path)}
    kept, dropped = outside_texts(debs, [], ("bs", "hr", "sr@latin"))
    assert sorted((t.locale, t.text) for t in kept) == [
        ("bs", "Sačuvajte izmjene prije nego što zatvorite prozor programa."),
        ("hr", "Datoteka se ne može otvoriti jer poslužitelj nije dostupan!"),
        ("hr", "Spremite promjene prije zatvaranja prozora programa."),
        ("sr@latin", "Sačuvajte izmene pre nego što zatvorite prozor programa."),
    ]  # the string Bosnian and Croatian share (case and punctuation aside) is neither's evidence
    assert dropped == {"under two languages": 2}
    held = next(f"debian:caja:caja{i}.mo" for i in range(100) if is_held_out(f"debian:caja:caja{i}.mo"))
    rows = held_out_rows([CatalogueText(t.text, held, t.locale) for t in kept])
    assert sorted(r["lang"] for r in rows) == ["bos_Latn", "hrv_Latn", "hrv_Latn", "srp_Latn"]
    assert outside_texts(debs, [])[0] == []  # Aragonese by default: none here


def test_the_command_refuses_a_locale_it_does_not_know(tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["--set", str(tmp_path), "--output", str(tmp_path / "o"), "--locales", "bs,xx"])
    assert refused.value.code == 2 and "locale(s) ['xx'] are of no language" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_all_locales_are_labelled_as_the_set_labels_them(tmp_path):
    strings = {
        "ca": "Desa els canvis abans de tancar la finestra del programa.",
        "ca@valencia": "Guarda els canvis abans de tancar la finestra del programa.",
        "sr": "Сачувајте измене пре него што затворите прозор програма.",
        "ru": "Save the changes before you close the window of the program.",  # untranslated in effect: Latin
        "xx": "Een tekst in een taal die de set niet heeft, zo lang als de andere.",
        "nb": "Lagre endringene før du lukker vinduet til programmet nå.",
        "nn": "Lagre endringene før du lukker vinduet til programmet nå.",  # one text under two languages
    }
    files = {f"usr/share/locale/{loc}/LC_MESSAGES/caja.mo": _mo({f"English {loc}": text}) for loc, text in
             strings.items()}  # fmt: skip
    debs = {"caja": _deb(tmp_path, "caja", files)}
    kept, dropped = outside_texts(debs, [], None)
    assert sorted(t.locale for t in kept) == ["ca", "ca@valencia", "ru", "sr"]  # xx: no language of the set
    assert dropped == {"under two languages": 2}  # Catalan and its Valencian spelling are one language
    held = next(f"debian:caja:caja{i}.mo" for i in range(100) if is_held_out(f"debian:caja:caja{i}.mo"))
    rows = held_out_rows([CatalogueText(t.text, held, t.locale) for t in kept])
    assert sorted(r["lang"] for r in rows) == ["cat_Latn", "cat_Latn", "srp_Cyrl"]  # Latin letters are not Russian
