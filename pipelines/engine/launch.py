"""Run a pipeline spec from Python as `eurocurate run` does: spec file (or loaded spec), inputs, output.

Owns the options a run is launched with (the executor rule: a Ray address means the Ray executor)
and leaving no embedded Ray behind. Compiling and executing the stages is `runner.run_pipeline`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from eurocurate.config import PipelineSpec, SpecError, load_spec
from eurocurate.manifests.audit.run_manifest import RunManifest
from eurocurate.pipelines.engine.embedded_ray import stop_ray
from eurocurate.pipelines.engine.runner import RunOptions, run_pipeline
from eurocurate.pipelines.ingest.inputs import InputList


def run_spec(
    spec: PipelineSpec | str | Path,
    inputs: Sequence[str | Path | InputList],
    output: str | Path,
    *,
    spec_path: str | Path | None = None,
    overrides: Sequence[str] = (),
    ray_address: str | None = None,
    workers: int | None = None,
    executor: str | None = None,
    console: Console | None = None,
    restart: bool = False,
) -> RunManifest:
    """Run (or resume) `spec` on `inputs` (WARC/document files, folders or globs, local or URLs; or one
    `InputList`, a path list relative to a base) into `output`; returns
    the run manifest, as written to `output`/run.json.

    `spec` is a loaded `PipelineSpec` or the path of a spec YAML (then `overrides`, `KEY=VALUE` as
    `--set` takes them, apply; `spec_path` is recorded in run.json and defaults to that path).
    `ray_address` joins an existing Ray cluster and implies the Ray executor; otherwise `executor`
    ("ray" or "local") overrides the spec's. An embedded Ray started for the run is stopped at the end.
    `restart` removes a previous run's outputs from `output` first (it must be a eurocurate run output).
    Raises `SpecError`, `InputError`, `OutputLocked` (another run holds `output`), `FolderNotOurs` (files that
    are not a resumable run), `OutputConflict` (an output of another config) or `RunFailed` (including a
    finished run that `verify` fails).
    """
    if workers is not None and workers < 1:
        raise SpecError(f"workers must be 1 or more, got {workers}")
    if executor not in (None, "ray", "local"):
        raise SpecError(f"executor {executor!r}; expected 'ray' or 'local'")
    if not isinstance(spec, PipelineSpec):
        spec_path = spec_path or spec
        spec = load_spec(str(spec), list(overrides))
    elif overrides:
        raise ValueError("overrides apply when the spec is given as a path; apply them with load_spec instead")
    options = RunOptions(
        inputs=[i if isinstance(i, InputList) else str(i) for i in inputs],
        output=str(output),
        ray_address=ray_address,
        workers=workers,
        executor="ray" if ray_address else executor,
        restart=restart,
    )
    try:
        return run_pipeline(spec, str(spec_path or ""), options, console)
    finally:
        stop_ray()
