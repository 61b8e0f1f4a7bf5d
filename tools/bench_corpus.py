"""A larger benchmark corpus made from a small one: each source record re-emitted `factor` times.

Round 0 is the source as is; in every later round a record gets a new host and path (same TLD) and a
new record ID, and its payload is either kept byte for byte (`exact_share` of the records: exact
duplicates) or, for HTML, perturbed: `replace_share` of the words in text nodes (not scripts, styles,
tags or entities) swapped for other words of the same page, so near duplicates exist too. One output
file per round (source files in a seeded order), gzip per record, one record in memory at a time.
Deterministic for a seed. Not a source of new text: the mix of languages and page kinds is the source's.

    python -m eurocurate.tools.bench_corpus --output out/bench-corpus --factor 20 [WARC ...]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import random
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from eurocurate.tools.corpus_view import given_or_corpus_warcs
from eurocurate.tools.warc_writer import deterministic_record_id

HOST_PREFIXES = ("www", "m", "mirror", "archive", "web", "static", "amp", "beta")
PATH_PREFIXES = ("p", "a", "doc", "item", "page", "story")
_TAG = re.compile(rb"<!--.*?-->|<[^>]*>", re.S)
_RAW_TEXT_OPEN = re.compile(rb"<(script|style)\b", re.I)
_RAW_TEXT_CLOSE = re.compile(rb"</(script|style)\s*>", re.I)
_WORD_OR_ENTITY = re.compile(r"&#?\w+;|[^\W\d_]{2,}")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_:.\-]+)""", re.I)
_HTTP_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*\d+")


def build_scaled_corpus(
    src_warcs: list[Path],
    out_dir: Path,
    factor: int,
    seed: int = 20261125,
    *,
    replace_share: float = 0.03,
    exact_share: float = 0.1,
    jobs: int = 1,
) -> list[Path]:
    """Write `factor` rounds of every record of `src_warcs` to `out_dir/scaled-RRRR.warc.gz`; returns the files.
    `jobs` processes write rounds side by side (the files are the same for any `jobs`: each round has its own seeds)."""
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    if not src_warcs:
        raise ValueError("build_scaled_corpus needs at least one source WARC; got none")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    out_dir.mkdir(parents=True, exist_ok=True)
    rounds = [(list(src_warcs), out_dir / f"scaled-{r:04d}.warc.gz", r, seed, replace_share, exact_share)
              for r in range(factor)]  # fmt: skip
    if jobs == 1 or factor == 1:
        return [_write_round(*args) for args in rounds]
    # a round of the dev corpus is ~10 s of one core (gzip and the perturbation): 100 rounds want both cores
    with ProcessPoolExecutor(max_workers=min(jobs, factor), mp_context=get_context("spawn")) as pool:
        return list(pool.map(_write_round, *zip(*rounds, strict=True)))


def _write_round(
    src_warcs: list[Path], path: Path, round_: int, seed: int, replace_share: float, exact_share: float
) -> Path:
    order = list(range(len(src_warcs)))
    random.Random(f"{seed}/order/{round_}").shuffle(order)
    partial = path.with_name(path.name + ".partial")  # an interrupted build leaves no file that looks complete
    with open(partial, "wb") as out:
        for file_index in order:
            for index, (version, headers, block) in enumerate(_records(src_warcs[file_index])):
                if round_ > 0:
                    rng = random.Random(f"{seed}/{round_}/{file_index}/{index}")
                    headers, block = _variant(headers, block, round_, rng, replace_share, exact_share)
                out.write(gzip.compress(_record_bytes(version, headers, block), compresslevel=6, mtime=0))
    partial.replace(path)
    return path


def _records(path: Path) -> Iterator[tuple[str, list[tuple[str, str]], bytes]]:
    from fastwarc.warc import ArchiveIterator

    with open(path, "rb") as f:
        for record in ArchiveIterator(f, parse_http=False):
            yield record.headers.status_line, list(record.headers.items()), record.reader.read()


def _record_bytes(version: str, headers: list[tuple[str, str]], block: bytes) -> bytes:
    lines = [version] + [f"{k}: {v}" for k, v in headers if k.lower() != "content-length"]
    lines.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def _variant(
    headers: list[tuple[str, str]],
    block: bytes,
    round_: int,
    rng: random.Random,
    replace_share: float,
    exact_share: float,
) -> tuple[list[tuple[str, str]], bytes]:
    """The record as a later round emits it: new URL and ID; payload kept or perturbed."""
    get = {k.lower(): v for k, v in headers}
    old_id = get.get("warc-record-id", "")
    url = get.get("warc-target-uri")
    new_url = _moved_url(url, round_, rng) if url else None
    new_block = block
    if get.get("warc-type") == "response" and rng.random() >= exact_share:
        new_block = _perturbed_response(block, rng, replace_share)
    changed = new_block is not block
    out = []
    for key, value in headers:
        k = key.lower()
        if k == "warc-record-id":
            value = deterministic_record_id(old_id, salt=f"scaled/{round_}/")
        elif k == "warc-target-uri" and new_url:
            value = new_url
        elif k == "warc-block-digest" and changed:
            value = _sha1(new_block)
        elif k == "warc-payload-digest" and changed:
            value = _sha1(new_block.partition(b"\r\n\r\n")[2])
        out.append((key, value))
    return out, new_block


def _moved_url(url: str, round_: int, rng: random.Random) -> str:
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    host = f"{rng.choice(HOST_PREFIXES)}{round_}.{parts.hostname}"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = f"/{rng.choice(PATH_PREFIXES)}{round_}{parts.path or '/'}"
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _perturbed_response(block: bytes, rng: random.Random, share: float) -> bytes:
    """The HTTP response with words of its HTML text nodes replaced; anything else comes back unchanged
    (the same object, so the caller knows the digests still hold)."""
    head, sep, body = block.partition(b"\r\n\r\n")
    lower = head.lower()
    if not sep or b"html" not in lower or b"content-encoding:" in lower or b"transfer-encoding:" in lower:
        return block
    charset = _charset(head, body)
    new_body = _perturbed_html(body, charset, rng, share)
    if new_body is body:
        return block
    head = _HTTP_CONTENT_LENGTH.sub(f"Content-Length: {len(new_body)}".encode("ascii"), head)
    return head + sep + new_body


def _charset(head: bytes, body: bytes) -> str:
    for source in (head, body[:4096]):
        m = _CHARSET.search(source)
        if m:
            name = m.group(1).decode("ascii")
            try:
                "".encode(name)
                return name
            except LookupError:
                pass
    return "utf-8"


def _perturbed_html(body: bytes, charset: str, rng: random.Random, share: float) -> bytes:
    # Split into tags and text with bytes regexes, so that markup is copied byte for byte; text nodes
    # are decoded with surrogateescape, so undecodable bytes survive the round trip too.
    pieces: list[bytes | str] = []  # tags/raw text as bytes, visible text as str
    pos, raw_text = 0, False
    for m in _TAG.finditer(body):
        text = body[pos : m.start()]
        pieces.append(text if raw_text else text.decode(charset, "surrogateescape"))
        tag = m.group(0)
        pieces.append(tag)
        if _RAW_TEXT_OPEN.match(tag):
            raw_text = True
        elif _RAW_TEXT_CLOSE.match(tag):
            raw_text = False
        pos = m.end()
    tail = body[pos:]
    pieces.append(tail if raw_text else tail.decode(charset, "surrogateescape"))
    words = [
        (i, m.start(), m.end())
        for i, piece in enumerate(pieces)
        if isinstance(piece, str)
        for m in _WORD_OR_ENTITY.finditer(piece)
        if not m.group(0).startswith("&")
    ]
    n = round(len(words) * share)
    if n == 0:
        return body
    vocabulary = [pieces[i][a:b] for i, a, b in words]
    chosen = sorted(rng.sample(range(len(words)), n), reverse=True)  # right to left: offsets stay valid
    for w in chosen:
        i, a, b = words[w]
        piece = pieces[i]
        pieces[i] = piece[:a] + rng.choice(vocabulary) + piece[b:]
    try:
        return b"".join(p if isinstance(p, bytes) else p.encode(charset, "surrogateescape") for p in pieces)
    except UnicodeEncodeError:  # a charset that cannot round-trip what it decoded: keep the page as is
        return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "warcs", nargs="*", type=Path, help="source WARCs (default: $EUROCURATE_CORPUS/warc/eu24-dev-0*.warc.gz)"
    )
    parser.add_argument("--output", type=Path, required=True, help="folder for scaled-RRRR.warc.gz")
    parser.add_argument("--factor", type=int, default=20, help="records out per record in (default 20)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--jobs", type=int, default=1, help="processes writing rounds side by side (same files)")
    parser.add_argument("--replace-share", type=float, default=0.03, help="share of words replaced in perturbed pages")
    parser.add_argument(
        "--exact-share", type=float, default=0.1, help="share of later-round records kept byte for byte"
    )
    args = parser.parse_args(argv)
    warcs = given_or_corpus_warcs(args.warcs, parser.error)
    files = build_scaled_corpus(
        warcs,
        args.output,
        args.factor,
        args.seed,
        replace_share=args.replace_share,
        exact_share=args.exact_share,
        jobs=args.jobs,
    )
    size = sum(f.stat().st_size for f in files) / 1e6
    print(f"wrote {len(files)} files, {size:.1f} MB, to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
