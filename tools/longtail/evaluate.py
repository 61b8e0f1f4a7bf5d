"""Language ID on the long-tail set: per language, the share of paragraphs and of assembled pages labelled
as an EU-24 language (and kept as EU text by the langid stage), the share recognised as themselves, EU-24
accuracy, and the Croatian/Bosnian/Serbian confusion table. Building the set is `tools.longtail.build`.

    python -m eurocurate.tools.longtail.evaluate --set out/longtail [--split dev]

Tune on `dev`; `unseen` is what `make eval` reports (tests/eval/test_longtail_eval.py).
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Final

import yaml
from datatrove.data import Document

from eurocurate.filters.quality.step import QualityFilter, QualityFilterParams
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.langid.languages import CYRILLIC, EU24_SCRIPT, GREEK, LATIN
from eurocurate.langid.step import LanguageIdentifier
from eurocurate.schema import EU24, Meta
from eurocurate.tools.longtail.build import read_set
from eurocurate.tools.longtail.languages import EU24_ISO3, LOOKALIKE, REGIONAL, iso3_of, language_name

PARAGRAPHS_PER_PAGE: Final = 5
MAX_PARAGRAPHS: Final = 400  # per language, evenly spread over its rows (the big catalogues would dominate time)
MAX_PAGES: Final = 80
# Languages the acceptance of issue #17 is about: its regional/minority list and the dev corpus's look-alikes.
# The set's other languages (Scots, Ladino, Interlingua…) are printed, not asserted.
ASSERTED: Final = frozenset(REGIONAL) | frozenset(LOOKALIKE) - {
    "lld", "rgn", "frp", "pcd", "sco", "gsw", "lad", "rup", "cnr", "ina",
}  # fmt: skip
MAX_EU_SHARE: Final = 0.03  # issue #17: at most 3% of a language's paragraphs and pages labelled EU-24
Z95: Final = 1.959964  # two-sided 95% normal quantile, for the Wilson score interval
HBS: Final[tuple[str, ...]] = ("hrv_Latn", "bos_Latn", "bos_Cyrl", "srp_Latn", "srp_Cyrl", "cnr_Latn")
_EU24 = frozenset(EU24)
_SCRIPT_NAMES: Final = {"Latn": LATIN, "Cyrl": CYRILLIC, "Grek": GREEK}  # ISO 15924 -> `langid.languages`' names


@dataclass
class LanguageResult:
    """What the identifier made of one language's paragraphs and pages."""

    label: str  # ISO 639-3 + script
    paragraphs: Counter[str] = field(default_factory=Counter)  # predicted label -> paragraphs
    pages: Counter[str] = field(default_factory=Counter)
    pages_kept: int = 0  # pages the langid stage keeps as EU text
    pages_quality_kept: int = (
        0  # ... and the quality filter after it keeps (both as pipelines/web.yaml configures them)
    )

    @property
    def iso3(self) -> str:
        return self.label.split("_")[0]

    @property
    def eu24(self) -> str | None:
        """The EU-24 code of the language, or None: also for an EU-24 language in another script than its own
        (romanized Bulgarian `bul_Latn`, Greeklish `ell_Latn`: `tools.longtail.romanized`), which is no EU-24 text."""
        code = EU24_ISO3.get(self.iso3)
        script = self.label.partition("_")[2]
        return code if code is None or not script or _SCRIPT_NAMES.get(script) == EU24_SCRIPT[code] else None

    @staticmethod
    def _share(counts: Counter[str], test: Callable[[str], bool]) -> float:
        n = sum(counts.values())
        return sum(v for k, v in counts.items() if test(k)) / n if n else 0.0

    def paragraphs_eu(self) -> float:
        return self._share(self.paragraphs, lambda lang: lang in _EU24)

    def paragraphs_eu_upper(self) -> float:
        """The 95% Wilson upper bound of the share of paragraphs labelled EU-24."""
        return wilson_upper(sum(v for k, v in self.paragraphs.items() if k in _EU24), sum(self.paragraphs.values()))

    def pages_eu_upper(self) -> float:
        return wilson_upper(sum(v for k, v in self.pages.items() if k in _EU24), sum(self.pages.values()))

    def pages_eu(self) -> float:
        return self._share(self.pages, lambda lang: lang in _EU24)

    def paragraphs_right(self) -> float:
        return self._share(self.paragraphs, self.is_self)

    def pages_right(self) -> float:
        return self._share(self.pages, self.is_self)

    def is_self(self, predicted: str) -> bool:
        """The identifier's label names this language (EU-24 code, ISO 639-1 or 639-3, with or without script)."""
        if self.eu24 is not None:
            return predicted == self.eu24
        return iso3_of(predicted.split("_")[0]) == self.iso3 or predicted.split("_")[0] == self.iso3


def wilson_upper(k: int, n: int, z: float = Z95) -> float:
    """Upper end of the Wilson score interval of `k` successes in `n` trials (1.0 for no trials): how high the true
    share may be, at 95% confidence by default, given what the sample shows. With no error at all a sample shows a
    share <= 3% only from n = 125 on (z^2 (1 - 0.03) / 0.03 = 124.2)."""
    if n <= 0:
        return 1.0
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def _spread(rows: list[dict], n: int) -> list[dict]:
    return rows if len(rows) <= n else [rows[i * len(rows) // n] for i in range(n)]


def assemble_pages(rows: list[dict], per_page: int = PARAGRAPHS_PER_PAGE) -> list[str]:
    """Consecutive paragraphs (rows sorted by unit, then text) of one language joined into pages."""
    ordered = sorted(rows, key=lambda r: (r["unit"], r["text"]))
    return ["\n".join(r["text"] for r in ordered[i : i + per_page]) for i in range(0, len(ordered), per_page)]


def evaluation_samples(rows: Iterable[dict]) -> dict[str, tuple[list[dict], list[str]]]:
    """Per language label, in label order: the paragraphs (rows) and the assembled pages the evaluation reads, at most
    `MAX_PARAGRAPHS` and `MAX_PAGES`, spread evenly over the language's rows sorted by unit, then text."""
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_lang[row["lang"]].append(row)
    samples = {}
    for label in sorted(by_lang):
        lang_rows = sorted(by_lang[label], key=lambda r: (r["unit"], r["text"]))
        samples[label] = (_spread(lang_rows, MAX_PARAGRAPHS), _spread(assemble_pages(lang_rows), MAX_PAGES))
    return samples


def _web_params(stage: str) -> dict:
    spec = yaml.safe_load((resources.files("eurocurate.pipelines") / "web.yaml").read_text(encoding="utf-8"))
    return next(s.get("with", {}) for s in spec["stages"] if s.get("use") == stage)


def web_langid_step(out_dir: str) -> LanguageIdentifier:
    """The langid stage as pipelines/web.yaml configures it."""
    return LanguageIdentifier(out_dir, **_web_params("language_id"))


def web_quality_step(out_dir: str) -> QualityFilter:
    """The quality filter as pipelines/web.yaml configures it (each page judged by its label's configuration)."""
    return QualityFilter(out_dir, QualityFilterParams(**_web_params("quality_filter")))


def evaluate(rows: Iterable[dict], identifier: EuLanguageIdentifier | None = None) -> dict[str, LanguageResult]:
    """Paragraphs through `identify_document`, assembled pages through the web pipeline's langid stage."""
    ident = identifier or EuLanguageIdentifier()
    results: dict[str, LanguageResult] = {}
    with tempfile.TemporaryDirectory() as tmp:
        step, quality = web_langid_step(tmp), web_quality_step(tmp)
        for label, (paragraphs, pages) in evaluation_samples(rows).items():
            result = results[label] = LanguageResult(label)
            for row in paragraphs:
                result.paragraphs[identify_document(ident, row["text"]).lang] += 1
            docs = [Document(text=text, id=f"{label}-{i}") for i, text in enumerate(pages)]
            for doc, verdict in zip(docs, step.judge_batch(docs)):
                result.pages[doc.metadata[Meta.LANG]] += 1
                result.pages_kept += verdict is None
                result.pages_quality_kept += verdict is None and quality.judge(doc) is None
    return results


def _asserted(r: LanguageResult) -> bool:
    """An asserted language (`ASSERTED`), or an EU-24 language in another script (romanized Bulgarian, Greeklish),
    which must not pass as EU-24 text either."""
    return r.iso3 in ASSERTED or (r.eu24 is None and r.iso3 in EU24_ISO3)


def _top(counts: Counter[str], keep: Callable[[str], bool], n: int = 3) -> str:
    return " ".join(f"{k}:{v}" for k, v in counts.most_common() if keep(k))[:60] if n else ""


def report(results: dict[str, LanguageResult]) -> str:
    """The tables `make eval` prints."""
    out = [
        "non-EU-24 languages: share labelled EU-24 (paragraphs / pages), pages kept as EU text by the web langid "
        "stage (kept) and by its quality filter after it (+qual), recognised as themselves",
        f"('≤95%': the share labelled EU-24 is at most this at 95% confidence, Wilson's interval; a language is shown "
        f"within {MAX_EU_SHARE:.0%} only where this is at most {MAX_EU_SHARE:.0%})",
        f"{'lang':<9} {'name':<18} {'paras':>5} {'→EU':>6} {'≤95%':>6} {'self':>6} {'pages':>5} {'→EU':>6} "
        f"{'≤95%':>6} {'kept':>5} {'+qual':>5} {'self':>6}  EU-24 labels given (paragraphs)",
    ]
    non_eu = [r for r in results.values() if r.eu24 is None]
    for r in sorted(non_eu, key=lambda r: -r.paragraphs_eu()):
        mark = "" if _asserted(r) else " (not asserted)"
        out.append(
            f"{r.label:<9} {language_name(r.iso3)[:18]:<18} {sum(r.paragraphs.values()):>5} {r.paragraphs_eu():>6.1%} "
            f"{r.paragraphs_eu_upper():>6.1%} {r.paragraphs_right():>6.1%} {sum(r.pages.values()):>5} "
            f"{r.pages_eu():>6.1%} {r.pages_eu_upper():>6.1%} {r.pages_kept:>5} {r.pages_quality_kept:>5} "
            f"{r.pages_right():>6.1%}  "
            f"{_top(r.paragraphs, lambda k: k in _EU24)}{mark}"
        )
    asserted = [r for r in non_eu if _asserted(r)]
    n_par = sum(sum(r.paragraphs.values()) for r in asserted)
    n_pag = sum(sum(r.pages.values()) for r in asserted)
    if n_par:
        eu_par = sum(sum(v for k, v in r.paragraphs.items() if k in _EU24) for r in asserted)
        eu_pag = sum(sum(v for k, v in r.pages.items() if k in _EU24) for r in asserted)
        out.append(
            f"all asserted non-EU-24: paragraphs labelled EU-24 {eu_par}/{n_par} = {eu_par / n_par:.2%} "
            f"(≤{wilson_upper(eu_par, n_par):.2%} at 95%); pages {eu_pag}/{n_pag} = {eu_pag / max(n_pag, 1):.2%} "
            f"(≤{wilson_upper(eu_pag, n_pag):.2%})"
        )
        within = [r for r in asserted if max(r.paragraphs_eu(), r.pages_eu()) <= MAX_EU_SHARE]
        shown = [r for r in within if max(r.paragraphs_eu_upper(), r.pages_eu_upper()) <= MAX_EU_SHARE]
        out.append(
            f"asserted languages within {MAX_EU_SHARE:.0%} (paragraphs and pages): {len(within)} of {len(asserted)}; "
            f"shown within it at 95% confidence: {len(shown)} (paragraphs alone: "
            f"{sum(r.paragraphs_eu_upper() <= MAX_EU_SHARE for r in within)}; a language's sample needs 125 paragraphs "
            "or pages with no error to show it)"
        )
    out += [
        "",
        "EU-24: accuracy (paragraphs / assembled pages; '≥95%': the pages' accuracy is at least this at 95% "
        "confidence, Wilson's interval), wrong labels given (paragraphs)",
    ]
    out.append(f"{'lang':<9} {'paras':>5} {'acc':>7} {'pages':>5} {'acc':>7} {'≥95%':>7}  wrong")
    eu = sorted((r for r in results.values() if r.eu24 is not None), key=lambda r: r.label)
    for r in eu:
        wrong = _top(r.paragraphs, lambda k, r=r: not r.is_self(k))
        n_pages = sum(r.pages.values())
        wrong_pages = n_pages - sum(v for k, v in r.pages.items() if r.is_self(k))
        out.append(
            f"{r.label:<9} {sum(r.paragraphs.values()):>5} {r.paragraphs_right():>7.2%} {n_pages:>5} "
            f"{r.pages_right():>7.2%} {1 - wilson_upper(wrong_pages, n_pages):>7.2%}  {wrong}"
        )
    if eu:
        pages_right = sum(r.pages[r.eu24 or ""] for r in eu)
        pages = sum(sum(r.pages.values()) for r in eu)
        macro = sum(r.paragraphs_right() for r in eu) / len(eu)
        out.append(
            f"EU-24 pages {pages_right}/{pages} = {pages_right / max(pages, 1):.2%}; paragraphs macro {macro:.2%}"
        )
    out += ["", "Croatian / Bosnian / Serbian: labels given (paragraphs | pages)"]
    present = [label for label in HBS if label in results]
    predicted = sorted({k for label in present for k in (*results[label].paragraphs, *results[label].pages)})
    out.append(f"{'gold':<9} " + " ".join(f"{p:>11}" for p in predicted))
    for label in present:
        r = results[label]
        out.append(f"{label:<9} " + " ".join(f"{r.paragraphs[p]:>5}|{r.pages[p]:<5}" for p in predicted))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eurocurate.tools.longtail.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="folder written by eurocurate.tools.longtail_set")
    parser.add_argument("--split", choices=("dev", "unseen"), default="dev")
    parser.add_argument("--languages", help="comma-separated labels (e.g. cos_Latn,hrv_Latn); default all")
    args = parser.parse_args(argv)
    rows = read_set(args.set / f"{args.split}.jsonl")
    if args.languages:
        wanted = set(args.languages.split(","))
        rows = [r for r in rows if r["lang"] in wanted]
    print(report(evaluate(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
