import collections

from eurocurate.pipelines.ingest.warc import iter_warc_records
from eurocurate.schema import EU24
from eurocurate.tools.demo_corpus import build_demo_corpus, load_texts


def test_demo_text_covers_all_24_languages_with_enough_material():
    texts = load_texts()
    assert sorted(texts) == sorted(EU24)
    for t in texts.values():
        assert len(t.paragraphs) >= 12 and all(len(p.split()) >= 40 for p in t.paragraphs)


def test_demo_corpus_is_deterministic_and_realistic(tmp_path):
    a = build_demo_corpus(tmp_path / "a")
    b = build_demo_corpus(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    kinds = collections.Counter()
    urls = []
    for path in a:
        for rec in iter_warc_records(path):
            kinds[rec.record_type if rec.problem is None else rec.problem.reason] += 1
            urls.append(rec.url or "")
    assert 300 <= kinds["response"] <= 600  # a few hundred pages
    assert kinds["revisit"] == 3 and kinds["ingest.truncated_record"] == 1
    assert sum("mirror." in u for u in urls) >= 20  # exact duplicates on mirror hosts
    hosts = {u.split("/")[2] for u in urls if "demo-" in u}
    assert len({h.rsplit(".", 1)[-1] for h in hosts}) >= 20  # ccTLDs of the EU languages
