"""The market figures the article gives: one panel per driver and unit, shaped by kind, coloured by status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xborder_data.site._deps import require
from xborder_data.site.charts import FONT, Chart, enum_values, render_svg, sentence, words, wrap
from xborder_data.site.i18n import Lang, join, text
from xborder_data.tableschema.types import plain_text as number_text

if TYPE_CHECKING:
    from xborder_data.package import Package

POINTS_LAYER = "mf_points"
PANEL_WIDTH = 420
LABEL_WIDTH = 50  # characters per line of a figure's name

STATUS_COLOURS = {
    "confirmed": "#3182bd",
    "corrected": "#9467bd",
    "disputed": "#ff7f0e",
    "unverified": "#d62728",
}
KIND_SHAPES = {
    "observed": "circle",
    "estimate": "diamond",
    "forecast": "triangle-up",
    "survey_share": "square",
    "survey_value": "cross",
}
UNIT_TITLES = {"usd_billion": "US$ billion", "usd_million": "US$ million", "percent": "percent"}
# Where the geography code is not a country name.
PLACES = {"001": "world", "US": "US", "CN": "China"}


def figure_label(row: dict[str, Any]) -> str:
    """'B2B e-commerce sales (US, 2013)': the metric in words, where and when."""
    geography = row.get("geography")
    where = "area not stated" if geography is None else PLACES.get(geography, geography)
    period = f"{row['period_year']}" + (f", {row['period_detail']}" if row.get("period_detail") else "")
    return f"{sentence(row['metric'])} ({where}, {period})"


def value_label(row: dict[str, Any]) -> str:
    """'about 559 US$ billion, observed · UNVERIFIED': the value as printed, and its standing."""
    qualifier = {"more_than": "more than ", "about": "about "}.get(row.get("value_qualifier") or "", "")
    unit = UNIT_TITLES.get(row["unit"], words(row["unit"]))
    text = f"{qualifier}{number_text(row['value'])} {unit}, {words(row['kind'])}"
    if row["status"] != "confirmed":
        text += f" · {str(row['status']).upper()}"
    return text


def _unit_rank(unit: str) -> int:
    units = list(UNIT_TITLES)
    return units.index(unit) if unit in units else len(units)


def market_figures(package: "Package", lang: Lang = "en") -> Chart:
    """Every market figure, one panel per driver and unit, shaped by kind, coloured by status."""
    alt = require("altair")
    drivers = {d["driver_id"]: d for d in package.records("drivers")}
    rows = [r for r in package.records("market_figures") if r.get("value") is not None]

    def driver_name(driver_id: str) -> str:
        return drivers[driver_id]["name_en"] if driver_id in drivers else driver_id

    # Each panel's axis ends at its largest value; labels of points in its right half go left of the point.
    panel_max: dict[tuple[str, str], float] = {}
    for r in rows:
        key = (r["driver_id"], r["unit"])
        panel_max[key] = max(panel_max.get(key, 0.0), float(r["value"]))
    values = [
        {
            "figure": "\n".join(wrap(figure_label(r), LABEL_WIDTH)),
            "value": r["value"],
            "kind": words(r["kind"]),
            "status": r["status"],
            "label": value_label(r),
            "right_half": float(r["value"]) > panel_max[(r["driver_id"], r["unit"])] / 2,
            "room": panel_max[(r["driver_id"], r["unit"])] * 1.1,
            "panel": text(lang, "mf.panel", driver=driver_name(r["driver_id"]), unit=UNIT_TITLES.get(r["unit"], r["unit"])),
            "panel_order": f"{drivers.get(r['driver_id'], {}).get('ordinal', 0):04d} {_unit_rank(r['unit'])}",
        }
        for r in rows
    ]
    kinds = enum_values(package, "market_figures", "kind")
    statuses = enum_values(package, "market_figures", "status")
    status_scale = alt.Scale(domain=statuses, range=[STATUS_COLOURS.get(s, "#777777") for s in statuses])
    status_colour = alt.Color("status:N", title=text(lang, "mf.status"), scale=status_scale)
    x = alt.X("value:Q", title=text(lang, "mf.x"), scale=alt.Scale(zero=True, nice=True))
    y = alt.Y(
        "figure:N",
        title=None,
        axis=alt.Axis(labelLimit=0, labelExpr="split(datum.label, '\\n')", labelLineHeight=13, labelFontSize=11),
    )
    base = alt.Chart()
    points = base.mark_point(filled=True, size=150, opacity=1).encode(
        x=x,
        y=y,
        shape=alt.Shape(
            "kind:N",
            title=text(lang, "mf.kind"),
            scale=alt.Scale(domain=[words(k) for k in kinds], range=[KIND_SHAPES.get(k, "circle") for k in kinds]),
        ),
        color=status_colour,
    )
    left = base.transform_filter("datum.right_half").mark_text(align="right", dx=-10, fontSize=11)
    right = base.transform_filter("!datum.right_half").mark_text(align="left", dx=10, fontSize=11)
    # An invisible mark a tenth past each panel's largest value keeps that point off the axis end.
    room = base.mark_point(opacity=0).encode(x=alt.X("room:Q", title=text(lang, "mf.x")), y=y).properties(name="mf_room")
    spec = (
        alt.layer(
            room,
            points.properties(name=POINTS_LAYER),
            left.encode(x=x, y=y, text="label:N", color=status_colour).properties(name="mf_labels_left"),
            right.encode(x=x, y=y, text="label:N", color=status_colour).properties(name="mf_labels_right"),
            data=alt.Data(values=values),
        )
        .properties(width=PANEL_WIDTH, height={"step": 38})
        .facet(
            facet=alt.Facet(
                "panel:N",
                title=None,
                sort=alt.SortField("panel_order"),
                header=alt.Header(labelFontSize=12, labelFontWeight="bold", labelLimit=0, labelAnchor="start", labelOrient="top"),
            ),
            columns=1,
        )
        .resolve_scale(x="independent", y="independent")
        .properties(title=text(lang, "mf.title"))
        .configure(font=FONT)
        .configure_legend(orient="top", direction="horizontal", columns=3)
        .to_dict()
    )
    missing = [d["name_en"] for d in drivers.values() if d["driver_id"] not in {r["driver_id"] for r in rows}]
    caption = [text(lang, "mf.caption_1"), text(lang, "mf.caption_2")]
    if missing:
        caption.append(text(lang, "mf.caption_missing", drivers=join(lang, missing)))
    return Chart(
        name="market-figures",
        title=text(lang, "mf.chart_title"),
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={POINTS_LAYER: len(values)},
    )
