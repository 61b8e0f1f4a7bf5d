"""The stage registry: what a stage name in a spec means, which parameters it takes, where it splits the DAG.

A stage contributes steps to the current fused map group, and optionally a barrier (a separate
executor over all tasks' output) followed by steps at the head of the next map group. The catalogue
of stages lives in `eurocurate.pipelines.stages`; this module holds the contract and the lookup.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel

from eurocurate.config import PipelineSpec, SpecError


@dataclass(frozen=True)
class InputSet:
    """The resolved input files: paths relative to `root`, sorted."""

    root: str
    files: list[str]


@dataclass(frozen=True)
class BuildContext:
    out_dir: str
    work_dir: str
    spec: PipelineSpec
    inputs: InputSet
    pipeline_ref: dict = field(default_factory=dict)  # name, config sha256, code version, step versions


@dataclass(frozen=True)
class Barrier:
    """A stage that needs every task's output: `build(inputs_dir)` gives the steps of its own executor."""

    name: str
    tasks: int
    build: Callable[[str], list[PipelineStep]]


@dataclass
class StageParts:
    map_steps: list[PipelineStep] = field(default_factory=list)
    barrier: Barrier | None = None
    after_barrier: list[PipelineStep] = field(default_factory=list)


@dataclass(frozen=True)
class StageDef:
    name: str
    summary: str
    role: Literal["source", "map", "barrier"]
    params: type[BaseModel]
    build: Callable[[BaseModel, BuildContext, str], StageParts]  # (params, context, stage key)
    requires: tuple[str, ...] = ()  # stages that must come earlier


def all_stages() -> dict[str, StageDef]:
    return importlib.import_module("eurocurate.pipelines.stages").STAGES


def get_stage(name: str) -> StageDef:
    stages = all_stages()
    if name not in stages:
        close = difflib.get_close_matches(name, list(stages), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known stages: {', '.join(sorted(stages))}"
        raise SpecError(f"unknown stage {name!r}; {hint}")
    return stages[name]
