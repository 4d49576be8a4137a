"""Which URLs an output may carry: one rule for the site, the exports and the citations.

A URL is kept only when it is http(s), mailto or relative (no scheme). The
scheme is read the way a browser or a spreadsheet would read it, after
undoing every disguise: HTML entities (``&#106;avascript:``), percent-encoding
(``%6Aavascript:``), mixed case, and the whitespace and control characters a
browser drops (``java\\tscript:``, `` javascript:``).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers drop these before reading a URL's scheme ("java\tscript:" runs as javascript:).
_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_ROUNDS = 8  # more layers of encoding than this is refused, never decoded further
# Keys whose string values are URLs, wherever they sit in a descriptor: the spec's own
# (homepage, path, image, email, $schema, profile, rdfType) and any custom key named like one.
URL_KEYS = frozenset({"homepage", "path", "url", "image", "email", "$schema", "profile", "rdfType", "href", "link", "uri", "src"})
_URL_KEY = re.compile(r"(?:url|uri|href|link|path|homepage|image|src)$", re.IGNORECASE)

__all__ = ["SAFE_SCHEMES", "URL_KEYS", "is_local_url", "is_safe_url", "is_url_key", "safe_descriptor", "safe_url"]


def is_url_key(key: object) -> bool:
    """Whether a descriptor key holds a URL (``URL_KEYS``, or a custom key ending like one: ``x-docs-url``)."""
    return isinstance(key, str) and (key in URL_KEYS or _URL_KEY.search(key) is not None)


def _decoded(url: str) -> str | None:
    """``url`` with entities and percent-escapes undone until stable, ignored characters removed; None when it never settles."""
    text = url
    for _ in range(_ROUNDS):
        plain = _IGNORED.sub("", unquote(html.unescape(text), errors="replace"))
        if plain == text:
            return plain
        text = plain
    return None


def is_safe_url(url: object) -> bool:
    """Whether ``url`` is an http(s) or mailto URL, or a relative one (no scheme).

    Example:
        >>> is_safe_url("https://example.org"), is_safe_url("tables/x.html"), is_safe_url("JaVa\\tScRiPt:alert(1)")
        (True, True, False)
    """
    if not isinstance(url, str):
        return False
    text = _decoded(url)
    # '//host' and '/\\host' name another host without a scheme (from file:// pages, an SMB share).
    if text is None or "\\" in text[:1] or text.startswith(("//", "/\\")):
        return False
    scheme = _SCHEME.match(text)
    if scheme is not None:
        return scheme.group(1).lower() in SAFE_SCHEMES
    # No scheme yet a colon before any '/', '?' or '#': some readers guess a scheme there.
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    return ":" not in head


def is_local_url(url: object) -> bool:
    """Whether ``url`` loads nothing from the network: relative, no scheme, not ``//host``.

    What a page may embed (``src``, ``srcset``, CSS ``url()``) must pass this.
    """
    if not is_safe_url(url):
        return False
    text = _decoded(str(url)) or ""
    return _SCHEME.match(text) is None and not text.startswith(("//", "/\\"))


def safe_url(url: object) -> str:
    """``url`` unchanged when it is safe, else "" (so a caller drops the key)."""
    return url.strip() if isinstance(url, str) and is_safe_url(url) else ""


def safe_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``descriptor`` without the URLs the filter refuses.

    Every value of a URL key (``URL_KEYS``: homepage, path, url, image, email),
    at any depth (the package, its resources, licences, sources, contributors),
    is a URL; an unsafe one is removed (the key, never replaced by a guess), and
    an unsafe item of a list of paths is dropped.
    """

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                url_key = is_url_key(key)
                if url_key and isinstance(item, str):
                    if is_safe_url(item):
                        out[key] = item
                elif url_key and isinstance(item, list):
                    out[key] = [clean(x) for x in item if not isinstance(x, str) or is_safe_url(x)]
                else:
                    out[key] = clean(item)
            return out
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    return clean(descriptor)
