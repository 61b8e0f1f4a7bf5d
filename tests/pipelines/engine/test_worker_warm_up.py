"""A Ray run's workers import its stage modules side by side as soon as Ray is up, not each at its first task."""

from __future__ import annotations

import sys

import pytest

from eurocurate.pipelines.engine.embedded_ray import init_ray, stop_ray
from eurocurate.pipelines.engine.ray_executor import warm_up_workers

pytestmark = pytest.mark.slow

WARMED = "eurocurate.filters.quality.params"  # a module of the run's steps, which no worker imports by itself
UNUSED = "eurocurate.filters.pii"  # one that is not


def _imported() -> tuple[bool, bool]:
    return WARMED in sys.modules, UNUSED in sys.modules


def test_a_worker_has_the_modules_of_the_runs_steps_before_its_first_task():
    import ray

    from eurocurate.filters.quality.params import C4Params

    init_ray(None, 1)  # one worker: the task below runs where the warm-up ran
    try:
        warm_up_workers([[C4Params()]], 1)
        assert ray.get(ray.remote(_imported).remote()) == (True, False)
    finally:
        stop_ray()
