"""The opt-out stage: a document whose publisher reserved text and data mining leaves the pipeline,
with the protocol, the rule and the capture that decided as evidence.

Runs right after the reader, on the raw page (headers and `<head>`), before any costly work. Every
kept document carries the outcome of each protocol in its metadata, for provenance. `<meta>` tags are read from
HTML payloads only: the text of a PDF, DOCX, legal XML or dataset row may quote a tag its publisher never set.
"""

from __future__ import annotations

import hashlib
from typing import Final, Literal

import orjson
import pyarrow as pa
from datatrove.data import Document
from pydantic import BaseModel, ConfigDict, Field

from eurocurate import storage
from eurocurate.config import SpecError
from eurocurate.errors import StorageError
from eurocurate.filters.optout.captures import cached_captures
from eurocurate.filters.optout.page_signals import (
    PageMetas,
    content_usage_header,
    meta_noai,
    read_metas,
    x_robots_noai,
)
from eurocurate.filters.optout.robots import decide_aipref_robots, decide_robots, origin_of
from eurocurate.filters.optout.suppression import SuppressionList
from eurocurate.filters.optout.tdmrep import decide_tdmrep
from eurocurate.layout import OutputLayout
from eurocurate.pipelines.ingest.decode import HTML_TYPES
from eurocurate.pipelines.ingest.inputs import WARC_SUFFIXES, robots_folders_beside, spec_warc_files
from eurocurate.registry import BuildContext, StageParts, register_stage
from eurocurate.schema import Meta, Reason
from eurocurate.stage import Drop, LedgerStage

DEFAULT_AGENTS = ("GPTBot", "CCBot", "Google-Extended", "ClaudeBot", "*")
PROTOCOLS = ("robots", "tdmrep", "noai", "aipref")
_PARSERS: Final = {
    "robots.txt": "eurocurate (RFC 9309, google/robotstxt matching rules)",
    "tdmrep": "eurocurate (W3C TDMRep: tdmrep.json, headers, <meta>)",
    "x-robots-tag": "eurocurate (X-Robots-Tag header and <meta name=robots>)",
    "aipref": "eurocurate (Content-Usage header and robots.txt Content-Usage rules)",
}
_PARSED_BY: Final = {
    "robots": ("robots.txt",),
    "tdmrep": ("tdmrep",),
    "noai": ("x-robots-tag",),
    "aipref": ("aipref",),
}


def _is_html_payload(content_type: object) -> bool:
    """True for an HTML content type, or none at all: the WARC and HTML readers set one, so a document without
    it comes from a caller that hands raw pages (as the extractor, which parses all but `text/plain` as HTML)."""
    if content_type is None:
        return True
    return isinstance(content_type, str) and content_type.split(";")[0].strip().lower() in HTML_TYPES


class OptOutFilter(LedgerStage):
    name = "optout"

    def __init__(
        self,
        out_dir: str,
        robots_warcs: tuple[str, ...] = (),
        agents: tuple[str, ...] = DEFAULT_AGENTS,
        protocols: tuple[str, ...] = PROTOCOLS,
        missing_robots: Literal["allow", "reserve"] = "allow",
        suppression: SuppressionList | None = None,
    ):
        super().__init__(out_dir)
        self.robots_warcs = tuple(robots_warcs)
        self.agents = tuple(agents)
        self.protocols = frozenset(protocols)
        self.missing_robots = missing_robots
        self.suppression = suppression or SuppressionList()

    def policy(self) -> dict:
        """What run.json records: agents, protocols, parsers, captures and suppression list, with a hash."""
        captures = cached_captures(self.robots_warcs)
        policy = {
            "agents": list(self.agents),
            "protocols": sorted(self.protocols),
            "missing_robots": self.missing_robots,
            # the parsers of the protocols the run honours: only what ran is named (the card lists them)
            "parsers": {name: _PARSERS[name] for protocol in sorted(self.protocols) for name in _PARSED_BY[protocol]},
            "robots_captures": captures.files,
            "robots_hosts": len(captured_hosts := captures.captured_hosts()),
            # which hosts had a capture: the reports tell, per domain, whether robots.txt could be checked at all
            "robots_captured_hosts": captured_hosts,
            # and of which origins (scheme, host, port): a page is checked only by its own origin's robots.txt
            "robots_captured_origins": captures.captured_origins(),
            "tdmrep_hosts": len(captures.tdmrep),
            "suppression_list": {
                "sha256": self.suppression.digest(),
                **{k: len(v) for k, v in self.suppression.model_dump().items()},
            },
        }
        policy["policy_sha256"] = hashlib.sha256(orjson.dumps(policy, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return policy

    def judge(self, doc: Document) -> Drop | None:
        md = doc.metadata
        url = md.get(Meta.URL) or ""
        if (entry := self.suppression.match(url)) is not None:
            return Drop(Reason.SUPPRESSED, entry)
        captures = cached_captures(self.robots_warcs)
        origin = origin_of(url)
        headers: dict[str, list[str]] = md.get(Meta.HTTP_HEADERS) or {}
        # a document a reader turned into plain text (PDF, DOCX, legal XML, a dataset row, WET) has no <head>:
        # a tag in its text is quoted, not declared; it speaks through `embedded_tdm` and headers only
        metas = read_metas(doc.text) if _is_html_payload(md.get(Meta.CONTENT_TYPE)) else PageMetas()
        outcome: dict[str, str] = {}
        reasons: list[tuple[str, str]] = []
        unchecked = False

        if "robots" in self.protocols:
            robots = decide_robots(url, captures.robots_for(origin, md.get(Meta.CRAWL)), self.agents)
            if robots.reserved is None and self.missing_robots == "reserve":
                reasons.append((Reason.OPTOUT_ROBOTS_UNREACHABLE, f"{robots.evidence}; policy: reserve"))
            elif robots.reserved:
                reason = Reason.OPTOUT_ROBOTS if robots.agent else Reason.OPTOUT_ROBOTS_UNREACHABLE
                reasons.append((reason, robots.evidence))
            outcome["robots"] = robots.evidence
        if "tdmrep" in self.protocols:
            rules, file_evidence = captures.tdmrep.get(origin or "", (None, ""))
            # a PDF's own XMP/Info declaration ranks with the HTML <meta>: both are the document speaking for itself
            embedded: dict[str, list[str]] = md.get(Meta.EMBEDDED_TDM) or {}
            metas.tdm_reservation += embedded.get("tdm-reservation", [])
            metas.tdm_policy += embedded.get("tdm-policy", [])
            tdm = decide_tdmrep(url, rules, headers.get("tdm-reservation", []), metas.tdm_reservation)
            if tdm.ignored_values:
                self.stat_update("tdm_reservation_values_ignored", value=tdm.ignored_values)
            if tdm.reserved:
                evidence = tdm.evidence + (f" [{file_evidence}]" if tdm.source == "file" else "")
                policy_url = (headers.get("tdm-policy") or metas.tdm_policy or [None])[-1]
                if policy_url and tdm.source != "file":
                    evidence += f" policy {policy_url}"
                reasons.append((Reason.OPTOUT_TDMREP, evidence))
            if tdm.reserved is not None:
                outcome["tdmrep"] = tdm.evidence
            if not tdm.reserved and (unread := embedded.get("metadata-unread")):  # pdf.TDM_UNREAD
                # the PDF's XMP, where its reservation would be, was not read: "no" would claim what was not checked
                outcome["tdmrep"] = "; ".join(filter(None, [outcome.get("tdmrep"), f"not checked: {unread[0]}"]))
                unchecked = True
                self.stat_update("tdm_embedded_unread")
        if "noai" in self.protocols:
            header = x_robots_noai(headers.get("x-robots-tag", []), self.agents)
            meta = meta_noai(metas, self.agents)
            if header or meta:
                evidence = f"X-Robots-Tag: {header}" if header else meta
                reasons.append((Reason.OPTOUT_NOAI, evidence))
                outcome["noai"] = evidence
        if "aipref" in self.protocols:
            usage = content_usage_header(headers.get("content-usage", []))
            robots_rule = decide_aipref_robots(url, captures.robots_for(origin, md.get(Meta.CRAWL)), self.agents)
            if usage or robots_rule.reserved:
                evidence = f"Content-Usage: {usage}" if usage else robots_rule.evidence
                reasons.append((Reason.OPTOUT_AIPREF, evidence))
                outcome["aipref"] = evidence
        outcome["reserved"] = "yes" if reasons else "unknown" if unchecked else "no"
        md[Meta.OPTOUT] = outcome
        if reasons:
            return Drop(reasons[0][0], " | ".join(e for _, e in reasons))
        return None


class OptOutParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    robots_warcs: list[str] = Field(
        default_factory=list,
        description="WARC files, folders or globs (local or URLs: s3://, gs://, hf://, https://) of robots.txt and "
        "/.well-known/tdmrep.json captures, as Common Crawl publishes them.",
    )
    robots_beside_inputs: bool = Field(
        True,
        description="Also read the robots.txt captures of a `robotstxt/` folder beside each input `warc/` folder "
        "(Common Crawl's segment layout). A page of a crawl (CC-MAIN-... in its path) is judged by its own "
        "crawl's capture of its host when there is one.",
    )
    robots_in_inputs: bool = Field(
        False,
        description="Also take the robots.txt and tdmrep.json responses stored among the input WARCs' own records "
        "(a crawler's WARCs). Every worker reads every input WARC once more for them, so it is off by default.",
    )
    agents: list[str] = Field(list(DEFAULT_AGENTS), description="Product tokens whose reservations are honoured.")
    operator_agent: str | None = Field(None, description="Your own crawler's product token, added to `agents`.")
    protocols: list[Literal["robots", "tdmrep", "noai", "aipref"]] = Field(
        list(PROTOCOLS), description="Protocols honoured."
    )
    missing_robots: Literal["allow", "reserve"] = Field(
        "allow", description="Decision for a host without a robots.txt capture."
    )
    suppression: SuppressionList = Field(default_factory=SuppressionList, description="Inline suppression list.")
    suppression_file: str | None = Field(None, description="YAML file with urls/url_prefixes/hosts/domains lists.")


def _capture_files(p: OptOutParams, ctx: BuildContext, key: str) -> tuple[str, ...]:
    files = spec_warc_files(p.robots_warcs, f"stage {key!r}: robots_warcs")
    if p.robots_beside_inputs and ctx.inputs.files:
        files += spec_warc_files(robots_folders_beside(ctx.inputs), f"stage {key!r}: robotstxt/ beside the inputs")
    if p.robots_in_inputs:
        root = storage.locate(ctx.inputs.root)
        files += tuple(root.child(f).url for f in ctx.inputs.files if f.endswith(WARC_SUFFIXES))
    return tuple(dict.fromkeys(files))


@register_stage(
    name="optout",
    summary="Text-and-data-mining opt-outs: robots.txt (RFC 9309), TDMRep, noai, AIPREF; suppression lists",
    role="map",
    params=OptOutParams,
    before={
        "html_extractor": "it reads the page's <meta> robots and TDMRep tags in the raw HTML, which extraction "
        "replaces with the main text"
    },
    provenance_columns=[(Meta.OPTOUT, pa.map_(pa.string(), pa.string()))],
    reasons={
        Reason.OPTOUT_ROBOTS: "robots.txt disallows the page for an honoured agent",
        Reason.OPTOUT_ROBOTS_UNREACHABLE: "no usable robots.txt capture and the policy reserves",
        Reason.OPTOUT_TDMREP: "TDMRep reservation (tdmrep.json, header, meta or embedded)",
        Reason.OPTOUT_NOAI: "noai / noimageai robots directive",
        Reason.OPTOUT_AIPREF: "AIPREF content-usage preference against training",
        Reason.SUPPRESSED: "on the operator's suppression list",
    },
)
def build_optout(p: OptOutParams, ctx: BuildContext, key: str) -> StageParts:
    suppression = p.suppression
    if p.suppression_file:
        try:
            if not storage.exists(p.suppression_file):
                raise SpecError(f"stage {key!r}: suppression_file {storage.display(p.suppression_file)} does not exist")
            suppression = suppression.merged(SuppressionList.from_file(p.suppression_file))
        except StorageError as e:
            raise SpecError(f"stage {key!r}: suppression_file: {e}") from None
    # the output folder's own list: what erasures from it added, so that a re-run (or --restart) never brings back
    # an erased document whatever the spec says
    own = OutputLayout(ctx.out_dir).suppression_file
    if own.is_file():
        suppression = suppression.merged(SuppressionList.from_file(own))
    agents = tuple(p.agents) + ((p.operator_agent,) if p.operator_agent else ())
    step = OptOutFilter(
        ctx.out_dir,
        robots_warcs=_capture_files(p, ctx, key),
        agents=agents,
        protocols=tuple(p.protocols),
        missing_robots=p.missing_robots,
        suppression=suppression,
    )
    return StageParts(map_steps=[step])
