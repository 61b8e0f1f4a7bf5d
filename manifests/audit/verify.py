"""`eurocurate verify OUT`: re-hash every output against the manifests and re-check every count invariant.

Each problem is reported with the file or stage and the two numbers that disagree; an empty problem
list means the output folder is exactly what the run recorded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from eurocurate.files import TMP_MARK, read_parquet, read_tables, sha256_file
from eurocurate.layout import (
    OUTPUT_DIRS,
    REPORT_FILES,
    REPORTS,
    RUN_MANIFEST,
    SEQUENCES,
    SHARDS,
    TEXT,
    TOKENIZER,
    TOKENIZER_FILE,
    OutputLayout,
)
from eurocurate.manifests.audit.declared_schemas import declared_schema, schema_differences
from eurocurate.manifests.audit.erasure_checks import check_erasure_record
from eurocurate.manifests.audit.language_counts import documents_by_language, excluded_non_eu24
from eurocurate.manifests.audit.run_manifest import RunManifest, RunManifestError, read_run_manifest
from eurocurate.manifests.audit.shard_manifest import doc_ids_digest, manifest_path, read_shard_manifest
from eurocurate.schema import TEXT_ID, Meta


@dataclass
class VerifyReport:
    checks: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what cannot be checked (an older run's record lacks it)

    @property
    def ok(self) -> bool:
        return not self.problems

    def expect(self, condition: bool, problem: str) -> None:
        self.checks += 1
        if not condition:
            self.problems.append(problem)

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)


class _OnDisk:
    """The output files as this verify reads them: each hashed once and each Parquet footer parsed once, whichever
    checks ask (a token shard is checked against run.json and against its own manifest; text and shard rows are
    counted again against the kept documents). A new verify reads everything anew: nothing is taken on trust."""

    def __init__(self) -> None:
        self._digests: dict[Path, str] = {}
        self._footers: dict[Path, pq.FileMetaData] = {}

    def sha256(self, path: Path) -> str:
        if path not in self._digests:
            self._digests[path] = sha256_file(path)
        return self._digests[path]

    def footer(self, path: Path) -> pq.FileMetaData:
        if path not in self._footers:
            self._footers[path] = pq.read_metadata(path)
        return self._footers[path]

    def rows(self, path: Path) -> int:
        return self.footer(path).num_rows

    def read(self, path: Path, columns: list[str]) -> pa.Table:
        """The columns of a Parquet file, through the footer already parsed."""
        return pq.ParquetFile(path, metadata=self.footer(path)).read(columns=columns)


def _check_files(out: Path, manifest: RunManifest, report: VerifyReport, disk: _OnDisk) -> None:
    listed = {e.path: e for e in manifest.outputs}
    for rel, entry in listed.items():
        path = out / rel
        if not path.is_file():
            report.expect(False, f"{rel}: listed in {RUN_MANIFEST} but missing")
            continue
        size = path.stat().st_size
        report.expect(size == entry.bytes, f"{rel}: {size} bytes, {RUN_MANIFEST} records {entry.bytes}")
        digest = disk.sha256(path)
        report.expect(
            digest == entry.sha256,
            f"{rel}: sha256 {digest[:16]}… differs from {RUN_MANIFEST} ({entry.sha256[:16]}…)",
        )
        if entry.rows is not None and size == entry.bytes:
            try:
                rows = disk.rows(path)
                report.expect(rows == entry.rows, f"{rel}: {rows} rows, {RUN_MANIFEST} records {entry.rows}")
            except (OSError, pa.ArrowInvalid, KeyError) as e:
                report.expect(False, f"{rel}: unreadable Parquet ({e})")
    for sub in OUTPUT_DIRS:
        for path in sorted((out / sub).rglob("*")):
            if path.is_file():
                rel = path.relative_to(out).as_posix()
                if TMP_MARK in path.name:
                    report.expect(False, f"{rel}: temporary file left by an interrupted task")
                else:
                    report.expect(rel in listed, f"{rel}: present but not listed in {RUN_MANIFEST}")


def _check_schemas(out: Path, manifest: RunManifest, report: VerifyReport, disk: _OnDisk) -> None:
    """Every Parquet output has the columns, of the types, the run declares for its folder: a file rewritten with
    another type (a count as text, ids as int64) keeps every hash and count check once run.json records its hash."""
    for sub in OUTPUT_DIRS:
        for path in sorted((out / sub).rglob("*.parquet")):
            if TMP_MARK in path.name:
                continue
            rel = path.relative_to(out).as_posix()
            declared = declared_schema(rel, manifest)
            if declared is None:
                continue
            try:
                found = disk.footer(path).schema.to_arrow_schema()
            except (OSError, pa.ArrowInvalid) as e:
                report.expect(False, f"{rel}: unreadable Parquet ({e})")
                continue
            differences = schema_differences(found, declared)
            report.expect(not differences, f"{rel}: {'; '.join(differences)}")


def _check_reports(out: Path, report: VerifyReport) -> None:
    """reports/ is published (but report.html) and written after run.json, so no manifest lists its files: a file
    there that eurocurate does not write would go public unlisted."""
    layout = OutputLayout(out)
    if not layout.reports.is_dir():
        return
    for path in sorted(layout.reports.rglob("*")):
        if path.is_file():
            rel = path.relative_to(out).as_posix()
            if TMP_MARK in path.name:
                report.expect(False, f"{rel}: temporary file left by an interrupted write")
            else:
                report.expect(
                    path.parent == layout.reports and path.name in REPORT_FILES,
                    f"{rel}: not a report eurocurate writes (no manifest lists it), and `publish` would upload it; "
                    f"remove it or move it out of {REPORTS}/",
                )


def _check_key_id(out: Path, manifest: RunManifest, report: VerifyReport) -> None:
    """The PII key that fingerprinted each kept document (provenance `pii_key_id`, as the `pii` stage read it in its
    task) is the one run.json names: erase --identifier checks a key against run.json's id only, and a document
    fingerprinted with another key (a task resumed with another $EUROCURATE_PII_KEY) could never be found."""
    files = OutputLayout(out).provenance_files()
    if not files or any(Meta.PII_KEY_ID not in pq.read_schema(f).names for f in files):
        return  # provenance written before the column existed
    values = read_tables(files, [Meta.PII_KEY_ID])[Meta.PII_KEY_ID].to_pylist()
    found = Counter(v for v in values if v is not None)
    policy = manifest.policies.pii_redactor
    recorded = policy.key_id if policy is not None else None
    other = {k: n for k, n in sorted(found.items()) if k != recorded}
    report.expect(
        not other,
        "provenance: "
        + ", ".join(f"{n} document(s) fingerprinted with PII key id {k}" for k, n in other.items())
        + f"; {RUN_MANIFEST} policies.pii_redactor.key_id is {recorded}",
    )
    # a task that read no key (a worker without the variable) fingerprinted nothing, though run.json says it did
    unkeyed = values.count(None) if policy is not None and policy.fingerprints and "pii" in manifest.stage_uses() else 0
    report.expect(
        not unkeyed,
        f"provenance: {unkeyed} document(s) went through the pii stage without a key (no fingerprints, so no "
        f"identifier request can find them); {RUN_MANIFEST} records fingerprints with key id {recorded}",
    )


@dataclass
class _ShardContents:
    """What the token shards hold, read once by `_check_shards` for the counts' checks."""

    doc_ids: list[str] = field(default_factory=list)
    tokens_by_language: Counter[str] = field(default_factory=Counter)


def _check_shards(out: Path, report: VerifyReport, disk: _OnDisk) -> _ShardContents:
    held = _ShardContents()
    for shard in OutputLayout(out).shard_files():
        rel = shard.relative_to(out).as_posix()
        mpath = manifest_path(shard)
        if not mpath.is_file():
            report.expect(False, f"{rel}: no shard manifest {mpath.name}")
            continue
        m = read_shard_manifest(mpath)
        report.expect(m.path == rel, f"{mpath.name}: describes {m.path}, not {rel}")
        digest = disk.sha256(shard)
        report.expect(digest == m.sha256, f"{rel}: sha256 differs from its shard manifest")
        if digest != m.sha256:
            continue
        t = disk.read(shard, ["doc_id", "n_tokens", "lang"])
        report.expect(t.num_rows == m.rows, f"{rel}: {t.num_rows} rows, manifest says {m.rows}")
        tokens = pc.sum(t["n_tokens"]).as_py() or 0
        report.expect(tokens == m.tokens, f"{rel}: {tokens} tokens, manifest says {m.tokens}")
        langs = dict(Counter(t["lang"].to_pylist()))
        report.expect(langs == m.languages, f"{rel}: languages {langs}, manifest says {m.languages}")
        report.expect(
            doc_ids_digest(t["doc_id"].to_pylist()) == m.doc_ids_sha256, f"{rel}: doc_id list differs from manifest"
        )
        held.doc_ids += t["doc_id"].to_pylist()
        held.tokens_by_language[Path(m.path).parent.name] += tokens
    return held


def _check_counts(
    out: Path, manifest: RunManifest, report: VerifyReport, disk: _OnDisk, shards: _ShardContents
) -> None:
    layout = OutputLayout(out)
    stages = manifest.stages
    totals = manifest.totals
    if stages:  # the totals the card, summary and report print are the stages' own
        report.expect(
            totals.read == stages[0].docs_in,
            f"{RUN_MANIFEST}: totals.read {totals.read} != {stages[0].docs_in} documents into {stages[0].stage}",
        )
        dropped = sum(st.dropped for st in stages)
        report.expect(totals.dropped == dropped, f"{RUN_MANIFEST}: totals.dropped {totals.dropped} != {dropped} "
                      "dropped by the stages")  # fmt: skip
    if layout.shard_files():
        found = {lang: n for lang, n in shards.tokens_by_language.items() if n}
        recorded = {lang: n for lang, n in totals.tokens_by_language.items() if n}
        report.expect(found == recorded, f"shards/: tokens by language {found}, {RUN_MANIFEST} records {recorded}")
    prev = None
    for st in stages:
        name = st.stage
        dropped = sum(st.dropped_by_reason.values())
        report.expect(
            st.docs_in == st.docs_out + st.dropped,
            f"stage {name}: documents in {st.docs_in} != out {st.docs_out} + dropped {st.dropped}",
        )
        report.expect(dropped == st.dropped, f"stage {name}: drops by reason sum to {dropped}, not {st.dropped}")
        if prev is not None:
            report.expect(
                st.docs_in == prev.docs_out,
                f"stage {name}: {st.docs_in} documents in, but {prev.stage} passed {prev.docs_out}",
            )
        prev = st
    ledger = read_tables(layout.exclusion_files(), ["doc_id", "stage", "reason"])
    on_disk = Counter()
    excluded_ids: list[str] = []
    if ledger is not None:
        on_disk = Counter(zip(ledger["stage"].to_pylist(), ledger["reason"].to_pylist()))
        excluded_ids = ledger["doc_id"].to_pylist()
    recorded = Counter({(st.stage, r): n for st in stages for r, n in st.dropped_by_reason.items() if n})
    for key in sorted(set(on_disk) | set(recorded)):
        report.expect(
            on_disk[key] == recorded[key],
            f"exclusion ledger: {on_disk[key]} rows for stage {key[0]} reason {key[1]}, "
            f"{RUN_MANIFEST} records {recorded[key]}",
        )
    prov = read_tables(layout.provenance_files(), ["doc_id"])
    kept_ids = prov["doc_id"].to_pylist() if prov is not None else []
    kept = manifest.totals.kept
    report.expect(len(kept_ids) == kept, f"provenance: {len(kept_ids)} rows, {RUN_MANIFEST} records {kept} kept")
    if stages:
        last_out = stages[-1].docs_out
        report.expect(kept == last_out, f"kept {kept} != documents leaving the last stage {last_out}")
        report.expect(
            stages[0].docs_in == len(kept_ids) + len(excluded_ids),
            f"documents read {stages[0].docs_in} != kept {len(kept_ids)} + excluded {len(excluded_ids)}",
        )
    by_language = manifest.totals.documents_by_language
    if by_language:  # runs written before the count existed have none
        found = documents_by_language(out)
        report.expect(found == by_language, f"provenance: documents by language {found}, {RUN_MANIFEST} records "
                      f"{by_language}")  # fmt: skip
    excluded = excluded_non_eu24(out)
    report.expect(
        not manifest.totals.non_eu24_excluded or excluded == manifest.totals.non_eu24_excluded,
        f"exclusion ledger: non-EU-24 documents excluded {excluded}, {RUN_MANIFEST} records "
        f"{manifest.totals.non_eu24_excluded}",
    )
    report.expect(len(set(kept_ids)) == len(kept_ids), "provenance: duplicated doc_id")
    report.expect(len(set(excluded_ids)) == len(excluded_ids), "exclusion ledger: a doc_id is excluded twice")
    both = set(kept_ids) & set(excluded_ids)
    report.expect(not both, f"{len(both)} doc_id(s) both kept and excluded, e.g. {sorted(both)[:3]}")
    for sub, files in ((TEXT, layout.text_files()), (SHARDS, layout.shard_files())):
        if files:
            rows = sum(disk.rows(f) for f in files)
            report.expect(rows == len(kept_ids), f"{sub}/: {rows} rows for {len(kept_ids)} kept documents")
    # which documents the rows are, not only how many: a row of an erased or dropped document put back in a shard
    # (and its hash in run.json with it) keeps every count
    kept_set = set(kept_ids)
    text_files = layout.text_files()
    text_ids = read_tables(text_files, [TEXT_ID])[TEXT_ID].to_pylist() if text_files else []
    for sub, ids in ((TEXT, text_ids), (SHARDS, shards.doc_ids)):
        if ids:
            stray = sorted(set(ids) - kept_set)
            report.expect(not stray, f"{sub}/: {len(stray)} row(s) of documents provenance does not keep, e.g. "
                          f"{stray[:3]}")  # fmt: skip
            report.expect(len(set(ids)) == len(ids), f"{sub}/: a document has two rows")


def _check_sequences(out: Path, manifest: RunManifest, report: VerifyReport) -> None:
    """sequences/ (the `pack_sequences` stage): rows of the spec's length, and a documents table that matches the
    rows and holds only documents provenance keeps (an erased document left in a row is reported)."""
    from eurocurate.pipelines.output.pack_sequences import packing_params  # only runs that pack import it

    layout = OutputLayout(out)
    rows, tables = layout.sequence_files(), layout.sequence_documents()
    params = packing_params(manifest.config.stages)
    if params is None:
        report.expect(not rows and not tables, f"{SEQUENCES}/: present, but the spec has no pack_sequences stage")
        return
    if len(tables) != 1:
        report.expect(False, f"{SEQUENCES}/: {len(tables)} documents tables, expected 1 ({[t.name for t in tables]})")
        return
    times: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    for f in rows:
        t = read_parquet(f, ["input_ids", "doc_ids", "document_starts", "continues", "padding"])
        lengths = set(pc.list_value_length(t["input_ids"]).to_pylist())
        report.expect(lengths <= {params.seq_len}, f"{f.relative_to(out)}: rows of {sorted(lengths)} ids, "
                      f"the spec packs {params.seq_len}")  # fmt: skip
        for doc_ids, starts, continues, padding in zip(*(t[c].to_pylist() for c in t.column_names[1:])):
            for i, (doc_id, a, b) in enumerate(zip(doc_ids, starts, [*starts[1:], params.seq_len - padding])):
                tokens[doc_id] += b - a
                times[doc_id] += not (i == 0 and continues)
    docs = read_parquet(tables[0])
    listed = dict(
        zip(docs["doc_id"].to_pylist(), zip(docs["times_packed"].to_pylist(), docs["tokens_packed"].to_pylist()))
    )
    in_rows = {d: (times[d], tokens[d]) for d in tokens}
    differ = sorted(d for d in set(listed) | set(in_rows) if listed.get(d) != in_rows.get(d))
    report.expect(not differ, f"{tables[0].relative_to(out)}: {len(differ)} document(s) whose times or tokens packed "
                  f"differ from the rows, e.g. {differ[:3]}")  # fmt: skip
    prov = read_tables(layout.provenance_files(), ["doc_id"])
    kept = set(prov["doc_id"].to_pylist()) if prov is not None else set()
    stale = sorted(set(in_rows) - kept)
    report.expect(not stale, f"{SEQUENCES}/: rows hold {len(stale)} document(s) that provenance does not keep "
                  f"(erased?), e.g. {stale[:3]}; re-pack or erase again")  # fmt: skip


def verify_output(out_dir: str | Path) -> VerifyReport:
    out = Path(out_dir)
    report = VerifyReport()
    try:
        manifest = read_run_manifest(out)
    except RunManifestError as e:  # missing, not JSON, or a field that does not fit: one line, nothing else checked
        report.expect(False, str(e))
        return report
    staging = OutputLayout(out).erasure_staging
    pending = sorted(staging.glob("*/plan.json")) if staging.is_dir() else []
    report.expect(
        not pending,
        f"an interrupted erasure is pending ({pending[0].parent.name if pending else ''}): "
        f"run `eurocurate erase {out} --recover`",
    )
    check_erasure_record(out, manifest, report)
    report.expect(
        manifest.config.digest() == manifest.config_sha256,
        "run.json: config_sha256 is not the digest of its config (the spec recorded was edited)",
    )
    disk = _OnDisk()  # each file hashed and its footer parsed once, for every check that reads it
    tokenizer_file = OutputLayout(out).tokenizer / TOKENIZER_FILE
    if manifest.tokenizer is not None and tokenizer_file.is_file():
        report.expect(
            disk.sha256(tokenizer_file) == manifest.tokenizer.sha256,
            f"{TOKENIZER}/{TOKENIZER_FILE}: sha256 differs from {RUN_MANIFEST}'s tokenizer record",
        )
    _check_files(out, manifest, report, disk)
    _check_schemas(out, manifest, report, disk)
    _check_reports(out, report)
    shards = _check_shards(out, report, disk)
    try:
        _check_counts(out, manifest, report, disk, shards)
        _check_sequences(out, manifest, report)
        _check_key_id(out, manifest, report)
    except (OSError, pa.ArrowInvalid, KeyError) as e:
        report.expect(False, f"cannot check counts: {type(e).__name__}: {e}")
    return report
