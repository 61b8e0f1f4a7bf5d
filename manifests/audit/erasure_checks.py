"""What `verify` checks of a run's erasure record: the erasure log's hash chain and the head run.json anchors, the
erasures run.json names, and the suppression list they left. Reading the log is `erasure_log`'s; the other checks
and the report are `verify`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eurocurate.layout import OutputLayout
from eurocurate.manifests.audit.erasure_log import ErasureLogError, line_sha256, log_entries, log_lines
from eurocurate.manifests.audit.run_manifest import RunManifest

if TYPE_CHECKING:  # verify imports this module; the report is only passed through
    from eurocurate.manifests.audit.verify import VerifyReport


def check_erasure_record(out: Path, manifest: RunManifest, report: VerifyReport) -> None:
    """The erasure log is the run's record of what people asked to have removed: every line an entry, each naming
    the sha256 of the one before (a hash chain: an entry edited, removed or moved breaks it), the newest line's
    sha256 the one run.json anchors (`erasure_log_head`: nothing after the newest entry names it), the same erasures
    as run.json has (a --restart keeps the log, and starts a run that has none yet), and the suppression list beside
    it. A run.json written before the anchor existed is a warning: its newest entry could be edited unseen."""
    layout = OutputLayout(out)
    log = layout.erasure_log
    lines = log_lines(out)
    if not lines:
        report.expect(
            not manifest.erasures, f"run.json names {len(manifest.erasures)} erasure(s), but {log.name} is gone"
        )
        anchored = manifest.erasure_log_head
        report.expect(not anchored, f"run.json anchors an erasure log head ({(anchored or '')[:16]}…), but {log.name} "
                      "is gone or empty")  # fmt: skip
        return
    try:
        entries = log_entries(out)
    except ErasureLogError as e:
        report.expect(False, str(e))
        return
    for number, (entry, before) in enumerate(zip(entries, [None, *lines]), 1):
        expected = line_sha256(before) if before is not None else None
        report.expect(
            entry.get("previous_entry_sha256") == expected,
            f"{log.name} line {number}: previous_entry_sha256 is not the sha256 of the entry before it "
            "(an entry was edited, removed or moved)",
        )
    newest = f"line {len(lines)}, {entries[-1].get('erasure_id')}"
    head = line_sha256(lines[-1])
    if manifest.erasure_log_head is None:
        report.warn(
            f"{log.name}: its newest entry ({newest}) is not anchored in run.json (no erasure_log_head: written "
            "before eurocurate recorded it), so an edit of that entry cannot be detected; the next erasure anchors "
            "the log"
        )
    else:
        report.expect(
            head == manifest.erasure_log_head,
            f"{log.name}: the newest entry ({newest}) has sha256 {head[:16]}…, run.json anchors "
            f"{manifest.erasure_log_head[:16]}… (the entry was edited, or entries were added or removed after it)",
        )
    ids = [e.get("erasure_id") for e in entries]
    missing = [e for e in manifest.erasures if e not in ids]
    report.expect(not missing, f"run.json names erasures {missing} that {log.name} does not hold")
    report.expect(
        layout.suppression_file.is_file(),
        f"{layout.suppression_file.name} is gone, though {len(entries)} erasure(s) added their subjects to it",
    )
