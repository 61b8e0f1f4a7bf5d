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

from eurocurate.files import TMP_MARK, read_tables, sha256_file
from eurocurate.layout import OUTPUT_DIRS, RUN_MANIFEST, SHARDS, TEXT, OutputLayout
from eurocurate.manifests.audit.language_counts import documents_by_language, excluded_non_eu24
from eurocurate.manifests.audit.run_manifest import RunManifest, RunManifestError, read_run_manifest
from eurocurate.manifests.audit.shard_manifest import doc_ids_digest, manifest_path, read_shard_manifest


@dataclass
class VerifyReport:
    checks: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def expect(self, condition: bool, problem: str) -> None:
        self.checks += 1
        if not condition:
            self.problems.append(problem)


def _check_files(out: Path, manifest: RunManifest, report: VerifyReport) -> None:
    listed = {e.path: e for e in manifest.outputs}
    for rel, entry in listed.items():
        path = out / rel
        if not path.is_file():
            report.expect(False, f"{rel}: listed in {RUN_MANIFEST} but missing")
            continue
        size = path.stat().st_size
        report.expect(size == entry.bytes, f"{rel}: {size} bytes, {RUN_MANIFEST} records {entry.bytes}")
        digest = sha256_file(path)
        report.expect(
            digest == entry.sha256,
            f"{rel}: sha256 {digest[:16]}… differs from {RUN_MANIFEST} ({entry.sha256[:16]}…)",
        )
        if entry.rows is not None and size == entry.bytes:
            try:
                rows = pq.ParquetFile(path).metadata.num_rows
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


def _check_shards(out: Path, report: VerifyReport) -> None:
    for shard in OutputLayout(out).shard_files():
        rel = shard.relative_to(out).as_posix()
        mpath = manifest_path(shard)
        if not mpath.is_file():
            report.expect(False, f"{rel}: no shard manifest {mpath.name}")
            continue
        m = read_shard_manifest(mpath)
        report.expect(m.path == rel, f"{mpath.name}: describes {m.path}, not {rel}")
        digest = sha256_file(shard)
        report.expect(digest == m.sha256, f"{rel}: sha256 differs from its shard manifest")
        if digest != m.sha256:
            continue
        t = pq.read_table(shard, columns=["doc_id", "n_tokens", "lang"])
        report.expect(t.num_rows == m.rows, f"{rel}: {t.num_rows} rows, manifest says {m.rows}")
        tokens = pc.sum(t["n_tokens"]).as_py() or 0
        report.expect(tokens == m.tokens, f"{rel}: {tokens} tokens, manifest says {m.tokens}")
        langs = dict(Counter(t["lang"].to_pylist()))
        report.expect(langs == m.languages, f"{rel}: languages {langs}, manifest says {m.languages}")
        report.expect(
            doc_ids_digest(t["doc_id"].to_pylist()) == m.doc_ids_sha256, f"{rel}: doc_id list differs from manifest"
        )


def _check_counts(out: Path, manifest: RunManifest, report: VerifyReport) -> None:
    layout = OutputLayout(out)
    stages = manifest.stages
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
            rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
            report.expect(rows == len(kept_ids), f"{sub}/: {rows} rows for {len(kept_ids)} kept documents")


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
    _check_files(out, manifest, report)
    _check_shards(out, report)
    try:
        _check_counts(out, manifest, report)
    except (OSError, pa.ArrowInvalid, KeyError) as e:
        report.expect(False, f"cannot check counts: {type(e).__name__}: {e}")
    return report
