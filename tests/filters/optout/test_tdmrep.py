"""W3C TDMRep precedence: file < header < meta; only 0 and 1 count."""

from eurocurate.filters.optout.tdmrep import decide_tdmrep, match_file, parse_tdmrep_file

FILE = parse_tdmrep_file(
    '[{"location": "/open/*", "tdm-reservation": 0},'
    ' {"location": "/", "tdm-reservation": 1, "tdm-policy": "https://x.eu/policy.json"}]'
)
URL = "https://x.eu/news/a.html"


def test_the_host_file_reserves_matching_paths_first_rule_first():
    assert decide_tdmrep(URL, FILE, [], []).reserved and decide_tdmrep(URL, FILE, [], []).source == "file"
    assert decide_tdmrep("https://x.eu/open/a", FILE, [], []).reserved is False
    assert match_file(FILE, URL).policy == "https://x.eu/policy.json"


def test_header_overrides_file_and_meta_overrides_header():
    assert decide_tdmrep(URL, FILE, ["0"], []).reserved is False
    assert decide_tdmrep(URL, FILE, ["0"], ["1"]).reserved is True
    assert decide_tdmrep(URL, None, ["1"], ["0"]).reserved is False
    d = decide_tdmrep(URL, FILE, [], ["0"])
    assert d.reserved is False and d.source == "meta"


def test_values_other_than_0_and_1_are_ignored_and_counted():
    d = decide_tdmrep(URL, None, ["yes"], ["2", "1"])
    assert d.reserved is True and d.ignored_values == 2
    assert decide_tdmrep(URL, None, ["true"], []).reserved is None


def test_no_signal_is_no_decision_and_a_malformed_file_has_no_rules():
    assert decide_tdmrep(URL, None, [], []).reserved is None
    assert parse_tdmrep_file("not json") == [] and parse_tdmrep_file('{"location": "/"}') == []
