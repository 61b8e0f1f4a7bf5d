"""Everything a run can check before it reads a document: the spec's stages and parameters, every file the
spec references, the inputs, and the DAG they compile to (`eurocurate check`, `run --dry-run`, and each run).

Owns those checks and the DAG's description; it writes nothing. Parameters are validated by each stage's
model when the compiler builds it; the referenced files are checked here, by parameter name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from huggingface_hub.utils import HFValidationError, validate_repo_id

from eurocurate import storage
from eurocurate.config import PipelineSpec, SpecError
from eurocurate.errors import StorageError
from eurocurate.pipelines.engine.compiler import PipelineDAG, compile_pipeline
from eurocurate.pipelines.ingest.inputs import InputList, resolve_inputs
from eurocurate.pipelines.ingest.sources_stage import accepted_suffixes
from eurocurate.registry import InputSet, get_stage

# Parameters naming a local file (by name: `*_file`, `*_path`, `path`) or a folder to read (`config_dir`; a plugin's
# `*_dir` may be one it writes), at any depth of a stage's parameters (`model: {path: ...}` of quality_filter);
# `tokenizer` may also be a Hub id.
_FILE_SUFFIXES = ("_file", "_path")
_READ_FOLDERS = frozenset({"config_dir"})
_PATH_OR_HUB_ID = frozenset({"tokenizer"})


def _is_file_param(name: str) -> bool:
    return name == "path" or name.endswith(_FILE_SUFFIXES) or name in _READ_FOLDERS


def _flat_params(params: dict, prefix: str = "") -> list[tuple[str, object]]:
    """(dotted name, value) of every parameter, nested ones (`model.path`) included."""
    found: list[tuple[str, object]] = []
    for name, value in params.items():
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
            found += _flat_params(value, f"{prefix}{name}.")
        else:
            found.append((f"{prefix}{name}", value))
    return found


def _exists(location: str, what: str) -> bool:
    try:
        return storage.exists(location)
    except StorageError as e:
        raise SpecError(f"{what}: {e}") from None


def check_referenced_files(spec: PipelineSpec) -> None:
    """Raise `SpecError` naming the first file the spec references that does not exist."""
    spec.source_rules()  # reads sources_file: missing or malformed is a SpecError
    for stage in spec.stages:
        params = get_stage(stage.use).params.model_validate(stage.params)
        for name, value in _flat_params(params.model_dump()):
            if not isinstance(value, str) or not value:
                continue
            what = f"stage {stage.key!r} ({stage.use}) parameter {name}"
            if _is_file_param(name.rsplit(".", 1)[-1]) and not _exists(value, what):
                raise SpecError(f"{what}: {storage.display(value)} does not exist")
            if name in _PATH_OR_HUB_ID and not Path(value).exists():
                try:
                    validate_repo_id(value)
                except HFValidationError:
                    raise SpecError(
                        f"{what}: {value} is neither an existing file nor a Hugging Face Hub id (org/name)"
                    ) from None


def check_run(
    spec: PipelineSpec, patterns: Sequence[str | InputList], out: str | Path, output: str | None = None
) -> tuple[InputSet, PipelineDAG]:
    """The inputs and compiled DAG of a run of `spec` into the local folder `out` (the driver's copy of `output`,
    a URL, when it is one), after every check that needs no document; nothing under the output is an input.

    Raises `SpecError` (stages, parameters, referenced files) or `InputError` (inputs)."""
    inputs = resolve_inputs(patterns, accepted_suffixes(spec), output if output is not None else out)
    dag = compile_pipeline(spec, inputs, Path(out).resolve())
    check_referenced_files(spec)
    return inputs, dag


def describe_dag(dag: PipelineDAG) -> list[str]:
    """One line per group of the DAG: name, kind, tasks and the steps it runs, in run order."""
    lines = []
    for i, node in enumerate(dag.nodes, 1):
        steps = ", ".join(getattr(s, "name", type(s).__name__) for s in node.steps)
        lines.append(f"{i}. {node.name} ({node.kind}, {node.tasks} task(s)): {steps}")
    return lines
