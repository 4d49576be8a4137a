"""Safe links: every href the site renders is http(s), mailto or relative."""

from __future__ import annotations

import html
import re

_SAFE_SCHEMES = {"http", "https", "mailto"}
# Browsers drop these before reading a URL's scheme ("java\tscript:" runs as javascript:).
_IGNORED = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Attribute values are rendered escaped (autoescape), so a value never holds a raw '"'.
_LINK_ATTRIBUTE = re.compile(r'(\s(?:xlink:)?href\s*=\s*)"([^"]*)"', re.IGNORECASE)
INERT = "#"

__all__ = ["INERT", "is_safe_url", "safe_links"]


def is_safe_url(url: str) -> bool:
    """Whether ``url`` is an http(s) or mailto URL, or a relative one (no scheme).

    Example:
        >>> is_safe_url("https://example.org"), is_safe_url("tables/x.html"), is_safe_url("javascript:alert(1)")
        (True, True, False)
    """
    text = _IGNORED.sub("", html.unescape(url))
    scheme = _SCHEME.match(text)
    return scheme is None or scheme.group(1).lower() in _SAFE_SCHEMES


def safe_links(page: str) -> str:
    """Return the HTML ``page`` with every unsafe href replaced by an inert ``#``."""

    def check(match: re.Match[str]) -> str:
        return match.group(0) if is_safe_url(match.group(2)) else f'{match.group(1)}"{INERT}"'

    return _LINK_ATTRIBUTE.sub(check, page)
