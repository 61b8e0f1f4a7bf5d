"""`eurocurate pull` from a run folder: the token mix of `eurocurate.pipelines.output.mixing`, under the names
the command and its callers use (`pull`, `PullError`). The mixing itself lives below both `pull` and the
`pack_sequences` stage.
"""

from __future__ import annotations

from eurocurate.pipelines.output.mixing import (
    MixError,
    PulledDocument,
    PullError,
    available_tokens,
    interleave,
    plan_quotas,
    quotas,
)
from eurocurate.pipelines.output.mixing import mix_folder as pull

__all__ = [
    "MixError",
    "PullError",
    "PulledDocument",
    "available_tokens",
    "interleave",
    "plan_quotas",
    "pull",
    "quotas",
]
