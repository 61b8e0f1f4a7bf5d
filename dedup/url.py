"""URL normalisation for URL dedup: two fetches of the same resource should normalise to one string.

Lower-cases scheme and host, drops the default port, the fragment, empty query and tracking
parameters (utm_*, click ids, mailing-list ids); keeps path case and the order of other parameters,
because servers may treat those as different resources.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
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
