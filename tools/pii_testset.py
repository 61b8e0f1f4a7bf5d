"""Generated PII test set: the values of `tools/pii_values.py` (checksum-valid identifiers, checksum-failed
variants, ordinary numbers) placed in the carrier sentences of `tools/pii_carriers.py`, deterministically
from a seed; `score` runs detection and redaction over the cases and `table` prints the per-type figures.
Making values and writing sentences are those modules' jobs.

    python -m eurocurate.tools.pii_testset [--split heldout] [--n 300] [--seed 15]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field

from eurocurate.filters.pii.detectors import find_pii
from eurocurate.filters.pii.redaction import redact
from eurocurate.tools.pii_carriers import CARRIERS, KEYWORDS, split_of
from eurocurate.tools.pii_values import (
    IBAN_COUNTRIES,
    ORDINARY,
    TYPES,
    break_iban,
    break_value,
    iban_groupings,
    make_account,
    make_iban,
)


@dataclass(frozen=True)
class Case:
    kind: str  # the identifier type, or "ORDINARY:<category>"
    lang: str
    text: str
    value: str
    condition: str  # "bare" (valid, no keyword), "keyword" (valid, named), "invalid", "ordinary"


# --- building and scoring --------------------------------------------------------------------------------------


def _sentences(lang: str, split: str, keyword: bool) -> list[str]:
    templates = CARRIERS[lang][1 if keyword else 0]
    return [s for i, s in enumerate(templates) if split_of(i) == split]


def build(split: str = "heldout", n: int = 300, seed: int = 15) -> list[Case]:
    """`n` valid values per type named and `n` unnamed, `n` checksum-failed ones (half named), and `n`
    ordinary numbers per category and language, in the sentences of `split` ('dev' or 'heldout')."""
    rng = random.Random(f"{seed}:{split}")
    cases: list[Case] = []
    for kind in sorted(KEYWORDS):
        langs = sorted(KEYWORDS[kind])
        for i in range(3 * n):
            lang = rng.choice(langs)
            condition = ("bare", "keyword", "invalid")[i % 3]
            value = _written_value(kind, lang, rng, broken=condition == "invalid")
            named = condition == "keyword" or (condition == "invalid" and i % 2 == 0)
            text = rng.choice(_sentences(lang, split, named)).format(num=value, kw=rng.choice(KEYWORDS[kind][lang]))
            cases.append(Case(kind, lang, text, value, condition))
    for lang in sorted(CARRIERS):
        for category, make in ORDINARY.items():
            for _ in range(n):
                value = make(rng)
                text = rng.choice(_sentences(lang, split, False)).format(num=value)
                cases.append(Case(f"ORDINARY:{category}", lang, text, value, "ordinary"))
    return cases


def _written_value(kind: str, lang: str, rng: random.Random, broken: bool) -> str:
    if kind == "IBAN":
        country = rng.choice(IBAN_COUNTRIES[lang].split())
        compact = make_iban(rng, country)
        return rng.choice(iban_groupings(country))(break_iban(compact, rng) if broken else compact)
    if kind == "BANK_ACCOUNT":
        compact, written = make_account(rng, lang)
        if not broken:
            return written
        digits = [i for i, ch in enumerate(written) if ch.isdigit()]
        at = digits[-5] if "/" in written else digits[9]  # the root's last digit / the CCC's second check digit
        return written[:at] + str((int(written[at]) + rng.randint(1, 9)) % 10) + written[at + 1 :]
    t = TYPES[kind]
    while True:
        compact = t.make(rng)
        if compact and broken:
            compact = break_value(t, compact, rng)
        if compact:
            return rng.choice(t.formats)(compact)


@dataclass
class Row:
    kind: str
    strong: bool
    counts: dict[str, list[int]] = field(default_factory=dict)  # condition -> [right, total]
    ordinary_touched: int = 0
    ordinary_total: int = 0

    def rate(self, condition: str) -> float | None:
        right, total = self.counts.get(condition, [0, 0])
        return right / total if total else None


def strong(kind: str) -> bool:
    return kind in ("IBAN", "BANK_ACCOUNT") or TYPES[kind].strong


def score(cases: list[Case]) -> tuple[dict[str, Row], dict[str, list[int]]]:
    """Per type: recall of valid values (gone from the redacted text) without and with a keyword, and
    checksum-failed values touched; ordinary numbers touched, per type that touched them and per category."""
    rows = {kind: Row(kind, strong(kind)) for kind in sorted(KEYWORDS)}
    ordinary: dict[str, list[int]] = {}
    ordinary_by_lang: dict[str, int] = {}
    for case in cases:
        matches = find_pii(case.text, case.lang)
        redacted = redact(case.text, matches, key=None).text
        if case.condition == "ordinary":
            touched = redacted != case.text
            cell = ordinary.setdefault(case.kind.split(":")[1], [0, 0])
            cell[0] += touched
            cell[1] += 1
            ordinary_by_lang[case.lang] = ordinary_by_lang.get(case.lang, 0) + 1
            for kind in {m.kind for m in matches if m.valid and m.kind in rows}:
                rows[kind].ordinary_touched += 1
            continue
        ok = case.value not in redacted if case.condition != "invalid" else redacted == case.text
        cell = rows[case.kind].counts.setdefault(case.condition, [0, 0])
        cell[0] += ok
        cell[1] += 1
    for row in rows.values():
        row.ordinary_total = sum(ordinary_by_lang.get(lang, 0) for lang in KEYWORDS[row.kind])
    return rows, ordinary


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%" if x == 0 or x >= 0.001 else f"{100 * x:.3f}%"


def table(rows: dict[str, Row], ordinary: dict[str, list[int]]) -> str:
    """The per-type table in Markdown, then ordinary numbers per category."""
    lines = [
        "| type | strong | n valid | recall, no keyword | recall, keyword | invalid touched | ordinary touched |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows.values():
        n = sum(row.counts.get(c, [0, 0])[1] for c in ("bare", "keyword"))
        invalid = row.rate("invalid")
        lines.append(
            f"| {row.kind} | {'yes' if row.strong else 'no'} | {n} | {_pct(row.rate('bare'))} | "
            f"{_pct(row.rate('keyword'))} | {_pct(None if invalid is None else 1 - invalid)} | "
            f"{_pct(row.ordinary_touched / row.ordinary_total if row.ordinary_total else None)} |"
        )
    invalid = [sum(row.counts.get("invalid", [0, 0])[i] for row in rows.values()) for i in (0, 1)]
    lines.append(
        f"| all types, checksum-failed | | {invalid[1]} failed values | | | "
        f"{invalid[1] - invalid[0]} ({_pct(1 - invalid[0] / invalid[1] if invalid[1] else None)}) | |"
    )
    lines += ["", "| ordinary numbers | n | touched |", "|---|---|---|"]
    total = [0, 0]
    for category, (touched, n) in sorted(ordinary.items()):
        lines.append(f"| {category} | {n} | {touched} ({_pct(touched / n)}) |")
        total = [total[0] + touched, total[1] + n]
    lines.append(f"| all | {total[1]} | {total[0]} ({_pct(total[0] / total[1] if total[1] else None)}) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout"), default="heldout")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--failures", type=int, default=0, help="print this many misses per type")
    args = parser.parse_args()
    cases = build(args.split, args.n, args.seed)
    rows, ordinary = score(cases)
    print(table(rows, ordinary))
    if args.failures:
        _print_failures(cases, args.failures)


def _print_failures(cases: list[Case], limit: int) -> None:
    shown: dict[tuple[str, str], int] = {}
    for case in cases:
        redacted = redact(case.text, find_pii(case.text, case.lang), key=None).text
        ok = case.value not in redacted if case.condition in ("bare", "keyword") else redacted == case.text
        key = (case.kind, case.condition)
        if not ok and shown.get(key, 0) < limit:
            shown[key] = shown.get(key, 0) + 1
            print(f"{case.kind:<18} {case.condition:<8} {case.lang} {case.text!r} -> {redacted!r}")


if __name__ == "__main__":
    main()
