"""The errors a request to the Hub raises when it cannot be made or is refused, whichever HTTP client the installed
huggingface_hub uses (httpx2, httpx, or requests, whose errors are OSErrors); for callers that turn them into one
line."""

from __future__ import annotations

import httpx

try:  # huggingface_hub's own HTTP client in the releases that ship it: its errors are neither OSError nor httpx's
    from httpx2 import HTTPError as _Httpx2Error
except ImportError:
    _Httpx2Error = OSError

HUB_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (OSError, httpx.HTTPError, _Httpx2Error)
