"""How to cite the dataset, built from the descriptor so it never drifts."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Literal, get_args

from xborder_data.errors import UsageError
from xborder_data.urls import is_safe_url
from xborder_data.terminal import INVISIBLE, json_text

# gbt7714 is GB/T 7714-2015 in its Chinese form, gbt7714-en the same reference in English.
CitationStyle = Literal["text", "bibtex", "apa", "ris", "csl-json", "gbt7714", "gbt7714-en"]
# Line breaks and other control characters: one of them could start a new BibTeX entry or RIS tag.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Invisible format characters (bidi overrides, zero-width spaces…) are dropped: a citation is printed text.
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
# LaTeX's special characters, and @, which BibTeX reads as the start of an entry.
_BIBTEX = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "@": "{@}",
    "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_BIBTEX_SPECIAL = re.compile(r"[\\{}@%&#$_^~]")


def one_line(text: object) -> str:
    """``text`` on one line: every run of line breaks or control characters becomes one space, invisible characters go."""
    return _INVISIBLE.sub("", _BREAKS.sub(" ", str(text)))


def bibtex_value(text: object) -> str:
    """``text`` safe inside a braced BibTeX value: on one line, LaTeX's specials and @ escaped (no brace left unbalanced)."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX[m.group(0)], one_line(text))


def _bibtex_url(url: str) -> str:
    """A URL for BibTeX's verbatim ``url`` field: percent-encoded where LaTeX escapes would change it."""
    return "".join(f"%{ord(char):02X}" if char in "{}\\ " else char for char in one_line(url))


def _bibtex_key(name: str, version: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{name}_{version}") or "xborder_data"
STYLES: tuple[str, ...] = get_args(CitationStyle)


def _authors(descriptor: dict[str, Any]) -> list[str]:
    """The creators' names, one per contributor (a name is never split: "Research and Development" is one)."""
    names = [str(c.get("title", "")) for c in descriptor.get("contributors", []) if isinstance(c, dict)
             and "creator" in c.get("roles", [c.get("role")])]
    return [n for n in names if n.strip()] or [str(descriptor.get("name", "xborder-data"))]


def where_it_lives(descriptor: dict[str, Any]) -> str:
    """Return the package's public address (its ``homepage``), or "" while it has none.

    Nothing is guessed: the citation names an address only when the
    descriptor states one.
    """
    homepage = descriptor.get("homepage")
    if not isinstance(homepage, str) or not is_safe_url(homepage) or not homepage.strip().lower().startswith(("https://", "http://")):
        return ""  # only a web address is an address to cite (never javascript: or a file path)
    return homepage.strip()


def format_citation(descriptor: dict[str, Any], style: str = "text", *, accessed: date | None = None) -> str:
    """Return a citation of the package in ``style``.

    The URL appears only when the descriptor has a ``homepage``.

    Args:
        accessed: the citation (access) date GB/T 7714 writes; today when None.

    Raises:
        UsageError: for a style other than "text", "bibtex", "apa", "ris", "csl-json", "gbt7714" or "gbt7714-en".

    BibTeX values are escaped (``bibtex_value``), RIS values are on one line
    (no value can start a tag), and CSL-JSON is strict JSON.
    """
    title = descriptor.get("title", descriptor.get("name", ""))
    version = descriptor.get("version", "")
    year = str(descriptor.get("created", ""))[:4]
    creators = _authors(descriptor)
    authors = ", ".join(creators)
    licence = ", ".join(lic.get("name", "") for lic in descriptor.get("licenses", []))
    name = descriptor.get("name", "xborder-data")
    url = where_it_lives(descriptor)
    if style in ("gbt7714", "gbt7714-en"):
        from xborder_data.citing.gbt7714 import Language, dataset_reference, format_reference

        language: Language = "en" if style == "gbt7714-en" else "zh"
        reference = dataset_reference(descriptor, creators, url, accessed or date.today(), language)
        return one_line(format_reference(reference, language))
    if style == "text":
        at = f" {url}" if url else ""
        return f"{authors} ({year}). {title}. Version {version}. Data Package '{name}', licensed {licence}.{at}"
    if style == "apa":
        at = f" {url}" if url else ""
        return f"{authors}. ({year}). {title} (Version {version}) [Data set].{at}"
    if style == "bibtex":
        key = _bibtex_key(str(name), str(version))
        b = bibtex_value
        url_line = f"  url = {{{_bibtex_url(url)}}},\n" if url else ""
        return (
            f"@misc{{{key},\n"
            f"  author = {{{' and '.join('{' + b(creator) + '}' for creator in creators)}}},\n"
            f"  title = {{{{{b(title)}}}}},\n"
            f"  year = {{{b(year)}}},\n"
            f"  version = {{{b(version)}}},\n"
            f"{url_line}"
            f"  note = {{Data Package '{b(name)}', {b(licence)}}}\n"
            f"}}"
        )
    if style == "ris":
        lines = [("TY", "DATA")]
        lines += [("AU", creator) for creator in creators]
        lines += [("TI", title), ("PY", year), ("ET", version)]
        lines += [("UR", url)] if url else []
        lines += [("N1", f"Data Package '{name}', licensed {licence}"), ("ER", "")]
        return "\n".join(f"{tag}  - {one_line(value)}".rstrip() if tag == "ER" else f"{tag}  - {one_line(value)}" for tag, value in lines)
    if style == "csl-json":
        item: dict[str, Any] = {
            "id": _bibtex_key(str(name), str(version)),
            "type": "dataset",
            "title": str(title),
            "author": [{"literal": creator} for creator in creators],
            "version": str(version),
            "note": f"Data Package '{name}', licensed {licence}",
        }
        if year.isdigit():
            item["issued"] = {"date-parts": [[int(year)]]}
        if url:
            item["URL"] = url
        return json_text(json.dumps([item], ensure_ascii=False, allow_nan=False, indent=2))  # C1 and invisibles as \\u escapes
    raise UsageError(f"unknown citation style {style!r}; choose one of: {', '.join(STYLES)}")
