from __future__ import annotations

import orjson

from eurocurate.langid.jsonl import identify_jsonl
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES


def test_every_line_is_labelled_in_order_and_fields_pass_through(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [
        {"id": 1, "text": EU24_SENTENCES["sk"][0], "meta": {"url": "https://example.sk/a"}},
        {"id": 2, "text": EU24_SENTENCES["da"][1], "lang": "stale"},
        {"id": 3, "text": LOOKALIKE_SENTENCES["nb"]},
        {"id": 4, "text": EU24_SENTENCES["mt"][0]},
    ]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    counts = identify_jsonl(src, dst, batch_size=3)
    out = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert [r["id"] for r in out] == [1, 2, 3, 4]
    assert [r["lang"] for r in out] == ["sk", "da", "nb", "mt"]
    assert out[0]["meta"] == {"url": "https://example.sk/a"} and out[0]["text"] == rows[0]["text"]
    assert all(0 <= r["lang_score"] <= 1 and r["lang_shares"] for r in out)
    assert counts["lines"] == 4 and counts["labelled"] == 4 and counts["bad_lines"] == 0


def test_bad_lines_are_passed_through_and_counted(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(
        b'not json\n{"no_text": 1}\n[1, 2]\n{"text": 5}\n' + orjson.dumps({"text": EU24_SENTENCES["et"][0]}) + b"\n"
    )
    counts = identify_jsonl(src, dst, batch_size=2)
    lines = dst.read_bytes().splitlines()
    assert lines[:4] == [b"not json", b'{"no_text": 1}', b"[1, 2]", b'{"text": 5}']
    assert orjson.loads(lines[4])["lang"] == "et"
    assert counts == {"lines": 5, "labelled": 1, "bad_lines": 4, "languages": {"et": 1}}


def test_identifier_options_reach_the_identifier(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(orjson.dumps({"text": EU24_SENTENCES["hr"][0]}) + b"\n")
    identify_jsonl(src, dst, second_opinion=False)
    assert orjson.loads(dst.read_bytes())["lang"] in {"hr", "sr", "bs", "hbs"}  # lid.176 alone
