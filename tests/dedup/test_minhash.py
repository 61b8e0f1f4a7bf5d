import numpy as np
import pytest

from eurocurate.dedup.minhash import (
    NO_KEY,
    MinhashConfig,
    band_keys,
    signatures,
    word_hashes,
)
from tests.dedup.conftest import estimate_jaccard, ngram_set, pair_with_jaccard


def test_signature_is_identical_in_a_fresh_process():
    import subprocess
    import sys

    code = (
        "from eurocurate.dedup.minhash import *;"
        "config = MinhashConfig();"
        "text = 'Der schnelle braune Fuchs springt über den faulen Hund.';"
        "print(band_keys(signatures([text], config), config).tolist())"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    here = band_keys(
        signatures(["Der schnelle braune Fuchs springt über den faulen Hund."], MinhashConfig()), MinhashConfig()
    )
    assert other == str(here.tolist())


def test_signature_does_not_depend_on_batch_neighbours():
    texts = ["one two three four five six seven", "alpha beta gamma delta epsilon zeta", "", "short text"]
    config = MinhashConfig()
    together = signatures(texts, config)
    for i, t in enumerate(texts):
        assert np.array_equal(signatures([t], config)[0], together[i])


def test_words_are_nfkc_lowercased_unicode_runs():
    h1, c1 = word_hashes(["Ｚürich, ŁÓDŹ—naïve_x 42"])
    h2, c2 = word_hashes(["zürich łódź naïve_x 42"])
    assert c1.tolist() == [4] and np.array_equal(h1, h2)
    _, counts = word_hashes(["Ελληνικά κείμενα", "кириллица текст тут", "!!! ..."])
    assert counts.tolist() == [2, 3, 0]


def test_jaccard_estimate_tracks_exact_jaccard(rng):
    config = MinhashConfig(bands=32, rows=8)  # 256 bins: standard error ~0.03
    for target in (0.2, 0.5, 0.8, 0.95):
        a, b = pair_with_jaccard(rng, target)
        sa, sb = ngram_set(a), ngram_set(b)
        exact = len(sa & sb) / len(sa | sb)
        sig = signatures([a, b], config)
        assert abs(estimate_jaccard(sig[0], sig[1]) - exact) < 0.1, (target, exact)


def test_short_documents_get_a_signature_and_empty_ones_no_key():
    config = MinhashConfig()
    sig = signatures(["two words", "", "two words"], config)
    keys = band_keys(sig, config)
    assert (keys[1] == NO_KEY).all() and (keys[0] != NO_KEY).all()
    assert np.array_equal(keys[0], keys[2])


def test_per_language_keys_differ_only_by_language():
    config = MinhashConfig(per_language=True)
    sig = signatures(["same text in both documents here"] * 3, config)
    keys = band_keys(sig, config, ["de", "nl", "de"])
    assert np.array_equal(keys[0], keys[2]) and not (keys[0] == keys[1]).any()
    with pytest.raises(ValueError, match="langs"):
        band_keys(sig, config)
