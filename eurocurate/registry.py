"""The stage registry: what a stage name in a spec means, which parameters it takes, where it splits the DAG.

Owns the stage contract (StageDef, BuildContext, StageParts, Barrier), the `@register_stage` decorator
that a stage module applies to its build function, lookup with "did you mean", discovery of the
built-in stage modules (listed in `eurocurate.pipelines.stages`) and the import of plugin modules a
spec names. It does not define any stage: every stage lives, and registers itself, in its own module.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

import pyarrow as pa
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel

from eurocurate.errors import SpecError

if TYPE_CHECKING:
    from eurocurate.config import PipelineSpec


@dataclass(frozen=True)
class InputSet:
    """The resolved input files: paths relative to `root`, sorted. `set_aside`: files found under the folders
    named that are not read as pages (`inputs.SET_ASIDE_BESIDE_PAGES`), relative to `root`, sorted."""

    root: str
    files: list[str]
    set_aside: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BuildContext:
    out_dir: str
    work_dir: str
    spec: PipelineSpec
    inputs: InputSet
    pipeline_ref: dict = field(default_factory=dict)  # name, config sha256, code version, step versions


@dataclass(frozen=True)
class Barrier:
    """A stage with its own executor between map groups: `build(inputs_dir)` gives its steps.

    Usually it needs every task's output (`inputs_dir` holds the hand-over files). One that reads none of it
    (`reads_inputs=False`: a tokenizer the user gives is only copied) is built with `inputs_dir=None` and run
    before the map groups, which then stream through it in one task instead of writing and reading a file."""

    name: str
    tasks: int
    build: Callable[[str | None], list[PipelineStep]]
    reads_inputs: bool = True


@dataclass
class StageParts:
    map_steps: list[PipelineStep] = field(default_factory=list)
    barrier: Barrier | None = None
    after_barrier: list[PipelineStep] = field(default_factory=list)


Role = Literal["source", "map", "barrier"]
BuildFn = Callable[[BaseModel, BuildContext, str], StageParts]  # (params, context, stage key)
F = TypeVar("F", bound=Callable[..., StageParts])


@dataclass(frozen=True)
class StageDef:
    name: str
    summary: str
    role: Role
    params: type[BaseModel]
    build: BuildFn
    requires: tuple[str, ...] = ()  # stages that must come earlier
    # stages that must come later when the spec has them, with why (optout reads the raw HTML html_extractor replaces)
    before: Mapping[str, str] = field(default_factory=dict)
    # it writes what a run publishes (text, tokenizer, token shards): every stage that judges or edits documents must
    # come before the first such stage, or what it removes is already written
    writes_output: bool = False
    # metadata keys the stage writes that the provenance table keeps, with their Arrow types
    provenance_columns: tuple[tuple[str, pa.DataType], ...] = ()
    # reason codes the stage drops with -> what they mean; a code ending in `.*` names a family
    reasons: Mapping[str, str] = field(default_factory=dict)
    module: str = ""  # where it was registered, for error messages and plugin checks


class StageRegistrationError(SpecError):
    """A stage declaration that cannot be registered (a name taken, a malformed declaration)."""


_STAGES: dict[str, StageDef] = {}
_PLUGINS: list[str] = []  # plugin modules loaded, in load order (the Ray executor ships them by value)
_BUILTINS_LOADED = False
_REASON_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+(\.\*)?$")


def register_stage(
    *,
    name: str,
    summary: str,
    role: Role,
    params: type[BaseModel],
    requires: Iterable[str] = (),
    before: Mapping[str, str] | None = None,
    writes_output: bool = False,
    provenance_columns: Iterable[tuple[str, pa.DataType]] = (),
    reasons: Mapping[str, str] | None = None,
) -> Callable[[F], F]:
    """Decorator for a stage's build function `(params, ctx, key) -> StageParts`: registers the stage `name`.

    Apply it in the module that defines the stage; importing the module registers it. `reasons` maps each
    reason code the stage drops with (`<family>.<what>`, or `<family>.*` for a family) to its meaning. `requires`:
    stages that must come earlier; `before`: stages that must come later when the spec has them, each with why;
    `writes_output`: the stage writes what a run publishes, so no stage that judges or edits documents may follow it.
    """

    def decorate(build: F) -> F:
        _register(
            StageDef(
                name=name,
                summary=summary,
                role=role,
                params=params,
                build=build,
                requires=tuple(requires),
                before=dict(before or {}),
                writes_output=writes_output,
                provenance_columns=tuple(provenance_columns),
                reasons=dict(reasons or {}),
                module=build.__module__,
            )
        )
        return build

    return decorate


def _register(sdef: StageDef) -> None:
    if sdef.role not in ("source", "map", "barrier"):
        raise StageRegistrationError(
            f"stage {sdef.name!r} ({sdef.module}): role must be source, map or barrier, got {sdef.role!r}"
        )
    if not (isinstance(sdef.params, type) and issubclass(sdef.params, BaseModel)):
        raise StageRegistrationError(f"stage {sdef.name!r} ({sdef.module}): params must be a pydantic model class")
    bad = [code for code in sdef.reasons if not _REASON_CODE.match(code)]
    if bad:
        raise StageRegistrationError(
            f"stage {sdef.name!r} ({sdef.module}): reason codes must read `<family>.<what>`, got {bad}"
        )
    for column, dtype in sdef.provenance_columns:
        if not isinstance(column, str) or not isinstance(dtype, pa.DataType):
            raise StageRegistrationError(
                f"stage {sdef.name!r} ({sdef.module}): provenance columns are (name, pyarrow type) pairs, "
                f"got ({column!r}, {dtype!r})"
            )
    old = _STAGES.get(sdef.name)
    # the same function registering again is a module imported twice (reload, spawn), not a clash
    if old is not None and (old.module, old.build.__qualname__) != (sdef.module, sdef.build.__qualname__):
        raise StageRegistrationError(
            f"stage {sdef.name!r} is registered twice: by {old.module} and by {sdef.module}; rename one of them"
        )
    _STAGES[sdef.name] = sdef


def _load_builtins() -> tuple[str, ...]:
    global _BUILTINS_LOADED
    modules = importlib.import_module("eurocurate.pipelines.stages").BUILTIN_STAGE_MODULES
    if not _BUILTINS_LOADED:
        for module in modules:
            importlib.import_module(module)
        _BUILTINS_LOADED = True
    return modules


def all_stages() -> dict[str, StageDef]:
    """Every registered stage: the built-in ones in catalogue order, then plugin stages in load order."""
    modules = _load_builtins()
    rank = {m: i for i, m in enumerate(modules)}
    order = sorted(_STAGES.values(), key=lambda s: rank.get(s.module, len(modules)))  # stable: keeps load order
    return {s.name: s for s in order}


def builtin_stages() -> dict[str, StageDef]:
    """The stages the package ships (those of `pipelines.stages.BUILTIN_STAGE_MODULES`), in catalogue order."""
    modules = set(_load_builtins())
    return {n: s for n, s in all_stages().items() if s.module in modules}


def get_stage(name: str) -> StageDef:
    stages = all_stages()
    if name not in stages:
        close = difflib.get_close_matches(name, list(stages), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known stages: {', '.join(sorted(stages))}"
        raise SpecError(f"unknown stage {name!r}; {hint}")
    return stages[name]


def load_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules (dotted import paths) so that the stages they define are registered.

    Raises SpecError with one line when a module does not import or registers no stage.
    """
    _load_builtins()  # a plugin stage named like a built-in one must be refused, whatever loads first
    for module in modules:
        try:
            importlib.import_module(module)
        except StageRegistrationError:
            raise
        except Exception as e:  # noqa: BLE001 - any failure to import is the same mistake for the user
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            raise SpecError(
                f"plugin {module!r} does not import ({type(e).__name__}: {first}); install it or put its folder "
                "on PYTHONPATH"
            ) from e
        if not any(s.module == module or s.module.startswith(module + ".") for s in _STAGES.values()):
            raise SpecError(
                f"plugin {module!r} defines no stage; decorate its build function with "
                "@eurocurate.registry.register_stage(...)"
            )
        if module not in _PLUGINS:
            _PLUGINS.append(module)


def plugin_modules() -> tuple[str, ...]:
    """The plugin modules loaded in this process, in load order."""
    return tuple(_PLUGINS)


def declared_reasons() -> dict[str, str]:
    """Reason code (or `<family>.*`) -> meaning, over every registered stage."""
    return {code: meaning for s in all_stages().values() for code, meaning in s.reasons.items()}


def is_declared_reason(code: str, declared: Mapping[str, str]) -> bool:
    """True when `code` is declared, or belongs to a declared family (`quality.*` covers `quality.c4.x`)."""
    if code in declared:
        return True
    parts = code.split(".")
    return any(".".join(parts[:i]) + ".*" in declared for i in range(1, len(parts)))
