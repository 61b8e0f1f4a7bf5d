"""Opt-out decisions against the corpus truth, record by record, with the protocol that decided."""

from __future__ import annotations

import collections

from tests.eval.conftest import read_all

# Records where truth.jsonl contradicts the corpus README's own rules; each was checked by hand.
KNOWN_TRUTH_ERRORS = {
    # robots.txt of www.browse-news.dk is "User-agent: ClaudeBot / Disallow: /" ("a group for one of the
    # agents with Disallow: / reserves everything"), but truth lists only the TDMRep meta 0 override
    # and says not reserved.
    "https://www.browse-news.dk/private/pub/doc/6fca90f753.html": "robots_ClaudeBot ignored by truth",
}


def test_optout_decisions_agree_with_truth(corpus_run, truth):
    excluded = {
        (r["source_path"], r["warc_record_id"]): r for r in read_all(corpus_run, "exclusions") if r["stage"] == "optout"
    }
    agree, disagree = collections.Counter(), []
    for t in truth:
        if t["optout"] is None or t["warc_file"].startswith("broken/"):
            continue
        row = excluded.get((t["warc_file"], t["record_id"]))
        if (row is not None) == t["optout"]:
            agree[tuple(t["optout_reasons"] or ["allowed"])] += 1
        else:
            disagree.append((t["url"], t["optout"], t["optout_reasons"], row and row["evidence"]))
    total = sum(agree.values()) + len(disagree)
    print(f"\nopt-out: {sum(agree.values())}/{total} records agree with truth")
    for reasons, n in sorted(agree.items(), key=lambda kv: -kv[1]):
        print(f"  {n:>5}  {'+'.join(reasons)}")
    for url, expected, reasons, evidence in disagree:
        print(f"  DISAGREE {url}: truth {expected} {reasons}; ours: {evidence}")
    unexplained = [d for d in disagree if d[0] not in KNOWN_TRUTH_ERRORS]
    assert not unexplained
    reasons = collections.Counter(r["reason"] for r in excluded.values())
    print("opt-out drops by reason:", dict(reasons))
