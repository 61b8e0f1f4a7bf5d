"""RFC 9309 as the opt-out stage applies it to captured robots.txt files."""

import pytest

from eurocurate.filters.optout.robots import (
    RobotsCapture,
    aipref_reserves,
    decide_aipref_robots,
    decide_robots,
    normalise_host,
)

AGENTS = ("GPTBot", "CCBot", "Google-Extended", "ClaudeBot", "*")


def cap(body: str, status: int | None = 200) -> RobotsCapture:
    return RobotsCapture("news.example.eu", status, body, "<urn:uuid:1>", "2026-01-01T00:00:00Z")


def test_a_group_for_one_agent_of_the_set_reserves_everything():
    d = decide_robots(
        "https://news.example.eu/a/b.html", cap("User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"), AGENTS
    )
    assert d.reserved and d.agent == "GPTBot" and "GPTBot may not fetch /a/b.html" in d.evidence


def test_product_tokens_match_case_insensitively():
    assert decide_robots("https://news.example.eu/x", cap("user-agent: ccbot\ndisallow: /\n"), AGENTS).agent == "CCBot"


def test_an_agent_outside_the_set_reserves_nothing():
    d = decide_robots("https://news.example.eu/x", cap("User-agent: SomeOtherBot\nDisallow: /\n"), AGENTS)
    assert d.reserved is False


def test_longest_match_wins_and_allow_wins_ties():
    body = "User-agent: *\nDisallow: /private/\nAllow: /private/pub/\nDisallow: /tie\nAllow: /tie\n"
    assert decide_robots("https://news.example.eu/private/x.html", cap(body), AGENTS).reserved
    assert not decide_robots("https://news.example.eu/private/pub/x.html", cap(body), AGENTS).reserved
    assert not decide_robots("https://news.example.eu/tie", cap(body), AGENTS).reserved


def test_wildcard_and_end_anchor():
    body = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /drafts*/old\n"
    assert decide_robots("https://news.example.eu/files/report.pdf", cap(body), AGENTS).reserved
    assert not decide_robots("https://news.example.eu/files/report.pdf?x=1", cap(body), AGENTS).reserved
    assert decide_robots("https://news.example.eu/drafts2025/old/a", cap(body), AGENTS).reserved


@pytest.mark.parametrize(
    ("status", "reserved"), [(404, False), (410, False), (403, False), (500, True), (503, True), (None, True)]
)
def test_status_rules_4xx_allow_5xx_and_unreachable_disallow(status, reserved):
    d = decide_robots("https://news.example.eu/x", cap("User-agent: *\nDisallow: /\n", status), AGENTS)
    assert d.reserved is reserved


def test_no_capture_leaves_the_decision_to_the_policy():
    assert decide_robots("https://news.example.eu/x", None, AGENTS).reserved is None


def test_hosts_are_compared_in_one_normal_form():
    assert normalise_host("https://WWW.Öðrum-News.is:443/a") == normalise_host("www.öðrum-news.is.")
    assert normalise_host("https://www.öðrum-news.is/").startswith("www.xn--")


def test_aipref_content_usage_in_robots_txt():
    body = "User-agent: *\nAllow: /\nContent-Usage: train-ai=n\nContent-Usage: /open/ train-ai=y\n"
    assert decide_aipref_robots("https://news.example.eu/a", cap(body), AGENTS).reserved
    assert not decide_aipref_robots("https://news.example.eu/open/a", cap(body), AGENTS).reserved
    assert aipref_reserves("train-ai=n, search=y") and not aipref_reserves("search=n")
