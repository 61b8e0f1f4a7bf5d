"""Pipeline specs as data: the pydantic models a `pipelines/*.yaml` file is validated into.

Owns the spec schema, YAML loading and `--set key=value` overrides. It does not know what a stage
does: each stage's own parameters are validated by the stage registry (`eurocurate.registry`), which
`load_spec` also asks to import the spec's `plugins:` modules.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import hashlib
import re
import typing
from pathlib import Path, PurePosixPath
from typing import Literal

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_serializer

from eurocurate import storage
from eurocurate.errors import SpecError, StorageError
from eurocurate.registry import load_plugins

SourceCategory = Literal["public_dataset", "own_crawl", "public_sector", "licensed", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceInfo(_Strict):
    """What the operator declares about an input; flows into every document's provenance."""

    publisher: str | None = Field(None, description="Who published the input (organisation or crawler name).")
    source_category: SourceCategory = Field(
        "other", description="AI Act summary category: public_dataset, own_crawl, public_sector, licensed, other."
    )
    licence: str | None = Field(None, description="SPDX identifier or URL of the licence of the input.")
    collection_period: str | None = Field(None, description="ISO 8601 interval of collection, e.g. 2026-01/2026-03.")


class SourceRule(SourceInfo):
    """Source information for the inputs whose path (relative to the input root) matches `match`."""

    match: str = Field(
        description="Glob on the input path relative to the input root, e.g. `eurlex/**` or `*.warc.gz`."
    )


class StageSpec(_Strict):
    """One stage of the pipeline: a registered stage name and its parameters."""

    use: str = Field(description="Registered stage name, e.g. `warc_reader` (see `eurocurate stages`).")
    id: str | None = Field(None, description="Name for overrides and logs; defaults to `use`.")
    params: dict = Field(default_factory=dict, alias="with", description="Stage parameters (validated per stage).")

    @property
    def key(self) -> str:
        return self.id or self.use


class ExecutionSpec(_Strict):
    """How the DAG runs. CLI flags (`--workers`, `--ray-address`) override these."""

    executor: Literal["ray", "local"] = Field("ray", description="`ray` (default) or `local` multiprocessing.")
    workers: int = Field(2, ge=1, description="Tasks running at once.")
    tasks: int | None = Field(
        None, ge=1, description="Map tasks; default one per input file (a task never splits a file)."
    )
    mem_per_task_gb: float = Field(1.0, gt=0, description="Memory Ray reserves for each task.")
    keep_intermediate: bool = Field(
        False, description="Keep the per-task intermediate Parquet under OUT/_work after a successful run."
    )


_OUTPUT_AFFECTING_EXECUTION = frozenset({"tasks"})
_MODULE_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _read_sources_file(location: str) -> bytes:
    """The bytes of a sources_file (local or URL); read once per process for a URL (asked once per input file)."""
    if not storage.is_remote(location):
        if not Path(location).is_file():
            raise SpecError(f"sources_file {location} does not exist")
        return Path(location).read_bytes()
    return _read_remote_sources_file(location)


@functools.lru_cache(maxsize=8)
def _read_remote_sources_file(location: str) -> bytes:
    try:
        return storage.read_bytes(location)
    except StorageError as e:
        raise SpecError(f"sources_file: {e}") from None


class PipelineSpec(_Strict):
    """A whole pipeline: what to read, which stages, how to run."""

    version: Literal[1] = Field(1, description="Spec format version.")
    name: str = Field(description="Pipeline name, recorded in run.json.")
    description: str = ""
    source: SourceInfo = Field(default_factory=SourceInfo, description="Default source information of every input.")
    sources: list[SourceRule] = Field(
        default_factory=list, description="Per-input source information; the first rule whose `match` fits wins."
    )
    sources_file: str | None = Field(
        None, description="YAML file with a list of such rules (a sources.yaml), read after `sources`."
    )
    plugins: list[str] = Field(
        default_factory=list,
        description="Modules (dotted import paths, e.g. `my_pkg.toy`) that define stages with `@register_stage`; "
        "imported before the stages are validated. Each must be importable: installed or on PYTHONPATH.",
    )
    stages: list[StageSpec] = Field(min_length=1)
    execution: ExecutionSpec = Field(default_factory=ExecutionSpec)

    @field_validator("plugins")
    @classmethod
    def _module_paths(cls, plugins: list[str]) -> list[str]:
        bad = [p for p in plugins if not _MODULE_PATH.match(p)]
        if bad:
            raise ValueError(f"plugins are dotted module paths like `my_pkg.toy`, got {bad}")
        return plugins

    @model_serializer(mode="wrap")
    def _without_empty_plugins(self, handler):  # noqa: ANN001, ANN202 - pydantic's serializer protocol
        # a spec without plugins dumps (run.json `config`) and hashes (config sha256) exactly as before the key existed
        tree = handler(self)
        if not tree.get("plugins"):
            tree.pop("plugins", None)
        return tree

    @field_validator("stages")
    @classmethod
    def _unique_stage_keys(cls, stages: list[StageSpec]) -> list[StageSpec]:
        keys = [s.key for s in stages]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"stage names must be unique, {dupes} repeat; give one of them an `id:`")
        return stages

    def source_for(self, relative_path: str) -> SourceInfo:
        """The source information that applies to one input file."""
        for rule in self.source_rules():
            if fnmatch.fnmatch(relative_path, rule.match) or PurePosixPath(relative_path).match(rule.match):
                return SourceInfo(**rule.model_dump(exclude={"match"}))
        return self.source

    def source_rules(self) -> list[SourceRule]:
        rules = list(self.sources)
        if self.sources_file:
            path = storage.display(self.sources_file)
            data = yaml.safe_load(_read_sources_file(self.sources_file).decode("utf-8")) or []
            items = data.get("sources", []) if isinstance(data, dict) else data
            try:
                rules += [SourceRule.model_validate(item) for item in items]
            except ValidationError as e:
                raise SpecError(describe_validation_errors(f"{path}: invalid source rule", e, SourceRule)) from e
        return rules

    def stage(self, key: str) -> StageSpec:
        for s in self.stages:
            if s.key == key:
                return s
        raise SpecError(f"no stage {key!r} in pipeline {self.name!r}{_did_you_mean(key, [s.key for s in self.stages])}")

    def digest(self) -> str:
        """sha256 of the canonical JSON of everything that can change the outputs.

        Equal specs hash equal whatever their YAML layout; how many workers run, on which executor, with
        how much memory, does not change a byte of output and is left out (`tasks` is kept: it shards).
        """
        tree = self.model_dump(mode="json", by_alias=True)
        tree["execution"] = {k: v for k, v in tree["execution"].items() if k in _OUTPUT_AFFECTING_EXECUTION}
        return hashlib.sha256(orjson.dumps(tree, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; expected one of {sorted(choices)}"


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The pydantic model a field holds (directly, in a list, in an Optional), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if found := _model_in(arg):
            return found
    return None


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the section of `model` that `loc` (a pydantic error location, list indices included)
    points into: what a misspelt key there could have meant."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if current else None
        current = _model_in(field.annotation) if field else None
    return list(current.model_fields) if current else []


def describe_validation_errors(where: str, error: ValidationError, model: type[BaseModel], noun: str = "key") -> str:
    """A spec's, a stage's parameters' (`noun` "parameter") or a file's invalid keys and values as one line: each with
    its dotted place and why, a misspelt key with "did you mean" among the keys of its section."""
    problems = []
    for e in error.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(part) for part in loc) or "(top level)"
        if e["type"] == "extra_forbidden":
            problems.append(f"unknown {noun} {key!r}{_did_you_mean(str(loc[-1]), _fields_at(model, loc[:-1]))}")
        elif e["type"] == "missing":
            problems.append(f"{key}: missing")
        else:
            got = repr(e.get("input"))
            problems.append(f"{key}: {e['msg']} (got {got if len(got) <= 80 else got[:77] + '...'})")
    return f"{where}: " + "; ".join(problems)


def _set_path(tree: dict, dotted: str, value: object, spec_stages: list[dict]) -> None:
    parts = dotted.split(".")
    if parts[0] == "stages" and len(parts) >= 3:
        keys = [s.get("id") or s.get("use") for s in spec_stages]
        if parts[1] not in keys:
            raise SpecError(f"--set {dotted}: no stage {parts[1]!r}{_did_you_mean(parts[1], keys)}")
        node = spec_stages[keys.index(parts[1])].setdefault("with", {})
        parts = parts[2:]
    else:
        node = tree
    for p in parts[:-1]:
        child = node.setdefault(p, {})
        if not isinstance(child, dict):
            raise SpecError(f"--set {dotted}: {p!r} is a value, not a section")
        node = child
    node[parts[-1]] = value


def load_spec(path: str | Path, overrides: list[str] | None = None) -> PipelineSpec:
    """Read a YAML spec and apply `key=value` overrides (`execution.workers=4`, `stages.quality.min_words=80`)."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(
            f"pipeline spec {path} does not exist; the bundled ones are in pipelines/ (demo.yaml, web.yaml)"
        )
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SpecError(f"{path} is not valid YAML: {' '.join(str(e).split())}") from e
    if not isinstance(tree, dict):
        raise SpecError(f"{path}: expected a mapping at the top level, got {type(tree).__name__}")
    for item in overrides or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise SpecError(f"--set expects key=value, got {item!r}")
        _set_path(tree, key.strip(), yaml.safe_load(raw), tree.setdefault("stages", []))
    try:
        spec = PipelineSpec.model_validate(tree)
    except ValidationError as e:
        raise SpecError(describe_validation_errors(f"{path}: invalid pipeline spec", e, PipelineSpec)) from e
    try:
        load_plugins(spec.plugins)
    except SpecError as e:
        raise SpecError(f"{path}: {e}") from e
    return spec
