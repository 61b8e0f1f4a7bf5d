"""Everything a run leaves for auditors and trainers: exclusion ledger, provenance table, shard and
run manifests, and `verify`, which checks an output folder against them."""

from eurocurate.manifests.audit.ledger import ExclusionLedger
from eurocurate.manifests.audit.provenance import ProvenanceWriter
from eurocurate.manifests.audit.shard_manifest import ShardManifest, read_shard_manifest
from eurocurate.manifests.audit.verify import VerifyReport, verify_output

__all__ = [
    "ExclusionLedger",
    "ProvenanceWriter",
    "ShardManifest",
    "VerifyReport",
    "read_shard_manifest",
    "verify_output",
]
