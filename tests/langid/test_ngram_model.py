"""The hashed n-gram classifier: features, fitting, the model file (round trip, memory map, clear errors)."""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eurocurate.langid import heliport_scorer, ngram_model
from eurocurate.langid.hbs import HBS_MODEL_PATH, hbs_model
from eurocurate.langid.ngram_model import (
    FeatureSpec,
    NgramModel,
    NgramModelError,
    featurise,
    fit_naive_bayes,
    load_model,
)
from eurocurate.langid.regional import REGIONAL_MODEL_PATH, regional_model
from tests.langid.sentences import EU24_SENTENCES, LOOKALIKE_SENTENCES

# Two languages a classifier must tell apart from a handful of sentences each (UDHR article 1 and everyday phrases)
ENGLISH = [
    "All human beings are born free and equal in dignity and rights.",
    "They are endowed with reason and conscience and should act towards one another in a spirit of brotherhood.",
    "The weather is nice today and we are going for a walk in the park.",
    "Please close the window before you leave the house.",
]
GERMAN = [
    "Alle Menschen sind frei und gleich an Würde und Rechten geboren.",
    "Sie sind mit Vernunft und Gewissen begabt und sollen einander im Geist der Brüderlichkeit begegnen.",
    "Das Wetter ist heute schön und wir gehen im Park spazieren.",
    "Bitte schließen Sie das Fenster, bevor Sie das Haus verlassen.",
]


def _model() -> NgramModel:
    return fit_naive_bayes(ENGLISH + GERMAN, ["en"] * 4 + ["de"] * 4, FeatureSpec(buckets=1 << 12))


def test_features_are_ngrams_of_each_padded_word_and_the_words_themselves() -> None:
    # "dobar" padded " dobar ": 5 letters + 6 bigrams + 5 trigrams + 4 four-grams + 3 five-grams = 23, "je" 2+3+2+1 = 8;
    # plus one feature per word; nothing spans " dobar je "
    assert len(featurise("Dobar je", FeatureSpec())) == 23 + 8 + 2
    assert len(featurise("Dobar je", FeatureSpec(words=False))) == 23 + 8
    assert len(featurise("Dobar je", FeatureSpec(min_n=3, max_n=3, words=False))) == 5 + 2


def test_features_ignore_case_punctuation_digits_and_decomposed_accents() -> None:
    spec = FeatureSpec()
    same = featurise("Čovjek, 2024: riječ!", spec)
    assert np.array_equal(same, featurise("čovjek riječ", spec))
    assert np.array_equal(same, featurise("C\u030covjek RIJEC\u030c", spec))  # NFD input, upper case
    assert len(featurise("2024 ... !!!", spec)) == 0


def test_feature_hashes_are_fixed_constants_not_salted_per_process() -> None:
    # a committed model file is only valid while the hash never changes (Python's hash() is salted per process)
    code = (
        "from eurocurate.langid.ngram_model import FeatureSpec, featurise;"
        "print(featurise('tko', FeatureSpec()).tolist())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    pinned = [56242, 45459, 55063, 194039, 67570, 88132, 241536, 230341, 87258, 238712, 99518, 33487, 74848, 115487]
    assert featurise("tko", FeatureSpec()).tolist() == pinned
    assert other.strip() == str(pinned)


def test_max_chars_reads_only_the_beginning() -> None:
    spec = FeatureSpec()
    assert np.array_equal(featurise("dobar dan svima", spec, max_chars=9), featurise("dobar dan", spec))


def test_naive_bayes_tells_unseen_sentences_apart() -> None:
    model = _model()
    assert model.labels == ("de", "en")
    english = model.probabilities("We are free to walk in the park with our brothers.")
    german = model.probabilities("Wir sind frei und gehen mit unseren Brüdern im Park spazieren.")
    assert english["en"] > 0.9 and german["de"] > 0.9
    assert sum(english.values()) == pytest.approx(1.0)


def test_text_without_features_gets_the_prior() -> None:
    model = _model()
    assert model.probabilities("1234 !!") == {"de": 0.5, "en": 0.5}


def test_fitting_is_deterministic(tmp_path: Path) -> None:
    _model().save(tmp_path / "a.npz")
    _model().save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_saved_model_loads_memory_mapped_with_the_same_scores(tmp_path: Path) -> None:
    model = fit_naive_bayes(ENGLISH + GERMAN, ["en"] * 4 + ["de"] * 4, FeatureSpec(buckets=1 << 12), about="toy")
    model = dataclasses.replace(model, calibration={"temperature": 0.25})
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded.weights.base, np.memmap) and not loaded.weights.flags.writeable  # mapped, read-only
    assert loaded.labels == model.labels and loaded.spec == model.spec and loaded.about == "toy"
    assert loaded.calibration == {"temperature": 0.25}
    text = "Alle Menschen gehen spazieren."
    assert np.allclose(loaded.log_scores(text), model.log_scores(text), atol=1e-3)


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NgramModelError, match="no n-gram model file"):
        load_model(tmp_path / "absent.npz")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"not a zip file at all",
        lambda raw: raw[: len(raw) // 2],  # truncated download or copy
        lambda raw: raw[:200] + bytes(len(raw) - 400) + raw[-200:],  # zeroed in the middle
    ],
    ids=["garbage", "truncated", "zeroed"],
)
def test_corrupt_model_file_is_a_clear_error(tmp_path: Path, damage) -> None:
    path = tmp_path / "model.npz"
    _model().save(path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(NgramModelError, match="model"):
        load_model(path)


def test_npz_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(NgramModelError, match="lacks"):
        load_model(path)


def test_inconsistent_shapes_are_refused() -> None:
    with pytest.raises(NgramModelError, match="weights must be"):
        NgramModel(
            labels=("a", "b"), weights=np.zeros((8, 3)), bias=np.zeros(2, np.float32), spec=FeatureSpec(buckets=8)
        )
    with pytest.raises(NgramModelError, match="n-gram orders"):
        FeatureSpec(min_n=3, max_n=2)


def test_training_text_without_letters_is_refused_with_the_text() -> None:
    with pytest.raises(ValueError, match="no letters .*'1234'"):
        fit_naive_bayes(["1234", *ENGLISH, *GERMAN], ["en", *["en"] * 4, *["de"] * 4])


def test_a_text_weighed_twice_counts_as_two_copies() -> None:
    spec = FeatureSpec(buckets=1 << 12)
    twice = fit_naive_bayes([ENGLISH[0], ENGLISH[0], *GERMAN], ["en", "en", *["de"] * 4], spec)
    weighed = fit_naive_bayes([ENGLISH[0], *GERMAN], ["en", *["de"] * 4], spec, text_weights=[2, 1, 1, 1, 1])
    assert np.array_equal(twice.weights, weighed.weights)


def _real_texts() -> list[str]:
    sentences = [s for group in EU24_SENTENCES.values() for s in group]
    pages = [" ".join(sentences[i : i + 12]) for i in range(0, len(sentences), 12)]  # up to a few KB: many features
    return sentences + pages + list(LOOKALIKE_SENTENCES.values())


@pytest.mark.parametrize("packaged", ["regional", "hbs"])
def test_fast_scores_equal_the_running_sum_bit_for_bit_on_real_text(packaged) -> None:
    # the models' thresholds were derived with the running float32 sum: the fast path must give the same bits, with
    # the weights as loaded (float16, memory-mapped) and as the regional veto holds them (float32)
    model = regional_model() if packaged == "regional" else hbs_model()
    as_loaded = load_model(REGIONAL_MODEL_PATH if packaged == "regional" else HBS_MODEL_PATH)
    for text in _real_texts():
        ids = featurise(text, model.spec, 2000)
        expected = model.reference_scores(ids).tobytes()
        assert model.scores_of(ids).tobytes() == expected, text
        assert as_loaded.scores_of(ids).tobytes() == expected, text
        assert as_loaded.log_scores(text, 2000).tobytes() == expected, text


def test_fast_scores_equal_the_running_sum_for_few_and_many_labels() -> None:
    texts = ENGLISH + GERMAN
    for n_labels in (2, 3, 8, 12):
        labels = [f"l{i % n_labels}" for i in range(len(texts))]
        model = fit_naive_bayes(texts, labels, FeatureSpec(buckets=1 << 10))
        for text in [*texts, "Brüderlichkeit and brotherhood", "x"]:
            ids = featurise(text, model.spec)
            assert model.scores_of(ids).tobytes() == model.reference_scores(ids).tobytes()
        assert model.scores_of(featurise("2024", model.spec)).tolist() == model.bias.tolist()


# -- the compiled path (langid/_ngram.c) ----------------------------------------------------------------------------

native = pytest.mark.skipif(
    ngram_model._native is None,
    reason="eurocurate.langid._ngram is not compiled (no C compiler when eurocurate was installed); "
    "`pip install -e .` with one builds it, and test_the_compiled_modules_are_built_where_a_c_compiler_is says so",
)
_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120) | st.sampled_from(
    _real_texts()
)


def test_the_compiled_modules_are_built_where_a_c_compiler_is() -> None:
    # `make` installs with gcc: a broken extension build must not pass unnoticed as the slower numpy path
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) on this machine: the numpy definitions run, with the same results")
    assert ngram_model._native is not None, "langid/_ngram.c was not built: reinstall with `pip install -e .`"
    assert heliport_scorer._native is not None, "langid/_heliport.c was not built: reinstall with `pip install -e .`"


@native
@settings(max_examples=300, deadline=None)
@given(
    text=_ANY_TEXT,
    min_n=st.integers(1, 3),
    extra=st.integers(0, 4),
    buckets=st.sampled_from([2, 1000, 1 << 10, 1 << 18, 12345]),
    words=st.booleans(),
    max_chars=st.sampled_from([None, 1, 60, 300]),
)
def test_compiled_features_are_featurise_in_its_order(text, min_n, extra, buckets, words, max_chars) -> None:
    spec = FeatureSpec(min_n=min_n, max_n=min_n + extra, buckets=buckets, words=words)
    expected = featurise(text, spec, max_chars)
    lowered = ngram_model.lowered_nfc(text if max_chars is None else text[:max_chars])
    got = np.frombuffer(ngram_model._native.features(lowered, spec.min_n, spec.max_n, buckets, words), dtype=np.int64)
    assert got.tolist() == expected.tolist()


@native
@settings(max_examples=200, deadline=None)
@given(text=_ANY_TEXT, max_chars=st.sampled_from([None, 60, 300]), n_labels=st.sampled_from([2, 3, 8, 12]))
def test_compiled_scores_equal_the_running_sum_bit_for_bit(text, max_chars, n_labels) -> None:
    model = _fitted(n_labels)  # float16 weights, as fitted and stored: summed as float32
    expected = model.reference_scores(featurise(text, model.spec, max_chars))
    assert model.log_scores(text, max_chars).tobytes() == expected.tobytes()


@functools.cache
def _fitted(n_labels: int) -> NgramModel:
    texts = ENGLISH + GERMAN
    return fit_naive_bayes(texts, [f"l{i % n_labels}" for i in range(len(texts))], FeatureSpec(buckets=1 << 10))


@native
@pytest.mark.parametrize("packaged", ["regional", "hbs"])
def test_without_the_compiled_module_numpy_gives_the_same_scores(packaged, monkeypatch) -> None:
    model = regional_model() if packaged == "regional" else hbs_model()
    texts = [*_real_texts(), "", "2024 !!!", "x"]
    compiled = [model.log_scores(t, 300).tobytes() for t in texts]
    monkeypatch.setattr(ngram_model, "_native", None)
    assert [model.log_scores(t, 300).tobytes() for t in texts] == compiled


@native
def test_compiled_scores_refuse_a_table_of_the_wrong_type_or_shape() -> None:
    model = _fitted(3)
    out = np.empty(3, dtype=np.float32)
    spec = model.spec
    with pytest.raises(TypeError, match="float32"):
        ngram_model._native.scores(
            " a ", 1, 5, spec.buckets, True, model._row_table.astype(np.float64), model._bias32, out
        )
    with pytest.raises(ValueError, match="buckets, labels"):
        ngram_model._native.scores(" a ", 1, 5, spec.buckets // 2, True, model._row_table, model._bias32, out)
    with pytest.raises(ValueError, match="n-gram orders"):
        ngram_model._native.features(" a ", 3, 2, spec.buckets, True)


@native
def test_lead_is_the_first_best_unflagged_label_over_the_best_flagged_one(monkeypatch) -> None:
    rng = np.random.default_rng(7)
    cases = [rng.normal(size=12).astype(np.float32) for _ in range(200)]
    cases += [np.round(c) for c in cases[:50]]  # ties: the first of equal scores, as numpy's argmax
    flags = (np.arange(12) % 3 == 0).astype(np.uint8)
    compiled = [ngram_model.lead_over(c, flags) for c in cases]
    monkeypatch.setattr(ngram_model, "_native", None)
    assert [ngram_model.lead_over(c, flags) for c in cases] == compiled
    with pytest.raises(ValueError, match="flagged label and one that is not"):
        ngram_model.lead_over(cases[0], np.ones(12, dtype=np.uint8))
