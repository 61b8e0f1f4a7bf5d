"""The regional-language trainer: a model file from a long-tail set's dev part, reproducibly, nothing else."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from eurocurate.langid.ngram_model import load_model
from eurocurate.tools.train_regional import RegionalRow, derive_min_lead, main, training_rows

# Written for this test: short messages in Spanish and Aragonese, Italian and Friulian
SENTENCES = {
    "spa_Latn": [
        "No se ha podido abrir el archivo porque el servidor no está disponible.",
        "La página que busca no existe o ha sido trasladada a otra dirección.",
        "Guarde los cambios antes de cerrar la ventana del navegador.",
        "Esta conexión no es segura y los datos pueden ser leídos por otros.",
        "El complemento se ha desactivado porque no se pudo verificar.",
    ],
    "arg_Latn": [
        "No s'ha puesto ubrir o fichero porque o servidor no ye disponible.",
        "A pachina que busca no existe u ha estau tresladada ta unatra adreza.",
        "Alza os cambeos antes de zarrar a finestra d'o navegador.",
        "Ista connexión no ye segura y atros pueden leyer as datos.",
        "O complemento s'ha desactivau porque no s'ha puesto verificar.",
    ],
    "ita_Latn": [
        "Non è stato possibile aprire il file perché il server non è disponibile.",
        "La pagina che cerchi non esiste o è stata spostata a un altro indirizzo.",
        "Salva le modifiche prima di chiudere la finestra del browser.",
        "Questa connessione non è sicura e i dati possono essere letti da altri.",
        "Il componente aggiuntivo è stato disattivato perché non è stato verificato.",
    ],
    "fur_Latn": [
        "Nol è stât pussibil vierzi il file parcè che il servidôr nol è disponibil.",
        "La pagjine che tu ciris no esist o e je stade spostade a une altre direzion.",
        "Salve i cambiaments prime di sierâ il barcon dal navigadôr.",
        "Cheste conession no je sigure e altris a puedin lei i dâts.",
        "Il component adizionâl al è stât disativât parcè che nol è stât verificât.",
    ],
}


def _rows(split: str = "dev") -> list[dict]:
    rows = [
        {
            "text": text,
            "lang": lang,
            "iso639_3": lang[:3],
            "script": "Latn",
            "eu24": None,
            "source": "test",
            "unit": f"firefox:unit-{i}",  # one catalogue per message: the same fold in every language
            "split": split,
        }
        for lang, texts in SENTENCES.items()
        for i, text in enumerate(texts)
    ]
    rows.append({**rows[0], "lang": "bos_Latn", "iso639_3": "bos", "text": "Ovo je rečenica na bosanskom jeziku."})
    rows.append({**rows[0], "lang": "rus_Cyrl", "iso639_3": "rus", "script": "Cyrl", "text": "Это предложение."})
    return rows


def test_training_reads_latin_dev_rows_and_leaves_bosnian_and_serbian_to_the_hbs_model():
    rows = training_rows(_rows())
    assert {r.cls for r in rows} == {"es", "an", "it", "fur"}  # pipeline codes; no bs, no Cyrillic
    assert len(rows) == 20


def test_training_refuses_rows_of_the_unseen_part():
    with pytest.raises(ValueError, match="dev part only"):
        training_rows(_rows("unseen"))


def test_a_language_from_one_catalogue_is_folded_by_text():
    rows = _rows()
    for row in rows:
        if row["lang"] == "fur_Latn":
            row["unit"] = "debian:one-catalogue"
    folds = {r.fold for r in training_rows(rows) if r.cls == "fur"}
    assert len(folds) > 1  # else no Friulian row could be scored by a model that saw none of its catalogue


def test_the_lead_is_the_lowest_that_keeps_every_eu_language_below_the_bound():
    rows = [RegionalRow("x", "es", f"firefox:{i}", 0) for i in range(200)] + [RegionalRow("x", "an", "firefox:a", 0)]
    leads = np.full(201, -5.0)
    leads[:2] = [13.0, 31.0]  # one Spanish string of 200 (0.5%) may be vetoed...
    assert derive_min_lead(rows, leads) == 14.0
    leads[2] = 31.0  # ...two may not
    assert derive_min_lead(rows, leads) == 32.0
    leads[1:200] = 61.0
    with pytest.raises(ValueError, match="no lead up to"):
        derive_min_lead(rows, leads)


def test_the_trainer_writes_the_same_model_file_twice_and_it_tells_the_languages_apart(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "dev.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in _rows()))
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    assert main(["--set", str(folder), "--output", str(first)]) == 0
    assert main(["--set", str(folder), "--output", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    model = load_model(first)
    assert set(model.labels) == {"es", "an", "it", "fur"}
    assert "min_lead" in model.calibration
    scores = dict(zip(model.labels, model.log_scores("Il servidôr nol è disponibil, salve i cambiaments.")))
    assert max(scores, key=scores.get) == "fur"
