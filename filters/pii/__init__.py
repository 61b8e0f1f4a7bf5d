"""Personal data (PII) detection and redaction for GDPR data minimisation of training text: `detectors`
finds e-mail addresses, public IPs, phone numbers, IBANs, payment cards and checksum-validated national
identifiers; `redact` replaces the valid ones by typed placeholders (`<EMAIL>`, `<PL_PESEL>`…) and keeps
keyed HMAC fingerprints for erasure requests; `step` wires both into the pipeline (`PiiRedactor`) and
into JSONL files (`redact_jsonl`). Checksum-failed look-alikes are counted as candidates, never removed.
"""

from eurocurate.filters.pii.detectors import PiiMatch, find_pii
from eurocurate.filters.pii.redact import Redaction, fingerprint, redact
from eurocurate.filters.pii.step import PiiRedactor, redact_jsonl

__all__ = ["PiiMatch", "PiiRedactor", "Redaction", "find_pii", "fingerprint", "redact", "redact_jsonl"]
