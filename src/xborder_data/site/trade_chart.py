"""The official trade series (`trade_values`) by period: one line per scope and flow.

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

from xborder_data.research.trade import supersedes_key
from xborder_data.site._deps import require
from xborder_data.site.charts import FONT, Chart, enum_values, render_svg, words
from xborder_data.site.numbers import number_text
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


def scope_name(code: str) -> str:
    """A scope in words; 'unknown' reads as what it means."""
    return "scope not stated" if code == "unknown" else words(code)


@dataclass(frozen=True)
class Series:
    """Rows that may be joined by one line: same scope, flow and period length."""

    scope: str
    flow: str
    span: str

    @property
    def label(self) -> str:
        return f"{scope_name(self.scope)}, {self.flow}, {self.span}"


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


def scope_breaks(package: "Package") -> list[dict[str, Any]]:
    """Where the series changes scope: the first period start of each later known scope."""
    firsts: dict[str, dt.date] = {}
    for row in package.records(RESOURCE):
        if row["scope"] != "unknown":
            firsts[row["scope"]] = min(firsts.get(row["scope"], row["period_start"]), row["period_start"])
    ordered = sorted(firsts.items(), key=lambda item: item[1])
    return [
        {"date": start.isoformat(), "label": f"{start.year}: scope changes to {scope_name(scope)}", "offset": 4 + 15 * i}
        for i, (scope, start) in enumerate(ordered[1:])
    ]


def _point(row: dict[str, Any], series: Series, on_line: bool) -> dict[str, Any]:
    qualifier = {"more_than": "more than ", "about": "about "}.get(row["value_qualifier"], "")
    return {
        "id": row["trade_value_id"],
        "x": _midpoint(row["period_start"], row["period_end"]).isoformat(),
        "value": row["value"],
        "scope": scope_name(row["scope"]),
        "flow": row["flow"],
        "series": series.label,
        "release": release_kind(row),
        "on_line": on_line,
        "period": row["period_label"] if series.span != "year" else "",
        "description": (
            f"{row['trade_value_id']}: {row['period_label']} {row['flow']}, {qualifier}{number_text(row['value'])} "
            f"CNY billion; scope {row['scope']}; {release_kind(row)}"
        ),
    }


def trade_series(package: "Package") -> Chart:
    """Trade values by period on a log scale, lines broken wherever the scope changes."""
    alt = require("altair")
    all_series = series_rows(package)
    points, lines, listing = [], [], []
    for series, rows in all_series.items():
        joined = line_rows(rows)
        joined_ids = {r["trade_value_id"] for r in joined}
        points += [_point(r, series, r["trade_value_id"] in joined_ids) for r in rows]
        if len(joined) > 1:
            lines += [dict(_point(r, series, True), description=f"line {series.label}") for r in joined]
        listing.append(
            {
                "series": series.label,
                "rows": [
                    {"id": r["trade_value_id"], "href": table_href(RESOURCE, r["trade_value_id"]), "on_line": r["trade_value_id"] in joined_ids}
                    for r in rows
                ],
            }
        )
    # First releases first, so a revised figure of the same period is drawn on top of its hollow circle.
    points.sort(key=lambda p: p["release"] != FIRST_RELEASE)
    scopes = [scope_name(s) for s in enum_values(package, RESOURCE, "scope")]
    colour = alt.Color("scope:N", title="Scope (what is counted)", scale=alt.Scale(domain=scopes, range=SCOPE_COLOURS[: len(scopes)]))
    flows = enum_values(package, RESOURCE, "flow")
    first = min(r["period_start"] for r in package.records(RESOURCE)).year
    last = max(r["period_end"] for r in package.records(RESOURCE)).year
    x = alt.X(
        "x:T",
        title="Middle of the period",
        scale=alt.Scale(domain=[f"{first}-01-01", f"{last + 1}-01-01"]),
        axis=alt.Axis(format="%Y", tickCount="year", labelAngle=0),
    )
    y = alt.Y("value:Q", title="CNY billion (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format=",~r"))
    present = {p["release"] for p in points}
    release_domain = [kind for kind in RELEASE_SHAPES if kind in present]
    layers = [
        alt.Chart(alt.Data(values=scope_breaks(package)), name=BREAKS_LAYER)
        .mark_rule(color="#555", strokeDash=[4, 4])
        .encode(x="date:T"),
        alt.Chart(alt.Data(values=scope_breaks(package)), name="tr_break_labels")
        .mark_text(align="left", baseline="top", dx=4, fontSize=11, color="#333")
        .encode(x="date:T", y=alt.Y("offset:Q", scale=None), text="label:N"),
        alt.Chart(alt.Data(values=lines), name=LINES_LAYER)
        .mark_line(strokeWidth=2, interpolate="linear")
        .encode(
            x=x,
            y=y,
            color=colour,
            detail="series:N",
            strokeDash=alt.StrokeDash("flow:N", title="Flow", scale=alt.Scale(domain=flows, range=[FLOW_DASHES.get(f, [1, 0]) for f in flows])),
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
                title="Figure",
                scale=alt.Scale(domain=release_domain, range=[RELEASE_SHAPES[k] for k in release_domain]),
            ),
            fill=alt.condition(f"datum.release == '{FIRST_RELEASE}'", alt.value("white"), colour),
            size=alt.condition(f"datum.release == '{FIRST_RELEASE}'", alt.value(200), alt.value(80)),
            description="description:N",
        ),
        alt.Chart(alt.Data(values=[p for p in points if p["period"] and p["flow"] == "total" and p["on_line"]]), name="tr_period_labels")
        .mark_text(align="right", dx=-9, fontSize=10, color="#333")
        .encode(x=x, y=y, text="period:N"),
    ]
    spec = (
        alt.layer(*layers)
        .properties(width=860, height=400, title="China's cross-border e-commerce trade, official figures")
        .configure(font=FONT)
        .configure_legend(orient="bottom", direction="vertical", labelLimit=360, titleLimit=360, symbolStrokeColor="#333")
        .to_dict()
    )
    caption = [
        "Plotted: China's cross-border e-commerce import and export value in CNY billion, from the trade_values table: "
        "one point per row, at the middle of its period, on a log scale so the small early figures stay visible.",
        "What is counted changed over time (the scope). A line joins only figures of one scope, one flow "
        "(total, export or import) and one period length; a dashed rule marks where a new scope begins, and no line crosses it. "
        "Never compare values across scopes.",
        "Hollow circles are first releases (usually preliminary figures); diamonds are revised or final figures; "
        "triangles are figures implied by other figures; squares are figures whose revision the sources do not state. "
        "Where a period has more than one figure, the line runs through the revised one.",
        "Export and import are drawn only where a source splits the total.",
    ]
    return Chart(
        name="trade",
        title="Trade series",
        spec=spec,
        svg=render_svg(spec, outlined_legends=("Figure",)),
        caption=caption,
        counts={POINTS_LAYER: len(points)},
        listing=listing,
    )
