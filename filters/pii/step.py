"""Applies PII redaction to pipeline documents (`PiiRedactor`) and to JSONL files (`redact_jsonl`).

Both only wire `find_pii` + `redact` to their input and keep the books. The HMAC key comes from the
caller or an environment variable; it is read in the worker and never logged, written to outputs or
left readable in the step's attributes (datatrove serialises those into `executor.json`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import orjson
import pyarrow as pa
from datatrove.data import Document, DocumentsPipeline
from pydantic import BaseModel, ConfigDict, Field

from eurocurate import storage
from eurocurate.config import SpecError
from eurocurate.layout import OutputLayout
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

log = logging.getLogger(__name__)
KEY_ID_MESSAGE = b"eurocurate-key-id"


def key_id(key: bytes) -> str:
    """A public name for a PII key: HMAC-SHA256(key, "eurocurate-key-id"), first 16 hex digits. run.json records
    it so that an erasure with another key is refused before any work; the key cannot be derived from it."""
    return hmac.new(key, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]


class _Secret:
    """Holds key bytes so that repr, str and datatrove's JSON dump of step attributes show no key."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class PiiRedactor(LedgerStage):
    """Replaces valid personal data in `doc.text` by typed placeholders; never drops a document.

    Stores per-kind counts, checksum-failed candidates and keyed fingerprints in the metadata. The key is
    `key` if given, else the environment variable `key_env` read in the worker; with neither, fingerprints
    are empty and one warning per task says so (the `pii` stage refuses to start without a key, unless
    `fingerprints: false`, so a pipeline never gets there)."""

    name = "pii_redactor"

    def __init__(
        self,
        out_dir: str,
        key_env: str = "EUROCURATE_PII_KEY",
        key: str | None = None,
        suppressed_fingerprints: frozenset[str] = frozenset(),
        fingerprints: bool = True,
    ):
        super().__init__(out_dir)
        self.key_env = key_env
        self.fingerprints = fingerprints
        self.suppressed_fingerprints = suppressed_fingerprints  # subjects of erasure requests: their documents drop
        self._given_key = _Secret(key.encode("utf-8")) if key else None
        self._key: _Secret | None = None
        self._key_id: str | None = None  # the public id of the key this task read, stored beside the fingerprints
        self._key_read = False

    def policy(self) -> dict:
        """What run.json records (`policies.pii_redactor`): fingerprints kept or not, and the key's public id."""
        key = self._hmac_key() if self.fingerprints else None
        self._key_read = False  # the driver computed this; each task reads (and warns) for itself
        return {"fingerprints": self.fingerprints, "key_env": self.key_env, "key_id": key_id(key) if key else None}

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._key_read = False  # read the key, and warn of its absence, once per task and in the worker
        yield from super().run(data, rank, world_size)

    def _hmac_key(self) -> bytes | None:
        if not self.fingerprints:
            return None
        if not self._key_read:
            self._key_read = True
            from_env = os.environ.get(self.key_env)
            self._key = self._given_key or (_Secret(from_env.encode("utf-8")) if from_env else None)
            self._key_id = key_id(self._key.reveal()) if self._key else None
            if self._key is None:
                log.warning("%s: no key given and $%s is unset: documents get no PII fingerprints, so erasure "
                            "requests cannot find them after redaction", self.name, self.key_env)  # fmt: skip
        return self._key.reveal() if self._key else None

    def judge(self, doc: Document) -> Drop | None:
        from eurocurate.filters.pii.detectors import find_pii  # (imported on first use: see __init__)
        from eurocurate.filters.pii.redaction import redact

        lang = doc.metadata.get(Meta.LANG)
        result = redact(doc.text, find_pii(doc.text, lang if isinstance(lang, str) else None), self._hmac_key())
        doc.text = result.text
        doc.metadata[Meta.PII_COUNTS] = result.counts
        doc.metadata[Meta.PII_CANDIDATES] = result.candidates
        doc.metadata[Meta.PII_FINGERPRINTS] = result.fingerprints
        doc.metadata[Meta.PII_KEY_ID] = self._key_id  # verify holds it to run.json's key id (a resumed task's key)
        for kind, n in result.counts.items():
            self.stat_update(f"pii_{kind}", value=n)
        for kind, n in result.candidates.items():
            self.stat_update(f"pii_candidate_{kind}", value=n)
        if self.suppressed_fingerprints:
            hits = self.suppressed_fingerprints.intersection(result.fingerprints)
            if hits:
                kinds = sorted({h.split(":", 1)[0] for h in hits})
                return Drop(
                    Reason.SUPPRESSED_SUBJECT,
                    f"{len(hits)} identifier(s) under an erasure request ({', '.join(kinds)})",
                )
        return None


def redact_jsonl(src: str | Path, dst: str | Path, key: bytes | None, batch_size: int = 256) -> dict[str, int]:
    """Redact the `text` field of every JSON object in `src` (one per line) into `dst`, in order.

    Uses the optional `lang` field for national phone formats, copies every other field, adds `pii` (counts
    per kind) and, with a key, `pii_fingerprints`. A line that is not a JSON object with a string `text` is
    written through unchanged (an object gets `pii: null`) and counted as `skipped_lines`. Returns totals:
    `lines`, `skipped_lines` and replaced values per kind. `dst` appears only once complete."""
    dst = Path(dst)
    if not storage.is_remote(src) and Path(src).resolve() == dst.resolve():
        raise ValueError(f"redact_jsonl would overwrite its input {src}; give another output path")
    dst.parent.mkdir(parents=True, exist_ok=True)
    partial = dst.with_name(dst.name + ".partial")
    totals: Counter[str] = Counter(lines=0, skipped_lines=0)
    with storage.open_input(src) as fin, partial.open("wb") as fout:
        batch: list[bytes] = []
        for line in fin:
            batch.append(line)
            if len(batch) >= batch_size:
                fout.write(b"".join(_redact_lines(batch, key, totals)))
                batch.clear()
        fout.write(b"".join(_redact_lines(batch, key, totals)))
    partial.replace(dst)
    return dict(totals)


def _redact_lines(lines: list[bytes], key: bytes | None, totals: Counter[str]) -> Iterable[bytes]:
    from eurocurate.filters.pii.detectors import find_pii
    from eurocurate.filters.pii.redaction import Redaction, redact

    for line in lines:
        totals["lines"] += 1
        record = _loads(line)
        if not isinstance(record, dict):
            totals["skipped_lines"] += 1
            yield line if line.endswith(b"\n") else line + b"\n"
            continue
        text, lang = record.get("text"), record.get("lang")
        if not isinstance(text, str):
            totals["skipped_lines"] += 1
            yield _dumps({**record, "pii": None})
            continue
        result: Redaction = redact(text, find_pii(text, lang if isinstance(lang, str) else None), key)
        totals.update(result.counts)
        out = {**record, "text": result.text, "pii": result.counts}
        if key is not None:
            out["pii_fingerprints"] = result.fingerprints
        yield _dumps(out)


def _loads(line: bytes) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        pass
    try:  # what orjson refuses but JSON writers produce: integers beyond 64 bits, NaN
        return json.loads(line)
    except ValueError:  # also UnicodeDecodeError
        return None


def _dumps(record: dict[str, object]) -> bytes:
    try:
        return orjson.dumps(record) + b"\n"
    except TypeError:  # integers beyond 64 bits
        return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


class PiiParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_env: str = Field(
        "EUROCURATE_PII_KEY",
        description="Environment variable holding the HMAC key for fingerprints (never put the key in a spec: "
        "specs are copied into run.json). Unset or empty: the run refuses to start, unless `fingerprints: false`.",
    )
    fingerprints: bool = Field(
        True,
        description="Keep keyed fingerprints of replaced values so `eurocurate erase --identifier` can find them. "
        "false: no key is needed or read, and erasure by identifier is impossible for this run.",
    )
    suppression_file: str | None = Field(
        None,
        description="Suppression list (e.g. OUT/suppression.yaml of an earlier run) whose `fingerprints` are dropped.",
    )


@register_stage(
    name="pii",
    summary="Personal data replaced by typed placeholders (e-mail, IP, phone, IBAN, card, national IDs); "
    "keyed fingerprints",
    role="map",
    params=PiiParams,
    provenance_columns=[
        (Meta.PII_COUNTS, pa.map_(pa.string(), pa.int64())),
        (Meta.PII_CANDIDATES, pa.map_(pa.string(), pa.int64())),
        (Meta.PII_FINGERPRINTS, pa.list_(pa.string())),
        (Meta.PII_KEY_ID, pa.string()),
    ],
    reasons={Reason.SUPPRESSED_SUBJECT: "contains an identifier under an erasure request (suppression list)"},
)
def build_pii(p: PiiParams, ctx: BuildContext, key: str) -> StageParts:
    fingerprints: frozenset[str] = frozenset()
    if p.suppression_file:
        if not Path(p.suppression_file).is_file():
            raise SpecError(f"stage {key!r}: suppression_file {p.suppression_file} does not exist")
        from eurocurate.filters.optout.suppression import SuppressionList

        fingerprints = frozenset(SuppressionList.from_file(p.suppression_file).fingerprints)
    own = OutputLayout(ctx.out_dir).suppression_file  # what erasures from this output folder asked: always applied
    if own.is_file():
        from eurocurate.filters.optout.suppression import SuppressionList

        fingerprints |= frozenset(SuppressionList.from_file(own).fingerprints)
    if p.fingerprints and not os.environ.get(p.key_env):
        # checked here, in the driver, before any task: a worker's warning is lost under Ray
        raise SpecError(
            f"stage {key!r}: ${p.key_env} is unset, so redacted values would get no fingerprints and erasure "
            f"requests could not find them; set ${p.key_env} to a secret key, or set `fingerprints: false`"
        )
    step = PiiRedactor(
        ctx.out_dir, key_env=p.key_env, suppressed_fingerprints=fingerprints, fingerprints=p.fingerprints
    )
    return StageParts(map_steps=[step])
