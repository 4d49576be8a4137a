"""The pilot zones: their cumulative count by batch, and a map with one mark per zone.

The count comes from `pilot_zone_batches`. The map needs the `pilot_zones`
resource (one row per city or area per batch, with a longitude and latitude);
a package without it gets no map, and the page says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xborder_data.site._deps import require
from xborder_data.site.charts import FONT, Chart, render_svg
from xborder_data.site.tables import table_href

if TYPE_CHECKING:
    from xborder_data.package import Package

BATCHES = "pilot_zone_batches"
ZONES = "pilot_zones"
ADDED_LAYER = "pz_added"
TOTALS_LAYER = "pz_totals"
ZONES_LAYER = "pz_zones"
BASE_LAYER = "pz_base"
# Eight batches, eight colours a reader tells apart (Okabe and Ito, colour-blind safe, black last).
BATCH_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]


def batch_label(row: dict[str, Any]) -> str:
    """'Batch 6 (2022)': the batch and the year it was approved or announced, where known."""
    year = row.get("approval_year") or (row["announced_date"].year if row.get("announced_date") else None)
    return f"Batch {row['batch']} ({year if year else 'year not recorded'})"


def cumulative_count(package: "Package") -> Chart:
    """Zones added by each batch as bars, the running total as points joined by a line."""
    alt = require("altair")
    rows = sorted(package.records(BATCHES), key=lambda r: r["batch"])
    order = [batch_label(r) for r in rows]
    added = [
        {"batch": batch_label(r), "count": r["zones_added"], "basis": "derived from other batches" if r["zones_added_derived"] else "stated by a source"}
        for r in rows
        if r.get("zones_added") is not None
    ]
    totals = [
        {"batch": batch_label(r), "count": r["zones_total"], "basis": "derived from other batches" if r["zones_total_derived"] else "stated by a source"}
        for r in rows
        if r.get("zones_total") is not None
    ]
    x = alt.X("batch:N", title=None, sort=order, axis=alt.Axis(labelAngle=-40, labelLimit=0))
    y = alt.Y("count:Q", title="Pilot zones")
    basis = alt.Scale(domain=["stated by a source", "derived from other batches"])
    layers = [
        alt.Chart(alt.Data(values=added), name=ADDED_LAYER)
        .mark_bar(width={"band": 0.6}, stroke="#2171b5", strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill("basis:N", title="Zones added (bars)", scale=alt.Scale(domain=basis.domain, range=["#9ecae1", "#f7fbff"])),
            strokeDash=alt.StrokeDash("basis:N", title="Zones added (bars)", scale=alt.Scale(domain=basis.domain, range=[[1, 0], [4, 3]])),
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
            shape=alt.Shape("basis:N", title="Running total (points)", scale=alt.Scale(domain=basis.domain, range=["circle", "circle"])),
            fill=alt.Fill("basis:N", title="Running total (points)", scale=alt.Scale(domain=basis.domain, range=["#08306b", "white"])),
        ),
        alt.Chart(alt.Data(values=totals), name="pz_total_labels")
        .mark_text(align="right", dx=-8, dy=-8, fontSize=11, fontWeight="bold", color="#08306b")
        .encode(x=x, y=y, text="count:Q"),
    ]
    spec = (
        alt.layer(*layers)
        .resolve_scale(fill="independent", strokeDash="independent", shape="independent")
        .properties(width=560, height=300, title="Cross-border e-commerce pilot zones: added per batch (bars) and running total (points)")
        .configure(font=FONT)
        .configure_legend(orient="top", direction="horizontal")
        .to_dict()
    )
    missing = [batch_label(r) for r in rows if r.get("zones_total") is None]
    caption = [
        "Bars are the zones each batch added; dark points joined by a line are the running total of zones. "
        "Hollow points and dashed bars are counts derived from other batches' counts, not stated by a source.",
    ]
    if missing:
        caption.append(f"No total is drawn for {', '.join(missing)}: no source read states it, and it is not computed.")
    return Chart(
        name="pilot-zones-count",
        title="Pilot zones by batch",
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={ADDED_LAYER: len(added), TOTALS_LAYER: len(totals)},
        listing=[{"label": batch_label(r), "href": table_href(BATCHES, str(r["batch"]))} for r in rows],
    )


def has_zones(package: "Package") -> bool:
    """Whether the package has the `pilot_zones` resource the map is drawn from."""
    return ZONES in package.resources()


def placed(row: dict[str, Any]) -> bool:
    """A zone with both coordinates gets a mark on the map."""
    return row.get("longitude") is not None and row.get("latitude") is not None


def _designations(package: "Package") -> int:
    """How many designations the batches count (zones added, summed over batches)."""
    return sum(row["zones_added"] or 0 for row in package.records(BATCHES))


def _gaps(package: "Package", zones: list[dict[str, Any]]) -> str:
    """The caption's sentence on missing members, from the rows: each batch whose listed members fall short of its count."""
    listed: dict[int, int] = {}
    for zone in zones:
        listed[zone["batch"]] = listed.get(zone["batch"], 0) + 1
    short = [f"batch {row['batch']} ({row['zones_added'] - listed.get(row['batch'], 0)} of {row['zones_added']})"
             for row in sorted(package.records(BATCHES), key=lambda r: r["batch"])
             if row["zones_added"] is not None and listed.get(row["batch"], 0) < row["zones_added"]]
    return (f" Missing: {', '.join(short)}, which no source read names unambiguously (pilot_zone_batches.note says which)."
            if short else "")


def _revocations(package: "Package", zones: list[dict[str, Any]]) -> str:
    """The caption's sentence on revoked zones and the zones in force, from the rows."""
    revoked = [z for z in zones if z.get("revoked_batch")]
    if not revoked:
        return "No source reports a revoked zone."
    batches = sorted(package.records(BATCHES), key=lambda b: b["batch"])
    total = batches[-1]["zones_total"]
    names = ", ".join(z.get("name_en") or z.get("name_zh") or z["zone_id"] for z in revoked)
    by = sorted({z["revoked_batch"] for z in revoked})
    in_force = f" {total} zones are in force after batch {batches[-1]['batch']}." if total is not None else ""
    return (f"Revoked by the reply on batch {', '.join(map(str, by))}: {names}; they are shown with the batch that designated them "
            f"(a tooltip says so).{in_force}")


def zone_map(package: "Package") -> Chart:
    """The pilot-zone cities and areas on an offline base map, one mark per zone, coloured by batch."""
    from xborder_data.site import basemap  # here, so `python -m xborder_data.site.basemap` runs it fresh

    alt = require("altair")
    zones = sorted(package.records(ZONES), key=lambda r: (r["batch"], r["zone_id"]))
    batches = sorted({r["batch"] for r in zones} | {r["batch"] for r in package.records(BATCHES)})
    marks = [
        {
            "zone": r["zone_id"],
            "name": f"{r.get('name_en') or ''} {r.get('name_zh') or ''}".strip(),
            "batch": r["batch"],
            "longitude": r["longitude"],
            "latitude": r["latitude"],
            "description": f"{r.get('name_en') or ''} {r.get('name_zh') or ''}".strip() + f", batch {r['batch']}"
            + (f", revoked by batch {r['revoked_batch']}" if r.get("revoked_batch") else "") + f" ({r['zone_id']})",
            "whole": r.get("level") == "whole_island",
        }
        for r in zones
        if placed(r)
    ]
    unplaced = [r for r in zones if not placed(r)]
    land = basemap.load()
    china = next(f for f in land["features"] if f["id"] == basemap.CHINA_ID)
    # Fit China and every zone, so no southern zone (Sanya) falls off the edge.
    # A margin of 1.5 degrees keeps a mark at the edge whole.
    lons, lats = [m["longitude"] for m in marks] or [105.0], [m["latitude"] for m in marks] or [35.0]
    corners = [[min(lons) - 1.5, min(lats) - 1.5], [max(lons) + 1.5, max(lats) + 1.5]]
    reach = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": corners}}
    projection = alt.Projection(type="conicEqualArea", parallels=[25, 47], rotate=[-105, 0, 0], fit={"type": "FeatureCollection", "features": [china, reach]})
    base = (
        alt.Chart(alt.Data(values=[f for f in land["features"] if f["id"] != basemap.CHINA_ID]), name=BASE_LAYER)
        .mark_geoshape(fill="#f6f7f8", stroke="#c3cad1", strokeWidth=0.5, clip=True)
        .encode(description="properties.name:N")
        .project(**projection.to_dict())
    )
    shaded = (  # China itself shaded, so the zones read against the country
        alt.Chart(alt.Data(values=[china]), name=BASE_LAYER + "_china")
        .mark_geoshape(fill="#dde3ea", stroke="#8895a2", strokeWidth=0.8, clip=True)
        .encode(description="properties.name:N")
        .project(**projection.to_dict())
    )
    colour = alt.Color("batch:O", title="Batch", scale=alt.Scale(domain=batches, range=BATCH_COLOURS[: len(batches)]))
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
    spec = (
        alt.layer(base, shaded, rings, points)
        .properties(width=640, height=500, title="Cross-border e-commerce pilot zones, coloured by batch")
        .configure(font=FONT)
        .configure_view(stroke=None)
        .configure_legend(orient="right")
        .to_dict()
    )
    caption = [
        "One mark per pilot zone, at the point the pilot_zones table gives for its city or area, coloured by the batch that approved it; "
        "a ring marks a whole-island zone (Hainan, 2025), drawn around its seat. Hover a mark for its name.",
        f"{len(zones)} of the {_designations(package)} designations the batches count are listed.{_gaps(package, zones)} "
        + _revocations(package, zones),
        f"Base map: {basemap.SOURCE} Shipped with the site; nothing is loaded from elsewhere.",
    ]
    if unplaced:
        caption.append(
            "Not on the map, because the data has no coordinates for them: "
            + ", ".join(f"{r.get('name_en') or r.get('name_zh')} (batch {r['batch']})" for r in unplaced)
            + "."
        )
    listing = []
    for batch in sorted({r["batch"] for r in zones}):
        listing.append(
            {
                "batch": batch,
                "zones": [
                    {"label": r.get("name_en") or r.get("name_zh"), "zh": r.get("name_zh"), "href": table_href(ZONES, r["zone_id"])}
                    for r in zones
                    if r["batch"] == batch
                ],
            }
        )
    return Chart(
        name="pilot-zones-map",
        title="Map of the pilot zones",
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={ZONES_LAYER: len(marks)},
        listing=listing,
    )
