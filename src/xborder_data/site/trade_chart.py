"""The official trade series (`trade_values`): the annual series by scope, and every figure by period.

``annual`` draws one bar per year and scope, export and import stacked where a
source splits them, from the latest figure of each year. ``trade_series`` draws
every row, one line per scope and flow.

The series changes what it counts (its ``scope``) over time, so a line joins
only rows of one scope, one flow and one period length, and each period
contributes the figure that superseded the others. Every row is also drawn as
its own point; the figures a line passes by (first releases later revised) stay
visible as hollow points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xborder_data.errors import UsageError
from xborder_data.research.trade import series_rows as library_series, supersedes_key
from xborder_data.site._deps import require
from xborder_data.site.charts import FONT, Chart, enum_values, render_svg
from xborder_data.site.i18n import STRINGS, Lang, join, text
from xborder_data.tableschema.types import plain_text as number_text
from xborder_data.site.tables import table_href

if TYPE_CHECKING:
    from xborder_data.package import Package

RESOURCE = "trade_values"
POINTS_LAYER = "tr_points"
LINES_LAYER = "tr_lines"
BREAKS_LAYER = "tr_breaks"

# How a figure's revision is marked: from `vintage` (1.2.0: first_release, revised, final,
# implied), else from `revision` (1.1.0's preliminary, final, later_revision) for older copies.
FIRST_RELEASE = "first release"
REVISED = "revised or final"
IMPLIED = "implied by other figures (derived)"
NOT_STATED = "revision not stated"
RELEASE_KEYS = {FIRST_RELEASE: "trade.release.first", REVISED: "trade.release.revised", IMPLIED: "trade.release.implied", NOT_STATED: "trade.release.not_stated"}
RELEASE_KINDS = {
    "preliminary": FIRST_RELEASE,
    "first_release": FIRST_RELEASE,
    "final": REVISED,
    "later_revision": REVISED,
    "revised": REVISED,
    "implied": IMPLIED,
}
RELEASE_SHAPES = {FIRST_RELEASE: "circle", REVISED: "diamond", IMPLIED: "triangle-up", NOT_STATED: "square"}
SCOPE_COLOURS = ["#6a51a3", "#e6550d", "#2171b5", "#7f7f7f"]
FLOW_DASHES = {"total": [1, 0], "export": [7, 3], "import": [2, 3]}


def scope_name(code: str, lang: Lang = "en") -> str:
    """A scope in words; 'unknown' reads as what it means."""
    key = f"trade.scope.{code}"
    return text(lang, key) if key in STRINGS else code.replace("_", " ")


def flow_name(code: str, lang: Lang = "en") -> str:
    key = f"trade.flow.{code}"
    return text(lang, key) if key in STRINGS else code


@dataclass(frozen=True)
class Series:
    """Rows that may be joined by one line: same scope, flow and period length."""

    scope: str
    flow: str
    span: str

    @property
    def label(self) -> str:
        return f"{scope_name(self.scope)}, {self.flow}, {self.span}"

    def label_in(self, lang: Lang) -> str:
        if lang == "en":
            return self.label
        if self.span in ("year", "half year"):
            span = text(lang, f"trade.span.{self.span.replace(' ', '_')}")
        else:
            span = text(lang, "trade.span.months", months=self.span.removesuffix("-month span"))
        return join(lang, [scope_name(self.scope, lang), flow_name(self.flow, lang), span])


def period_span(start: dt.date, end: dt.date) -> str:
    """'year', 'half year' or 'N-month span': values of different spans never share a line."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if start.day == 1 and months == 12 and start.month == 1:
        return "year"
    if start.day == 1 and months == 6:
        return "half year"
    return f"{months}-month span"


def _midpoint(start: dt.date, end: dt.date) -> dt.date:
    return start + (end - start) / 2


def release_kind(row: dict[str, Any]) -> str:
    """How the chart marks a row's revision: first release, revised or final, implied, or not stated.

    A value the package computes from other rows (``derived``) is marked implied, whatever its revision.
    """
    if row.get("derived"):
        return IMPLIED
    return RELEASE_KINDS.get(row.get("vintage") or row.get("revision") or "", NOT_STATED)


def series_rows(package: "Package") -> dict[Series, list[dict[str, Any]]]:
    """The rows of each series, in period order."""
    found: dict[Series, list[dict[str, Any]]] = {}
    for row in sorted(package.records(RESOURCE), key=lambda r: (r["period_end"], r["trade_value_id"])):
        key = Series(row["scope"], row["flow"], period_span(row["period_start"], row["period_end"]))
        found.setdefault(key, []).append(row)
    return found


def line_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per period: the figure that supersedes the others, by the library's one rule."""
    by_period: dict[tuple[dt.date, dt.date], dict[str, Any]] = {}
    for row in rows:
        period = (row["period_start"], row["period_end"])
        if period not in by_period or supersedes_key(row) > supersedes_key(by_period[period]):
            by_period[period] = row
    return [by_period[p] for p in sorted(by_period)]


def scope_breaks(package: "Package", lang: Lang = "en") -> list[dict[str, Any]]:
    """Where the series changes scope: the first period start of each later known scope."""
    firsts: dict[str, dt.date] = {}
    for row in package.records(RESOURCE):
        if row["scope"] != "unknown":
            firsts[row["scope"]] = min(firsts.get(row["scope"], row["period_start"]), row["period_start"])
    ordered = sorted(firsts.items(), key=lambda item: item[1])
    return [
        {"date": start.isoformat(), "label": text(lang, "trade.all.scope_change", year=start.year, scope=scope_name(scope, lang)), "offset": 4 + 15 * i}
        for i, (scope, start) in enumerate(ordered[1:])
    ]


def _point(row: dict[str, Any], series: Series, on_line: bool, lang: Lang = "en") -> dict[str, Any]:
    qualifier = {"more_than": "more than ", "about": "about "}.get(row["value_qualifier"], "")
    return {
        "id": row["trade_value_id"],
        "x": _midpoint(row["period_start"], row["period_end"]).isoformat(),
        "value": row["value"],
        "scope": scope_name(row["scope"], lang),
        "flow": flow_name(row["flow"], lang),
        "flow_code": row["flow"],
        "series": series.label,
        "release": text(lang, RELEASE_KEYS[release_kind(row)]),
        "first": release_kind(row) == FIRST_RELEASE,
        "on_line": on_line,
        "period": row["period_label"] if series.span != "year" else "",
        "description": (
            f"{row['trade_value_id']}: {row['period_label']} {row['flow']}, {qualifier}{number_text(row['value'])} "
            f"CNY billion; scope {row['scope']}; {release_kind(row)}"
        ),
    }


def trade_series(package: "Package", lang: Lang = "en") -> Chart:
    """Trade values by period on a log scale, lines broken wherever the scope changes."""
    alt = require("altair")
    all_series = series_rows(package)
    points, lines, listing = [], [], []
    for series, rows in all_series.items():
        joined = line_rows(rows)
        joined_ids = {r["trade_value_id"] for r in joined}
        points += [_point(r, series, r["trade_value_id"] in joined_ids, lang) for r in rows]
        if len(joined) > 1:
            lines += [dict(_point(r, series, True, lang), description=f"line {series.label}") for r in joined]
        listing.append(
            {
                "series": series.label_in(lang),
                "rows": [
                    {"id": r["trade_value_id"], "href": table_href(RESOURCE, r["trade_value_id"]), "on_line": r["trade_value_id"] in joined_ids}
                    for r in rows
                ],
            }
        )
    # First releases first, so a revised figure of the same period is drawn on top of its hollow circle.
    points.sort(key=lambda p: not p["first"])
    scopes = [scope_name(s, lang) for s in enum_values(package, RESOURCE, "scope")]
    colour = alt.Color("scope:N", title=text(lang, "trade.all.scope"), scale=alt.Scale(domain=scopes, range=SCOPE_COLOURS[: len(scopes)]))
    flows = enum_values(package, RESOURCE, "flow")
    first = min(r["period_start"] for r in package.records(RESOURCE)).year
    last = max(r["period_end"] for r in package.records(RESOURCE)).year
    x = alt.X(
        "x:T",
        title=text(lang, "trade.all.x"),
        scale=alt.Scale(domain=[f"{first}-01-01", f"{last + 1}-01-01"]),
        axis=alt.Axis(format="%Y", tickCount="year", labelAngle=0),
    )
    y = alt.Y("value:Q", title=text(lang, "trade.all.y"), scale=alt.Scale(type="log"), axis=alt.Axis(format=",~r"))
    present = {p["release"] for p in points}
    release_domain = [text(lang, RELEASE_KEYS[kind]) for kind in RELEASE_SHAPES if text(lang, RELEASE_KEYS[kind]) in present]
    release_shapes = {text(lang, RELEASE_KEYS[kind]): shape for kind, shape in RELEASE_SHAPES.items()}
    layers = [
        alt.Chart(alt.Data(values=scope_breaks(package, lang)), name=BREAKS_LAYER)
        .mark_rule(color="#555", strokeDash=[4, 4])
        .encode(x="date:T"),
        alt.Chart(alt.Data(values=scope_breaks(package, lang)), name="tr_break_labels")
        .mark_text(align="left", baseline="top", dx=4, fontSize=11, color="#333")
        .encode(x="date:T", y=alt.Y("offset:Q", scale=None), text="label:N"),
        alt.Chart(alt.Data(values=lines), name=LINES_LAYER)
        .mark_line(strokeWidth=2, interpolate="linear")
        .encode(
            x=x,
            y=y,
            color=colour,
            detail="series:N",
            strokeDash=alt.StrokeDash(
                "flow:N", title=text(lang, "trade.all.flow"),
                scale=alt.Scale(domain=[flow_name(f, lang) for f in flows], range=[FLOW_DASHES.get(f, [1, 0]) for f in flows]),
            ),
            description="description:N",
        ),
        alt.Chart(alt.Data(values=points), name=POINTS_LAYER)
        .mark_point(size=90, strokeWidth=2, opacity=1)
        .encode(
            x=x,
            y=y,
            color=colour,
            shape=alt.Shape(
                "release:N",
                title=text(lang, "trade.all.figure"),
                scale=alt.Scale(domain=release_domain, range=[release_shapes[k] for k in release_domain]),
            ),
            fill=alt.condition("datum.first", alt.value("white"), colour),
            size=alt.condition("datum.first", alt.value(200), alt.value(80)),
            description="description:N",
        ),
        alt.Chart(alt.Data(values=[p for p in points if p["period"] and p["flow_code"] == "total" and p["on_line"]]), name="tr_period_labels")
        .mark_text(align="right", dx=-9, fontSize=10, color="#333")
        .encode(x=x, y=y, text="period:N"),
    ]
    spec = (
        alt.layer(*layers)
        .properties(width=860, height=400, title=text(lang, "trade.all.title"))
        .configure(font=FONT)
        .configure_legend(orient="bottom", direction="vertical", labelLimit=360, titleLimit=360, symbolStrokeColor="#333")
        .to_dict()
    )
    caption = [text(lang, f"trade.all.caption_{i}") for i in (1, 2, 3, 4)]
    return Chart(
        name="trade",
        title=text(lang, "trade.title"),
        spec=spec,
        svg=render_svg(spec, outlined_legends=(text(lang, "trade.all.figure"),)),
        caption=caption,
        counts={POINTS_LAYER: len(points)},
        listing=listing,
    )


# -- the annual series -------------------------------------------------------------
ANNUAL_LAYER = "tr_annual_bars"
FLOW_COLOURS = {"export": "#0072B2", "import": "#E69F00", "total": "#999999"}  # Okabe-Ito blue and orange, grey
VINTAGE_KEYS = {v: f"trade.vintage.{v}" for v in ("first_release", "revised", "final", "implied", "unknown")}


def _latest(package: "Package", scope: str, flow: str) -> dict[int, dict[str, Any]]:
    """The library's latest figure of each calendar year of one scope and flow (implied values left out)."""
    try:
        rows = library_series(package, scope, flow, "latest", period="year")
    except UsageError:  # this scope has no such flow
        return {}
    return {int(r["period_year"]): r for r in rows}


def annual_bars(package: "Package") -> list[dict[str, Any]]:
    """One entry per scope and year: the rows drawn (export and import where both exist, else the total) and the total."""
    entries = []
    for scope in enum_values(package, RESOURCE, "scope"):
        if scope == "unknown":
            continue  # a figure whose scope no source states belongs to no series
        total, export, imports = (_latest(package, scope, flow) for flow in ("total", "export", "import"))
        for year in sorted(set(total) | (set(export) & set(imports))):
            parts = [export[year], imports[year]] if year in export and year in imports else [total[year]]
            entries.append({"scope": scope, "year": year, "parts": parts, "total": total.get(year)})
    return entries


def _qualified(row: dict[str, Any], lang: Lang) -> str:
    """'about 2100': the value with its qualifier, in ``lang``."""
    key = f"trade.qualifier.{row.get('value_qualifier')}"
    return (text(lang, key) if key in STRINGS else "") + number_text(row["value"])


def annual(package: "Package", lang: Lang = "en") -> Chart:
    """The annual series by scope: a linear axis, export and import stacked where a source splits them."""
    alt = require("altair")
    entries = annual_bars(package)
    bars: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    vintages: list[str] = []
    sums: list[str] = []
    for entry in entries:
        scope, year = scope_name(entry["scope"], lang), str(entry["year"])
        base = 0.0
        for order, row in enumerate(entry["parts"]):
            flow = row["flow"] if len(entry["parts"]) > 1 else "total"
            name = text(lang, f"trade.annual.{flow}")
            bars.append(
                {
                    "scope": scope, "year": year, "flow": name, "order": order, "value": row["value"],
                    "description": f"{row['trade_value_id']}: {year} {name}, {_qualified(row, lang)} {text(lang, 'trade.annual.y')}, "
                    f"{text(lang, VINTAGE_KEYS.get(row['vintage'], VINTAGE_KEYS['unknown']))}",
                }
            )
            base += float(row["value"])
        shown = entry["total"] if entry["total"] is not None else None
        labels.append({"scope": scope, "year": year, "top": base, "label": _qualified(shown, lang) if shown else number_text(round(base, 1))})
        vintage = entry["parts"][0]["vintage"]
        vintages.append(f"{year} {text(lang, VINTAGE_KEYS.get(vintage, VINTAGE_KEYS['unknown']))}")
        if shown is not None and len(entry["parts"]) > 1 and abs(base - float(shown["value"])) > 0.005 * float(shown["value"]):
            sums.append(text(lang, "trade.annual.caption_sum", year=year, parts=number_text(round(base, 1)), total=_qualified(shown, lang)))
    gaps: list[str] = []
    for code in {e["scope"] for e in entries}:
        drawn = [int(e["year"]) for e in entries if e["scope"] == code]
        for empty in sorted(set(range(min(drawn), max(drawn) + 1)) - set(drawn)):  # a year with no stated figure keeps its place
            labels.append({"scope": scope_name(code, lang), "year": str(empty), "top": 0, "label": "–"})
            gaps.append(str(empty))
    if gaps:
        vintages.append(text(lang, "trade.annual.no_figure", years=join(lang, sorted(gaps))))
    labels.sort(key=lambda lb: str(lb["year"]))
    flows = [text(lang, f"trade.annual.{f}") for f in ("export", "import", "total")]
    colour = alt.Color(
        "flow:N", title=text(lang, "trade.annual.flow"),
        scale=alt.Scale(domain=flows, range=list(FLOW_COLOURS.values())), legend=alt.Legend(orient="top", labelLimit=320),
    )
    x = alt.X("year:O", title=None, sort="ascending", axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=text(lang, "trade.annual.y"), stack="zero", axis=alt.Axis(format=",~r"))
    layers = alt.layer(
        alt.Chart(name=ANNUAL_LAYER).transform_filter("datum.kind == 'bar'").mark_bar(stroke="white", strokeWidth=0.5)
        .encode(x=x, y=y, color=colour, order=alt.Order("order:Q"), description="description:N", tooltip="description:N"),
        alt.Chart(name="tr_annual_labels").transform_filter("datum.kind == 'label'").mark_text(baseline="bottom", dy=-3, fontSize=11, color="#222")
        .encode(x=x, y=alt.Y("top:Q"), text="label:N"),
        data=alt.Data(values=[dict(b, kind="bar") for b in bars] + [dict(lb, kind="label") for lb in labels]),
    )
    panels = [scope_name(s, lang) for s in enum_values(package, RESOURCE, "scope") if s != "unknown"]
    spec = (
        layers.properties(width={"step": 64}, height=340)
        .facet(column=alt.Column("scope:N", title=None, sort=panels, header=alt.Header(labelFontSize=12, labelFontWeight="bold", labelLimit=0)))
        .resolve_scale(x="independent")
        .properties(title=text(lang, "trade.annual.title"))
        .configure(font=FONT)
        .to_dict()
    )
    left_out = [r for r in package.records(RESOURCE) if period_span(r["period_start"], r["period_end"]) != "year"]
    unknown = [r for r in package.records(RESOURCE) if r["scope"] == "unknown" and period_span(r["period_start"], r["period_end"]) == "year"]
    caption = [text(lang, "trade.annual.caption_1"), text(lang, "trade.annual.caption_vintage", years=join(lang, vintages)), *sums]
    if left_out or unknown:
        caption.append(
            text(
                lang, "trade.annual.caption_left",
                periods=join(lang, sorted({r["period_label"] for r in left_out})) or "–",
                unknown=join(lang, [f"{r['period_label']}: {_qualified(r, lang)}" for r in unknown]) or "–",
            )
        )
    return Chart(
        name="trade-annual",
        title=text(lang, "trade.annual.title"),
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={ANNUAL_LAYER: len(bars)},
    )
