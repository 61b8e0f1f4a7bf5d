"""`identify_jsonl`: label every line of a JSONL file with `lang`, `lang_score` and `lang_shares`.

Streams (one batch of lines in memory), copies every input field through unchanged and writes one
output line per input line in the same order. A line that is not a JSON object with a string `text`
is written through unchanged and counted. The CLI (`eurocurate langid`) is a thin wrapper over it.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import orjson

from eurocurate import storage
from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.schema import Meta

log = logging.getLogger(__name__)


def identify_jsonl(src: str | Path, dst: str | Path, batch_size: int = 256, **identifier_options: object) -> dict:
    """Label `src` into `dst`; returns counts {lines, labelled, bad_lines, languages: {lang: n}}.

    `identifier_options` are `LangIdConfig` fields (e.g. `min_scores={"hr": 0.4}`, `model_path=...`).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    identifier = EuLanguageIdentifier(LangIdConfig(**identifier_options))  # type: ignore[arg-type]
    counts = {"lines": 0, "labelled": 0, "bad_lines": 0}
    languages: Counter[str] = Counter()
    with storage.open_input(src) as fin, open(dst, "wb") as fout:
        batch: list[bytes] = []
        for raw in fin:
            batch.append(raw)
            if len(batch) >= batch_size:
                fout.write(_label_batch(identifier, batch, counts, languages))
                batch = []
        if batch:
            fout.write(_label_batch(identifier, batch, counts, languages))
    if counts["bad_lines"]:
        log.warning("identify_jsonl: %d of %d lines were not objects with a string `text`; passed through",
                    counts["bad_lines"], counts["lines"])  # fmt: skip
    return {**counts, "languages": dict(languages.most_common())}


def _label_batch(identifier: EuLanguageIdentifier, lines: list[bytes], counts: dict, languages: Counter) -> bytes:
    out = []
    for raw in lines:
        counts["lines"] += 1
        body = raw.rstrip(b"\r\n")
        try:
            record = orjson.loads(body)
            text = record["text"] if isinstance(record, dict) else None
        except (orjson.JSONDecodeError, KeyError):
            text = None
        if not isinstance(text, str):
            counts["bad_lines"] += 1
            out.append(body + b"\n")
            continue
        result = identify_document(identifier, text)
        record[Meta.LANG] = result.lang
        record[Meta.LANG_SCORE] = round(result.score, 4)
        record[Meta.LANG_SHARES] = result.shares
        counts["labelled"] += 1
        languages[result.lang] += 1
        out.append(orjson.dumps(record) + b"\n")
    return b"".join(out)
