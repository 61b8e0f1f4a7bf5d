"""The long-tail veto's glance threshold (`LangIdConfig.veto_glance_lead`), derived from the veto's own calls.

Reads the long-tail set's dev part (its paragraphs, and pages of five paragraphs as `tools.longtail.evaluate` builds
them) and, with $EUROCURATE_CORPUS, `bench_langid`'s eu24-dev documents, with the glance off, recording every text the
veto is asked about. Prints the regional classifier's lead on each text's first `--chars` characters for the texts the
veto relabelled as a European non-EU-24 language (the threshold must stay below the lowest of them) and for EU-24
texts (what a threshold stops), and the threshold: the lowest vetoed lead minus `--margin`, rounded down to a multiple
of 10. Never reads the unseen part: `tests/eval/test_longtail_eval.py` checks the result there.

    python -m eurocurate.tools.derive_veto_glance --set /path/to/longtail [--chars 60] [--margin 30]
"""

from __future__ import annotations

import argparse
import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import eurocurate.langid.identifier as identifier_module
from eurocurate.langid.config import LangIdConfig
from eurocurate.langid.document import identify_document
from eurocurate.langid.identifier import EuLanguageIdentifier
from eurocurate.langid.long_tail import Veto
from eurocurate.langid.regional import regional_glance
from eurocurate.tools.longtail.build import read_set
from eurocurate.tools.longtail.evaluate import evaluation_samples


@dataclass(frozen=True)
class VetoCall:
    """A text the veto was asked about, the EU-24 label it reviewed, whether the text is EU-24, and its verdict."""

    flat: str
    eu_lang: str
    eu_truth: bool
    verdict: Veto | None


def record_calls(texts: list[tuple[str, bool]]) -> list[VetoCall]:
    """Every veto call while `identify_document` reads `texts` ((text, is EU-24)) with the glance off."""
    ident = EuLanguageIdentifier(LangIdConfig(veto_glance_lead=None))
    calls: list[VetoCall] = []
    asked = identifier_module.long_tail_veto
    truth = [False]

    def recording(flat: str, eu_lang: str, ft: dict[str, float], **options) -> Veto | None:
        verdict = asked(flat, eu_lang, ft, **options)
        calls.append(VetoCall(flat, eu_lang, truth[0], verdict))
        return verdict

    identifier_module.long_tail_veto = recording
    try:
        for text, eu_truth in texts:
            truth[0] = eu_truth
            identify_document(ident, text)
    finally:
        identifier_module.long_tail_veto = asked
    return calls


def dev_texts(set_dir: Path) -> list[tuple[str, bool]]:
    """The dev part's paragraphs and assembled pages, as `tools.longtail.evaluate` reads them."""
    texts = []
    for paragraphs, pages in evaluation_samples(read_set(set_dir / "dev.jsonl")).values():
        eu_truth = paragraphs[0]["eu24"] is not None
        texts += [(r["text"], eu_truth) for r in paragraphs]
        texts += [(page, eu_truth) for page in pages]
    return texts


def derive(calls: list[VetoCall], chars: int, margin: float) -> tuple[float, str]:
    """The threshold and the report of how it was reached."""
    vetoed, eu = [], []
    paths: Counter[str] = Counter()
    for call in calls:
        glance = regional_glance(call.flat, call.eu_lang, chars)
        if glance is None:
            continue
        if call.eu_truth:
            eu.append(glance.lead)
        elif call.verdict is not None:
            vetoed.append(glance.lead)
            paths[call.verdict.path] += 1
    if not vetoed or not eu:
        raise ValueError(f"need vetoed non-EU-24 texts and EU-24 texts, got {len(vetoed)} and {len(eu)}")
    lowest = sorted(vetoed)
    threshold = math.floor((lowest[0] - margin) / 10) * 10
    eu_leads = np.array(eu)
    lines = [
        f"veto calls read by the regional classifier: {len(vetoed) + len(eu)} ({len(eu)} on EU-24 texts)",
        f"non-EU-24 texts vetoed: {len(vetoed)} ({', '.join(f'{p} {n}' for p, n in paths.most_common())})",
        f"their glance leads ({chars} characters): lowest {', '.join(f'{v:.1f}' for v in lowest[:5])}; "
        f"5th percentile {np.percentile(vetoed, 5):.1f}",
        "EU-24 texts' glance leads: median {:.1f}, 90th percentile {:.1f}, 95th {:.1f}, 99th {:.1f}".format(
            *np.percentile(eu_leads, [50, 90, 95, 99])
        ),
    ]
    for t in sorted({threshold, -40, -60, -90}):
        lost = sum(v < t for v in vetoed)
        lines.append(f"  threshold {t}: EU-24 texts stopped {np.mean(eu_leads < t):.1%}, vetoes lost {lost}")
    lines.append(f"veto_glance_lead: {threshold} (lowest vetoed lead {lowest[0]:.1f} minus {margin:g}, rounded down)")
    return threshold, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="the long-tail set's folder (its dev.jsonl is read)")
    parser.add_argument("--chars", type=int, default=60, help="characters the glance reads (veto_glance_chars)")
    parser.add_argument("--margin", type=float, default=30.0, help="log-score margin below the lowest vetoed lead")
    args = parser.parse_args(argv)
    texts = dev_texts(args.set)
    if os.environ.get("EUROCURATE_CORPUS"):
        from eurocurate.tools.bench_langid import default_documents

        texts += [(doc, True) for doc in default_documents()["eu24"]]
    print(derive(record_calls(texts), args.chars, args.margin)[1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
