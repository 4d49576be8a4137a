"""Chart specs generated from the package data, and their rendering to SVG.

Each chart is a Vega-Lite spec built with altair from the rows of the package,
so a new row is drawn without a code change. Every plotted layer is a named
view; Vega gives its marks the CSS class ``<name>_marks``, which is how the
tests count one mark per plotted row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xborder_data.site._deps import require

if TYPE_CHECKING:
    from xborder_data.package import Package

# Layer names; the SVG groups carry the class "<name>_marks".
TIMELINE_LAYERS = ("tl_stages", "tl_platforms", "tl_policies")
FIGURES_LAYER = "mf_points"

# Claim statuses that mean the article's words were not kept as the value.
CORRECTING_STATUSES = ("corrected", "disputed")

CATEGORY_COLOURS = {
    "Stage": "#9ecae1",
    "Platform": "#3182bd",
    "Policy": "#31a354",
    "Corrected fact": "#d62728",
}
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


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its spec, its SVG, its caption and its plotted row counts."""

    name: str
    title: str
    spec: dict[str, Any]
    svg: str
    caption: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def render_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to a standalone SVG string with vl-convert."""
    vl_convert = require("vl_convert")
    return vl_convert.vegalite_to_svg(spec)


def _claims_by_row(package: "Package", resource: str) -> dict[str, list[dict[str, Any]]]:
    """Claims supporting each row of ``resource``, keyed by the row's id."""
    columns = [fk.field for fk in package.table_schema("claims").foreign_keys if fk.resource == resource]
    found: dict[str, list[dict[str, Any]]] = {}
    for claim in package.records("claims"):
        for column in columns:
            if claim.get(column) is not None:
                found.setdefault(str(claim[column]), []).append(claim)
    return found


def corrections(package: "Package", resource: str) -> dict[str, list[dict[str, Any]]]:
    """Claims on rows of ``resource`` whose printed value was corrected or disputed."""
    return {
        row_id: [c for c in claims if c["status"] in CORRECTING_STATUSES]
        for row_id, claims in _claims_by_row(package, resource).items()
        if any(c["status"] in CORRECTING_STATUSES for c in claims)
    }


def _printed_note(claims: list[dict[str, Any]]) -> str:
    texts = [str(c["as_printed"]) for c in claims]
    # Keep the longest wording where one quote contains another.
    printed: list[str] = []
    for text in sorted(texts, key=len, reverse=True):
        if not any(text in kept for kept in printed):
            printed.append(text)
    quoted = "; ".join(f"“{text}”" for text in printed)
    what = ", ".join(f"{c['field'] or 'row'} {c['status']}" for c in claims)
    return f"{what}; the article printed {quoted}"


def present_year(package: "Package") -> int:
    """The last year of any dated event on the timeline: the end drawn for open stages.

    It is the latest of the stages' start and end years, the platforms' start
    years and the policies' issue years, so it moves with the data.
    """
    years: list[int] = []
    for row in package.records("stages"):
        years += [y for y in (row.get("start_year"), row.get("end_year")) if y is not None]
    years += [r["start_year"] for r in package.records("platforms") if r.get("start_year") is not None]
    for row in package.records("policies"):
        date = _policy_date(row)
        if date is not None:
            years.append(date.year)
    return max(years)


def _policy_date(row: dict[str, Any]) -> dt.date | None:
    if row.get("issue_date") is not None:
        return row["issue_date"]
    if row.get("issue_year") is not None:
        return dt.date(int(row["issue_year"]), 1, 1)
    return None


def _unique(label: str, row_id: str, seen: set[str]) -> str:
    if label in seen:
        label = f"{label} [{row_id}]"
    seen.add(label)
    return label


def timeline(package: "Package") -> Chart:
    """The stages as spans, platforms at their start years, policies at their issue dates."""
    alt = require("altair")
    end_year = present_year(package)
    seen: set[str] = set()
    stages, platforms, policies, skipped = [], [], [], []

    for row in sorted(package.records("stages"), key=lambda r: (r["start_year"], r["stage_id"])):
        ongoing = row.get("end_year") is None
        last = end_year if ongoing else row["end_year"]
        stages.append(
            {
                "row": _unique(f"Stage {row['stage_id']}: {row['label_en']}", row["stage_id"], seen),
                "start": f"{row['start_year']}-01-01",
                "end": f"{last}-12-31",
                "category": "Stage",
                "label": f"{row['start_year']}–{'ongoing' if ongoing else row['end_year']}",
            }
        )

    fixed = corrections(package, "platforms")
    for row in sorted(package.records("platforms"), key=lambda r: (r.get("start_year") or 0, r["platform_id"])):
        if row.get("start_year") is None:
            skipped.append(row["name_en"])
            continue
        place = f" ({row['headquarters']})" if row.get("headquarters") else ""
        label = f"{row['start_year']} {row.get('start_event') or ''}".strip()
        claims = fixed.get(row["platform_id"])
        if claims:
            label += f" · {_printed_note(claims)}"
        platforms.append(
            {
                "row": _unique(f"{row['name_en']}{place}", row["platform_id"], seen),
                "start": f"{row['start_year']}-01-01",
                "category": "Corrected fact" if claims else "Platform",
                "label": label,
            }
        )

    fixed = corrections(package, "policies")
    dated = [(r, _policy_date(r)) for r in package.records("policies")]
    for row, date in sorted(dated, key=lambda p: (p[1] or dt.date.max, p[0]["policy_id"])):
        if date is None:
            skipped.append(row["policy_id"])
            continue
        title = row.get("title_en") or row.get("document_number") or row.get("summary") or row["policy_id"]
        label = row["issue_date"].isoformat() if row.get("issue_date") else f"{row['issue_year']} (year only)"
        claims = fixed.get(row["policy_id"])
        if claims:
            label += f" · {_printed_note(claims)}"
        policies.append(
            {
                "row": _unique(f"{row['issuer_en']}: {title}", row["policy_id"], seen),
                "start": date.isoformat(),
                "category": "Corrected fact" if claims else "Policy",
                "label": label,
            }
        )

    order = [d["row"] for d in stages + platforms + policies]
    first = min(int(d["start"][:4]) for d in stages + platforms + policies)
    domain = [f"{first - 1}-01-01", f"{end_year + 1}-12-31"]
    middle = (first + end_year) / 2
    x = alt.X("start:T", title="Year", scale=alt.Scale(domain=domain), axis=alt.Axis(format="%Y"))
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=340))
    colour = alt.Color(
        "category:N",
        title="Kind",
        scale=alt.Scale(domain=list(CATEGORY_COLOURS), range=list(CATEGORY_COLOURS.values())),
    )
    shape = alt.Shape(
        "category:N",
        title="Kind",
        scale=alt.Scale(domain=list(CATEGORY_COLOURS), range=["square", "circle", "square", "diamond"]),
    )

    def points(name: str, values: list[dict[str, Any]]) -> Any:
        return (
            alt.Chart(alt.Data(values=values), name=name)
            .mark_point(filled=True, size=140, opacity=1)
            .encode(x=x, y=y, color=colour, shape=shape)
        )

    def labels(name: str, values: list[dict[str, Any]], *, right: bool) -> Any:
        return (
            alt.Chart(alt.Data(values=values), name=name)
            .mark_text(align="left" if right else "right", dx=10 if right else -10, fontSize=11)
            .encode(x=x, y=y, text="label:N")
        )

    events = platforms + policies
    layers = [
        alt.Chart(alt.Data(values=stages), name="tl_stages")
        .mark_bar(height=16, cornerRadius=2)
        .encode(x=x, x2="end:T", y=y, color=colour),
        alt.Chart(alt.Data(values=stages), name="tl_stage_labels")
        .mark_text(align="left", dx=4, fontSize=11)
        .encode(x=x, y=y, text="label:N"),
        points("tl_platforms", platforms),
        points("tl_policies", policies),
        labels("tl_labels_right", [e for e in events if int(e["start"][:4]) <= middle], right=True),
        labels("tl_labels_left", [e for e in events if int(e["start"][:4]) > middle], right=False),
    ]
    spec = (
        alt.layer(*layers)
        .properties(width=760, height={"step": 26}, title="China's cross-border e-commerce: stages, platforms and policies")
        .to_dict()
    )
    open_stages = [s["row"] for s in stages if s["label"].endswith("ongoing")]
    caption = [
        "Bars are the stages; circles mark platforms at their founding or launch year (placed at 1 January); "
        "squares mark policies at their issue date, or at 1 January of the issue year where only the year is known.",
    ]
    if open_stages:
        caption.append(
            f"{', '.join(open_stages)} has no end year in the data: it was ongoing when the article was written. "
            f"Its bar is drawn to the end of {end_year}, the latest year of any event on this chart."
        )
    caption.append(
        "Red diamonds are rows whose printed facts were corrected or disputed by independent sources; "
        "they are drawn at the corrected value, and the label quotes what the article printed."
    )
    if skipped:
        caption.append(f"Not placed, because the data has no year for them: {', '.join(skipped)}.")
    return Chart(
        name="timeline",
        title="Timeline",
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={"tl_stages": len(stages), "tl_platforms": len(platforms), "tl_policies": len(policies)},
    )


def _figure_label(row: dict[str, Any]) -> str:
    metric = str(row["metric"]).replace("_", " ")
    where = {"001": "world", None: "area not stated"}.get(row.get("geography"), row.get("geography"))
    period = f"{row['period_year']}" + (f", {row['period_detail']}" if row.get("period_detail") else "")
    return f"{metric[:1].upper()}{metric[1:]} ({where}, {period})"


def _value_label(row: dict[str, Any]) -> str:
    qualifier = {"more_than": "more than ", "about": "about "}.get(row.get("value_qualifier") or "", "")
    value = f"{row['value']:g}"
    text = f"{qualifier}{value} {UNIT_TITLES.get(row['unit'], row['unit'])}, {str(row['kind']).replace('_', ' ')}"
    if row["status"] != "confirmed":
        text += f" · {str(row['status']).upper()}"
    return text


def market_figures(package: "Package") -> Chart:
    """Every market figure, one panel per driver and unit, shaped by kind, coloured by status."""
    alt = require("altair")
    drivers = {d["driver_id"]: d for d in package.records("drivers")}
    rows = [r for r in package.records("market_figures") if r.get("value") is not None]

    def driver_name(driver_id: str) -> str:
        return drivers[driver_id]["name_en"] if driver_id in drivers else driver_id
    values = [
        {
            "figure": _figure_label(r),
            "value": r["value"],
            "unit": UNIT_TITLES.get(r["unit"], r["unit"]),
            "kind": r["kind"],
            "status": r["status"],
            "driver": driver_name(r["driver_id"]),
            "label": _value_label(r),
            "panel": f"{driver_name(r['driver_id'])}, in {UNIT_TITLES.get(r['unit'], r['unit'])}",
            "panel_order": f"{drivers.get(r['driver_id'], {}).get('ordinal', 0):04d} {_unit_rank(r['unit'])}",
        }
        for r in rows
    ]
    kinds = _enum(package, "market_figures", "kind")
    statuses = _enum(package, "market_figures", "status")
    x = alt.X("value:Q", title="Value (see panel unit)", scale=alt.Scale(zero=True, nice=True))
    y = alt.Y("figure:N", title=None, axis=alt.Axis(labelLimit=330))
    base = alt.Chart()
    points = base.mark_point(filled=True, size=150, opacity=1).encode(
        x=x,
        y=y,
        shape=alt.Shape(
            "kind:N",
            title="Kind",
            scale=alt.Scale(domain=kinds, range=[KIND_SHAPES.get(k, "circle") for k in kinds]),
        ),
        color=alt.Color(
            "status:N",
            title="Fact-check status",
            scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS.get(s, "#777777") for s in statuses]),
        ),
    )
    texts = base.mark_text(align="left", dx=10, fontSize=11).encode(
        x=x,
        y=y,
        text="label:N",
        color=alt.Color("status:N", scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS.get(s, "#777777") for s in statuses])),
    )
    points = points.properties(name=FIGURES_LAYER)
    texts = texts.properties(name="mf_labels")
    spec = (
        alt.layer(points, texts, data=alt.Data(values=values))
        .properties(width=260, height={"step": 24})
        .facet(
            facet=alt.Facet(
                "panel:N",
                title=None,
                sort=alt.SortField("panel_order"),
                header=alt.Header(labelFontSize=12, labelFontWeight="bold", labelLimit=520),
            ),
            columns=1,
        )
        .resolve_scale(x="independent", y="independent")
        .properties(title="Market figures the article gives, by development driver")
        .to_dict()
    )
    missing = [d["name_en"] for d in drivers.values() if d["driver_id"] not in {r["driver_id"] for r in rows}]
    caption = [
        "One mark per figure. Shape tells the kind of figure (observed, estimate, forecast, survey share or other "
        "survey value); colour tells its fact-check status. Unverified figures are red and labelled UNVERIFIED: "
        "no independent source was found for them, so read them as the article's claims, not as established facts.",
        "One panel per driver and unit, so values in different units never share an axis. A forecast is labelled with its target year.",
    ]
    if missing:
        caption.append(f"Drivers with no figures in the data: {', '.join(missing)}.")
    return Chart(
        name="market-figures",
        title="Market figures",
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={FIGURES_LAYER: len(values)},
    )


def _unit_rank(unit: str) -> int:
    units = list(UNIT_TITLES)
    return units.index(unit) if unit in units else len(units)


def _enum(package: "Package", resource: str, name: str) -> list[str]:
    for spec in package.table_schema(resource).fields:
        if spec.name == name and spec.enum:
            return list(spec.enum)
    values = sorted({str(r[name]) for r in package.records(resource) if r.get(name) is not None})
    return values
