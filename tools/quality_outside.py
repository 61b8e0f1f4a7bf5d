"""The quality rules on pages from outside the eval corpus, that no threshold was derived on: code-heavy
documentation (translated manual pages of 13 EU languages, the Debian Reference and the New Maintainers'
Guide in 6) and boilerplate (their tables of contents, Firefox's interface strings in the EU-24 languages),
each judged by the shipped configurations and by the same ones with the line rules as datatrove has them.

    python -m eurocurate.tools.quality_outside --output out/quality_outside [--cache DIR]

The Debian packages are pinned by sha256 (below; Firefox's are the long-tail set's pins) and fetched once
with `apt-get download` into the long-tail cache (`tools/longtail/artefacts.py`). `results.json` holds one
row per page; when a package cannot be had, `UNAVAILABLE.txt` says why and `make eval` skips saying so.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from selectolax.lexbor import LexborHTMLParser

from eurocurate.filters.quality.params import load_language_config
from eurocurate.filters.quality.step import assess_quality
from eurocurate.pipelines.extract.fast import extract_page
from eurocurate.schema import EU24
from eurocurate.tools.longtail.artefacts import UNAVAILABLE, Artefact, ArtefactUnavailable, cache_dir, fetch, load_pins
from eurocurate.tools.longtail.readers import deb_members, firefox_paragraphs
from eurocurate.tools.quality_reference import DATATROVE_LINE_RULES

RESULTS: Final = "results.json"
MANPAGE_LANGUAGES: Final = ("cs", "da", "de", "el", "es", "fi", "fr", "hu", "it", "nl", "pl", "ro", "sv")
GUIDE_LANGUAGES: Final = ("en", "de", "es", "fr", "it", "pt")
# Firefox packs read for interface strings (the English pack is what untranslated strings are told apart by)
FIREFOX_PACKS: Final = frozenset(
    {f"firefox-esr-l10n-{loc}" for loc in ("en-gb", "en-ca", "bg", "cs", "da", "de", "el", "es-es", "et", "fi")}
    | {f"firefox-esr-l10n-{loc}" for loc in ("fr", "ga-ie", "hr", "hu", "it", "lt", "lv", "nl", "pl", "pt-pt")}
    | {f"firefox-esr-l10n-{loc}" for loc in ("ro", "sk", "sl", "sv-se")}
)
UI_STRINGS_PER_PAGE: Final = 40  # a settings or menu page's worth of labels

_DEB: Final = "debian"
PINS: Final[tuple[Artefact, ...]] = tuple(
    Artefact(registry=_DEB, name=name, version=version, sha256=sha, filename=filename)
    for name, version, sha, filename in (
        ("debian-reference-en", "2.100", "9f31d3a17df505de09689ca255512ea58c1fc47c59bb1b0c7bf1c23362e9743f",
         "debian-reference-en_2.100_all.deb"),
        ("debian-reference-de", "2.100", "3b0ce65fd63e75ddf8eb07ca36293425135080e690a07e06a6ac8bc8040ef0aa",
         "debian-reference-de_2.100_all.deb"),
        ("debian-reference-es", "2.100", "a59b68c96f83d3cf29a476c847aee38364764603ea62eee592791e0a843a269e",
         "debian-reference-es_2.100_all.deb"),
        ("debian-reference-fr", "2.100", "01424cba9bfa2e13166da22d3d692d33a22ec7d8ef935ec81fd8802746087f65",
         "debian-reference-fr_2.100_all.deb"),
        ("debian-reference-it", "2.100", "7894062a5e9203a57ec6cb8d6a47d5ffb58c41dc004766522f1b4d78b2a8e0c6",
         "debian-reference-it_2.100_all.deb"),
        ("debian-reference-pt", "2.100", "c9c5d30a8608485bad60f7bd7ce6c755af4a129c2b30511ee733b90ac17e7dfa",
         "debian-reference-pt_2.100_all.deb"),
        ("maint-guide", "1.2.53", "762c8a400a36668d2eb814a3ba356b06488fd889dfce478eb11d5cfb189a47b5",
         "maint-guide_1.2.53_all.deb"),
        ("maint-guide-de", "1.2.53", "821afc6b85ffe9cbc9b7acbcdd5876ccbb855c3876ee5524d21602fd41d979c1",
         "maint-guide-de_1.2.53_all.deb"),
        ("maint-guide-es", "1.2.53", "5a76b5e43285173ce4cce9284fb47b9a1851a68a9c0c0b8300c338d8890a42b6",
         "maint-guide-es_1.2.53_all.deb"),
        ("maint-guide-fr", "1.2.53", "02e6c94eac2c471b898a160717d50f44a3696dfbffda7a9ee74017a6dcd00da8",
         "maint-guide-fr_1.2.53_all.deb"),
        ("maint-guide-it", "1.2.53", "6a0e71272d5e097432a09228230fa4766ff3a702a667edb8b403c338abf804fb",
         "maint-guide-it_1.2.53_all.deb"),
        ("manpages-cs", "4.18.1-1", "2c3c32887089fe16b173073cbd72fd5f000911f1b9b8f384f3f46e01fce39791",
         "manpages-cs_4.18.1-1_all.deb"),
        ("manpages-da", "4.18.1-1", "977b0dee2ab0d0315cc8f0864dd1c89473ece240033e1651a1c23a62e66afff4",
         "manpages-da_4.18.1-1_all.deb"),
        ("manpages-de", "4.18.1-1", "37d2e7ee51f22952aecec3af93647ff59194a3c74bb7a694560f49c7f7ab3978",
         "manpages-de_4.18.1-1_all.deb"),
        ("manpages-el", "4.18.1-1", "79ae710057edfd437a6fcdbf27ed8a1a3e29ae785730282313ed31ff3f93a95d",
         "manpages-el_4.18.1-1_all.deb"),
        ("manpages-es", "4.18.1-1", "d21e9f85e487f149ae45b5c525b2b1a70ae7fd38d4b05b47c8753042c66f4c2b",
         "manpages-es_4.18.1-1_all.deb"),
        ("manpages-fi", "4.18.1-1", "a0491e7141cd540896388fd3d4f394fa96657838780bf7f213eb5e529b0880dd",
         "manpages-fi_4.18.1-1_all.deb"),
        ("manpages-fr", "4.18.1-1", "ec29759cc0e4a44dc7719c1e32869d0060667049e584f09556f0d982b969ea33",
         "manpages-fr_4.18.1-1_all.deb"),
        ("manpages-hu", "1:4.18.1-1", "f4f4556a25194958d08fe9c87c946294a1ad4bd2b265bdc71d9ae1883e5ea2cf",
         "manpages-hu_1%3a4.18.1-1_all.deb"),
        ("manpages-it", "4.18.1-1", "4b18e87cc1b6a930d40949ddc86fb8e84b50da1a862cd17e2a504eeb8e3b4e48",
         "manpages-it_4.18.1-1_all.deb"),
        ("manpages-nl", "4.18.1-1", "c1ac0e9fb2ff88a8d7f796042ce7d876fa8918e5d3367521c7f09dd885eb3b2d",
         "manpages-nl_4.18.1-1_all.deb"),
        ("manpages-pl", "1:4.18.1-1", "31e518ea8331b5204d4fd0032037f96af1ba94a5afa4f0585dca1996b270cdf9",
         "manpages-pl_1%3a4.18.1-1_all.deb"),
        ("manpages-ro", "4.18.1-1", "1d1d32dbc090850c1e796fd51156ae3852e1cc46a22d712493800182817f6024",
         "manpages-ro_4.18.1-1_all.deb"),
        ("manpages-sv", "4.18.1-1", "12b386ce4e11fadf3c05b55a813c81df129d244606ba3383da586d39a4a8cca4",
         "manpages-sv_4.18.1-1_all.deb"),
    )
)  # fmt: skip

_GUIDE_PAGE = re.compile(r"/(?P<name>[\w-]+)\.(?P<lang>[a-z]{2})\.html$")


@dataclass(frozen=True)
class OutsidePage:
    kind: str  # "documentation" (keep) or "boilerplate" (drop)
    source: str  # manpages | debian-reference | maint-guide | firefox
    lang: str
    name: str
    text: str


def man_pages(deb: Path, lang: str) -> Iterator[OutsidePage]:
    """Every manual page of a `manpages-<lang>` package, rendered by groff with paragraphs on one line each
    (as a web page's extracted text has them; man's 80-column wrapping would make every line end mid-sentence)."""
    for path, data in deb_members(deb, (".gz",)):
        if "/share/man/" not in path:
            continue
        done = subprocess.run(
            ["groff", "-k", "-Kutf-8", "-man", "-Tutf8", "-P-cbou", "-rLL=3000n", "-rHY=0"],
            input=gzip.decompress(data),
            capture_output=True,
            timeout=60,
        )
        text = "\n".join(line.rstrip() for line in done.stdout.decode("utf-8", "replace").splitlines())
        yield OutsidePage("documentation", "manpages", lang, path.rsplit("/", 1)[-1], text.strip("\n"))


def guide_pages(deb: Path, source: str) -> Iterator[OutsidePage]:
    """The HTML guides: each top-level section of a chapter as a page (extracted as the pipeline extracts),
    the table of contents (`index.<lang>.html`) as a boilerplate page."""
    for path, data in deb_members(deb, (".html",)):
        match = _GUIDE_PAGE.search(path)
        if match is None:
            continue
        lang, name, html = match["lang"], match["name"], data.decode("utf-8", "replace")
        if name == "index":
            yield OutsidePage("boilerplate", source, lang, f"{name}.{lang}", extract_page(html).text or "")
            continue
        tree = LexborHTMLParser(html)
        sections = [s for s in tree.css("div.section, section") if s.css_first("h2") is not None]
        top = [s for s in sections if not any(p is not s and _contains(p, s) for p in sections)]
        for i, section in enumerate(top or [tree.body]):
            text = extract_page(f"<html><body>{section.html}</body></html>").text or ""
            yield OutsidePage("documentation", source, lang, f"{name}.{lang}#{i}", text)


def _contains(outer, inner) -> bool:
    node = inner.parent
    while node is not None:
        if node.mem_id == outer.mem_id:
            return True
        node = node.parent
    return False


def ui_pages(firefox_debs: list[Path]) -> Iterator[OutsidePage]:
    """Firefox's interface strings of the EU-24 languages, a catalogue's strings in pages of
    `UI_STRINGS_PER_PAGE` lines: menus, buttons and settings labels."""
    by_unit: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in firefox_paragraphs(firefox_debs):
        lang = p.code.split("-")[0].lower()
        if lang in EU24 and lang != "en":
            by_unit[(lang, p.unit)].append(p.text.replace("\n", " "))
    for (lang, unit), strings in sorted(by_unit.items()):
        for i in range(0, len(strings) - UI_STRINGS_PER_PAGE + 1, UI_STRINGS_PER_PAGE):
            text = "\n".join(strings[i : i + UI_STRINGS_PER_PAGE])
            yield OutsidePage("boilerplate", "firefox", lang, f"{unit}#{i // UI_STRINGS_PER_PAGE}", text)


def judge(page: OutsidePage) -> dict:
    """The page's verdict under the shipped configuration and with the line rules as datatrove has them."""
    shipped = assess_quality(page.text, page.lang, load_language_config(page.lang))
    as_datatrove = assess_quality(page.text, page.lang, load_language_config(page.lang, overrides=DATATROVE_LINE_RULES))
    return {
        **{k: v for k, v in asdict(page).items() if k != "text"},
        "chars": len(page.text),
        "code_lines": shipped.stats.get("fineweb.code_lines"),
        "kept": shipped.drop is None,
        "reason": shipped.drop.reason if shipped.drop else None,
        "kept_line_rules_as_datatrove": as_datatrove.drop is None,
        "reason_line_rules_as_datatrove": as_datatrove.drop.reason if as_datatrove.drop else None,
    }


def all_pages(cache: Path) -> Iterator[OutsidePage]:
    for artefact in PINS:
        deb = fetch(artefact, cache)
        if artefact.name.startswith("manpages-"):
            yield from man_pages(deb, artefact.name.removeprefix("manpages-"))
        else:
            source = "debian-reference" if artefact.name.startswith("debian-reference") else "maint-guide"
            yield from guide_pages(deb, source)
    firefox = [fetch(a, cache) for a in load_pins() if a.name in FIREFOX_PACKS]
    yield from ui_pages(firefox)


def summary(rows: list[dict]) -> list[str]:
    """Per kind and language: pages, kept by the shipped rules, kept with datatrove's line rules."""
    table: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in rows:
        for key in ((r["kind"], r["lang"]), (r["kind"], "all")):
            table[key].update(pages=1, kept=r["kept"], kept_dt=r["kept_line_rules_as_datatrove"])
    lines = ["kind          lang  pages  kept (shipped)   kept (line rules as datatrove)"]
    for (kind, lang), c in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] == "all", kv[0][1])):
        lines.append(
            f"{kind:13} {lang:4} {c['pages']:6}  {c['kept']:5} {c['kept'] / c['pages']:6.1%}   "
            f"{c['kept_dt']:5} {c['kept_dt'] / c['pages']:6.1%}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="eurocurate.tools.quality_outside", description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, required=True, help=f"folder for {RESULTS}")
    ap.add_argument("--cache", help="download cache (default $EUROCURATE_LONGTAIL_CACHE or ~/.cache/...)")
    args = ap.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    unavailable = args.output / UNAVAILABLE
    try:
        rows = [judge(page) for page in all_pages(cache_dir(args.cache)) if page.text.strip()]
    except ArtefactUnavailable as e:
        unavailable.write_text(f"{e}\n", encoding="utf-8")
        print(f"cannot build the outside-corpus quality set: {e}", file=sys.stderr)
        return 2
    unavailable.unlink(missing_ok=True)
    (args.output / RESULTS).write_text(json.dumps(rows, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print("\n".join(summary(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
