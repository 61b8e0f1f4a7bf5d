"""noai in headers and meta tags, agent-scoped forms, AIPREF headers, meta reading from the head only."""

from eurocurate.filters.optout.page_signals import content_usage_header, meta_noai, read_metas, x_robots_noai

AGENTS = ("GPTBot", "CCBot", "*")


def test_x_robots_tag_noai_reserves_and_another_agents_scope_does_not():
    assert x_robots_noai(["noai"], AGENTS) == "noai"
    assert x_robots_noai(["noindex, noai"], AGENTS)
    assert x_robots_noai(["otherbot: noai"], AGENTS) is None
    assert x_robots_noai(["GPTBot: noai"], AGENTS) == "GPTBot: noai"
    assert x_robots_noai(["noimageai"], AGENTS) is None


def test_meta_robots_noai_and_agent_named_meta():
    html = '<html><head><meta name="robots" content="noai, noimageai"><title>t</title></head><body></body></html>'
    assert meta_noai(read_metas(html), AGENTS)
    assert meta_noai(read_metas('<head><meta name="otherbot" content="noai"></head>'), AGENTS) is None
    assert meta_noai(read_metas('<head><meta content="noai" name="GPTBot"></head>'), AGENTS)


def test_only_the_head_is_read():
    html = (
        '<html><head><title>t</title></head><body><meta name="tdm-reservation" content="1"><p>quoted HTML</p>'
        "</body></html>"
    )
    assert read_metas(html).tdm_reservation == []
    assert read_metas("<head><meta name='tdm-reservation' content='1'></head>").tdm_reservation == ["1"]


def test_aipref_header():
    assert content_usage_header(["train-ai=n"]) == "train-ai=n"
    assert content_usage_header(["train-ai=y"]) is None
