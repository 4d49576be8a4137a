"""How to cite the dataset, built from the descriptor so it never drifts."""

from __future__ import annotations

from typing import Any, Literal, get_args

from xborder_data.errors import UsageError
from xborder_data.storage.links import is_safe_url

CitationStyle = Literal["text", "bibtex", "apa"]
STYLES: tuple[str, ...] = get_args(CitationStyle)


def _authors(descriptor: dict[str, Any]) -> str:
    names = [c.get("title", "") for c in descriptor.get("contributors", []) if "creator" in c.get("roles", [c.get("role")])]
    return " and ".join(n for n in names if n) or descriptor.get("name", "xborder-data")


def where_it_lives(descriptor: dict[str, Any]) -> str:
    """Return the package's public address (its ``homepage``), or "" while it has none.

    Nothing is guessed: the citation names an address only when the
    descriptor states one.
    """
    homepage = descriptor.get("homepage")
    if not isinstance(homepage, str) or not is_safe_url(homepage) or not homepage.strip().lower().startswith(("https://", "http://")):
        return ""  # only a web address is an address to cite (never javascript: or a file path)
    return homepage.strip()


def format_citation(descriptor: dict[str, Any], style: str = "text") -> str:
    """Return a citation of the package in ``style``.

    The URL appears only when the descriptor has a ``homepage``.

    Raises:
        UsageError: for a style other than "text", "bibtex" or "apa".
    """
    title = descriptor.get("title", descriptor.get("name", ""))
    version = descriptor.get("version", "")
    year = str(descriptor.get("created", ""))[:4]
    authors = _authors(descriptor)
    licence = ", ".join(lic.get("name", "") for lic in descriptor.get("licenses", []))
    name = descriptor.get("name", "xborder-data")
    url = where_it_lives(descriptor)
    if style == "text":
        at = f" {url}" if url else ""
        return f"{authors} ({year}). {title}. Version {version}. Data Package '{name}', licensed {licence}.{at}"
    if style == "apa":
        at = f" {url}" if url else ""
        return f"{authors}. ({year}). {title} (Version {version}) [Data set].{at}"
    if style == "bibtex":
        key = f"{name.replace('-', '_')}_{version.replace('.', '_')}"
        url_line = f"  url = {{{url}}},\n" if url else ""
        return (
            f"@misc{{{key},\n"
            f"  author = {{{{{authors}}}}},\n"
            f"  title = {{{{{title}}}}},\n"
            f"  year = {{{year}}},\n"
            f"  version = {{{version}}},\n"
            f"{url_line}"
            f"  note = {{Data Package '{name}', {licence}}}\n"
            f"}}"
        )
    raise UsageError(f"unknown citation style {style!r}; choose one of: {', '.join(STYLES)}")
