"""Text-and-data-mining opt-outs (DSM Directive Art. 4(3), AI Act Art. 53(1)(c)), decided offline per
record: robots.txt per RFC 9309 from captures, W3C TDMRep, `noai` (X-Robots-Tag, meta robots), IETF
AIPREF `Content-Usage`, and the operator's suppression lists."""

from eurocurate.filters.optout.robots import RobotsCapture, RobotsDecision, decide_robots, normalise_host
from eurocurate.filters.optout.step import DEFAULT_AGENTS, OptOutFilter
from eurocurate.filters.optout.suppression import SuppressionList
from eurocurate.filters.optout.tdmrep import TdmRule, decide_tdmrep, parse_tdmrep_file

__all__ = [
    "DEFAULT_AGENTS", "OptOutFilter", "RobotsCapture", "RobotsDecision", "SuppressionList", "TdmRule",
    "decide_robots", "decide_tdmrep", "normalise_host", "parse_tdmrep_file",
]  # fmt: skip
