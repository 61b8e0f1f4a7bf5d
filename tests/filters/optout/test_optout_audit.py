"""Opt-out forms an adversarial audit found mishandled, each on real WARC bytes through the stage: robots.txt
redirects (RFC 9309 §2.3.1.2), a malformed capture URL, IDNA 2008 host names, TDMRep locations in percent-encoded
form, X-Robots-Tag directives with values, versioned operator agents, and `<meta>` tags deep in a large head."""

from __future__ import annotations

from datatrove.data import Document

from eurocurate.filters.optout.captures import load_captures
from eurocurate.filters.optout.page_signals import meta_noai, read_metas, x_robots_noai
from eurocurate.filters.optout.robots import normalise_host
from eurocurate.filters.optout.step import DEFAULT_AGENTS, OptOutFilter
from eurocurate.schema import Meta, Reason
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc

DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
ALLOW_ALL = "User-agent: *\nAllow: /\n"


def rec(url: str, body: str = "", status: int = 200, date: str = "2026-02-01T00:00:00Z", **headers: str):
    return WarcRecordSpec(
        url=url, body=body.encode(), status=status, date=date, http_headers={"Content-Type": "text/plain", **headers}
    )


def stage(tmp_path, records: list[WarcRecordSpec], **kwargs) -> OptOutFilter:
    write_warc(tmp_path / "robots.warc.gz", records)
    return OptOutFilter(str(tmp_path), robots_warcs=(str(tmp_path / "robots.warc.gz"),), **kwargs)


def page(url: str, html: str = "<html><head></head><body>x</body></html>", headers: dict | None = None) -> Document:
    return Document(text=html, id=url, metadata={Meta.URL: url} | ({Meta.HTTP_HEADERS: headers} if headers else {}))


def test_a_robots_txt_redirect_is_followed_to_the_capture_of_its_target(tmp_path):
    step = stage(tmp_path, [
        rec("https://blog.redir.example/robots.txt", status=301, Location="https://redir.example/robots.txt"),
        rec("https://redir.example/robots.txt", DISALLOW_ALL),
        rec("https://away.example/robots.txt", status=302, Location="/robots-moved.txt"),  # not a robots.txt
        rec("https://loop.example/robots.txt", status=301, Location="https://loop2.example/robots.txt"),
        rec("https://loop2.example/robots.txt", status=301, Location="https://loop.example/robots.txt"),
    ])  # fmt: skip
    drop = step.judge(page("https://blog.redir.example/article/1.html"))
    assert drop.reason == Reason.OPTOUT_ROBOTS
    assert drop.evidence.startswith("https://redir.example/robots.txt (200")
    assert "reached by redirect from https://blog.redir.example/robots.txt (301" in drop.evidence
    # a redirect whose target no capture holds read no rules: the host is judged as one without a capture
    for url in ("https://away.example/a", "https://loop.example/a"):
        assert step.judge(page(url)) is None
        strict = OptOutFilter(str(tmp_path), robots_warcs=step.robots_warcs, missing_robots="reserve")
        unread = strict.judge(page(url))
        assert unread.reason == Reason.OPTOUT_ROBOTS_UNREACHABLE and "which no capture holds" in unread.evidence
    # and the reports do not count it as a host whose robots.txt was read
    assert step.policy()["robots_captured_hosts"] == ["blog.redir.example", "redir.example"]
    assert step.policy()["robots_captured_origins"] == ["https://blog.redir.example", "https://redir.example"]


def test_each_origin_is_judged_by_its_own_robots_txt(tmp_path):
    """RFC 9309 §2.3: robots.txt is per scheme, host and port. A later http:// capture does not lift the https://
    file's reservation, and a file on port 8443 does not decide for the default port."""
    step = stage(tmp_path, [
        rec("https://scheme.example/robots.txt", DISALLOW_ALL, date="2026-02-01T00:00:00Z"),
        rec("http://scheme.example/robots.txt", ALLOW_ALL, date="2026-02-02T00:00:00Z"),
        rec("https://port.example/robots.txt", ALLOW_ALL, date="2026-02-01T00:00:00Z"),
        rec("https://port.example:8443/robots.txt", DISALLOW_ALL, date="2026-02-02T00:00:00Z"),
        rec("HTTPS://Port.Example:443/.well-known/tdmrep.json", '[{"location": "/", "tdm-reservation": 1}]'),
    ])  # fmt: skip
    https = step.judge(page("https://scheme.example/article/1.html"))
    assert https.reason == Reason.OPTOUT_ROBOTS and https.evidence.startswith("https://scheme.example/robots.txt")
    assert step.judge(page("http://scheme.example/article/1.html")) is None
    # the default port's own file allows; its tdmrep.json (written with the port and upper case) reserves
    assert step.judge(page("https://port.example/article/1.html")).reason == Reason.OPTOUT_TDMREP
    assert step.judge(page("https://port.example:8443/a")).reason == Reason.OPTOUT_ROBOTS
    assert step.judge(page("http://port.example/a")) is None  # no http:// capture: policy allow
    strict = OptOutFilter(str(tmp_path), robots_warcs=step.robots_warcs, missing_robots="reserve")
    assert strict.judge(page("http://port.example/a")).reason == Reason.OPTOUT_ROBOTS_UNREACHABLE


def test_an_http_to_https_redirect_does_not_replace_the_hosts_own_robots_txt(tmp_path):
    for order in (1, -1):  # the redirect captured after the file, or before it
        records = [
            rec("https://redir2.example/robots.txt", DISALLOW_ALL, date="2026-02-01T00:00:00Z"),
            rec("http://redir2.example/robots.txt", status=301, Location="https://redir2.example/robots.txt",
                date="2026-02-02T00:00:00Z"),
        ][::order]  # fmt: skip
        drop = stage(tmp_path, records).judge(page("https://redir2.example/article/1.html"))
        assert drop is not None and drop.reason == Reason.OPTOUT_ROBOTS, order


def test_one_malformed_capture_url_costs_that_record_not_every_page(tmp_path):
    step = stage(
        tmp_path, [rec("http://[bad/robots.txt", DISALLOW_ALL), rec("https://ok.example/robots.txt", ALLOW_ALL)]
    )
    assert step.judge(page("https://ok.example/a")) is None
    assert load_captures(step.robots_warcs).skipped == 1


def test_unicode_hosts_are_their_idna_2008_punycode():
    assert normalise_host("https://straße.example/a") == "xn--strae-oqa.example"  # IDNA 2003 said strasse.example
    assert normalise_host("https://Bücher.DE:8080/") == "xn--bcher-kva.de"
    assert normalise_host("xn--strae-oqa.example") == "xn--strae-oqa.example"


def test_a_page_of_a_unicode_host_is_judged_by_its_own_robots_txt(tmp_path):
    step = stage(tmp_path, [
        rec("https://xn--strae-oqa.example/robots.txt", DISALLOW_ALL),
        rec("https://strasse.example/robots.txt", ALLOW_ALL),
    ])  # fmt: skip
    assert step.judge(page("https://straße.example/article/1.html")).reason == Reason.OPTOUT_ROBOTS


def test_tdmrep_locations_match_percent_encoded_urls(tmp_path):
    rules = '[{"location": "/~anna/", "tdm-reservation": 1}, {"location": "/café/", "tdm-reservation": 1}]'
    step = stage(tmp_path, [
        rec("https://tdm.example/robots.txt", ALLOW_ALL),
        rec("https://tdm.example/.well-known/tdmrep.json", rules, **{"Content-Type": "application/json"}),
    ])  # fmt: skip
    for url in ("https://tdm.example/%7Eanna/essay.html", "https://tdm.example/caf%C3%A9/menu.html"):
        assert step.judge(page(url)).reason == Reason.OPTOUT_TDMREP, url
    assert step.judge(page("https://tdm.example/other/x.html")) is None


def test_x_robots_tag_directives_with_values_are_not_agent_scopes():
    for value in ("max-image-preview:large, noai", "max-snippet: 50, noai", "unavailable_after: 25 Jun 2030, noai"):
        assert x_robots_noai([value], DEFAULT_AGENTS) == value
    assert x_robots_noai(["otherbot: noai"], DEFAULT_AGENTS) is None
    assert x_robots_noai(["max-snippet: 50, noindex"], DEFAULT_AGENTS) is None


def test_an_operator_agent_with_a_version_is_its_product_token_for_noai_too():
    agents = (*DEFAULT_AGENTS, "MyCrawler/2.0")
    assert x_robots_noai(["mycrawler: noai"], agents) == "mycrawler: noai"
    assert meta_noai(read_metas('<head><meta name="mycrawler" content="noai"></head>'), agents)


def test_metas_after_a_large_inline_style_or_a_head_end_inside_a_script_are_read():
    style = "<style>" + "a{color:red}" * 8000 + "</style>"  # 96 KB of head before the meta
    assert read_metas(f'<html><head>{style}<meta name="tdm-reservation" content="1"></head>').tdm_reservation == ["1"]
    script = '<head><script>if (a < b) { s = "</head><body>"; }</script><meta name="robots" content="noai"></head>'
    assert meta_noai(read_metas(script), DEFAULT_AGENTS)
    # a commented-out meta is no meta, and the body's tags are not the head's
    assert meta_noai(read_metas('<head><!-- <meta name="robots" content="noai"> --></head>'), DEFAULT_AGENTS) is None
    assert read_metas('<head></head><body><meta name="tdm-reservation" content="1"></body>').tdm_reservation == []


def test_a_brotli_encoded_robots_txt_capture_is_read(tmp_path):
    import brotli

    record = WarcRecordSpec(
        url="https://br.example/robots.txt", body=brotli.compress(DISALLOW_ALL.encode()), status=200,
        http_headers={"Content-Type": "text/plain", "Content-Encoding": "br"},
    )  # fmt: skip
    write_warc(tmp_path / "robots.warc.gz", [record])
    step = OptOutFilter(str(tmp_path), robots_warcs=(str(tmp_path / "robots.warc.gz"),))
    assert step.judge(page("https://br.example/a")).reason == Reason.OPTOUT_ROBOTS
