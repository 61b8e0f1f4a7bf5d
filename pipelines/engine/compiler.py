"""Spec → DAG: consecutive map stages are fused into one executor per input shard; each barrier becomes
its own executor that depends on the map group before it, and the next map group depends on it. A barrier
that reads nothing of the map groups (a tokenizer the user gives) runs first and splits no group.

The DAG of a pipeline is a chain of fused groups and barriers, so it is a list of nodes in which each
node depends on the one before it (the runner runs them in list order). It does not run anything:
`pipelines.runner` turns nodes into datatrove executors.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Literal

from datatrove.pipeline.base import PipelineStep
from pydantic import ValidationError

from eurocurate.config import PipelineSpec, SpecError, describe_validation_errors
from eurocurate.layout import WORK
from eurocurate.manifests.audit.provenance import ProvenanceWriter, provenance_schema
from eurocurate.pipelines.engine.intermediate import IntermediateReader, IntermediateWriter
from eurocurate.registry import BuildContext, InputSet, StageDef, get_stage, load_plugins


@dataclass
class DagNode:
    name: str
    kind: Literal["map", "barrier"]
    steps: list[PipelineStep]
    tasks: int
    work_dir: str


@dataclass
class PipelineDAG:
    nodes: list[DagNode]

    def node(self, name: str) -> DagNode:
        return next(n for n in self.nodes if n.name == name)

    def ledger_stages(self) -> list[str]:
        """Names of the stages that count documents in/out/dropped, in flow order."""
        return [s.name for n in self.nodes for s in n.steps if getattr(s, "is_ledger_stage", False)]


def _check_order(key: str, sdef: StageDef, earlier: list[StageDef]) -> None:
    """A stage that judges or edits documents after one that wrote the published text or tokens (pii after the
    tokenizer: e-mails in the token shards, while the card says they were removed), or one placed after a stage it
    must precede (optout after html_extractor: the page metas it reads are gone), is refused with the spec."""
    for later, why in sdef.before.items():
        if any(other.name == later for other in earlier):
            raise SpecError(f"stage {key!r} ({sdef.name}) must come before {later!r}: {why}")
    written = [other.name for other in earlier if other.writes_output]
    if written and not sdef.writes_output:
        raise SpecError(
            f"stage {key!r} ({sdef.name}) comes after {written[0]!r}, which writes the published output: a stage that "
            "judges or edits documents must come before every output stage (tokenizer, text_parquet, token_shards), "
            "or what it removes is already written"
        )


def code_version() -> str:
    return version("eurocurate")


def compile_pipeline(spec: PipelineSpec, inputs: InputSet, out_dir: str | Path) -> PipelineDAG:
    load_plugins(spec.plugins)  # no-op when load_spec already imported them
    out_dir = str(out_dir)
    work_dir = str(Path(out_dir) / WORK)
    ctx = BuildContext(
        out_dir=out_dir,
        work_dir=work_dir,
        spec=spec,
        inputs=inputs,
        pipeline_ref={
            "name": spec.name,
            "config_sha256": spec.digest(),
            "code_version": code_version(),
            "steps": [{"name": s.key, "version": code_version()} for s in spec.stages],
        },
    )
    n_tasks = spec.execution.tasks or max(len(inputs.files), 1)
    nodes: list[DagNode] = []
    first: list[DagNode] = []  # barriers that read no map output (Barrier.reads_inputs): they run before the rest
    group: list[PipelineStep] = []
    seen: list[str] = []
    group_index = 0

    def group_name(i: int) -> str:
        return "ingest" if i == 0 else f"map{i}"

    def map_node(name: str, steps: list[PipelineStep]) -> DagNode:
        return DagNode(name, "map", steps, n_tasks, str(Path(work_dir) / name))

    for i, stage_spec in enumerate(spec.stages):
        sdef = get_stage(stage_spec.use)
        if (sdef.role == "source") != (i == 0):
            where = "first" if i == 0 else f"at position {i + 1}"
            raise SpecError(
                f"stage {stage_spec.key!r} ({sdef.role}) {where}: a pipeline starts with exactly one source stage"
            )
        missing = [r for r in sdef.requires if r not in seen]
        if missing:
            raise SpecError(f"stage {stage_spec.key!r} needs {missing} earlier in the pipeline")
        _check_order(stage_spec.key, sdef, [get_stage(s.use) for s in spec.stages[:i]])
        where = f"stage {stage_spec.key!r} ({stage_spec.use})"
        try:
            params = sdef.params.model_validate(stage_spec.params)
        except ValidationError as e:
            raise SpecError(describe_validation_errors(where, e, sdef.params, noun="parameter")) from None
        try:
            parts = sdef.build(params, ctx, stage_spec.key)
        except (ValueError, KeyError, OSError) as e:  # a value the model accepts but the stage cannot use
            if isinstance(e, SpecError):
                raise
            raise SpecError(f"{where}: {e}") from e
        seen.append(stage_spec.use)
        group.extend(parts.map_steps)
        if parts.barrier is None:
            continue
        if not parts.barrier.reads_inputs:
            # it needs nothing the map stages write: run it first, and the group streams on through its steps
            first.append(
                DagNode(
                    parts.barrier.name,
                    "barrier",
                    parts.barrier.build(None),
                    parts.barrier.tasks,
                    str(Path(work_dir) / parts.barrier.name),
                )
            )
            group.extend(parts.after_barrier)
            continue
        name = group_name(group_index)
        data_dir = str(Path(work_dir) / name / "data")
        nodes.append(map_node(name, [*group, IntermediateWriter(data_dir)]))
        barrier_steps = parts.barrier.build(data_dir)
        nodes.append(
            DagNode(
                parts.barrier.name,
                "barrier",
                barrier_steps,
                parts.barrier.tasks,
                str(Path(work_dir) / parts.barrier.name),
            )
        )
        group_index += 1
        next_name = group_name(group_index)
        group = [IntermediateReader(data_dir, str(Path(work_dir) / next_name)), *parts.after_barrier]
    nodes.append(
        map_node(
            group_name(group_index), [*group, ProvenanceWriter(out_dir, provenance_schema(s.use for s in spec.stages))]
        )
    )
    return PipelineDAG([*first, *nodes])
