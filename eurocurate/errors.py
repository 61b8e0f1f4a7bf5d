"""The error every user-facing layer turns into one line: a spec, an override or a stage declaration that
cannot be used. It lives below both the spec model (`config`) and the stage registry (`registry`), which
raise it; the CLI catches it."""

from __future__ import annotations


class SpecError(ValueError):
    """A pipeline spec or override that cannot be used; the message says what to change."""


class StorageError(OSError):
    """A location that cannot be used or read (bad URL, credentials in it, missing bucket, unreachable store);
    the message names the location without secrets (`storage.display`) and says what to change."""
