"""Builds the bundled demo corpus: multilingual WARC files from text shipped in `tools/demo_text/`.

Pages are realistic HTML (navigation, cookie banner, aside, footer, scripts) around paragraphs in
each EU language, plus what a real crawl has: exact and near duplicates on mirror hosts, legacy
charsets, pages without `<html lang>`, junk, binary payloads, non-200 responses, revisit records,
undecodable bytes and a truncated file. Deterministic for a given seed.

    python -m eurocurate.tools.demo_corpus --output data/demo
"""

from __future__ import annotations

import argparse
import gzip
import html
import importlib.resources
import json
import random
from dataclasses import dataclass
from pathlib import Path

from eurocurate.tools.warc_writer import WarcRecordSpec, record_bytes, write_warc

CCTLD = {
    "bg": "bg", "hr": "hr", "cs": "cz", "da": "dk", "nl": "nl", "en": "ie", "et": "ee", "fi": "fi",
    "fr": "fr", "de": "de", "el": "gr", "hu": "hu", "ga": "ie", "it": "it", "lv": "lv", "lt": "lt",
    "mt": "mt", "pl": "pl", "pt": "pt", "ro": "ro", "sk": "sk", "sl": "si", "es": "es", "sv": "se",
}  # fmt: skip
LEGACY_CHARSET = {
    "cs": "windows-1250", "pl": "windows-1250", "sk": "windows-1250", "sl": "windows-1250", "hr": "windows-1250",
    "hu": "windows-1250", "ro": "windows-1250", "lt": "windows-1257", "lv": "windows-1257", "et": "windows-1257",
    "bg": "windows-1251", "el": "iso-8859-7",
}  # fmt: skip
MIN_LANGUAGES = 12
# page-level opt-out signals: (weight, extra <head> markup, extra HTTP headers)
PAGE_SIGNALS = {
    "none": (90, "", {}),
    "tdm_header": (2, "", {"tdm-reservation": "1"}),
    "tdm_meta": (2, '<meta name="tdm-reservation" content="1">\n', {}),
    "xrobots_noai": (2, "", {"X-Robots-Tag": "noai"}),
    "xrobots_other_agent": (2, "", {"X-Robots-Tag": "otherbot: noai"}),  # scoped to another agent: not a reservation
    "meta_noai": (2, '<meta name="robots" content="noai, noimageai">\n', {}),
}
# robots.txt of the demo hosts: (weight, HTTP status, body)
ROBOTS_KINDS = {
    "allow_all": (70, 200, "User-agent: *\nDisallow:\n"),
    "gptbot": (8, 200, "User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"),
    "ccbot": (4, 200, "User-agent: CCBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"),
    "prefix": (4, 200, "User-agent: *\nDisallow: /article/00\nAllow: /article/001.html\n"),
    "not_found": (8, 404, "<html>not found</html>"),
    "server_error": (3, 503, "<html>service unavailable</html>"),
}


@dataclass(frozen=True)
class LanguageText:
    lang: str
    paragraphs: list[str]
    nav: list[str]
    cookie: str
    footer: str
    titles: list[str]


def load_texts() -> dict[str, LanguageText]:
    folder = importlib.resources.files("eurocurate.tools") / "demo_text"
    texts = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            d = json.loads(entry.read_text(encoding="utf-8"))
            texts[d["lang"]] = LanguageText(d["lang"], d["paragraphs"], d["nav"], d["cookie"], d["footer"], d["titles"])
    if len(texts) < MIN_LANGUAGES:
        raise RuntimeError(f"demo text for {len(texts)} languages found in {folder}; at least {MIN_LANGUAGES} needed")
    return texts


def render_page(
    t: LanguageText, title: str, paragraphs: list[str], charset: str, with_lang: bool, extra_head: str = ""
) -> str:
    esc = html.escape
    nav = "".join(f'<li><a href="/{i}">{esc(item)}</a></li>' for i, item in enumerate(t.nav))
    aside = "".join(f'<li><a href="/tema/{i}">{esc(item)}</a></li>' for i, item in enumerate(reversed(t.nav[:5])))
    body = "".join(f"<p>{esc(p)}</p>\n" for p in paragraphs)
    lang_attr = f' lang="{t.lang}"' if with_lang else ""
    return f"""<!DOCTYPE html>
<html{lang_attr}>
<head>
<meta charset="{charset}">
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
<link rel="stylesheet" href="/static/site.css">
{extra_head}</head>
<body>
<div id="cookie-banner" class="cookie"><p>{esc(t.cookie)}</p><button>OK</button></div>
<header><a class="logo" href="/">{esc(t.nav[0])}</a><nav><ul>{nav}</ul></nav></header>
<main>
<article>
<h1>{esc(title)}</h1>
{body}</article>
</main>
<aside><h3>{esc(t.nav[1])}</h3><ul>{aside}</ul></aside>
<footer><p>{esc(t.footer)}</p><ul>{nav}</ul></footer>
<script src="/static/app.js"></script>
</body>
</html>
"""


def _html_record(url: str, page: str, charset: str, header_charset: bool, date: str) -> WarcRecordSpec:
    ctype = f"text/html; charset={charset}" if header_charset else "text/html"
    return WarcRecordSpec(url=url, body=page.encode(charset), http_headers={"Content-Type": ctype}, date=date)


def _junk_pages(rng: random.Random, texts: dict[str, LanguageText]) -> list[tuple[str, str]]:
    """(url, html) of low-quality pages a crawl always contains."""
    en = texts.get("en") or next(iter(texts.values()))
    pages = []
    for i in range(6):
        words = "cheap flights best hotels discount casino bonus free download top deals".split()
        spam = " ".join(rng.choice(words) for _ in range(400))
        pages.append((f"https://deals-{i}.example.com/offer", f"<html><body><p>{spam}</p></body></html>"))
    for i in range(6):
        line = rng.choice(en.paragraphs).split(". ")[0]
        body = "".join(f"<p>{html.escape(line)}</p>" for _ in range(40))
        pages.append((f"https://repeat-{i}.example.com/page", f"<html><body><article>{body}</article></body></html>"))
    for i, t in enumerate(list(texts.values())[:6]):
        pages.append(
            (
                f"https://short.{CCTLD[t.lang]}/{i}",
                f"<html><body><article><p>{html.escape(t.titles[0])}</p></article></body></html>",
            )
        )
    for i in range(4):
        lorem = (
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. " * 12
        )
        pages.append(
            (f"https://lorem-{i}.example.com/", f"<html><body><article><p>{lorem}</p></article></body></html>")
        )
    for i in range(4):
        links = "".join(f'<li><a href="https://farm{i}.example.com/{j}">link {j}</a></li>' for j in range(150))
        pages.append((f"https://linkfarm-{i}.example.com/", f"<html><body><ul>{links}</ul></body></html>"))
    return pages


def pii_sentence(rng: random.Random, n: int) -> str:
    """A contact line with personal data, valid or with a broken checksum, as pages carry them."""
    from stdnum import iban, luhn
    from stdnum.pl import pesel

    kind = n % 4
    if kind == 0:
        return f"Email: contact{n}@municipality-{n % 7}.example.eu."
    if kind == 1:
        bban = f"37040044{rng.randint(10**9, 10**10 - 1)}"  # German BBAN: bank code (8) + account (10)
        check = iban.calc_check_digits("DE00" + bban)
        if rng.random() < 0.3:  # a typo in the check digits: not an IBAN, must stay
            check = f"{(int(check) + 1) % 97:02d}"
        number = f"DE{check}{bban}"
        return f"IBAN: {' '.join(number[i : i + 4] for i in range(0, len(number), 4))}."
    if kind == 2:
        return f"Tel: +49 30 {rng.randint(2000000, 9999999)}."
    digits = f"{rng.randint(40, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1000, 9999)}"
    check = pesel.calc_check_digit(digits)
    if rng.random() < 0.3:
        check = str((int(check) + 1) % 10)
    card = "4" + "".join(str(rng.randint(0, 9)) for _ in range(14))
    return f"PESEL: {digits}{check}. Card: {card}{luhn.calc_check_digit(card)}."


def build_records(seed: int = 20261125, pages_per_language: int = 12) -> list[WarcRecordSpec]:
    rng = random.Random(seed)
    texts = load_texts()
    records: list[WarcRecordSpec] = []
    originals: list[tuple[str, str, str, LanguageText]] = []
    for lang in sorted(texts):
        t = texts[lang]
        for n in range(pages_per_language):
            paras = rng.sample(t.paragraphs, k=min(len(t.paragraphs), rng.randint(3, 5)))
            if rng.random() < 0.2:  # about one page in five carries personal data
                paras[-1] = f"{paras[-1]} {pii_sentence(rng, len(records))}"
            title = f"{t.titles[n % len(t.titles)]}"
            charset = "utf-8"
            if lang in LEGACY_CHARSET and rng.random() < 0.25:
                candidate = LEGACY_CHARSET[lang]
                page = render_page(t, title, paras, candidate, True)
                try:
                    page.encode(candidate)
                    charset = candidate
                except UnicodeEncodeError:
                    pass  # the text has letters the legacy charset lacks (e.g. Romanian ș): keep UTF-8
            signal = rng.choices(list(PAGE_SIGNALS), weights=[w for w, _, _ in PAGE_SIGNALS.values()])[0]
            _, meta, header = PAGE_SIGNALS[signal]
            page = render_page(t, title, paras, charset, with_lang=rng.random() > 0.15, extra_head=meta)
            host = f"{rng.choice(['news', 'www', 'public-sector', 'city'])}.demo-{lang}.{CCTLD[lang]}"
            url = f"https://{host}/article/{n:03d}.html"
            date = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
            rec = _html_record(url, page, charset, header_charset=rng.random() > 0.3, date=date)
            rec.http_headers.update(header)
            records.append(rec)
            originals.append((url, page, charset, t))
    # exact duplicates on mirror hosts: same bytes, another URL
    for url, page, charset, _ in rng.sample(originals, k=max(1, len(originals) // 14)):
        records.append(
            _html_record(url.replace("https://", "https://mirror."), page, charset, True, "2026-11-02T08:00:00Z")
        )
    # near duplicates: one paragraph replaced, different boilerplate order
    for url, _, _, t in rng.sample(originals, k=max(1, len(originals) // 28)):
        paras = rng.sample(t.paragraphs, k=4)
        page = render_page(t, t.titles[-1], paras, "utf-8", True)
        records.append(
            _html_record(url.replace("https://", "https://syndicated."), page, "utf-8", True, "2026-11-03T08:00:00Z")
        )
    for url, page in _junk_pages(rng, texts):
        records.append(_html_record(url, page, "utf-8", True, "2026-11-04T08:00:00Z"))
    for i in range(5):  # binary payloads
        jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(rng.getrandbits(8) for _ in range(3000))
        records.append(
            WarcRecordSpec(
                url=f"https://img.example.com/{i}.jpg", body=jpeg, http_headers={"Content-Type": "image/jpeg"}
            )
        )
    for i in range(2):  # declared UTF-8 HTML, but the bytes are noise
        noise = b"<html><body><p>" + bytes(rng.randrange(0x80, 0xA0) for _ in range(4000)) + b"</p></body></html>"
        records.append(WarcRecordSpec(url=f"https://broken-{i}.example.com/", body=noise))
    for i in range(4):  # not found / redirects
        records.append(
            WarcRecordSpec(url=f"https://gone.example.com/{i}", body=b"<html><body>Not found</body></html>", status=404)
        )
    for i in range(3):  # revisit records (payload identical to an earlier capture)
        records.append(WarcRecordSpec(url=originals[i][0], record_type="revisit", date="2026-11-05T08:00:00Z"))
    rng.shuffle(records)
    return records


def robots_records(records: list[WarcRecordSpec], seed: int) -> list[WarcRecordSpec]:
    """robots.txt captures for every host of the pages, as Common Crawl publishes them, plus one TDMRep file."""
    rng = random.Random(seed + 1)
    hosts = sorted({r.url.split("/")[2] for r in records if r.url.startswith("https://") and ".demo-" in r.url})
    captures = []
    for host in hosts:
        kind = rng.choices(list(ROBOTS_KINDS), weights=[w for w, _, _ in ROBOTS_KINDS.values()])[0]
        _, status, body = ROBOTS_KINDS[kind]
        captures.append(
            WarcRecordSpec(
                url=f"https://{host}/robots.txt",
                body=body.encode(),
                status=status,
                http_headers={"Content-Type": "text/plain"},
                date="2026-10-30T00:00:00Z",
            )  # fmt: skip
        )
    tdm_host = hosts[len(hosts) // 2]
    tdm = (
        b'[{"location": "/article/01*", "tdm-reservation": 1, "tdm-policy": "https://'
        + tdm_host.encode()
        + b'/policy.json"}]'
    )
    captures.append(
        WarcRecordSpec(
            url=f"https://{tdm_host}/.well-known/tdmrep.json",
            body=tdm,
            http_headers={"Content-Type": "application/json"},
            date="2026-10-30T00:00:00Z",
        )  # fmt: skip
    )
    return captures


def build_demo_corpus(
    output: Path, seed: int = 20261125, files: int = 4, pages_per_language: int = 12, robots_output: Path | None = None
) -> list[Path]:
    """Write `files` WARC files plus one truncated file; returns their paths. The robots.txt captures go
    to `robots_output` (default: `<output>-robots/robotstxt.warc.gz`), beside the pages, not among them."""
    output.mkdir(parents=True, exist_ok=True)
    records = build_records(seed, pages_per_language)
    robots_dir = robots_output or output.parent / f"{output.name}-robots"
    write_warc(robots_dir / "robotstxt.warc.gz", robots_records(records, seed))
    info = WarcRecordSpec(url="", record_type="warcinfo", body=b"software: eurocurate demo_corpus\r\n")
    paths = []
    for i in range(files):
        path = output / f"demo-{i:05d}.warc.gz"
        write_warc(path, [info, *records[i::files]])
        paths.append(path)
    # a file cut in the middle of its last record, as an interrupted download leaves it
    tail = records[:8]
    broken = output / "demo-truncated.warc.gz"
    data = b"".join(gzip.compress(record_bytes(r), mtime=0) for r in tail)
    last = gzip.compress(record_bytes(tail[-1]), mtime=0)
    broken.write_bytes(data[: len(data) - len(last) // 2])
    paths.append(broken)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", default="data/demo", help="folder for the WARC files")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--pages-per-language", type=int, default=12)
    args = parser.parse_args(argv)
    paths = build_demo_corpus(Path(args.output), args.seed, pages_per_language=args.pages_per_language)
    total = sum(p.stat().st_size for p in paths)
    print(
        f"wrote {len(paths)} WARC files ({total / 1e6:.1f} MB) to {args.output}, robots.txt captures to "
        f"{args.output}-robots/"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
