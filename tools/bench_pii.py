"""Time of the PII detectors (`find_pii`) per 4 KB: ordinary prose, and a page dense with numbers that look
like identifiers, phones and dates. CPU time, best of several runs. Not a test: timing is for people.

    python -m eurocurate.tools.bench_pii
"""

from __future__ import annotations

import time
import timeit

from eurocurate.filters.pii.detectors import find_pii

PROSE = (
    "Die Stadtbibliothek verlängert im Winter ihre Öffnungszeiten, damit Schülerinnen und Familien einen "
    "warmen Ort zum Lesen haben. Der Gemeinderat hat das Budget 2024 nach kurzer Debatte mit 23 zu 4 Stimmen "
    "genehmigt; die ersten Abendveranstaltungen beginnen am 12. März um 19.30 Uhr mit Vorträgen zur Geschichte "
    "der Region und kosten 5 € Eintritt. Weitere Informationen: www.bibliothek.example.de.\n"
)
NUMBERS = (
    "Bestellung 10234567891 vom 12.03.2021, Preis 1 299,00 €, ISBN 978-3-16-148410-0, PLZ 10115, "
    "Menge 3 500 kg, Auftrag 2024-000123, Tel. 030 1234567. "
)


def _four_kb(text: str) -> str:
    return (text * (4096 // len(text) + 1))[:4096]


def main() -> None:
    for name, text, lang in (("prose, de", PROSE, "de"), ("prose, pl", PROSE, "pl"), ("numbers, de", NUMBERS, "de")):
        page = _four_kb(text)
        timer = timeit.Timer(lambda page=page, lang=lang: find_pii(page, lang), timer=time.process_time)
        seconds = min(timer.repeat(number=100, repeat=15)) / 100
        print(f"{name:<12} {seconds * 1e6:8.1f} µs per 4 KB")


if __name__ == "__main__":
    main()
