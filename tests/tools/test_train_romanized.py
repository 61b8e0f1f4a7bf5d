from __future__ import annotations

import pytest

from eurocurate.tools.train_romanized import training_rows


def _row(text: str, split: str = "dev") -> dict:
    return {"text": text, "lang": "slv_Latn", "iso639_3": "slv", "script": "Latn", "eu24": "sl", "source": "firefox",
            "unit": "firefox:a.ftl", "split": split}  # fmt: skip


def test_the_romanized_model_trains_on_the_dev_part_only():
    with pytest.raises(ValueError, match="dev part only"):
        training_rows([_row("Prosim, poskusite znova.", "unseen")], [])
    rows = training_rows([_row("Prosim, poskusite znova čez minuto.")], [])
    assert [(r.cls, r.stripped) for r in rows] == [("sl", False), ("sl", True)]
