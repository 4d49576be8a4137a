"""How to cite the dataset, built from the descriptor so it never drifts."""

from __future__ import annotations

from typing import Any, Literal, get_args

from xborder_data.errors import UsageError

CitationStyle = Literal["text", "bibtex", "apa"]
STYLES: tuple[str, ...] = get_args(CitationStyle)


def _authors(descriptor: dict[str, Any]) -> str:
    names = [c.get("title", "") for c in descriptor.get("contributors", []) if "creator" in c.get("roles", [c.get("role")])]
    return " and ".join(n for n in names if n) or descriptor.get("name", "xborder-data")


def format_citation(descriptor: dict[str, Any], style: str = "text") -> str:
    """Return a citation of the package in ``style``.

    Raises:
        UsageError: for a style other than "text", "bibtex" or "apa".
    """
    title = descriptor.get("title", descriptor.get("name", ""))
    version = descriptor.get("version", "")
    year = str(descriptor.get("created", ""))[:4]
    authors = _authors(descriptor)
    licence = ", ".join(lic.get("name", "") for lic in descriptor.get("licenses", []))
    name = descriptor.get("name", "xborder-data")
    if style == "text":
        return f"{authors} ({year}). {title}. Version {version}. Data Package '{name}', licensed {licence}."
    if style == "apa":
        return f"{authors}. ({year}). {title} (Version {version}) [Data set]."
    if style == "bibtex":
        key = f"{name.replace('-', '_')}_{version.replace('.', '_')}"
        return (
            f"@misc{{{key},\n"
            f"  author = {{{{{authors}}}}},\n"
            f"  title = {{{{{title}}}}},\n"
            f"  year = {{{year}}},\n"
            f"  version = {{{version}}},\n"
            f"  note = {{Data Package '{name}', {licence}}}\n"
            f"}}"
        )
    raise UsageError(f"unknown citation style {style!r}; choose one of: {', '.join(STYLES)}")
