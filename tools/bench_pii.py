"""`make bench`: time of the PII detectors per 4 KB of ordinary prose (the stage's hot path: most text
holds no personal data and must cost next to nothing), per language of the demo text.

    python -m eurocurate.tools.bench_pii [--repeat 3] [--number 50]

Prints one row per language (microseconds per 4 KB, MB/s) and the mean. Timings are printed, never
asserted: a busy machine makes any bound flaky (the unit test that asserted one now lives here).
"""

from __future__ import annotations

import argparse
import statistics
import timeit

from eurocurate.filters.pii.detectors import find_pii
from eurocurate.tools.demo_corpus import load_texts

CHARS = 4096
# Prose with numbers, a date, a time, a price and a web address but no personal data: what most pages are.
GERMAN_PROSE = (
    "Die Stadtbibliothek verlängert im Winter ihre Öffnungszeiten, damit Schülerinnen und Familien einen "
    "warmen Ort zum Lesen haben. Der Gemeinderat hat das Budget 2024 nach kurzer Debatte mit 23 zu 4 Stimmen "
    "genehmigt; die ersten Abendveranstaltungen beginnen am 12. März um 19.30 Uhr mit Vorträgen zur Geschichte "
    "der Region und kosten 5 € Eintritt. Weitere Informationen: www.bibliothek.example.de.\n"
)
# A page dense with numbers that look like identifiers, phones and dates: the detectors' slow case.
GERMAN_NUMBERS = (
    "Bestellung 10234567891 vom 12.03.2021, Preis 1 299,00 €, ISBN 978-3-16-148410-0, PLZ 10115, "
    "Menge 3 500 kg, Auftrag 2024-000123, Tel. 030 1234567. "
)


def four_kilobytes(text: str) -> str:
    """`text` repeated up to exactly `CHARS` characters."""
    return (text * (CHARS // max(len(text), 1) + 1))[:CHARS]


def seconds_per_text(text: str, lang: str, number: int = 50, repeat: int = 3) -> float:
    """Best of `repeat` runs of `number` calls of `find_pii`, per call."""
    return min(timeit.repeat(lambda: find_pii(text, lang), number=number, repeat=repeat)) / number


def measure(number: int = 50, repeat: int = 3) -> dict[str, float]:
    """Seconds per 4 KB: the German prose and number-dense page above, and each demo language's paragraphs."""
    texts = {"de-prose": ("de", four_kilobytes(GERMAN_PROSE)), "de-numbers": ("de", four_kilobytes(GERMAN_NUMBERS))}
    for lang, t in load_texts().items():
        texts[lang] = (lang, four_kilobytes("\n".join(t.paragraphs)))
    return {name: seconds_per_text(text, lang, number, repeat) for name, (lang, text) in texts.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=50, help="calls per timing run")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs; the best is reported")
    args = parser.parse_args(argv)
    results = measure(args.number, args.repeat)
    print("| text | µs per 4 KB | MB/s |\n|---|---:|---:|")
    for name, s in results.items():
        print(f"| {name} | {s * 1e6:,.0f} | {CHARS / s / 1e6:,.1f} |")
    mean = statistics.fmean(results.values())
    print(f"| **mean** | {mean * 1e6:,.0f} | {CHARS / mean / 1e6:,.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
