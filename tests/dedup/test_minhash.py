import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eurocurate.dedup.minhash import (
    _P,
    EMPTY_BIN,
    NO_KEY,
    MinhashConfig,
    _constants,
    _WordChars,
    band_keys,
    gram_sets,
    is_word_char,
    ngram_hashes,
    normalise,
    signatures,
    signatures_of_ngrams,
    stable_hash64,
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


# The vectorised word hashing and densification against the plain rules they implement, on real and
# adversarial text: words are maximal runs of `is_word_char` code points of the NFKC-lower-cased text, a
# word's hash is mix(sum(cp_i * P^i) + length) mod 2^64, an empty bin takes the first filled bin of its order.
_MASK64 = (1 << 64) - 1


def _mix_int(z: int) -> int:
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & _MASK64
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _MASK64
    return z ^ (z >> 31)


def _plain_word_hashes(texts: list[str]) -> tuple[list[int], list[int]]:
    hashes, counts = [], []
    for text in texts:
        runs, run = [], []
        for ch in normalise(text):
            if is_word_char(ord(ch)):
                run.append(ch)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        for word in runs:
            raw = sum(ord(c) * pow(_P, i, 1 << 64) for i, c in enumerate(word)) & _MASK64
            hashes.append(_mix_int((raw + len(word)) & _MASK64))
        counts.append(len(runs))
    return hashes, counts


_ADVERSARIAL = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",))  # every code point but lone surrogates
    | st.sampled_from("_ aé1\u0301\u00a0\u3000\u4e00\U0001f600\U00020000\U000e0100ǅΣς")
)


@given(st.lists(_ADVERSARIAL, min_size=1, max_size=6))
def test_word_hashes_follow_the_plain_rule_on_any_text(texts):
    hashes, counts = word_hashes(texts)
    assert (hashes.tolist(), counts.tolist()) == _plain_word_hashes(texts)


def test_word_hashes_follow_the_plain_rule_on_european_text():
    texts = [
        "Der schnelle braune Fuchs springt über den faulen Hund. Ｚürich, ŁÓDŹ—naïve_x 42",
        "Το δημοτικό συμβούλιο ενέκρινε τον νέο ποδηλατόδρομο δίπλα στο ποτάμι.",
        "Městská rada schválila rozpočet; ﬁnanční ﬂow — 「引用」 ١٢٣ 😀😀 x",
        "",
        "   ...   ",
        "kein-Ende",
    ]
    hashes, counts = word_hashes(texts)
    assert (hashes.tolist(), counts.tolist()) == _plain_word_hashes(texts)


def test_word_char_table_equals_the_rule_on_every_code_point_it_learns():
    table = _WordChars(eager=0x100)
    cps = np.array(list(range(0, 0x3400, 7)) + [0x4E00, 0x1F600, 0x20000, 0xE0100, 0x10FFFF, 0x5F], dtype=np.uint32)
    out = np.empty(len(cps), dtype=bool)
    table.lookup(cps, out)
    assert out.tolist() == [is_word_char(int(c)) for c in cps]


def _plain_densify(sig: np.ndarray, config: MinhashConfig) -> np.ndarray:
    _, _, borrow = _constants(config)
    out = sig.copy()
    for d, row in enumerate(sig):
        empty = row == EMPTY_BIN
        if empty.all():
            continue
        for j in np.flatnonzero(empty):
            out[d, j] = row[next(b for b in borrow[j] if not empty[b])]
    return out


@given(st.lists(st.integers(0, 40), min_size=1, max_size=12), st.integers(0, 2**32))
def test_densification_takes_the_first_filled_bin_of_each_empty_bins_order(sizes, seed):
    config = MinhashConfig(bands=7, rows=3)
    rng = np.random.default_rng(seed)
    # documents of 0..40 words over a small vocabulary: all-empty, sparse and full signature rows
    texts = [" ".join(f"w{rng.integers(0, 60)}" for _ in range(n)) for n in sizes]
    words, counts = word_hashes(texts)
    grams, doc = ngram_hashes(words, counts, config)
    k = config.bins
    raw = np.full(len(texts) * k, EMPTY_BIN, dtype=np.uint64)
    bins = ((grams >> np.uint64(32)) * np.uint64(k)) >> np.uint64(32)
    np.minimum.at(raw, doc.astype(np.uint64) * np.uint64(k) + bins, grams & np.uint64(0xFFFFFFFF))
    raw = raw.reshape(len(texts), k)
    assert np.array_equal(signatures_of_ngrams(grams, doc, len(texts), config), _plain_densify(raw, config))


@pytest.mark.parametrize("per_language", [False, True])
def test_band_keys_follow_the_plain_rule(per_language):
    # key of band b = mix(...mix(mix(lang ^ seed_b) + row_0 * C)... + row_{rows-1} * C), 0 mapped to 1,
    # NO_KEY for a document without words
    config = MinhashConfig(bands=5, rows=3, per_language=per_language)
    texts = ["eins zwei drei vier fünf sechs sieben", "", "kurz", "un deux trois quatre cinq six sept huit"]
    langs = ["de", "fr", None, "fr"]
    sig = signatures(texts, config)
    _, band_seed, _ = _constants(config)
    expected = []
    for d, row in enumerate(sig.tolist()):
        lang = stable_hash64(langs[d] or "", 7) if per_language else 0
        keys = []
        for b in range(config.bands):
            acc = _mix_int(lang ^ int(band_seed[b]))
            for r in range(config.rows):
                acc = _mix_int((acc + row[b * config.rows + r] * 0x9E3779B97F4A7C15) & _MASK64)
            keys.append(acc or 1)
        expected.append([NO_KEY] * config.bands if all(v == EMPTY_BIN for v in row) else keys)
    assert band_keys(sig, config, langs).tolist() == expected


@given(st.lists(st.integers(0, 30), min_size=1, max_size=10), st.integers(0, 2**32))
def test_gram_sets_are_each_documents_distinct_folded_hashes_in_order(sizes, seed):
    rng = np.random.default_rng(seed)
    texts = [" ".join(f"w{rng.integers(0, 9)}" for _ in range(n)) for n in sizes]  # repeats: duplicate n-grams
    config = MinhashConfig()
    grams, doc = ngram_hashes(*word_hashes(texts), config)
    values, counts = gram_sets(grams, doc, len(texts))
    expected = [
        sorted({(g ^ (g >> 32)) & 0xFFFFFFFF for g, d in zip(grams.tolist(), doc.tolist()) if d == i})
        for i in range(len(texts))
    ]
    assert counts.tolist() == [len(e) for e in expected]
    assert values.tolist() == [v for e in expected for v in e] and values.dtype == np.uint32


def test_invisible_format_characters_do_not_change_the_signature():
    """A CMS's soft hyphens, zero-width spaces, word joiners and BOMs split words: a hyphenated copy of a page shared
    few of its 5-grams with the page (12% of the bins in the audit's German example)."""
    plain = "Die Versicherungsbedingungen gelten für alle Verträge, die nach dem ersten Januar abgeschlossen wurden."
    hyphenated = (
        "\ufeffDie Ver\u00adsiche\u00adrungs\u200bbedin\u00adgungen gel\u2060ten für alle Ver\u00adträ\u00adge, "
        "die nach dem ers\ufeffte\u2060n Januar ab\u00adge\u00adschlos\u00adsen wurden."
    )
    config = MinhashConfig()
    assert np.array_equal(signatures([hyphenated], config), signatures([plain], config))
    persian = ["می\u200cخواهم بروم", "میخواهم بروم"]  # ZWNJ chooses the written form: still a word boundary
    assert not np.array_equal(*signatures(persian, MinhashConfig(ngram=1)))
