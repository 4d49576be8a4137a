"""The pilot zones: their cumulative count by batch, and a map with one mark per zone.

The count comes from `pilot_zone_batches`. The map needs the `pilot_zones`
resource (one row per city or area per batch, with a longitude and latitude);
a package without it gets no map, and the page says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from xborder_data.site._deps import require
from xborder_data.site.charts import FONT, Chart, render_svg
from xborder_data.site.i18n import Lang, join, text
from xborder_data.site.tables import table_href

if TYPE_CHECKING:
    from xborder_data.package import Package

BATCHES = "pilot_zone_batches"
ZONES = "pilot_zones"
ADDED_LAYER = "pz_added"
TOTALS_LAYER = "pz_totals"
ZONES_LAYER = "pz_zones"
BASE_LAYER = "pz_base"
INSET_LAYER = "pz_inset"  # the South China Sea Islands inset: its own view, composed onto the map's corner
UNITS = "units"  # where a zone without a point of its own finds its prefecture's seat
INSET_BOX = ((105.5, 2.5), (123.0, 24.0))  # lon/lat corners the inset shows
INSET_SIZE = (104, 140)  # px
INSET_ROOM = (128.0, 8.5)  # lon/lat the main frame reaches, so the inset covers sea, not the coast
# Eight batches, eight colours a reader tells apart (Okabe and Ito, colour-blind safe, black last).
BATCH_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]


def batch_label(row: dict[str, Any], lang: Lang = "en") -> str:
    """'Batch 6 (2022)': the batch and the year it was approved or announced, where known."""
    year = row.get("approval_year") or (row["announced_date"].year if row.get("announced_date") else None)
    return text(lang, "pz.batch_label", batch=row["batch"], year=year if year else text(lang, "pz.year_not_recorded"))


def cumulative_count(package: "Package", lang: Lang = "en") -> Chart:
    """Zones added by each batch as bars, the running total as points joined by a line."""
    alt = require("altair")
    rows = sorted(package.records(BATCHES), key=lambda r: r["batch"])
    order = [batch_label(r, lang) for r in rows]
    stated, derived = text(lang, "pz.stated"), text(lang, "pz.derived")
    added = [
        {"batch": batch_label(r, lang), "count": r["zones_added"], "basis": derived if r["zones_added_derived"] else stated}
        for r in rows
        if r.get("zones_added") is not None
    ]
    totals = [
        {"batch": batch_label(r, lang), "count": r["zones_total"], "basis": derived if r["zones_total_derived"] else stated}
        for r in rows
        if r.get("zones_total") is not None
    ]
    x = alt.X("batch:N", title=None, sort=order, axis=alt.Axis(labelAngle=-40, labelLimit=0))
    y = alt.Y("count:Q", title=text(lang, "pz.count.y"))
    basis = alt.Scale(domain=[stated, derived])
    added_title, total_title = text(lang, "pz.count.added"), text(lang, "pz.count.total")
    layers = [
        alt.Chart(alt.Data(values=added), name=ADDED_LAYER)
        .mark_bar(width={"band": 0.6}, stroke="#2171b5", strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill("basis:N", title=added_title, scale=alt.Scale(domain=basis.domain, range=["#9ecae1", "#f7fbff"])),
            strokeDash=alt.StrokeDash("basis:N", title=added_title, scale=alt.Scale(domain=basis.domain, range=[[1, 0], [4, 3]])),
        ),
        alt.Chart(alt.Data(values=added), name="pz_added_labels")
        .mark_text(baseline="bottom", dy=-3, fontSize=11, color="#08519c")
        .encode(x=x, y=alt.datum(0), text="count:Q"),
        alt.Chart(alt.Data(values=totals), name="pz_total_line").mark_line(color="#08306b", strokeWidth=1.5).encode(x=x, y=y),
        alt.Chart(alt.Data(values=totals), name=TOTALS_LAYER)
        .mark_point(size=80, strokeWidth=2, color="#08306b", opacity=1)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape("basis:N", title=total_title, scale=alt.Scale(domain=basis.domain, range=["circle", "circle"])),
            fill=alt.Fill("basis:N", title=total_title, scale=alt.Scale(domain=basis.domain, range=["#08306b", "white"])),
        ),
        alt.Chart(alt.Data(values=totals), name="pz_total_labels")
        .mark_text(align="right", dx=-8, dy=-8, fontSize=11, fontWeight="bold", color="#08306b")
        .encode(x=x, y=y, text="count:Q"),
    ]
    spec = (
        alt.layer(*layers)
        .resolve_scale(fill="independent", strokeDash="independent", shape="independent")
        .properties(width=560, height=300, title=text(lang, "pz.count.title"))
        .configure(font=FONT)
        .configure_legend(orient="top", direction="horizontal")
        .to_dict()
    )
    missing = [batch_label(r, lang) for r in rows if r.get("zones_total") is None]
    caption = [text(lang, "pz.count.caption_1")]
    if missing:
        caption.append(text(lang, "pz.count.caption_missing", batches=join(lang, missing)))
    return Chart(
        name="pilot-zones-count",
        title=text(lang, "pz.count.chart_title"),
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={ADDED_LAYER: len(added), TOTALS_LAYER: len(totals)},
        listing=[{"label": batch_label(r, lang), "href": table_href(BATCHES, str(r["batch"]))} for r in rows],
    )


def has_zones(package: "Package") -> bool:
    """Whether the package has the `pilot_zones` resource the map is drawn from."""
    return ZONES in package.resources()


def placed(row: dict[str, Any]) -> bool:
    """A zone with both coordinates of its own."""
    return row.get("longitude") is not None and row.get("latitude") is not None


def seats(package: "Package") -> dict[str, dict[str, Any]]:
    """The units with a seat point, by code: where a zone without a point of its own is placed (its prefecture)."""
    if UNITS not in package.resources():
        return {}
    return {str(u["unit_code"]): u for u in package.records(UNITS) if placed(u)}


def zone_point(row: dict[str, Any], units: dict[str, dict[str, Any]]) -> tuple[float, float, dict[str, Any] | None] | None:
    """(longitude, latitude, the prefecture whose seat stands in, or None) for a zone, or None where nothing places it."""
    if placed(row):
        return row["longitude"], row["latitude"], None
    seat = units.get(str(row.get("prefecture_adcode") or ""))
    return (seat["longitude"], seat["latitude"], seat) if seat else None


def _name(row: dict[str, Any], lang: Lang, en: str = "name_en", zh: str = "name_zh") -> str:
    """A row's name in ``lang``, falling back to the other language's name."""
    first, second = (zh, en) if lang == "zh" else (en, zh)
    return str(row.get(first) or row.get(second) or "")


def _designations(package: "Package") -> int:
    """How many designations the batches count (zones added, summed over batches)."""
    return sum(row["zones_added"] or 0 for row in package.records(BATCHES))


def _gaps(package: "Package", zones: list[dict[str, Any]], lang: Lang) -> str:
    """The caption's sentence on missing members, from the rows: each batch whose listed members fall short of its count."""
    listed: dict[int, int] = {}
    for zone in zones:
        listed[zone["batch"]] = listed.get(zone["batch"], 0) + 1
    short = [text(lang, "pz.map.gap", batch=row["batch"], missing=row["zones_added"] - listed.get(row["batch"], 0), added=row["zones_added"])
             for row in sorted(package.records(BATCHES), key=lambda r: r["batch"])
             if row["zones_added"] is not None and listed.get(row["batch"], 0) < row["zones_added"]]
    return text(lang, "pz.map.caption_gaps", batches=join(lang, short)) if short else ""


def _revocations(package: "Package", zones: list[dict[str, Any]], lang: Lang) -> str:
    """The caption's sentence on revoked zones and the zones in force, from the rows."""
    revoked = [z for z in zones if z.get("revoked_batch")]
    if not revoked:
        return text(lang, "pz.map.no_revoked")
    batches = sorted(package.records(BATCHES), key=lambda b: b["batch"])
    total = batches[-1]["zones_total"]
    names = join(lang, [_name(z, lang) or z["zone_id"] for z in revoked])
    by = join(lang, [str(b) for b in sorted({z["revoked_batch"] for z in revoked})])
    in_force = text(lang, "pz.map.in_force", total=total, batch=batches[-1]["batch"]) if total is not None else ""
    return text(lang, "pz.map.revocations", by=by, names=names) + in_force


def _inset(alt: Any, land: dict[str, Any], lang: Lang) -> str:
    """The South China Sea Islands inset as an SVG: China's coast, the islands, the dashed line, a frame and its name."""
    from xborder_data.site import basemap

    corners = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": [list(c) for c in INSET_BOX]}}
    projection = {"type": "conicEqualArea", "parallels": [25, 47], "rotate": [-105, 0, 0], "fit": corners}
    width, height = INSET_SIZE
    lands = [f for f in land["features"] if f["geometry"]["type"] == "MultiPolygon" and f["id"] not in (basemap.ISLANDS_ID,)]
    islands = next(f for f in land["features"] if f["id"] == basemap.ISLANDS_ID)
    dots = [{"lon": sum(x for x, _ in p[0]) / len(p[0]), "lat": sum(y for _, y in p[0]) / len(p[0])} for p in islands["geometry"]["coordinates"]]
    dashes = next(f for f in land["features"] if f["id"] == basemap.DASHES_ID)
    layers = [
        alt.Chart(alt.Data(values=[f for f in lands if f["id"] != basemap.CHINA_ID]), name=INSET_LAYER + "_land")
        .mark_geoshape(fill="#f6f7f8", stroke="#c3cad1", strokeWidth=0.4, clip=True),
        alt.Chart(alt.Data(values=[f for f in lands if f["id"] == basemap.CHINA_ID]), name=INSET_LAYER + "_china")
        .mark_geoshape(fill="#dde3ea", stroke="#8895a2", strokeWidth=0.6, clip=True),
        alt.Chart(alt.Data(values=dots), name=INSET_LAYER + "_islands")
        .mark_circle(size=5, color="#5b6672", opacity=1, clip=True).encode(longitude="lon:Q", latitude="lat:Q"),
        alt.Chart(alt.Data(values=[dashes]), name=INSET_LAYER + "_dashes")
        .mark_geoshape(filled=False, stroke="#5b6672", strokeWidth=1.6, clip=True),
    ]
    spec = (
        alt.layer(*layers)
        .properties(
            width=width, height=height, padding=0,
            # The inset's name under its frame, as Chinese maps print it.
            title=alt.TitleParams(
                text(lang, "pz.map.inset").split("\n"), orient="bottom", anchor="end", fontSize=10, fontWeight="normal", offset=3, color="#333",
            ),
        )
        .configure(font=FONT).configure_view(stroke="#5b6672", strokeWidth=1, fill="white")
        .to_dict(validate=False)  # its data is a large GeoJSON: validating every coordinate takes seconds
    )
    spec["projection"] = projection  # set on the dict: altair would validate the fitted GeoJSON coordinate by coordinate
    return render_svg(spec)


# Vega's SVG: <svg ...><rect .../><g ... transform="translate(x,y)"> where (x, y) is the plot area's corner.
_TRANSLATE = re.compile(r'<svg[^>]*>(?:<rect[^>]*/>)?<g[^>]*?transform="translate\(([-\d.]+),([-\d.]+)\)"')


_SIZE = re.compile(r'<svg[^>]*?width="([\d.]+)" height="([\d.]+)"')


def compose_inset(svg: str, inset: str, plot: tuple[float, float]) -> str:
    """``inset`` drawn over the lower right corner of the plot area of ``svg`` (a Vega SVG of ``plot`` width and height)."""
    found = _TRANSLATE.search(svg)
    x0, y0 = (float(found.group(1)), float(found.group(2))) if found else (0.0, 0.0)
    size = _SIZE.search(inset)
    width, height = (float(size.group(1)), float(size.group(2))) if size else INSET_SIZE
    x, y = x0 + plot[0] - width - 1, y0 + plot[1] - height - 1
    inner = inset[inset.index(">", inset.index("<svg")) + 1 : inset.rindex("</svg>")]
    inner = inner.replace('id="clip', 'id="inset-clip').replace("url(#clip", "url(#inset-clip")
    frame = f'<rect width="{INSET_SIZE[0]}" height="{INSET_SIZE[1]}" fill="none" stroke="#5b6672" stroke-width="1"/>'
    group = f'<g class="{INSET_LAYER}" transform="translate({x:g},{y:g})">{inner}{frame}</g>'
    end = svg.rindex("</svg>")
    return svg[:end] + group + svg[end:]


def zone_map(package: "Package", lang: Lang = "en") -> Chart:
    """The pilot-zone cities and areas on an offline base map of China, one mark per zone, coloured by batch."""
    from xborder_data.site import basemap  # here, so `python -m xborder_data.site.basemap` runs it fresh

    alt = require("altair")
    zones = sorted(package.records(ZONES), key=lambda r: (r["batch"], r["zone_id"]))
    batches = sorted({r["batch"] for r in zones} | {r["batch"] for r in package.records(BATCHES)})
    units = seats(package)
    marks, at_seat, unplaced = [], [], []
    for r in zones:
        point = zone_point(r, units)
        if point is None:
            unplaced.append(r)
            continue
        longitude, latitude, seat = point
        description = text(lang, "pz.map.zone", name=f"{_name(r, lang)} {_name(r, 'en' if lang == 'zh' else 'zh')}".strip(), batch=r["batch"])
        if r.get("revoked_batch"):
            description += text(lang, "pz.map.revoked", batch=r["revoked_batch"])
        if seat is not None:
            description += text(lang, "pz.map.at_seat", prefecture=_name(seat, lang))
            at_seat.append(f"{_name(r, lang)} ({_name(seat, lang)})")
        marks.append(
            {
                "zone": r["zone_id"], "batch": r["batch"], "longitude": longitude, "latitude": latitude,
                "description": f"{description} ({r['zone_id']})", "whole": r.get("level") == "whole_island",
            }
        )
    land = basemap.load()
    china = next(f for f in land["features"] if f["id"] == basemap.CHINA_ID)
    # Fit China's mainland, Hainan and Taiwan and every zone, so no southern zone (Sanya) falls off the edge;
    # the South China Sea Islands are in the inset. A margin of 1.5 degrees keeps a mark at the edge whole.
    lons, lats = [m["longitude"] for m in marks] or [105.0], [m["latitude"] for m in marks] or [35.0]
    corners = [[min(lons) - 1.5, min(lats) - 1.5], [max(lons) + 1.5, max(lats) + 1.5], list(INSET_ROOM)]
    reach = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": corners}}
    projection = {"type": "conicEqualArea", "parallels": [25, 47], "rotate": [-105, 0, 0], "fit": {"type": "FeatureCollection", "features": [china, reach]}}
    name_field = "properties.name_zh" if lang == "zh" else "properties.name"
    others = [f for f in land["features"] if f["id"] not in (basemap.CHINA_ID, basemap.DASHES_ID, basemap.ISLANDS_ID)]
    base = (
        alt.Chart(alt.Data(values=others), name=BASE_LAYER)
        .mark_geoshape(fill="#f6f7f8", stroke="#c3cad1", strokeWidth=0.5, clip=True)
        .encode(description="properties.name:N")
    )
    shaded = (  # China itself shaded, so the zones read against the country
        alt.Chart(alt.Data(values=[dict(china, properties=dict(china["properties"], name_zh=china["properties"].get("name_zh", "中国")))]), name=BASE_LAYER + "_china")
        .mark_geoshape(fill="#dde3ea", stroke="#8895a2", strokeWidth=0.8, clip=True)
        .encode(description=f"{name_field}:N")
    )
    colour = alt.Color("batch:O", title=text(lang, "pz.map.legend"), scale=alt.Scale(domain=batches, range=BATCH_COLOURS[: len(batches)]))
    # A whole-island zone is a ring drawn under the city dots, so Haikou stays visible inside it.
    rings = (
        alt.Chart(alt.Data(values=[m for m in marks if m["whole"]]), name=ZONES_LAYER + "_areas")
        .mark_point(size=900, filled=False, strokeWidth=2.5, opacity=0.9, clip=True)
        .encode(longitude="longitude:Q", latitude="latitude:Q", color=colour, description="description:N", tooltip="description:N")
    )
    points = (
        # Every zone a dot; a whole-island zone's dot comes first, so a city dot on the same seat (Haikou) is drawn over it.
        alt.Chart(alt.Data(values=sorted(marks, key=lambda m: not m["whole"])), name=ZONES_LAYER)
        .mark_circle(size=70, opacity=0.95, stroke="#333333", strokeWidth=0.5, clip=True)
        .encode(longitude="longitude:Q", latitude="latitude:Q", color=colour, description="description:N", tooltip="description:N")
    )
    plot = (640, 520)
    spec = (
        alt.layer(base, shaded, rings, points)
        .properties(width=plot[0], height=plot[1], title=text(lang, "pz.map.title"))
        .configure(font=FONT)
        .configure_view(stroke="#8895a2")
        .configure_legend(orient="right")
        .to_dict(validate=False)  # its data is a large GeoJSON: validating every coordinate takes seconds
    )
    spec["projection"] = projection  # one projection for every layer, set on the dict (see _inset)
    svg = compose_inset(render_svg(spec), _inset(alt, land, lang), plot)
    caption = [
        text(lang, "pz.map.caption_1"),
        text(lang, "pz.map.caption_listed", listed=len(zones), designations=_designations(package)) + _gaps(package, zones, lang)
        + " " + _revocations(package, zones, lang),
    ]
    if at_seat:
        caption.append(text(lang, "pz.map.caption_seat", zones=join(lang, at_seat)))
    caption.append(text(lang, "pz.map.caption_base", source=basemap.SOURCE_ZH if lang == "zh" else basemap.SOURCE + " "))
    if unplaced:
        caption.append(text(lang, "pz.map.caption_unplaced", zones=join(lang, [f"{_name(r, lang)} ({text(lang, 'pz.batch', batch=r['batch'])})" for r in unplaced])))
    other_lang: Lang = "en" if lang == "zh" else "zh"
    listing = []
    for batch in sorted({r["batch"] for r in zones}):
        listing.append(
            {
                "batch": batch,
                "zones": [
                    {"label": _name(r, lang), "other": _name(r, other_lang), "other_lang": "en" if lang == "zh" else "zh-CN", "href": table_href(ZONES, r["zone_id"])}
                    for r in zones
                    if r["batch"] == batch
                ],
            }
        )
    return Chart(
        name="pilot-zones-map",
        title=text(lang, "pz.map.chart_title"),
        spec=spec,
        svg=svg,
        caption=caption,
        counts={ZONES_LAYER: len(marks)},
        listing=listing,
    )
