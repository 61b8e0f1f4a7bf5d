"""URL normalisation for URL dedup: two fetches of the same resource should normalise to one string,
and `url_key` is that string's 64-bit key (the URL dedup stage and `eurocurate dedup` both key by it).

Lower-cases scheme and host, drops the default port, the fragment, empty query and tracking
parameters (utm_*, click ids, mailing-list ids); keeps path case and the order of other parameters,
because servers may treat those as different resources. Owns no dedup decision (`url_stage`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import idna

from eurocurate.dedup.minhash import stable_hash64

DEFAULT_PORTS = {"http": 80, "https": 443}
# Key of the blake2b-64 hash of a normalised URL; URL indexes of earlier releases were written with it.
URL_HASH_KEY = 11
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "ref_src",
    }
)


def is_tracking_param(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(TRACKING_PREFIXES) or lower in TRACKING_PARAMS


def normalise_url(url: str) -> str:
    """The canonical form used as the URL-dedup key; an unparsable URL is returned stripped."""
    raw = url.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return raw
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = f"[{host}]" if ":" in host else host  # IPv6 literal
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{netloc}"
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    path = parts.path or ("/" if host else "")
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)], doseq=True
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> int:
    """The URL-dedup key of a URL: the 64-bit hash of its normalised form."""
    return stable_hash64(normalise_url(url), URL_HASH_KEY)


def url_match_key(url: str) -> str:
    """The form two URLs of the same page share, as a requester may type them: `normalise_url` (host case, default
    port, tracking parameters, fragment), then http and https folded and a trailing slash dropped. Erasure requests
    and suppression lists compare URLs in it. The host is IDNA 2008 punycode (`straße.example` as
    `xn--strae-oqa.example`) and escapes of unreserved characters are decoded (`%7E` is `~`), as crawlers write
    URLs either way."""
    key = normalise_url(_written_alike(url))
    if key.startswith("http://"):
        key = "https://" + key.removeprefix("http://")
    head, sep, query = key.partition("?")
    if head.endswith("/") and head.count("/") > 3:  # not the root path
        head = head.rstrip("/")
    return head + sep + query


_UNRESERVED_ESCAPE = re.compile(r"%(2[DdEe]|5[Ff]|7[Ee]|[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9])")


def _written_alike(url: str) -> str:
    """`url` with a Unicode host in punycode and percent-escapes of unreserved characters (RFC 3986 §2.3) decoded."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return url
    if host and not host.isascii():
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            ascii_host = host
        url = url.replace(parts.netloc, parts.netloc.lower().replace(host, ascii_host), 1)
    return _UNRESERVED_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), url) if "%" in url else url


def url_prefix_key(prefix: str) -> str:
    """`url_match_key` of a URL prefix, keeping its trailing slash (`/news/` is not `/newsletter`)."""
    key = url_match_key(prefix)
    return key + "/" if prefix.endswith("/") and not key.endswith("/") else key
