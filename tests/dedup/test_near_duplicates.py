"""Signing through `sign_documents`, as the stage and `dedup_jsonl` sign: what it writes and what it holds."""

import hashlib
import tracemalloc

import numpy as np

from eurocurate.dedup.minhash import MinhashConfig
from eurocurate.dedup.near_duplicates import sign_documents

# An ordinary page: German, French, Greek and Polish sentences, digits, punctuation, one line break.
ORDINARY = (
    "Die Versicherungsbedingungen der Gesellschaft gelten für alle Verträge, die nach dem 1. Januar 2024 "
    "abgeschlossen wurden. Kündigungen müssen schriftlich erfolgen; sie werden zum Monatsende wirksam.\n"
    "Les conditions générales s'appliquent à tous les contrats conclus après le 1er janvier 2024. "
    "Η σύμβαση λήγει στο τέλος του μήνα. Umowa wygasa z końcem miesiąca, chyba że strony postanowią inaczej."
)


def test_an_ordinary_documents_signature_files_are_the_old_codes_bit_for_bit(tmp_path):
    """sha256 of the band keys and n-gram set the code before pieces (478e4cf) wrote for ORDINARY."""
    sign_documents([("d", ORDINARY, "a", "de")], str(tmp_path), 0, MinhashConfig())
    digests = {
        f: hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in ("keys-00000.u64", "grams-00000.u32")
    }
    assert digests == {
        "keys-00000.u64": "fd06b08178a1cffda5813fc55826b3a6c4904b8b98e81ff8af015bd7c9980205",
        "grams-00000.u32": "8d3a53068919ab4d1862a23ca44e179406d877a32dcad5a11d446d9f8aac876a",
    }


def test_signing_one_long_row_holds_a_few_bytes_per_code_point_not_thirty(tmp_path, rng):
    """A 55 M-character text row took the signer to 2 GB (about 30 bytes per code point held at once); in pieces, an
    8 M-character row is signed within 100 MB of allocations (the text is 8 MB; its normalised copies 16 MB)."""
    vocab = np.array([f"wort{i}" for i in range(100_000)])
    text = " ".join(" ".join(vocab[rng.integers(0, len(vocab), 200_000)].tolist()) for _ in range(8))[:8_000_000]
    tracemalloc.start()
    try:
        sign_documents([("long", text, "a", "de")], str(tmp_path), 0, MinhashConfig())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000, f"{peak / 1e6:.0f} MB"
