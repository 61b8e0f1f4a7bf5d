"""What every `eurocurate` command shares: the two terminals, the one-line error, keys and defaults.

Owns how the CLI talks to the user (messages on stderr, results on stdout) and where an option that
mirrors a stage parameter takes its default from (the stage's parameter model, one definition).
"""

from __future__ import annotations

import os

from rich.console import Console
from rich.markup import escape

console = Console(stderr=True, soft_wrap=True)  # messages, tables about the work done
out_console = Console(soft_wrap=True)  # results a user may pipe: verify lines, JSON, pulled totals


EXIT_LOCKED = 3  # `run`: another run holds the output folder's lock (distinct from 2, a mistake to fix)
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports a command the signal stopped


def not_positive(option: str, value: int | None) -> str | None:
    """The one-line mistake of a count option (`--workers`, `--tokens`) given below 1, or None when it is fine."""
    if value is not None and value < 1:
        return f"{option} must be 1 or more, got {value}"
    return None


def error(message: object) -> int:
    """Print the one actionable line of a mistake the user can fix; the exit code for it (2)."""
    console.print(f"[red]error:[/] {escape(str(message))}")  # a message's own [brackets] are text, not markup
    return 2


def key_from_env(name: str) -> bytes | None:
    """The HMAC key held by environment variable `name`, or None when it is unset or empty."""
    key = os.environ.get(name)
    return key.encode() if key else None


def stage_default(stage: str, param: str) -> object:
    """The default of parameter `param` of stage `stage`, as its parameter model declares it."""
    from eurocurate.registry import get_stage  # the stage catalogue is imported only by the commands that ask

    return get_stage(stage).params.model_fields[param].get_default(call_default_factory=True)
