"""The evaluation corpus as eurocurate's extractor and language identifier see it: `eurocurate extract`
then `eurocurate langid` over WARC files, one dict per extracted record (`warc_record_id`, `text`,
`lang`, ...). Used by the quality-threshold derivation, the quality eval and `make bench`."""

from __future__ import annotations

from pathlib import Path

import orjson


def extracted_and_identified(warcs: list[Path], work: Path) -> list[dict]:
    """Runs the two commands into `work` and returns the labelled rows."""
    from eurocurate.cli import main as cli

    extracted, labelled = work / "extract.jsonl", work / "langid.jsonl"
    if cli(["extract", *map(str, warcs), "-o", str(extracted)]) != 0:
        raise RuntimeError(f"eurocurate extract failed on {len(warcs)} WARC files")
    if cli(["langid", str(extracted), "-o", str(labelled)]) != 0:
        raise RuntimeError("eurocurate langid failed on the extracted records")
    return [orjson.loads(line) for line in labelled.read_bytes().splitlines()]
