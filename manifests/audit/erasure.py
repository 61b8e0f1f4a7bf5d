"""Erasure (GDPR Art. 17, takedowns): remove documents from a finished run so that it provably no longer holds them.

`erase` finds the documents by URL, URL prefix, domain or a personal identifier (through the keyed
fingerprints in provenance), rewrites every affected text shard, token shard and provenance file
without them (new files, new manifests that supersede the old), re-packs sequences/ from the rewritten token
shards when the spec packs them, moves the erased documents to the
exclusion ledger, commits by replacing run.json, then deletes the old files. A crash before the
commit is rolled back and one after it rolled forward by the next `erase` (`--recover`), so the run is
always either before or after the erasure. Every erasure appends a hash-chained entry to
`erasure_log.jsonl` and the subject to `suppression.yaml`, which later runs apply at ingest. A request
that matches nothing changes nothing and is not logged (`NothingToErase`); an identifier with another key
than the run's is refused before any work (`KeyMismatch`); `dry_run` finds the documents and stops there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from eurocurate.files import read_tables, sha256_file, write_bytes_atomic, write_table_atomic
from eurocurate.filters.optout.suppression import SuppressionList
from eurocurate.layout import EXCLUSIONS, SEQUENCES, SHARDS, OutputLayout
from eurocurate.manifests.audit.erasure_log import (
    ErasureLogError,
    append_entry,
    entry_line,
    line_sha256,
    log_entries,
    log_head,
)
from eurocurate.manifests.audit.erasure_match import (
    ErasureError,
    ErasureRequest,
    KeyMismatch,
    NothingToErase,
    check_key,
    identifier_fingerprints,
    matching_rows,
    where_it_went,
)
from eurocurate.manifests.audit.ledger import LEDGER_SCHEMA
from eurocurate.manifests.audit.run_manifest import (
    RunManifest,
    StageCount,
    describe_outputs,
    encode_run_manifest,
    now_iso,
    read_run_manifest,
    write_run_manifest,
)
from eurocurate.manifests.audit.shard_manifest import manifest_path, read_shard_manifest, write_shard_manifest
from eurocurate.schema import TEXT_ID, Meta, Reason

__all__ = ["ErasureError", "ErasureRequest", "ErasureResult", "KeyMismatch", "NothingToErase", "erase", "recover"]
logger = logging.getLogger(__name__)
STAGE = "erasure"
_GENERATION = re.compile(r"\.e\d+$")


@dataclass
class ErasureResult:
    erasure_id: str
    doc_ids: list[str]
    files_replaced: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    tokens_removed: int = 0
    tokens_removed_by_lang: dict[str, int] = field(default_factory=dict)
    documents_removed_by_lang: dict[str, int] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    dry_run: bool = False


def _next_name(rel: str, generation: int) -> str:
    path = Path(rel)
    stem = _GENERATION.sub("", path.name.removesuffix(".parquet"))
    return (path.parent / f"{stem}.e{generation}.parquet").as_posix()


def _log_entries(out: Path) -> list[dict]:
    try:
        return log_entries(out)
    except ErasureLogError as e:
        raise ErasureError(
            f"{e}: the erasure log was damaged; restore it from a backup (`eurocurate verify` checks its hash chain)"
        ) from None


def recover(out: Path) -> str | None:
    """Finish or undo an erasure that was interrupted; returns what was done, or None if nothing was pending."""
    staging = OutputLayout(out).erasure_staging
    plans = sorted(staging.glob("*/plan.json")) if staging.is_dir() else []
    if not plans:
        return None
    plan = orjson.loads(plans[0].read_bytes())
    run_json = OutputLayout(out).run_manifest
    committed = run_json.is_file() and sha256_file(run_json) == plan["run_json_sha256"]
    if committed:
        for rel in plan["remove"]:
            (out / rel).unlink(missing_ok=True)
        for rel in plan["log_entry"].get("work_folders_removed", []):
            shutil.rmtree(out / rel, ignore_errors=True)
        if plan["erasure_id"] not in {e["erasure_id"] for e in _log_entries(out)}:
            append_entry(out, plan["log_entry"])
        _add_suppression(out, plan["suppression"])  # a merge, so again after a stop between the two is harmless
        done = f"erasure {plan['erasure_id']} was committed: finished it"
    else:
        for rel in plan["add"]:
            (out / rel).unlink(missing_ok=True)
        done = f"erasure {plan['erasure_id']} was not committed: rolled back"
    shutil.rmtree(staging)
    return done


def _add_suppression(out: Path, addition: dict) -> None:
    path = OutputLayout(out).suppression_file
    current = SuppressionList.from_file(path) if path.is_file() else SuppressionList()
    merged = current.merged(SuppressionList.model_validate(addition))
    write_bytes_atomic(path, yaml.safe_dump(merged.model_dump(), sort_keys=True).encode())


def _rewrite(out: Path, staged: Path, rel: str, keep: pa.Array, generation: int) -> tuple[str | None, dict[int, int]]:
    """Write `rel` without the erased rows to staging; returns its new name (None: nothing left) and old→new rows."""
    table = pq.read_table(out / rel)
    kept_rows = [i for i, k in enumerate(keep.to_pylist()) if k]
    mapping = {old: new for new, old in enumerate(kept_rows)}
    if not kept_rows:
        return None, mapping
    new_rel = _next_name(rel, generation)
    write_table_atomic(staged / new_rel, table.filter(keep), row_group_size=1024)
    return new_rel, mapping


def _update_run(run: RunManifest, staged: Path, remove: list[str], result: ErasureResult, before_sha256: str) -> None:
    """Record the erasure in the run manifest: the outputs as they will be, the erasure stage's counts, the totals."""
    listed = {o.path: o for o in run.outputs if o.path not in remove}
    staged_outputs = {o.path: o for o in describe_outputs(staged)} if staged.is_dir() else {}
    run.outputs = sorted({**listed, **staged_outputs}.values(), key=lambda o: o.path)
    gone = len(result.doc_ids)
    if gone:
        stage = run.stage(STAGE)
        if stage is None:
            kept = run.totals.kept
            stage = StageCount(stage=STAGE, group=STAGE, docs_in=kept, docs_out=kept, dropped=0, dropped_by_reason={},
                               seconds=0.0)  # fmt: skip
            run.stages.append(stage)
        stage.docs_out -= gone
        stage.dropped += gone
        stage.dropped_by_reason[Reason.ERASURE_REQUEST] = stage.dropped_by_reason.get(Reason.ERASURE_REQUEST, 0) + gone
        run.totals.kept -= gone
        run.totals.dropped += gone
        tokens = run.totals.tokens_by_language
        for lang, n in result.tokens_removed_by_lang.items():
            tokens[lang] = tokens.get(lang, 0) - n
        run.totals.tokens_by_language = {k: v for k, v in tokens.items() if v > 0}
        docs = dict(run.totals.documents_by_language)
        for lang, n in result.documents_removed_by_lang.items():
            docs[lang] = docs.get(lang, 0) - n
        run.totals.documents_by_language = {k: v for k, v in docs.items() if v > 0}
    run.erasures = [*run.erasures, result.erasure_id]
    run.supersedes = before_sha256


def _repack_sequences(
    out: Path, run: RunManifest, staged: Path, add: list[str], remove: list[str], generation: int
) -> list[str]:
    """Re-pack sequences/ (when the spec packs) from the token shards as they will be after the erasure, with
    the spec's parameters, into staging; returns the files written (relative to OUT). A budget the remaining
    tokens cannot fill is lowered to the most they can."""
    from eurocurate.pipelines.output.mixing import MixError, shard_files
    from eurocurate.pipelines.output.pack_sequences import packing_params, write_sequences

    params = packing_params(run.config.stages)
    if params is None or not OutputLayout(out).sequence_files():
        return []
    shards = {f.relative_to(out).as_posix(): f for fs in shard_files(out).values() for f in fs}
    shards = {rel: f for rel, f in shards.items() if rel not in remove}
    shards |= {rel: staged / rel for rel in add if rel.startswith(f"{SHARDS}/") and rel.endswith(".parquet")}
    files: dict[str, list[Path]] = {}
    for rel in sorted(shards):
        files.setdefault(Path(rel).parent.name, []).append(shards[rel])
    try:
        summary = write_sequences(out, params, staged / SEQUENCES, files, generation)
    except MixError as e:
        if params.tokens is None:
            raise ErasureError(f"cannot re-pack {SEQUENCES}/ without the erased documents: {e}") from None
        logger.warning("erasure: the packing budget no longer fits; re-packing every token the mix allows",
                       extra={"budget": params.tokens, "reason": str(e)})  # fmt: skip
        summary = write_sequences(
            out, params.model_copy(update={"tokens": None}), staged / SEQUENCES, files, generation
        )
    return [f"{SEQUENCES}/{name}" for name in summary.files or []]


def erase(out: Path, request: ErasureRequest, key: bytes | None, dry_run: bool = False) -> ErasureResult:
    """Erase the documents `request` names from run `out`; with `dry_run`, only find them (nothing changes).

    Raises `KeyMismatch` (another key than the run's) before any work, `NothingToErase` when no document
    matches (nothing changed, nothing logged), `ErasureError` when the run does not verify."""
    out = Path(out).resolve()
    check_key(read_run_manifest(out), request, key)
    layout = OutputLayout(out)
    if dry_run:
        if layout.erasure_staging.is_dir() and any(layout.erasure_staging.glob("*/plan.json")):
            raise ErasureError("an interrupted erasure is pending; settle it with `eurocurate erase OUT --recover`")
    else:
        recover(out)  # an interrupted erasure is settled before a new one starts
    from eurocurate.manifests.audit.verify import verify_output

    report = verify_output(out)
    if not report.ok:
        raise ErasureError(f"{out} does not verify ({report.problems[0]}); fix that before erasing")
    run = read_run_manifest(out)
    prov_files = layout.provenance_files()
    prov = read_tables(prov_files)
    hit = matching_rows(prov, request, key)
    erased = prov.filter(hit)
    if erased.num_rows == 0:
        ledger = read_tables(layout.exclusion_files(), ["doc_id", "url", "stage", "reason", "evidence"])
        dropped = where_it_went(prov, ledger, request)
        raise NothingToErase(
            f"no document of this run matches {request.describe()}: nothing was erased or logged"
            + (" (an identifier matches only values the `pii` stage replaced, with the run's key)"
               if request.identifier else "")
            + (f"; {dropped}" if dropped else "")
        )  # fmt: skip
    erasure_id = f"erasure-{len(_log_entries(out)) + 1:04d}-{uuid.uuid4().hex[:8]}"
    result = ErasureResult(erasure_id, erased["doc_id"].to_pylist(), urls=erased[Meta.URL].to_pylist())
    if Meta.LANG in erased.column_names:
        for lang in erased[Meta.LANG].to_pylist():
            result.documents_removed_by_lang[lang or "und"] = result.documents_removed_by_lang.get(lang or "und", 0) + 1
    if dry_run:
        result.dry_run = True
        return result
    suppression = {
        "urls": [request.url] if request.url else [],
        "url_prefixes": [request.url_prefix] if request.url_prefix else [],
        "domains": [request.domain] if request.domain else [],
        "fingerprints": sorted(identifier_fingerprints(request.identifier, request.kind, key))
        if request.identifier and key
        else [],
    }
    generation = len(_log_entries(out)) + 1
    staged = layout.erasure_staging / erasure_id
    gone = set(result.doc_ids)
    add, remove = [], []
    row_maps: dict[str, tuple[str | None, dict[int, int]]] = {}
    if gone:
        for column in (Meta.TEXT_SHARD, Meta.TOKEN_SHARD):
            for rel in sorted(set(erased[column].drop_null().to_pylist())):
                id_column = TEXT_ID if column == Meta.TEXT_SHARD else "doc_id"  # text shards use FineWeb-2's `id`
                ids = pq.read_table(out / rel, columns=[id_column])[id_column]
                keep = pc.invert(pc.is_in(ids, pa.array(list(gone))))
                row_maps[rel] = _rewrite(out, staged, rel, keep, generation)
                remove.append(rel)
                if row_maps[rel][0]:
                    add.append(row_maps[rel][0])
        for shard in [r for r in row_maps if r.startswith(f"{SHARDS}/")]:
            old_manifest = read_shard_manifest(manifest_path(out / shard))
            remove.append(manifest_path(out / shard).relative_to(out).as_posix())
            lang = Path(shard).parent.name
            new_rel = row_maps[shard][0]
            left = 0
            if new_rel is not None:
                t = pq.read_table(staged / new_rel, columns=["doc_id", "n_tokens", "lang"])
                left = pc.sum(t["n_tokens"]).as_py() or 0
            removed = old_manifest.tokens - left
            result.tokens_removed += removed
            result.tokens_removed_by_lang[lang] = result.tokens_removed_by_lang.get(lang, 0) + removed
            if new_rel is None:
                continue
            m = write_shard_manifest(
                staged, staged / new_rel, rows=t.num_rows, tokens=pc.sum(t["n_tokens"]).as_py() or 0,
                languages=dict(sorted(Counter(t["lang"].to_pylist()).items())), doc_ids=t["doc_id"].to_pylist(),
                tokenizer=old_manifest.tokenizer, pipeline=old_manifest.pipeline,
            )  # fmt: skip
            mpath = manifest_path(staged / new_rel)
            data = orjson.loads(mpath.read_bytes())
            data["supersedes"] = [f"{remove[-1]} sha256:{sha256_file(manifest_path(out / shard))}"]
            data["erasure_id"] = erasure_id
            write_bytes_atomic(mpath, orjson.dumps(data, option=orjson.OPT_INDENT_2))
            add.append(mpath.relative_to(staged).as_posix())
            assert m.path == new_rel
        for f in prov_files:
            rel = f.relative_to(out).as_posix()
            part = pq.read_table(f)
            touched = pc.any(pc.is_in(part["doc_id"], pa.array(list(gone)))).as_py() or any(
                s in row_maps
                for col in (Meta.TEXT_SHARD, Meta.TOKEN_SHARD)
                for s in set(part[col].drop_null().to_pylist())
            )
            if not touched:
                continue
            rows = [r for r in part.to_pylist() if r["doc_id"] not in gone]
            for r in rows:
                for shard_col, row_col in ((Meta.TEXT_SHARD, Meta.TEXT_ROW), (Meta.TOKEN_SHARD, Meta.TOKEN_ROW)):
                    if r[shard_col] in row_maps:
                        new_rel, mapping = row_maps[r[shard_col]]
                        r[shard_col], r[row_col] = new_rel, mapping[r[row_col]]
            new_rel = _next_name(rel, generation)
            write_table_atomic(staged / new_rel, pa.Table.from_pylist(rows, schema=part.schema))
            add.append(new_rel)
            remove.append(rel)
        repacked = _repack_sequences(out, run, staged, add, remove, generation)
        add += repacked
        remove += [f.relative_to(out).as_posix() for f in layout.sequences.glob("*")] if repacked else []
        ledger_rel = f"{EXCLUSIONS}/part-{STAGE}-{generation:05d}.parquet"
        evidence = f"{erasure_id}: {request.describe()}" + (f"; {request.reason}" if request.reason else "")
        ledger_rows = [
            {"doc_id": r["doc_id"], "warc_record_id": r[Meta.WARC_RECORD_ID], "url": r[Meta.URL],
             "source_path": r[Meta.SOURCE_PATH], "source_offset": r[Meta.SOURCE_OFFSET], "stage": STAGE,
             "reason": Reason.ERASURE_REQUEST, "evidence": evidence, "lang": r[Meta.LANG]}
            for r in erased.to_pylist()
        ]  # fmt: skip
        write_table_atomic(staged / ledger_rel, pa.Table.from_pylist(ledger_rows, schema=LEDGER_SCHEMA))
        add.append(ledger_rel)
    result.files_replaced, result.files_removed = add, remove
    work = [d.relative_to(out).as_posix() for d in layout.work_data()]
    entry = {
        "erasure_id": erasure_id,
        "run_id": run.run_id,  # the run it was made on (the log outlives a --restart)
        "time": now_iso(),
        "request": request.describe(),
        "identifier_fingerprints": suppression["fingerprints"],  # never the identifier itself
        "reason": request.reason,
        "signed_off_by": request.signed_off_by,
        "documents": len(gone),
        "doc_ids_sha256": hashlib.sha256("\n".join(sorted(gone)).encode()).hexdigest(),
        "tokens_removed": result.tokens_removed,
        "files_added": add,
        "files_removed": remove,
        # intermediate files a run kept (`keep_intermediate`, or a run before they were removed at its end) hold
        # doc ids, URLs and text of every document: they go with the commit, as nothing reads them any more
        "work_folders_removed": work,
        "run_json_before_sha256": sha256_file(layout.run_manifest),
        "previous_entry_sha256": log_head(out),  # the newest line as it is on disk (verify hashes the same bytes)
    }
    # the new run manifest, as it will read once the staged files are in place and the old ones gone
    _update_run(run, staged, remove, result, entry["run_json_before_sha256"])
    run.erasure_log_head = line_sha256(entry_line(entry))  # the log's newest line once recover() has appended it
    new_run = encode_run_manifest(run)
    staged.mkdir(parents=True, exist_ok=True)
    plan = {"erasure_id": erasure_id, "add": add, "remove": remove, "log_entry": entry, "suppression": suppression,
            "run_json_sha256": hashlib.sha256(new_run).hexdigest()}  # fmt: skip
    write_bytes_atomic(staged / "plan.json", orjson.dumps(plan))
    # swap: staged files into place, then run.json (the commit point), then the old files go
    for rel in add:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / rel, out / rel)
    write_run_manifest(out, run)  # the same bytes as new_run, whose sha256 the plan holds
    recover(out)  # committed: removes the old files, writes the log entry and the suppression list
    return result
