"""What every chart shares: the rendered ``Chart``, SVG rendering, fonts and labels.

Each chart is a Vega-Lite spec built with altair from the rows of the package,
so a new row is drawn without a code change. Every plotted layer is a named
view; Vega gives its marks the CSS class ``<name>_marks``, which is how the
tests count one mark per plotted row. The charts themselves live one per
module: ``timeline_chart``, ``figures_chart``, ``trade_chart`` and ``pilot_zone_charts``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xborder_data.site._deps import require

if TYPE_CHECKING:
    from xborder_data.package import Package
    from xborder_data.site.i18n import Lang

# Latin first, then the CJK faces readers are likely to have, so Chinese never shows as boxes.
FONT = (
    "'Noto Sans', 'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', "
    "'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
)

# Claim statuses that mean the article's words were not kept as the value.
CORRECTING_STATUSES = ("corrected", "disputed")

# Words that keep their own casing when a code like 'b2b_ecommerce_sales' becomes text.
_SPELLINGS = {"b2b": "B2B", "b2c": "B2C", "c2c": "C2C", "m2b": "M2B", "ecommerce": "e-commerce", "us": "US", "usd": "US$", "cny": "CNY", "gmv": "GMV"}


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its spec, its SVG, its caption, its plotted row counts and row links."""

    name: str
    title: str
    spec: dict[str, Any]
    svg: str
    caption: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    listing: list[dict[str, Any]] = field(default_factory=list)


def render_svg(spec: dict[str, Any], *, outlined_legends: tuple[str, ...] = ()) -> str:
    """Render a Vega-Lite spec to a standalone SVG string with vl-convert.

    Args:
        spec: the Vega-Lite spec.
        outlined_legends: titles of legends whose symbols get a dark outline. Vega-Lite
            draws a shape legend of unfilled points without any stroke; the compiled
            Vega spec is patched for these before rendering.
    """
    vl_convert = require("vl_convert")
    spec = _without_controls(spec)  # vl-convert aborts the process on some control characters
    if not outlined_legends:
        return with_titles(vl_convert.vegalite_to_svg(spec))
    vega = vl_convert.vegalite_to_vega(spec)
    for legend in vega.get("legends", []):
        if legend.get("title") in outlined_legends:
            update = legend.setdefault("encode", {}).setdefault("symbols", {}).setdefault("update", {})
            update.update({"stroke": {"value": "#333"}, "fill": {"value": "white"}, "strokeWidth": {"value": 1.5}})
    return with_titles(vl_convert.vega_to_svg(vega))


# A data mark of Vega's SVG: a path with its description as aria-label (already escaped).
_MARK = re.compile(r'<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="(?!geoshape)[^"]*"[^>]*?/>')


def with_titles(svg: str) -> str:
    """Give every data mark (not the base map's shapes) an SVG ``<title>``: the
    browser's own tooltip, which a static, script-free page can show on hover."""
    return _MARK.sub(lambda mark: mark.group(0)[:-2] + f"><title>{mark.group(1)}</title></path>", svg)


_CONTROLS = dict.fromkeys([*range(0x00, 0x20), 0x7F], " ")
_CONTROLS.pop(0x0A)  # a line break in a label is meant


def _without_controls(value: Any) -> Any:
    """``value`` (a spec: dicts, lists, strings) with control characters as spaces; the data keeps them."""
    if isinstance(value, str):
        return value.translate(_CONTROLS)
    if isinstance(value, dict):
        return {key: _without_controls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_controls(item) for item in value]
    return value


def words(code: str) -> str:
    """A snake_case code as lower-case words, keeping acronyms: 'b2b_ecommerce_sales' -> 'B2B e-commerce sales'."""
    return " ".join(_SPELLINGS.get(part, part) for part in str(code).split("_"))


def sentence(code: str) -> str:
    """``words`` with a capital first letter: 'mobile_commerce_revenue' -> 'Mobile commerce revenue'."""
    text = words(code)
    return text[:1].upper() + text[1:]


def display_width(text: str) -> int:
    """Width in Latin-letter units: a wide (CJK) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# A CJK character is a word of its own; other words are runs of non-space characters.
_TOKENS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+")


def wrap(text: str, width: int) -> list[str]:
    """Wrap at word boundaries, or between CJK characters, never inside a word; CJK counts double."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(str(text)):
        if token.isspace():
            line += " " if line else ""
            continue
        if line and display_width(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
    return lines + [line.rstrip()] if line.strip() or not lines else lines


def enum_values(package: "Package", resource: str, name: str) -> list[str]:
    """The schema's enum of a field, else the values the rows use."""
    for spec in package.table_schema(resource).fields:
        if spec.name == name and spec.enum:
            return list(spec.enum)
    return sorted({str(r[name]) for r in package.records(resource) if r.get(name) is not None})


def key_field(package: "Package", resource: str) -> str:
    """The single primary-key field of ``resource``."""
    return package.table_schema(resource).primary_key[0]


def corrections(package: "Package", resource: str) -> dict[str, list[dict[str, Any]]]:
    """Claims on rows of ``resource`` whose printed value was corrected or disputed."""
    key = key_field(package, resource)
    found = {}
    for row in package.records(resource):
        row_id = str(row[key])
        claims = [c for c in package.sources_for(resource, row_id).claims if c["status"] in CORRECTING_STATUSES]
        if claims:
            found[row_id] = claims
    return found


def printed_note(claims: list[dict[str, Any]], lang: "Lang" = "en") -> str:
    """'headquarters corrected; the article printed “…”': what was fixed and the article's words."""
    from xborder_data.site.i18n import text as words_in

    texts = [str(c["as_printed"]) for c in claims]
    # Keep the longest wording where one quote contains another.
    printed: list[str] = []
    for text in sorted(texts, key=len, reverse=True):
        if not any(text in kept for kept in printed):
            printed.append(text)
    quoted = "; ".join(f"“{text}”" for text in printed)
    what = ", ".join(f"{c['field'] or 'row'} {c['status']}" for c in claims)
    return words_in(lang, "tl.printed", what=what, quoted=quoted)
