from __future__ import annotations

from collections import Counter

import orjson
import pytest

from eurocurate.tools.longtail.build import read_set
from eurocurate.tools.longtail.evaluate import LanguageResult, report
from eurocurate.tools.longtail.romanized import main, plain_rows, romanize, romanized_rows, strip_diacritics


def _row(text: str, lang: str, split: str = "dev", unit: str = "firefox:a.ftl") -> dict:
    iso3, script = lang.split("_")
    eu24 = (
        {"bul": "bg", "ell": "el", "slv": "sl", "hrv": "hr"}.get(iso3) if script in ("Latn", "Cyrl", "Grek") else None
    )
    eu24 = None if (iso3, script) in (("rus", "Cyrl"), ("ukr", "Cyrl")) else eu24
    return {"text": text, "lang": lang, "iso639_3": iso3, "script": script, "eu24": eu24, "source": "firefox",
            "unit": unit, "split": split}  # fmt: skip


def test_cyrillic_and_greek_are_written_as_people_type_them_in_both_schemes():
    assert (
        romanize("Щека ЖУК, объявление и жёлтая вишня.", "rus", "a") == "Shcheka ZHUK, obyavlenie i zhyoltaya vishnya."
    )
    assert romanize("Пожалуйста, введите пароль", "rus", "b") == "Pozhalujsta, vvedite parol"
    assert romanize("Щось трапилося з вашою сторінкою", "ukr", "a") == "Shchos' trapylosya z vashoyu storinkoyu"
    assert romanize("Моля, опитайте отново", "bul", "a") == "Molya, opitayte otnovo"
    assert romanize("Θέλετε να αποθηκεύσετε αυτή τη σελίδα;", "ell", "a") == "Thelete na apothikevsete avti ti selida;"
    assert romanize("Θέλετε να αποθηκεύσετε αυτή τη σελίδα;", "ell", "b") == "Thelete na apothhkeusete auth th selida;"


def test_the_romanized_split_keeps_each_row_s_unit_and_split_and_is_no_eu24_text(tmp_path):
    rows = [
        _row("Моля, опитайте отново по-късно.", "bul_Cyrl", "unseen", "udhr:article:3"),
        _row("Пожалуйста, попробуйте позже.", "rus_Cyrl"),
        _row("Prosim, poskusite znova čez nekaj minut.", "slv_Latn"),
    ]
    out = romanized_rows(rows)
    assert [(r["lang"], r["split"], r["unit"], r["eu24"], r["romanized_from"]) for r in out] == [
        ("bul_Latn", "unseen", "udhr:article:3", None, "bul_Cyrl"),
        ("rus_Latn", "dev", "firefox:a.ftl", None, "rus_Cyrl"),
    ]
    assert LanguageResult("bul_Latn").eu24 is None and LanguageResult("bul_Cyrl").eu24 == "bg"
    assert LanguageResult("ell_Latn").eu24 is None and LanguageResult("slv_Latn").eu24 == "sl"
    text = report({"bul_Latn": LanguageResult("bul_Latn", Counter({"sl": 3, "other": 1}), Counter({"sl": 1}))})
    assert "bul_Latn" in text and "(not asserted)" not in text  # Bulgarian in Latin letters must not pass as EU-24
    assert plain_rows(rows) == [rows[2] | {"text": "Prosim, poskusite znova cez nekaj minut.", "plain": True}]
    assert strip_diacritics("Đurđevdan, łódź, Straße") == "Djurdjevdan, lodz, Strasse"


def test_the_tool_writes_both_parts_and_says_where_they_come_from(tmp_path):
    src, out = tmp_path / "longtail", tmp_path / "romanized"
    src.mkdir()
    for split in ("dev", "unseen"):
        row = _row("Пожалуйста, попробуйте позже ещё раз.", "rus_Cyrl", split)
        (src / f"{split}.jsonl").write_bytes(orjson.dumps(row) + b"\n")
    assert main(["--set", str(src), "--output", str(out)]) == 0
    assert [r["split"] for r in read_set(out / "dev.jsonl") + read_set(out / "unseen.jsonl")] == ["dev", "unseen"]
    assert "rus_Latn       1      1" in (out / "README.txt").read_text()
    with pytest.raises(SystemExit):
        main(["--set", str(tmp_path / "nothing"), "--output", str(out)])
