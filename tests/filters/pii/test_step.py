from __future__ import annotations

import json
import logging
import pickle

import pytest
from datatrove.data import Document
from datatrove.executor.base import ExecutorJSONEncoder

from eurocurate.filters.pii.redaction import fingerprint
from eurocurate.filters.pii.step import PiiRedactor, redact_jsonl
from eurocurate.schema import Meta

SECRET = "s3cret-pii-key-value"
TEXT = "Kontakt: eva@example.com oder 030 1234567. Ip: 10.0.0.1."


def doc(text: str = TEXT, lang: str | None = "de", doc_id: str = "d1") -> Document:
    return Document(text=text, id=doc_id, metadata={Meta.LANG: lang} if lang else {})


def test_judge_redacts_in_place_stores_counts_and_never_drops(tmp_path):
    step, d = PiiRedactor(str(tmp_path), key=SECRET), doc()
    assert step.judge(d) is None
    assert d.text == "Kontakt: <EMAIL> oder <PHONE>. Ip: 10.0.0.1."
    assert d.metadata[Meta.PII_COUNTS] == {"EMAIL": 1, "PHONE": 1}
    assert d.metadata[Meta.PII_CANDIDATES] == {"IP": 1}
    assert d.metadata[Meta.PII_FINGERPRINTS] == [
        fingerprint("EMAIL", "eva@example.com", SECRET.encode()),
        fingerprint("PHONE", "+49 30 1234567", SECRET.encode()),
    ]
    assert step.stats["pii_EMAIL"].total == 1 and step.stats["pii_candidate_IP"].total == 1


def test_the_document_language_enables_national_phone_numbers(tmp_path):
    d = doc(lang=None)
    PiiRedactor(str(tmp_path)).judge(d)
    assert d.metadata[Meta.PII_COUNTS] == {"EMAIL": 1} and "030 1234567" in d.text


def test_the_key_is_read_from_the_environment_in_the_worker(tmp_path, monkeypatch):
    step = PiiRedactor(str(tmp_path), key_env="TEST_PII_KEY")
    monkeypatch.setenv("TEST_PII_KEY", SECRET)  # set after construction: only the worker reads it
    d = doc()
    step.judge(d)
    assert d.metadata[Meta.PII_FINGERPRINTS][0] == fingerprint("EMAIL", "eva@example.com", SECRET.encode())


def test_without_a_key_fingerprints_are_empty_and_one_warning_is_logged_per_task(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv("EUROCURATE_PII_KEY", raising=False)
    step = PiiRedactor(str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="eurocurate.filters.pii.step"):
        out = list(step.run(iter([doc(doc_id=str(i)) for i in range(3)])))
        list(step.run(iter([doc(doc_id="next-task")]), rank=1))
    assert len(out) == 3 and all(d.metadata[Meta.PII_FINGERPRINTS] == [] for d in out)
    assert len([r for r in caplog.records if "no key" in r.getMessage()]) == 2


def test_the_key_never_appears_in_serialised_configuration_or_repr(tmp_path):
    step = PiiRedactor(str(tmp_path), key=SECRET)
    list(step.run(iter([doc()])))
    dumped = json.dumps(step, cls=ExecutorJSONEncoder)  # what datatrove writes to executor.json
    assert SECRET not in dumped and SECRET not in repr(vars(step))
    clone = pickle.loads(pickle.dumps(step))  # how Ray ships the step to a worker
    d = doc()
    clone.judge(d)
    assert d.metadata[Meta.PII_FINGERPRINTS][0] == fingerprint("EMAIL", "eva@example.com", SECRET.encode())


def write_lines(path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_redact_jsonl_keeps_order_and_other_fields_and_passes_bad_lines_through(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out" / "redacted.jsonl"
    lines = [
        json.dumps({"id": 1, "text": "Mail eva@example.com", "meta": {"a": [1, 2]}, "score": 0.5}),
        "this is not json",
        json.dumps({"id": 3, "body": "no text field"}),
        json.dumps({"id": 4, "text": "Ruf 030 1234567 an", "lang": "de"}),
        json.dumps({"id": 5, "text": "Ruf 030 1234567 an"}),
        json.dumps([1, 2, 3]),
        json.dumps({"id": 7, "text": None}),
        json.dumps({"id": 8, "text": "Zażółć gęślą jaźń", "big": 2**100}, ensure_ascii=False),
    ]
    write_lines(src, lines)
    totals = redact_jsonl(src, dst, key=None, batch_size=3)
    out = dst.read_text(encoding="utf-8").splitlines()
    assert len(out) == len(lines)
    first = json.loads(out[0])
    assert first == {"id": 1, "text": "Mail <EMAIL>", "meta": {"a": [1, 2]}, "score": 0.5, "pii": {"EMAIL": 1}}
    assert out[1] == "this is not json" and out[5] == "[1, 2, 3]"
    assert json.loads(out[2]) == {"id": 3, "body": "no text field", "pii": None}
    assert json.loads(out[3])["text"] == "Ruf <PHONE> an" and json.loads(out[4])["pii"] == {}
    assert json.loads(out[6]) == {"id": 7, "text": None, "pii": None}
    assert json.loads(out[7]) == {"id": 8, "text": "Zażółć gęślą jaźń", "big": 2**100, "pii": {}}
    assert totals == {"lines": 8, "skipped_lines": 4, "EMAIL": 1, "PHONE": 1}
    assert not list(dst.parent.glob("*.partial"))


def test_redact_jsonl_adds_fingerprints_when_given_a_key(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(src, [json.dumps({"text": "Mail eva@example.com"})])
    redact_jsonl(src, dst, key=b"k")
    record = json.loads(dst.read_text())
    assert record["pii_fingerprints"] == [fingerprint("EMAIL", "eva@example.com", b"k")]


def test_redact_jsonl_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps({"text": "x"})])
    with pytest.raises(ValueError, match="overwrite its input"):
        redact_jsonl(src, src, key=None)
