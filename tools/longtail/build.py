"""From read paragraphs to the labelled, split long-tail set: the junk filter (UI strings too short, with
placeholders or markup), the label (ISO 639-3 + script), the dev/unseen split by unit, de-duplication,
and the JSONL + README it is written as. Fetching and reading belong to `artefacts` and `readers`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import orjson

from eurocurate.tools.longtail.languages import EU24_ISO3, LATIN_ONLY, SCRIPTS_OF, iso3_of, language_name, script_of
from eurocurate.tools.longtail.readers import Paragraph

Split = Literal["dev", "unseen"]
SPLITS: Final[tuple[Split, ...]] = ("dev", "unseen")

MIN_CHARS: Final = 50  # a UI string shorter than this is a label or a button, not a sentence
MIN_WORDS: Final = 6
MIN_LETTER_SHARE: Final = 0.7  # of the non-space characters
# placeholders (%s, {0}, $1, &amp;), markup, accelerators (_File, &File), paths and addresses
_JUNK: Final = re.compile(r"[{}<>%$&@\\|_#=\[\]]|https?:|www\.|\.(?:com|org|net)\b")
# UDHR articles no tuning sees: 1–5, 11–15, 21–25 (the others and the preamble are for development)
UNSEEN_ARTICLES: Final = frozenset(range(1, 6)) | frozenset(range(11, 16)) | frozenset(range(21, 26))


@dataclass(frozen=True)
class LabelledParagraph:
    text: str
    iso3: str
    script: str
    source: str
    unit: str
    split: Split

    @property
    def label(self) -> str:
        return f"{self.iso3}_{self.script}"

    @property
    def eu24(self) -> str | None:
        """The pipeline's EU-24 code of the paragraph's language, None for every other language."""
        return EU24_ISO3.get(self.iso3)

    def row(self) -> dict[str, str | None]:
        return {
            "text": self.text,
            "lang": self.label,
            "iso639_3": self.iso3,
            "script": self.script,
            "eu24": self.eu24,
            "source": self.source,
            "unit": self.unit,
            "split": self.split,
        }


def clean_text(text: str) -> str | None:
    """The text with whitespace collapsed, or None when it is UI-string junk (see the constants above)."""
    text = " ".join(text.split())
    if len(text) < MIN_CHARS or len(text.split()) < MIN_WORDS or _JUNK.search(text) or text.endswith(":"):
        return None  # a trailing colon: a label or a message prefix a value follows at run time
    visible = [ch for ch in text if not ch.isspace()]
    if sum(ch.isalpha() for ch in visible) < MIN_LETTER_SHARE * len(visible):
        return None
    return text


def split_of(unit: str) -> Split:
    """UDHR articles by number (`UNSEEN_ARTICLES`); every other unit by a hash of its name, so a catalogue and
    all its translations fall on the same side."""
    if unit.startswith("udhr:"):
        _, kind, *number = unit.split(":")
        return "unseen" if kind == "article" and number and int(number[0]) in UNSEEN_ARTICLES else "dev"
    return "unseen" if hashlib.sha256(unit.encode()).digest()[0] % 2 else "dev"


def label(paragraphs: Iterable[Paragraph]) -> list[LabelledParagraph]:
    """Wanted languages only, junk out, one row per (language, text): a text seen under two languages is
    dropped (its label is not certain), and a text in both splits stays in `unseen` only."""
    by_text: dict[str, dict[str, LabelledParagraph]] = defaultdict(dict)
    for p in paragraphs:
        iso3 = iso3_of(p.code)
        text = clean_text(p.text) if iso3 else None
        script = script_of(text) if text else None
        if not (iso3 and text and script) or script not in SCRIPTS_OF.get(iso3, LATIN_ONLY):
            continue
        row = LabelledParagraph(text, iso3, script, p.source, p.unit, split_of(p.unit))
        seen = by_text[text].get(row.label)
        if seen is None or (seen.split == "dev" and row.split == "unseen"):
            by_text[text][row.label] = row
    return [next(iter(rows.values())) for rows in by_text.values() if len({r.iso3 for r in rows.values()}) == 1]


def write_set(rows: list[LabelledParagraph], output: Path, sources: list[str]) -> dict[Split, Path]:
    """`dev.jsonl`, `unseen.jsonl` (sorted by language, unit, text) and `README.txt` in `output`."""
    output.mkdir(parents=True, exist_ok=True)
    paths: dict[Split, Path] = {}
    ordered = sorted(rows, key=lambda r: (r.label, r.unit, r.text))
    for split in SPLITS:
        paths[split] = output / f"{split}.jsonl"
        paths[split].write_bytes(b"".join(orjson.dumps(r.row()) + b"\n" for r in ordered if r.split == split))
    (output / "README.txt").write_text(readme(rows, sources), encoding="utf-8")
    return paths


def readme(rows: list[LabelledParagraph], sources: list[str]) -> str:
    counts: Counter[tuple[str, Split]] = Counter((r.label, r.split) for r in rows)
    by_source: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_source[r.label].add(r.source.split(":")[0])
    lines = [
        "Long-tail language set of eurocurate (built by `python -m eurocurate.tools.longtail_set`).",
        "",
        "Each line of dev.jsonl / unseen.jsonl: text, lang (ISO 639-3 + ISO 15924 script), iso639_3, script,",
        "eu24 (the pipeline's EU-24 code, or null), source, unit, split. The split is decided per unit: UDHR",
        f"articles {sorted(UNSEEN_ARTICLES)} are unseen (preamble and the other articles dev); a catalogue goes",
        "to one side by a hash of its name, the same side in every language. No tuning may read unseen.jsonl.",
        f"Kept: texts of >= {MIN_CHARS} characters and {MIN_WORDS} words, >= {MIN_LETTER_SHARE:.0%} letters, no",
        "placeholders, markup, accelerators or addresses; untranslated strings and texts found under two",
        "languages are dropped.",
        "",
        "Sources (registry artefacts pinned by sha256 in tools/longtail/pins.json):",
        *(f"  {s}" for s in sources),
        "",
        f"{'lang':<10} {'name':<20} {'eu24':<5} {'dev':>6} {'unseen':>6}  sources",
    ]
    for lang in sorted({r.label for r in rows}):
        iso3 = lang.split("_")[0]
        lines.append(
            f"{lang:<10} {language_name(iso3):<20} {EU24_ISO3.get(iso3, '-'):<5} {counts[(lang, 'dev')]:>6} "
            f"{counts[(lang, 'unseen')]:>6}  {','.join(sorted(by_source[lang]))}"
        )
    total = Counter(r.split for r in rows)
    lines += ["", f"total: dev {total['dev']}, unseen {total['unseen']}, languages {len({r.label for r in rows})}"]
    return "\n".join(lines) + "\n"


def read_set(path: Path) -> list[dict]:
    """Rows of a written split file."""
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
