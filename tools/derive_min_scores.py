"""Derives the language-ID stage's per-language `min_scores` on held-out folds 0-2 of the eval corpus and
reports them on folds 3-4, which nothing was tuned on.

    python -m eurocurate.tools.derive_min_scores --corpus $EUROCURATE_CORPUS [--work DIR] [--write]

Pages are the corpus as the pipeline sees them (`eurocurate extract`, then `eurocurate langid`). A page is
*wanted* under its label when the label is its true language and it is a good page (`quality: ok`);
*unwanted* when it is another language's page (pages whose text language the truth knows: assembled and
look-alike pages) or a low-quality page. `langid.calibration.derive_min_scores` lowers a language's
threshold below the spec's global `min_score` only as far as no more unwanted derive-fold pages get
through than at the global value. `--write` puts the values into the `language_id` stage of
pipelines/web.yaml and pipelines/public_sector.yaml.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson
import yaml

from eurocurate.langid.calibration import ScoredPages, derive_min_scores, kept_share
from eurocurate.schema import EU24
from eurocurate.tools.corpus_view import content_warcs, extracted_and_identified
from eurocurate.tools.heldout_folds import MIN_SCORE_DERIVE_FOLDS, MIN_SCORE_REPORT_FOLDS, assign_folds, read_truth

PIPELINES = Path(__file__).resolve().parents[1] / "pipelines"
SPECS = ("web.yaml", "public_sector.yaml")
# Sources whose truth knows the language of the text itself (LibreOffice pages carry the language of their
# URL, and some of them are untranslated English).
_TEXT_LANGUAGE_KNOWN = frozenset({"assembled", "lookalike"})


def scored_pages(rows: Iterable[Mapping], truth: Mapping[str, Mapping], folds: Mapping[str, int], use: frozenset[int]):
    """`ScoredPages` of the labelled rows whose truth record is in one of the folds `use`."""
    pages = ScoredPages()
    for row in rows:
        t = truth.get(row.get("warc_record_id"))
        if t is None or folds.get(t["record_id"]) not in use:
            continue
        label, score = row["lang"], row["lang_score"]
        if t["quality"] == "low":
            pages.add(label, score, wanted=False)
        elif t["quality"] == "ok" and t.get("eu_official") and label == t["gold_lang"]:
            pages.add(label, score, wanted=True)
        elif t["source"] in _TEXT_LANGUAGE_KNOWN and t.get("gold_lang") and label != t["gold_lang"]:
            pages.add(label, score, wanted=False)
    return pages


def true_eu_label(row: Mapping) -> str | None:
    """The pipeline's EU-24 code of a JSONL row's true language, or None for a language outside the EU-24.

    The long-tail set names languages as ISO 639-3 + script (`fra_Latn`) and gives the EU-24 code in `eu24`;
    a plain file may give the EU-24 code as `lang` itself."""
    if "eu24" in row:
        return row["eu24"]
    return row["lang"] if row["lang"] in EU24 else None


def add_unwanted_texts(pages: ScoredPages, path: Path) -> int:
    """Labels every `text` of a JSONL file and records an EU-24 label other than its true language as unwanted;
    returns how many were recorded."""
    from eurocurate.langid.config import LangIdConfig
    from eurocurate.langid.document import identify_document
    from eurocurate.langid.identifier import EuLanguageIdentifier

    identifier = EuLanguageIdentifier(LangIdConfig())
    added = 0
    for line in path.read_bytes().splitlines():
        row = orjson.loads(line)
        result = identify_document(identifier, row["text"])
        if result.lang in EU24 and result.lang != true_eu_label(row):
            pages.add(result.lang, result.score, wanted=False)
            added += 1
    return added


def spec_min_score(spec: Path) -> float:
    """The `min_score` of the `language_id` stage of a bundled spec."""
    for stage in yaml.safe_load(spec.read_text(encoding="utf-8"))["stages"]:
        if stage["use"] == "language_id":
            return float((stage.get("with") or {})["min_score"])
    raise ValueError(f"{spec} has no language_id stage with a min_score")


def write_min_scores(spec: Path, min_scores: Mapping[str, float]) -> None:
    """Rewrites the one-line `with:` of the spec's `language_id` stage, keeping every other line and comment."""
    text = spec.read_text(encoding="utf-8")
    # The flow mapping runs to the line's last `}`: it may hold a nested `min_scores: {...}` already.
    pattern = re.compile(r"(- use: language_id[^\n]*\n\s+with: )\{[^\n]*\}")
    inline = ", ".join(f"{k}: {v}" for k, v in sorted(min_scores.items()))
    new, n = pattern.subn(
        lambda m: m.group(1) + f"{{min_score: {spec_min_score(spec)}, min_scores: {{{inline}}}}}", text
    )
    if n != 1:
        raise ValueError(f"{spec}: expected one `language_id` stage with a one-line `with:`, found {n}")
    spec.write_text(new, encoding="utf-8")


def report(name: str, pages: ScoredPages, default: float, derived: Mapping[str, float]) -> list[str]:
    lines = [f"{name}: lang  good kept at {default} -> derived  (pages)   unwanted let through {default} -> derived"]
    for lang in EU24:
        good, bad = pages.wanted.get(lang, []), pages.unwanted.get(lang, [])
        t = derived.get(lang, default)
        kept = f"{kept_share(good, default):7.1%} -> {kept_share(good, t):7.1%}  ({len(good):3})"
        let_through = f"{sum(s >= default for s in bad)} -> {sum(s >= t for s in bad)} of {len(bad)}"
        lines.append(f"  {lang}  min_score {t:<4}  {kept}   {let_through}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="The eu24-dev corpus folder (truth.jsonl, warc/).")
    ap.add_argument("--work", type=Path, help="Folder for the labelled corpus; reused when it already holds one.")
    ap.add_argument(
        "--unwanted-jsonl",
        type=Path,
        action="append",
        default=[],
        help="More derive pages that must not pass: JSONL lines with `text` and its true `lang` (e.g. the "
        "derive part of a regional-language set); any EU-24 label they get counts as unwanted.",
    )
    ap.add_argument("--write", action="store_true", help=f"Write the values into {', '.join(SPECS)}.")
    args = ap.parse_args(argv)
    truth_rows = read_truth(args.corpus)
    truth = {t["record_id"]: t for t in truth_rows}
    folds = assign_folds(truth_rows)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rows = extracted_and_identified(content_warcs(args.corpus), work, reuse=args.work is not None)
    default = spec_min_score(PIPELINES / SPECS[0])
    derive_pages = scored_pages(rows, truth, folds, MIN_SCORE_DERIVE_FOLDS)
    for path in args.unwanted_jsonl:
        print(f"{path}: {add_unwanted_texts(derive_pages, path)} texts labelled as another EU-24 language")
    derived = {lang: v for lang, v in derive_min_scores(derive_pages, default).items() if lang in EU24}
    print(f"derived on folds {sorted(MIN_SCORE_DERIVE_FOLDS)}: min_scores {derived}")
    print("\n".join(report(f"folds {sorted(MIN_SCORE_DERIVE_FOLDS)} (derive)", derive_pages, default, derived)))
    held_out = scored_pages(rows, truth, folds, MIN_SCORE_REPORT_FOLDS)
    print("\n".join(report(f"folds {sorted(MIN_SCORE_REPORT_FOLDS)} (held out)", held_out, default, derived)))
    if args.write:
        for spec in SPECS:
            write_min_scores(PIPELINES / spec, derived)
            print(f"wrote {spec}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
