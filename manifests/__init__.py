"""Everything a run leaves for auditors and trainers: exclusion ledger, provenance table, shard and
run manifests, and `verify`, which checks an output folder against them."""

from eurocurate.manifests.ledger import ExclusionLedger
from eurocurate.manifests.provenance import ProvenanceWriter
from eurocurate.manifests.shard_manifest import ShardManifest, read_shard_manifest
from eurocurate.manifests.verify import VerifyReport, verify_output

__all__ = ["ExclusionLedger", "ProvenanceWriter", "ShardManifest", "VerifyReport", "read_shard_manifest", "verify_output"]
