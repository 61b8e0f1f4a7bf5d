"""Per-task logging costs that do not depend on the task: computed once per process.

datatrove's executors open two loguru sinks for every task (`add_task_logger`), and loguru works out the
interpreter's library folders (36 `sysconfig` look-ups) for every sink it adds: about 9 ms of CPU per task
here, as much as a small task's documents. The folders do not change while a process lives. Owns nothing
else of logging: the run log is `eurocurate.cli`'s.
"""

from __future__ import annotations

from functools import cache


def share_library_dirs() -> None:
    """Make loguru compute the library folders once per process (a no-op on a loguru without that helper)."""
    try:
        from loguru._better_exceptions import ExceptionFormatter
    except ImportError:
        return
    compute = getattr(ExceptionFormatter, "_get_lib_dirs", None)
    if compute is None or hasattr(compute, "cache_info"):
        return
    ExceptionFormatter._get_lib_dirs = staticmethod(cache(compute))
