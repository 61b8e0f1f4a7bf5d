"""robots.txt as crawls meet it: byte-order marks, CR and CRLF, lines RFC 9309 does not define inside
groups, versioned product tokens, very large and non-UTF-8 files; the bytes go through a robots WARC
and the capture loader, as in a run."""

from __future__ import annotations

import random

import pytest

from eurocurate.filters.optout.captures import load_captures
from eurocurate.filters.optout.rfc9309 import RobotsTxt, Rule, normalise
from eurocurate.filters.optout.robots import MAX_ROBOTS_BYTES, RobotsCapture, decide_aipref_robots, decide_robots
from eurocurate.filters.optout.step import DEFAULT_AGENTS
from eurocurate.tools.warc_writer import WarcRecordSpec, write_warc

HOST = "news.example.eu"


def captured(tmp_path, body: bytes, content_type: str = "text/plain") -> RobotsCapture:
    """The capture a run reads from a robots WARC holding `body`."""
    spec = WarcRecordSpec(
        url=f"https://{HOST}/robots.txt", body=body, status=200, http_headers={"Content-Type": content_type}
    )
    write_warc(tmp_path / "robots.warc.gz", [spec])
    return load_captures((str(tmp_path / "robots.warc.gz"),)).robots[f"https://{HOST}"]


def cap(body: str) -> RobotsCapture:
    return RobotsCapture(HOST, 200, body, "<urn:uuid:1>", "2026-01-01T00:00:00Z")


def reserved(capture: RobotsCapture, path: str, agents: tuple[str, ...] = ("GPTBot",)) -> bool:
    return bool(decide_robots(f"https://{HOST}{path}", capture, agents).reserved)


# google ID_UTF8ByteOrderMarkIsSkipped: a BOM, or any prefix of one, is skipped; a broken one makes the
# first line garbage, so the rule after it is outside any group.
@pytest.mark.parametrize(
    ("prefix", "applies"),
    [(b"\xef\xbb\xbf", True), (b"\xef\xbb", True), (b"\xef", True), (b"\xef\x11\xbf", False), (b"", True)],
)
def test_byte_order_marks(tmp_path, prefix, applies):
    capture = captured(tmp_path, prefix + b"User-Agent: GPTBot\nDisallow: /\n")
    assert reserved(capture, "/a") is applies


def test_a_bom_in_the_middle_of_the_file_is_garbage(tmp_path):
    capture = captured(tmp_path, b"User-Agent: GPTBot\n\xef\xbb\xbfDisallow: /\n")
    assert not reserved(capture, "/a")


# google ID_LinesNumbersAreCountedCorrectly: LF, CRLF, CR, no final line end, and a mix.
@pytest.mark.parametrize(
    "body",
    [
        b"User-Agent: foo\nAllow: /some/path\nUser-Agent: GPTBot\n\n\nDisallow: /\n",
        b"User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: GPTBot\r\n\r\n\r\nDisallow: /\r\n",
        b"User-Agent: foo\rAllow: /some/path\rUser-Agent: GPTBot\r\r\rDisallow: /\r",
        b"User-Agent: foo\nAllow: /some/path\nUser-Agent: GPTBot\n\n\nDisallow: /",
        b"User-Agent: foo\nAllow: /some/path\r\nUser-Agent: GPTBot\n\r\n\nDisallow: /",
    ],
    ids=["lf", "crlf", "cr", "no-final-eol", "mixed"],
)
def test_line_ends(tmp_path, body):
    capture = captured(tmp_path, body)
    assert reserved(capture, "/a")
    assert not reserved(capture, "/some/path", ("foo",)) and not reserved(capture, "/a", ("foo",))


@pytest.mark.parametrize(
    "between",
    [
        "Crawl-delay: 10",
        "Request-rate: 1/5",
        "Sitemap: https://news.example.eu/sitemap.xml",
        "Host: news.example.eu",
        "Content-Usage: train-ai=n",
        "Invalid-Unknown-Line: unknown",
        "# a comment",
        "",
    ],
)
def test_lines_rfc_9309_does_not_define_end_no_group(between):
    # RFC 9309 §2.2.4: other records do not end a group; GPTBot shares anthropic-ai's rules
    body = f"User-agent: GPTBot\n{between}\nUser-agent: anthropic-ai\nDisallow: /\n"
    assert reserved(cap(body), "/a")


def test_crawl_delay_inside_a_group_keeps_the_rules_after_it():
    body = "User-agent: GPTBot\nCrawl-delay: 10\nDisallow: /private/\nRequest-rate: 1/5\nDisallow: /drafts/\n"
    assert reserved(cap(body), "/private/a") and reserved(cap(body), "/drafts/a") and not reserved(cap(body), "/a")


def test_sitemap_anywhere():  # google ID_NonStandardLineExample_Sitemap
    body = "Sitemap: https://news.example.eu/s.xml\nUser-Agent: GPTBot\nDisallow: /x\nSitemap: /s2.xml\nDisallow: /y\n"
    assert reserved(cap(body), "/x") and reserved(cap(body), "/y")


@pytest.mark.parametrize(
    "line",
    [
        "User-agent: GPTBot/1.0",
        "User-agent: GPTBot/1.2 (+https://openai.com/gptbot)",
        "User-agent: gptbot/1.0",
        "User-agent: GPTBot (OpenAI)",
        "User-agent: GPTBot; +https://openai.com/gptbot",
        "User-agent GPTBot",
        "USER-AGENT:GPTBot",
    ],
)
def test_product_tokens_with_versions_and_comments_name_the_agent(line):
    # RFC 9309 §2.2.1: the product token is matched; google takes the value's leading [A-Za-z_-]
    assert reserved(cap(f"{line}\nDisallow: /\n"), "/a")


@pytest.mark.parametrize("line", ["User-agent: GPTBot-Beta", "User-agent: GPTBotX", "User-agent: NotGPTBot"])
def test_a_longer_token_is_another_agent(line):
    assert not reserved(cap(f"{line}\nDisallow: /\n"), "/a")


def test_an_agent_of_the_set_given_with_a_version_is_its_product_token():
    body = "User-agent: *\nAllow: /\n\nUser-agent: MyCrawler\nDisallow: /\n"
    assert reserved(cap(body), "/a", ("MyCrawler/2.0",))
    assert reserved(cap(body), "/a", ("MyCrawler/2.0 (+https://example.eu/bot)",))
    # and as given: google's `Foo Bar` falls to `*`, which here reserves
    assert reserved(cap("User-agent: *\nDisallow: /\nUser-agent: Foo Bar\nAllow: /\n"), "/a", ("Foo Bar",))


def test_several_user_agent_lines_share_one_group():
    body = "User-agent: CCBot\n# our AI list\nUser-agent: GPTBot/1.0\n\nUser-agent: ClaudeBot\nDisallow: /\n"
    for agent in ("CCBot", "GPTBot", "ClaudeBot"):
        assert reserved(cap(body), "/a", (agent,))
    assert not reserved(cap(body), "/a", ("Google-Extended",))


def test_groups_for_the_same_agent_are_combined():
    body = "User-agent: GPTBot\nDisallow: /a/\n\nUser-agent: CCBot\nDisallow: /\n\nUser-agent: gptbot\nDisallow: /b/\n"
    assert reserved(cap(body), "/a/1") and reserved(cap(body), "/b/1") and not reserved(cap(body), "/c/1")


def test_a_specific_group_replaces_star_and_star_in_the_agent_set_still_counts():
    body = "User-agent: *\nDisallow: /\n\nUser-agent: GPTBot\nAllow: /\n"
    assert not reserved(cap(body), "/a", ("GPTBot",))
    d = decide_robots(f"https://{HOST}/a", cap(body), ("GPTBot", "*"))
    assert d.reserved and d.agent == "*"
    assert decide_robots(f"https://{HOST}/a", cap(body), DEFAULT_AGENTS).reserved
    # an agent without a group of its own follows `*`
    assert reserved(cap(body), "/a", ("CCBot",))


def test_star_with_trailing_text_is_the_global_group():
    assert reserved(cap("User-agent: * # everyone\nDisallow: /\n"), "/a", ("CCBot",))
    assert reserved(cap("User-agent: * everyone\nDisallow: /\n"), "/a", ("CCBot",))


def test_empty_disallow_allows_and_shadows_star():
    body = "User-agent: *\nDisallow: /\n\nUser-agent: GPTBot\nDisallow:\n"
    assert not reserved(cap(body), "/a") and reserved(cap(body), "/a", ("CCBot",))


def test_a_group_with_no_rules_at_the_end_of_the_file_still_replaces_star():
    # google: a group naming the agent decides, even without rules (nothing disallowed)
    assert not reserved(cap("User-agent: *\nDisallow: /\nUser-agent: GPTBot\n"), "/a")


def _filler(size: int) -> str:
    line = "User-agent: SomeOtherBot\nDisallow: /other/path/that/is/long/enough\n"
    return line * (size // len(line) + 1)


def test_a_disallow_past_the_size_limit_still_reserves():
    body = _filler(MAX_ROBOTS_BYTES) + "User-agent: GPTBot\nDisallow: /\n"
    assert len(body.encode()) > MAX_ROBOTS_BYTES
    assert reserved(cap(body), "/a")


def test_an_allow_past_the_size_limit_does_not_lift_a_reservation():
    # a crawler that stops at the limit (RFC 9309 §2.5) would not fetch /private/a
    body = (
        "User-agent: GPTBot\nDisallow: /private/\n"
        + _filler(MAX_ROBOTS_BYTES)
        + "User-agent: GPTBot\nAllow: /private/\n"
    )
    assert reserved(cap(body), "/private/a")
    assert not reserved(cap(body), "/public/a")


def test_a_line_cut_by_the_size_limit_is_not_read_as_a_shorter_rule():
    head = "User-agent: GPTBot\n" + "#" * (MAX_ROBOTS_BYTES - 100) + "\n"
    body = head + "Disallow: /pri" + "v" * 200 + "ate\n"
    assert len(head.encode()) + len("Disallow: /pri") < MAX_ROBOTS_BYTES < len(body.encode())
    assert not reserved(cap(body), "/pricing")
    assert reserved(cap(body), "/pri" + "v" * 200 + "ate")


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=iso-8859-1", "text/plain; charset=utf-8"])
def test_latin_1_body_matches_the_octets_and_the_utf8_form(tmp_path, content_type):
    capture = captured(tmp_path, b"User-agent: GPTBot\nDisallow: /caf\xe9/\nDisallow: /stra\xdfe$\n", content_type)
    assert reserved(capture, "/caf%E9/menu")  # the octet as the site writes it (google's reading)
    assert reserved(capture, "/caf%e9/menu")
    assert reserved(capture, "/caf%C3%A9/menu")  # the same path as a browser encodes it
    assert reserved(capture, "/café/menu")  # an IRI as some crawlers archive it
    assert reserved(capture, "/caf\udce9/menu")  # a URL's raw octet, as surrogateescape decoding keeps it
    assert reserved(capture, "/stra%DFe") and not reserved(capture, "/stra%DFe/x")
    assert not reserved(capture, "/cafe/menu")


def test_utf8_body_with_bom_and_non_ascii_path(tmp_path):
    capture = captured(tmp_path, "\ufeffUser-agent: GPTBot\nDisallow: /ẞtraße/\n".encode())
    assert reserved(capture, "/%E1%BA%9Etra%C3%9Fe/x") and reserved(capture, "/ẞtraße/x")


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ("/%7Efoo", "/~foo"),
        ("/~foo", "/%7Efoo"),
        ("/~foo", "/%7efoo"),
        ("/%e3%83%84", "/%E3%83%84"),
        ("/ツ", "/%e3%83%84"),
        ("/a%2Db", "/a-b"),
    ],
)
def test_percent_encoding_equivalence(rule, path):
    assert reserved(cap(f"User-agent: GPTBot\nDisallow: {rule}\n"), path)


@pytest.mark.parametrize(
    ("rule", "path", "hit"),
    [
        ("/foo/bar?baz=quz", "/foo/bar?baz=quz", True),
        ("/foo/bar/ツ", "/foo/bar/%E3%83%84", True),
        ("/foo/bar/%E3%83%84", "/foo/bar/%E3%83%84", True),
        ("/foo/bar/%E3%83%84", "/foo/bar/ツ", True),
        ("/foo/bar/%62%61%7A", "/foo/bar/baz", True),
        ("/path/file-with-a-%2A.html", "/path/file-with-a-*.html", True),
        ("/path/file-with-a-%2A.html", "/path/file-with-a-%2a.html", True),
        ("/path/file-with-a-%2A.html", "/path/file-with-a-x.html", False),
        ("/path/foo-%24", "/path/foo-$", True),
        ("/path/foo-%24", "/path/foo-x", False),
        ("/path/a$b", "/path/a%24b", True),
    ],
)
def test_rfc_9309_percent_encoding_examples(rule, path, hit):
    # RFC 9309 §2.2.2 (encoded paths) and §2.2.3 (`*` and `$` matched as characters via %2A, %24)
    assert reserved(cap(f"User-agent: GPTBot\nDisallow: {rule}\n"), path) is hit


@pytest.mark.parametrize(
    ("rules", "path", "hit"),
    [
        # a `$` inside a pattern is one octet: `/a$b` (4) loses to `/a*bcd` (6), as google decides
        ("Disallow: /a*bcd\nAllow: /a$b", "/a$bcd", True),
        # `/%7Ea` is `/~a`, three octets: the longer Disallow wins
        ("Disallow: /~ab\nAllow: /%7Ea", "/~ab", True),
        # RFC 9309 §2.2.3: `%24` in a rule matches a `$` in the URL (google compares them as text)
        ("Disallow: /private\nAllow: /private/%24", "/private/$", False),
    ],
)
def test_the_normal_form_does_not_change_which_rule_is_longer(rules, path, hit):
    assert reserved(cap(f"User-agent: GPTBot\n{rules}\n"), path) is hit


def test_an_encoded_slash_is_not_a_slash():
    # `/` is reserved (RFC 3986): `%2F` names another resource, and stays distinct
    assert not reserved(cap("User-agent: GPTBot\nDisallow: /a%2Fb\n"), "/a/b")
    assert reserved(cap("User-agent: GPTBot\nDisallow: /a%2fb\n"), "/a%2Fb")


def test_normal_form():  # google TestMaybeEscapePattern
    assert normalise("http://www.example.com") == "http://www.example.com"
    assert normalise("/a/b/c") == "/a/b/c"
    assert normalise("á") == "%C3%A1"
    assert normalise("%aa") == "%AA"
    assert normalise("/a b/%7e/%") == "/a%20b/~/%"


@pytest.mark.parametrize(
    ("rule", "path", "hit"),
    [
        ("/*.pdf$", "/files/report.pdf", True),
        ("/*.pdf$", "/files/report.pdf?x=1", False),
        ("/*.pdf", "/files/report.pdf?x=1", True),
        ("/drafts*/old", "/drafts2025/old/a", True),
        ("/a$b", "/a$b/c", True),  # `$` ends a pattern only as its last character
        ("/a$b", "/a", False),
        ("*/private/", "/x/private/y", True),
        ("/*/*/*$", "/a/b/c", True),
        ("/*/*/*$", "/a/b", False),
        ("/x*$", "/x", True),
        ("$", "/", False),
    ],
)
def test_wildcard_and_end_anchor(rule, path, hit):
    assert reserved(cap(f"User-agent: GPTBot\nDisallow: {rule}\n"), path) is hit


def test_a_hostile_pattern_is_matched_in_linear_time():
    body = "User-agent: GPTBot\nDisallow: /" + "*a" * 200 + "*b$\n"
    assert not reserved(cap(body), "/" + "a" * 5000 + "c")


@pytest.mark.parametrize(
    ("rules", "path", "hit"),
    [
        ("Disallow: /shop/\nAllow: /shop/public/", "/shop/public/x", False),
        ("Disallow: /shop/public/\nAllow: /shop/", "/shop/public/x", True),
        ("Disallow: /shop\nAllow: /shop", "/shop/x", False),  # Allow wins a tie
        ("Disallow: /*.html\nAllow: /page", "/page.html", True),  # `*` counts in the length
        ("Allow: /$\nDisallow: /", "/", False),
        ("Allow: /$\nDisallow: /", "/index", True),
    ],
)
def test_longest_match_and_allow_wins_ties(rules, path, hit):
    assert reserved(cap(f"User-agent: GPTBot\n{rules}\n"), path) is hit


def test_directive_names_and_agent_names_are_case_insensitive_paths_are_not():
    body = "uSeR-aGeNt: gPtBoT\nDISALLOW: /Private/\nallow: /Private/ok\n"
    assert reserved(cap(body), "/Private/x") and not reserved(cap(body), "/private/x")
    assert not reserved(cap(body), "/Private/ok")


def test_rules_before_any_user_agent_are_ignored():
    assert not reserved(cap("Disallow: /\nUser-agent: GPTBot\nAllow: /x\n"), "/a")


def test_rules_for_an_agent_are_its_groups_rules_normalised():
    body = "User-agent: GPTBot\nDisallow: /a\n"
    assert RobotsTxt(body).rules_for("gptbot")[0].pattern == "/a"


def test_aipref_content_usage_in_a_group_named_by_a_versioned_token_after_a_bom():
    body = "\ufeffUser-agent: GPTBot/1.0\nContent-Usage: train-ai=n\n\nUser-agent: *\nContent-Usage: train-ai=y\n"
    assert decide_aipref_robots(f"https://{HOST}/a", cap(body), ("GPTBot",)).reserved
    assert not decide_aipref_robots(f"https://{HOST}/a", cap(body), ("CCBot",)).reserved


def _google_matches(path: str, pattern: str) -> bool:
    """google's RobotsMatchStrategy::Matches (a set of reachable path positions), as the reference."""
    positions = [0]
    for i, ch in enumerate(pattern):
        if ch == "$" and i == len(pattern) - 1:
            return positions[-1] == len(path)
        if ch == "*":
            positions = list(range(positions[0], len(path) + 1))
        else:
            positions = [p + 1 for p in positions if p < len(path) and path[p] == ch]
            if not positions:
                return False
    return True


def test_wildcard_matching_agrees_with_googles_algorithm_on_random_patterns():
    rng = random.Random(9309)
    for _ in range(3000):
        pattern = "/" + "".join(rng.choice("ab/*") for _ in range(rng.randint(0, 6))) + rng.choice(["", "$"])
        path = "/" + "".join(rng.choice("ab/") for _ in range(rng.randint(0, 8)))
        assert Rule(False, pattern, len(pattern), 1).matches(path) is _google_matches(path, pattern), (pattern, path)
