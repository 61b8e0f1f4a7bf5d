"""Pipelines: the spec → DAG compiler, the runner (Ray or local), and the map stages of ingest,
extraction, tokenization and shard writing. The YAML specs (`demo.yaml`, `web.yaml`) ship here too.
"""

from eurocurate.pipelines.engine.compiler import DagNode, PipelineDAG, compile_pipeline
from eurocurate.pipelines.engine.runner import RunFailed, RunOptions, resolve_inputs, run_pipeline

__all__ = ["DagNode", "PipelineDAG", "RunFailed", "RunOptions", "compile_pipeline", "resolve_inputs", "run_pipeline"]
