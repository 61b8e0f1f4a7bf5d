"""Personal data (PII) detection and redaction for GDPR data minimisation of training text: `detectors`
finds e-mail addresses, public IPs, phone numbers, IBANs, payment cards and checksum-validated national
identifiers; `redaction` replaces the valid ones (`redact`) by typed placeholders (`<EMAIL>`, `<PL_PESEL>`…) and keeps
keyed HMAC fingerprints for erasure requests; `step` wires both into the pipeline (`PiiRedactor`) and
into JSONL files (`redact_jsonl`). Checksum-failed look-alikes are counted as candidates, never removed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eurocurate.filters.pii.detectors import PiiMatch, find_pii
    from eurocurate.filters.pii.redaction import Redaction, fingerprint, redact
    from eurocurate.filters.pii.step import PiiRedactor, redact_jsonl

__all__ = ["PiiMatch", "PiiRedactor", "Redaction", "find_pii", "fingerprint", "redact", "redact_jsonl"]
# imported on first use: every run imports `step` to register the stage, and the detectors' tables (phonenumbers,
# stdnum: 55 CPU ms) are wanted only by the runs and commands that look for personal data
_MODULE_OF = {
    "PiiMatch": "detectors", "find_pii": "detectors", "Redaction": "redaction", "fingerprint": "redaction",
    "redact": "redaction", "PiiRedactor": "step", "redact_jsonl": "step",
}  # fmt: skip


def __getattr__(name: str) -> object:
    if name in _MODULE_OF:
        return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
