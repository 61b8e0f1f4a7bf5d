"""Language identification stage: labels each document with an EU-24 language and a score, or drops it.

This is the foundation's document-level identifier (fastText lid.176 on the start of the text);
per-language thresholds, paragraph segmentation and look-alike handling deepen it later.
"""

from __future__ import annotations

from datatrove.data import Document

from eurocurate.langid.fasttext_lid import bundled_lid176_path, load_fasttext, predict_batch
from eurocurate.schema import EU24, Meta, Reason
from eurocurate.stage import Drop, LedgerStage


class LanguageIdentifier(LedgerStage):
    """Keeps documents whose language is one of `languages` (default: the EU-24) with score ≥ `min_score`."""

    name = "language_id"

    def __init__(
        self,
        out_dir: str,
        languages: tuple[str, ...] = EU24,
        min_score: float = 0.5,
        model_path: str | None = None,
        max_chars: int = 2000,
        batch_size: int = 256,
    ):
        super().__init__(out_dir, batch_size=batch_size)
        self.languages = frozenset(languages)
        self.min_score = min_score
        self.model_path = model_path
        self.max_chars = max_chars

    def judge_batch(self, batch: list[Document]) -> list[Drop | None]:
        model = load_fasttext(self.model_path or str(bundled_lid176_path()))
        verdicts: list[Drop | None] = []
        for doc, top in zip(batch, predict_batch(model, [d.text[: self.max_chars] for d in batch])):
            lang, score = top[0] if top else ("und", 0.0)
            doc.metadata[Meta.LANG] = lang
            doc.metadata[Meta.LANG_SCORE] = round(score, 4)
            if lang not in EU24:
                verdicts.append(Drop(Reason.LANG_NOT_EU, f"{lang}={score:.3f}"))
            elif lang not in self.languages:
                verdicts.append(Drop(Reason.LANG_NOT_SELECTED, f"{lang}={score:.3f}"))
            elif score < self.min_score:
                verdicts.append(Drop(Reason.LANG_LOW_SCORE, f"{lang}={score:.3f}<{self.min_score}"))
            else:
                verdicts.append(None)
        return verdicts

    def judge(self, doc: Document) -> Drop | None:
        return self.judge_batch([doc])[0]
