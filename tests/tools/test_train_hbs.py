"""The Croatian/Bosnian/Serbian trainer: a model file from a long-tail set's dev part, reproducibly, nothing else."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from eurocurate.langid.hbs import CALIBRATION
from eurocurate.langid.ngram_model import load_model
from eurocurate.tools.train_hbs import main, serbian_latin, train, training_rows

# Written for this test: everyday sentences in the three standards (Serbian given in Cyrillic, as Firefox's is)
SENTENCES = {
    "hrv_Latn": [
        "Tko je rekao da tijekom tjedna nema vremena za obitelj i prijatelje?",
        "Povijest grada seže tisuću godina unatrag, a rijeka teče kroz središte.",
        "Promijenite postavke preglednika kako biste zaštitili svoju privatnost.",
        "Datoteka je spremljena u mapu koju ste odabrali u izborniku.",
        "Sveučilište je ove godine upisalo tisuću novih studenata znanosti.",
        "Kazalište u središtu grada tijekom tjedna prikazuje nove predstave.",
    ],
    "bos_Latn": [
        "Ko je rekao da tokom sedmice nema vremena za porodicu i prijatelje?",
        "Historija grada seže hiljadu godina unazad, a rijeka teče kroz centar.",
        "Promijenite podešavanja pretraživača da biste zaštitili svoju privatnost.",
        "Fajl je sačuvan u fasciklu koju ste odabrali u meniju.",
        "Univerzitet je ove godine upisao hiljadu novih studenata nauke.",
        "Pozorište u centru grada tokom sedmice prikazuje nove predstave.",
    ],
    "srp_Cyrl": [
        "Ко је рекао да током недеље нема времена за породицу и пријатеље?",
        "Историја града сеже хиљаду година уназад, а река тече кроз центар.",
        "Промените подешавања претраживача да бисте заштитили своју приватност.",
        "Фајл је сачуван у фасциклу коју сте изабрали у менију.",
        "Универзитет је ове године уписао хиљаду нових студената науке.",
        "Позориште у центру града током недеље приказује нове представе.",
    ],
}


def _write_set(folder: Path, split: str = "dev") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "text": text,
            "lang": lang,
            "iso639_3": lang[:3],
            "script": lang[4:],
            "eu24": "hr" if lang == "hrv_Latn" else None,
            "source": "test",
            "unit": f"test:unit-{i}",  # one unit per sentence: the same fold in every language
            "split": split,
        }
        for lang, texts in SENTENCES.items()
        for i, text in enumerate(texts)
    ]
    rows.append({**rows[0], "lang": "deu_Latn", "iso639_3": "deu", "text": "Ein Satz in einer anderen Sprache."})
    (folder / "dev.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return folder


def test_serbian_cyrillic_becomes_latin_letter_for_letter():
    assert serbian_latin("Љубав, Његош, џеп и ђак") == "Ljubav, Njegoš, džep i đak"


def test_training_reads_the_three_languages_in_latin_script_only(tmp_path: Path):
    rows = training_rows(orjson.loads(line) for line in (_write_set(tmp_path) / "dev.jsonl").read_bytes().splitlines())
    assert {r.cls for r in rows} == {"hr", "bs", "sr"}
    assert len(rows) == 18  # the German row is not one of them
    assert not any("\u0400" <= char <= "\u04ff" for r in rows for char in r.text)  # no Cyrillic left
    assert "Istorija grada seže hiljadu godina unazad, a reka teče kroz centar." in {r.text for r in rows}


def test_a_row_of_the_unseen_part_is_refused(tmp_path: Path):
    folder = _write_set(tmp_path, split="unseen")
    with pytest.raises(ValueError, match="dev part only"):
        train(folder)


def test_the_trained_model_round_trips_and_is_reproducible(tmp_path: Path):
    folder = _write_set(tmp_path / "set")
    assert main(["--set", str(folder), "--output", str(tmp_path / "a.npz")]) == 0
    assert main(["--set", str(folder), "--output", str(tmp_path / "b.npz")]) == 0
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    model = load_model(tmp_path / "a.npz")
    assert model.labels == ("bs", "hr", "sr")
    assert set(CALIBRATION) <= set(model.calibration)
    assert "Firefox" in model.about
    probs = model.probabilities("Tko je tijekom tjedna promijenio postavke preglednika?")
    assert max(probs, key=probs.get) == "hr"


def test_desktop_catalogue_rows_leave_the_held_out_catalogues_out_and_weigh_as_much_as_the_dev_rows(tmp_path: Path):
    from eurocurate.tools.longtail.regional_sources import CatalogueText, is_held_out
    from eurocurate.tools.train_hbs import DESKTOP, DESKTOP_SHARE, desktop_rows

    dev = training_rows(orjson.loads(line) for line in (_write_set(tmp_path) / "dev.jsonl").read_bytes().splitlines())
    units = [f"debian:pkg{i}:cat{i}.mo" for i in range(30)]
    texts = [
        CatalogueText(f"{text} ({unit})", unit, locale)
        for unit in units
        for locale, text in (("bs", "Dozvoli različite rasporede tastature"), ("hr", "Dopusti različite rasporede"),
                             ("sr@latin", "Dozvoli različite rasporede tastature za prozore"), ("an", "Alza"))
    ]  # fmt: skip
    rows = desktop_rows(texts, dev)
    assert {r.unit.removeprefix(DESKTOP) for r in rows} == {u for u in units if not is_held_out(u)}
    assert {r.cls for r in rows} == {"bs", "hr", "sr"}  # Aragonese is not one of them
    assert {r.lang for r in rows} == {"bos_Latn", "hrv_Latn", "srp_Latn"}
    for cls in ("bs", "hr", "sr"):
        dev_mass = sum(len(r.text) for r in dev if r.cls == cls)
        assert sum(r.weight * len(r.text) for r in rows if r.cls == cls) == pytest.approx(DESKTOP_SHARE * dev_mass)
    model, text = train(tmp_path, desktop=texts)
    assert "(out-of-fold, desktop catalogues)" in text and "desktop catalogues" in model.about
    assert desktop_rows([], dev) == []
