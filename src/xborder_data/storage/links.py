"""One link filter for every output: the site, the exports and the citations.

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
# Attribute values are rendered escaped (autoescape), so a value never holds a raw '"'.
# An attribute's value: double-quoted, single-quoted or bare, as an HTML parser reads it.
_VALUE = r"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
# A space or a '/' may separate attributes (<a/href=...> is read as an href by browsers).
_LINK_ATTRIBUTE = re.compile(r"([\s/](?:xlink:)?(?:href|action|formaction)\s*=\s*)" + _VALUE, re.IGNORECASE)
# A start tag with its attributes (a quoted value may hold '>').
# A start tag, however malformed, up to the '>' that is outside quotes.
_TAG = re.compile(r"""<[A-Za-z][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
INERT = "#"

# What a page loads rather than links to: these must never name another host.
_EMBED_ATTRIBUTE = re.compile(r"([\s/](?:src|srcset|poster|data|background|xlink:href|href)\s*=\s*)" + _VALUE, re.IGNORECASE)
_EMBED_TAG = re.compile(r"""<(?:img|image|script|link|source|video|audio|iframe|embed|object|track|use|feimage)\b[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""",
                        re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*([^)]*?)\s*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)
# CSS lives in <style> elements and style attributes; elsewhere "url(" is a page's visible text.
_STYLE_ELEMENT = re.compile(r"(<style\b[^>]*>)(.*?)(</style\s*>|$)", re.IGNORECASE | re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r"([\s/]style\s*=\s*)" + _VALUE, re.IGNORECASE)
# Keys whose string values are URLs, wherever they sit in a descriptor: the spec's own
# (homepage, path, image, email, $schema, profile, rdfType) and any custom key named like one.
URL_KEYS = frozenset({"homepage", "path", "url", "image", "email", "$schema", "profile", "rdfType", "href", "link", "uri", "src"})
_URL_KEY = re.compile(r"(?:url|uri|href|link|path|homepage|image|src)$", re.IGNORECASE)


def is_url_key(key: object) -> bool:
    """Whether a descriptor key holds a URL (``URL_KEYS``, or a custom key ending like one: ``x-docs-url``)."""
    return isinstance(key, str) and (key in URL_KEYS or _URL_KEY.search(key) is not None)
# The Content-Security-Policy every page carries: nothing is loaded from another host.
CSP = (
    "default-src 'self' 'unsafe-inline' data:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'none'; media-src 'none'; "
    "object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'"
)

__all__ = [
    "CSP", "INERT", "SAFE_SCHEMES", "is_local_url", "is_safe_url", "offline_page", "safe_descriptor", "safe_links", "safe_url",
]


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


def safe_links(page: str) -> str:
    """Return the HTML ``page`` with every unsafe href replaced by an inert ``#``.

    Only attributes inside tags are read: a page's text (where '<' is always escaped)
    is never changed, even when it reads like an attribute.
    """

    def check(match: re.Match[str]) -> str:
        return match.group(0) if is_safe_url(_value(match)) else f'{match.group(1)}"{INERT}"'

    return _TAG.sub(lambda tag: _LINK_ATTRIBUTE.sub(check, tag.group(0)), page)


def _value(match: re.Match[str]) -> str:
    """The value of an attribute matched with ``_VALUE``, whichever way it is quoted."""
    return next((group for group in match.groups()[1:] if group is not None), "")


def _srcset_is_local(value: str) -> bool:
    return all(is_local_url(candidate.strip().split(" ")[0]) for candidate in html.unescape(value).split(",") if candidate.strip())


def offline_page(page: str) -> str:
    """Return the HTML ``page`` loading nothing from the network.

    In every tag that loads what it names (img, script, link, source, SVG
    image/use...), a ``src``, ``srcset`` or ``href`` that is not local is
    emptied; a CSS ``url()`` that is not local becomes ``url()``, and
    ``@import`` is removed. The Content-Security-Policy (``CSP``) forbids the
    rest in the browser.
    """

    def attribute(match: re.Match[str]) -> str:
        name = match.group(1).strip(" \t\n\r\f/").split("=")[0].strip().lower()
        value = _value(match)
        local = _srcset_is_local(value) if name == "srcset" else is_local_url(value)
        return match.group(0) if local else f'{match.group(1)}""'

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        return _EMBED_ATTRIBUTE.sub(attribute, text)

    def css(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        unquoted = inner[1:-1] if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"" else inner
        return match.group(0) if is_local_url(unquoted) else "url()"

    def sheet(text: str) -> str:
        # Entities are undone first: an attribute's CSS is read after unescaping.
        return _CSS_IMPORT.sub("", _CSS_URL.sub(css, html.unescape(text) if "&" in text else text))

    def styled(match: re.Match[str]) -> str:
        return _STYLE_ATTRIBUTE.sub(lambda m: f'{m.group(1)}"{html.escape(sheet(_value(m)), quote=True)}"', match.group(0))

    page = _EMBED_TAG.sub(tag, page)
    page = _STYLE_ELEMENT.sub(lambda m: m.group(1) + sheet(m.group(2)) + m.group(3), page)
    return _TAG.sub(styled, page)  # style attributes inside tags only: never a page's text


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
                if is_url_key(key) and isinstance(item, str):
                    if is_safe_url(item):
                        out[key] = item
                elif is_url_key(key) and isinstance(item, list):
                    out[key] = [clean(x) for x in item if not isinstance(x, str) or is_safe_url(x)]
                else:
                    out[key] = clean(item)
            return out
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    return clean(descriptor)
