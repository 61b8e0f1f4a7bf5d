from datatrove.data import Document

from eurocurate.filters.quality.gopher import GopherQualityFilter, GopherThresholds, gopher_verdict, quality_stats
from eurocurate.schema import Meta, Reason

PROSE = (
    "The regional library will extend its opening hours during the winter, so that students and "
    "families have a warm place to read. The council approved the budget after a short debate, and "
    "the first evening sessions start next month with talks about local history and nature. "
    "Everyone is welcome to join."
)


def test_statistics_are_measured_once_and_stored_for_re_thresholding(tmp_path):
    step = GopherQualityFilter(str(tmp_path))
    doc = Document(text=PROSE, id="d1")
    assert step.judge(doc) is None
    stats = doc.metadata[Meta.QUALITY]
    assert stats["n_words"] == 51 and 4 < stats["mean_word_length"] < 6
    assert gopher_verdict(stats, GopherThresholds(min_words=60)).evidence == "n_words=51<60"


def test_each_rule_reports_its_measured_value():
    t = GopherThresholds()
    assert gopher_verdict(quality_stats("too short to be a document"), t).reason == Reason.QUALITY_TOO_FEW_WORDS
    repeated = "\n".join([PROSE] + ["Buy now, the best offer of the year is here for you."] * 30)
    v = gopher_verdict(quality_stats(repeated), t)
    assert v.reason == Reason.QUALITY_DUP_LINES and v.evidence == "duplicate_line_fraction=0.9355>0.3"
    numbers = " ".join(str(i) for i in range(200))
    assert gopher_verdict(quality_stats(numbers), t).reason in (Reason.QUALITY_MEAN_WORD_LENGTH, Reason.QUALITY_ALPHA_WORDS)
    hashtags = " ".join(f"#tag{i} word" for i in range(60))
    assert gopher_verdict(quality_stats(hashtags), t).reason == Reason.QUALITY_SYMBOL_RATIO


def test_words_are_unicode_aware():
    s = quality_stats("Příliš žluťoučký kůň úpěl ďábelské ódy — Το δημοτικό συμβούλιο ενέκρινε")
    assert s["n_words"] == 10 and s["alphabetic_word_ratio"] == 1.0
