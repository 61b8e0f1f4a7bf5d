"""`eurocurate report OUT`: one self-contained HTML page for a compliance officer.

Funnel per stage with drop reasons, languages, sources and licences, opt-out evidence with examples,
personal-data measures, top domains and the erasure history, read from the run's manifests. No
script, font, image or style is fetched from anywhere: the page is readable offline, without a server.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from pathlib import Path

from eurocurate.files import read_tables
from eurocurate.layout import EXCLUSIONS, PROVENANCE, REPORT_HTML, OutputLayout
from eurocurate.manifests.audit.erasure_log import readable_entries
from eurocurate.manifests.audit.run_manifest import read_run_manifest
from eurocurate.manifests.audit.verify import verify_output
from eurocurate.manifests.release.descriptions import (
    NO_OPTOUT,
    NO_PII_STAGE,
    keeps_fingerprints,
    language_id_models,
    personal_data_measure,
    robots_coverage_line,
)
from eurocurate.manifests.release.domains import domain_sizes, robots_coverage, top_domains
from eurocurate.schema import Meta

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1b1f24;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:2px solid #2b59c3;padding-bottom:.2rem}
.meta{color:#57606a}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:.8rem;background:#2b59c3;vertical-align:middle}.bar.drop{background:#cf222e}
code,.ev{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.82rem;word-break:break-all}
.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.4rem}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: list[str], rows: list[list[object]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bar(n: int, scale: int, cls: str = "") -> str:
    width = 0 if not scale else max(1, round(300 * n / scale)) if n else 0
    return f'<span class="bar {cls}" style="width:{width}px"></span>'


def _read(out: Path, sub: str, columns: list[str] | None = None) -> list[dict]:
    table = read_tables(sorted((out / sub).glob("*.parquet")), columns)
    return table.to_pylist() if table is not None else []


def render_report(out: Path, examples_per_reason: int = 3) -> str:
    out = Path(out)
    run = read_run_manifest(out)
    report = verify_output(out)
    totals = run.totals
    tokens = totals.tokens_by_language
    ledger = _read(out, EXCLUSIONS)
    pii_columns = [Meta.PII_COUNTS, Meta.PII_CANDIDATES] if "pii" in run.stage_uses() else []
    prov = _read(out, PROVENANCE, ["doc_id", Meta.LANG, *pii_columns])
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>eurocurate report — {_e(run.pipeline)}</title>",
        f"<link rel='icon' href='data:,'><style>{_CSS}</style></head><body>",
        f"<h1>eurocurate run report: {_e(run.pipeline)}</h1>",
        f"<p class='meta'>run {_e(run.run_id)} · {_e(run.started_at)} → {_e(run.finished_at)} · "
        f"config sha256 <code>{_e(run.config_sha256[:16])}…</code> · eurocurate {_e(run.code_version)}</p>",
        "<p>Integrity: "
        + (
            f"<span class='ok'>verified</span> ({report.checks} checks: every file hash, shard manifest and count)"
            if report.ok
            else f"<span class='bad'>{len(report.problems)} problem(s)</span>: "
            + "; ".join(_e(p) for p in report.problems[:5])
        )
        + "".join(f"; not checked: {_e(w)}" for w in report.warnings)
        + "</p>",
        "<div class='cards'>"
        + "".join(
            f"<div class='card'>{label}<b>{value}</b></div>"
            for label, value in (
                ("documents read", f"{totals.read:,}"),
                ("kept", f"{totals.kept:,}"),
                ("dropped", f"{totals.dropped:,}"),
                ("tokens", f"{sum(tokens.values()):,}"),
                ("languages", len(tokens)),
                ("erasures", len(run.erasures)),
            )
        )
        + "</div>",
    ]
    # funnel
    scale = max((s.docs_in for s in run.stages), default=0)
    rows = []
    for s in run.stages:
        reasons = "<br>".join(f"{_e(r)}: {n:,}" for r, n in sorted(s.dropped_by_reason.items(), key=lambda kv: -kv[1]))
        rows.append(
            [
                _e(s.stage),
                f"{s.docs_in:,}",
                f"{s.docs_out:,}",
                f"{s.dropped:,}",
                _bar(s.docs_out, scale) + _bar(s.dropped, scale, "drop"),
                reasons,
            ]
        )
    parts += [
        "<h2>Funnel: documents per stage</h2>",
        _table(["stage", "in", "out", "dropped", "", "dropped by reason"], rows, {1, 2, 3}),
    ]
    # languages
    docs_by_lang = Counter(r[Meta.LANG] for r in prov)
    top_tokens = max(tokens.values(), default=0)
    rows = [
        [_e(lang), f"{docs_by_lang.get(lang, 0):,}", f"{n:,}", _bar(n, top_tokens)]
        for lang, n in sorted(tokens.items(), key=lambda kv: -kv[1])
    ]
    parts += ["<h2>Languages</h2>", _table(["language", "documents", "tokens", ""], rows, {1, 2})]
    if models := language_id_models(run):
        parts.append(f"<p>{_e(models)}</p>")
    # sources
    rows = [
        [f"<span class='ev'>{_e(i.path)}</span>", _e(i.publisher or "—"), _e(i.source_category),
         _e(i.licence or "not declared"), _e(i.collection_period or "—"), f"<code>{_e(i.sha256[:12])}…</code>"]
        for i in run.inputs
    ]  # fmt: skip
    parts += [
        "<h2>Sources and licences</h2>",
        _table(["input", "publisher", "category", "licence", "collected", "sha256"], rows),
    ]
    # opt-out
    policy = run.policies.optout
    by_reason: dict[str, list[dict]] = defaultdict(list)
    for r in ledger:
        if r["stage"] == "optout":
            by_reason[r["reason"]].append(r)
    parts.append("<h2>Text-and-data-mining opt-outs</h2>")
    coverage = robots_coverage(out, run)
    if policy:
        parts.append(
            f"<p>Agents honoured: {_e(', '.join(policy.agents))}. Protocols: {_e(', '.join(policy.protocols))}. "
            f"Hosts without robots.txt capture: {_e(policy.missing_robots)}. "
            f"Policy sha256 <code>{_e(policy.policy_sha256[:16])}…</code>; "
            f"{policy.robots_hosts} robots.txt and {policy.tdmrep_hosts} TDMRep captures.</p>"
        )
        if coverage.known:
            cls = "bad" if coverage.hosts_without else "ok"
            line = robots_coverage_line(coverage)
            parts.append(f"<p class='{cls}'>{_e(line)}</p>")
    else:
        parts.append(f"<p class='bad'>{_e(NO_OPTOUT)}</p>")
    rows = []
    for reason, items in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        examples = "<br>".join(
            f"<span class='ev'>{_e(i['url'])} — {_e(i['evidence'])}</span>" for i in items[:examples_per_reason]
        )
        rows.append([_e(reason), f"{len(items):,}", examples])
    if rows:
        parts.append(_table(["reason", "documents", "examples (URL — evidence)"], rows, {1}))
    elif policy:
        parts.append("<p>No document was reserved.</p>")
    # personal data
    parts.append("<h2>Personal data</h2>")
    if "pii" in run.stage_uses():
        replaced, candidates = Counter(), Counter()
        for r in prov:
            replaced.update(dict(r.get(Meta.PII_COUNTS) or []))
            candidates.update(dict(r.get(Meta.PII_CANDIDATES) or []))
        kinds = sorted(set(replaced) | set(candidates))
        rows = [[_e(k), f"{replaced[k]:,}", f"{candidates[k]:,}"] for k in kinds]
        parts += [
            f"<p>{_e(personal_data_measure(fingerprints=keeps_fingerprints(run)))}</p>",
            _table(["type", "values replaced", "look-alikes left (checksum failed)"], rows, {1, 2})
            if rows
            else "<p>None found.</p>",
        ]
    else:
        parts.append(f"<p class='bad'>{_e(NO_PII_STAGE)}</p>")
    # domains
    top = top_domains(domain_sizes(out))
    rows = [[str(i + 1), _e(d), f"{n:,}", _e(coverage.domain_status(d))] for i, (d, n) in enumerate(top)]
    parts += [
        "<h2>Top domains (top 10% by content size)</h2>",
        _table(["#", "registrable domain", "text bytes", "robots.txt"], rows, {0, 2}),
    ]
    # erasures
    entries, damaged = readable_entries(out)  # a damaged line: the entries before it, and the damage said below
    rows = [
        [
            *(_e(str(e.get(k, ""))) for k in ("erasure_id", "time", "request", "reason", "signed_off_by")),
            *(f"{n:,}" if isinstance(n := e.get(k), int) else _e(str(n)) for k in ("documents", "tokens_removed")),
        ]
        for e in entries
    ]
    parts += [
        "<h2>Erasure history</h2>",
        _table(["erasure", "time", "request", "reason", "signed off by", "documents", "tokens"], rows, {5, 6})
        if rows
        else ("" if damaged else "<p>No erasure so far.</p>"),
        f"<p class='bad'>The erasure log is damaged: {_e(damaged)}; the entries after it are not shown. Restore it "
        "from a backup.</p>"
        if damaged
        else "",
    ]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out: Path) -> Path:
    path = OutputLayout(out).reports / REPORT_HTML
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(Path(out)), encoding="utf-8")
    return path
