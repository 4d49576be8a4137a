"""The timeline: stages as spans, platforms at their start years, policies at their issue dates.

The axis covers the years the events crowd into. An event that lies far before
all the others (Global Sources, 1971) would stretch the axis over empty
decades, so it is drawn at the axis' left edge with a marker that says so.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from xborder_data.site._deps import require
from xborder_data.site.charts import FONT, Chart, corrections, printed_note, render_svg, wrap
from xborder_data.site.i18n import Lang, join, text
from xborder_data.site.tables import table_href

if TYPE_CHECKING:
    from xborder_data.package import Package

# An event this many years before the next one is an outlier drawn at the axis edge.
OUTLIER_GAP = 10
LEAD_YEARS = 3  # room on the axis before the first event it covers
LABEL_WIDTH = 62  # characters per line of a row label
NOTE_WIDTH = 58  # characters per line of a point's note

CATEGORY_COLOURS = {
    "tl.stage": "#9ecae1",
    "tl.platform": "#3182bd",
    "tl.policy": "#31a354",
    "tl.corrected": "#d62728",
}
CATEGORY_SHAPES = ["square", "circle", "square", "diamond"]


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
        date = policy_date(row)
        if date is not None:
            years.append(date.year)
    return max(years)


def policy_date(row: dict[str, Any]) -> dt.date | None:
    """The issue date, or 1 January of the issue year where only the year is known."""
    if row.get("issue_date") is not None:
        return row["issue_date"]
    if row.get("issue_year") is not None:
        return dt.date(int(row["issue_year"]), 1, 1)
    return None


def axis_start(years: list[int]) -> int:
    """The first year on the axis: a few years before the first event that is not a far outlier."""
    ordered = sorted(years)
    first = 0
    while first + 1 < len(ordered) and ordered[first + 1] - ordered[first] > OUTLIER_GAP:
        first += 1
    return ordered[first] - LEAD_YEARS


def short_title(row: dict[str, Any], lang: Lang = "en") -> str:
    """The title in ``lang`` (Chinese pages prefer title_zh), else the summary's first clause ('Retail-import tax reform: ...' -> 'Retail-import tax reform')."""
    if lang == "zh" and row.get("title_zh"):
        return str(row["title_zh"])
    if row.get("title_en"):
        return str(row["title_en"])
    summary = str(row.get("summary") or row["policy_id"])
    for stop in (": ", "; ", ", "):
        summary = summary.split(stop)[0]
    return summary.rstrip(".")


def policy_label(row: dict[str, Any], lang: Lang = "en") -> list[str]:
    """Document number (or issuer) and a short title, wrapped at words, never cut."""
    head = row.get("document_number") or ((lang == "zh" and row.get("issuer_zh")) or row["issuer_en"])
    return wrap(f"{head} · {short_title(row, lang)}", LABEL_WIDTH)


def _unique(lines: list[str], row_id: str, seen: set[str]) -> list[str]:
    if "\n".join(lines) in seen:
        lines = lines + [f"[{row_id}]"]
    seen.add("\n".join(lines))
    return lines


def timeline(package: "Package", lang: Lang = "en") -> Chart:
    """The stages as spans, platforms at their start years, policies at their issue dates."""
    alt = require("altair")
    end_year = present_year(package)
    seen: set[str] = set()
    stages, platforms, policies, skipped, events = [], [], [], [], []
    kind = {key: text(lang, key) for key in CATEGORY_COLOURS}

    def name(row: dict[str, Any], en: str) -> str:
        return str((lang == "zh" and row.get("name_zh")) or row[en])

    for row in sorted(package.records("stages"), key=lambda r: (r["start_year"], r["stage_id"])):
        ongoing = row.get("end_year") is None
        last = end_year if ongoing else row["end_year"]
        stages.append(
            {
                "row": "\n".join(_unique([text(lang, "tl.stage_row", id=row["stage_id"], label=name(row, "label_en"))], row["stage_id"], seen)),
                "start": f"{row['start_year']}-01-01",
                "end": f"{last}-12-31",
                "category": kind["tl.stage"],
                "ongoing": ongoing,
                "label": f"{row['start_year']}–{text(lang, 'tl.ongoing') if ongoing else row['end_year']}",
            }
        )

    fixed = corrections(package, "platforms")
    for row in sorted(package.records("platforms"), key=lambda r: (r.get("start_year") or 0, r["platform_id"])):
        if row.get("start_year") is None:
            skipped.append(name(row, "name_en"))
            continue
        place = f" ({row['headquarters']})" if row.get("headquarters") else ""
        label = f"{row['start_year']} {row.get('start_event') or ''}".strip()
        claims = fixed.get(row["platform_id"])
        if claims:
            label += f" · {printed_note(claims, lang)}"
        title = f"{name(row, 'name_en')}{place}"
        platforms.append(
            {
                "row": "\n".join(_unique(wrap(title, LABEL_WIDTH), row["platform_id"], seen)),
                "start": f"{row['start_year']}-01-01",
                "year": row["start_year"],
                "category": kind["tl.corrected"] if claims else kind["tl.platform"],
                "label": label,
            }
        )
        events.append({"date": f"{row['start_year']}", "kind": kind["tl.platform"], "text": f"{title}: {label}", "href": table_href("platforms", row["platform_id"])})

    fixed = corrections(package, "policies")
    dated = [(r, policy_date(r)) for r in package.records("policies")]
    for row, date in sorted(dated, key=lambda p: (p[1] or dt.date.max, p[0]["policy_id"])):
        if date is None:
            skipped.append(row["policy_id"])
            continue
        label = row["issue_date"].isoformat() if row.get("issue_date") else text(lang, "tl.year_only", year=row["issue_year"])
        claims = fixed.get(row["policy_id"])
        if claims:
            label += f" · {printed_note(claims, lang)}"
        policies.append(
            {
                "row": "\n".join(_unique(policy_label(row, lang), row["policy_id"], seen)),
                "start": date.isoformat(),
                "year": date.year,
                "category": kind["tl.corrected"] if claims else kind["tl.policy"],
                "label": label,
            }
        )
        title = (lang == "zh" and row.get("title_zh")) or row.get("title_en") or row.get("summary") or ""
        issuer = (lang == "zh" and row.get("issuer_zh")) or row["issuer_en"]
        events.append(
            {
                "date": label,
                "kind": kind["tl.policy"],
                "text": f"{issuer}{', ' + row['document_number'] if row.get('document_number') else ''}: {title}",
                "href": table_href("policies", row["policy_id"]),
            }
        )

    first = axis_start([int(d["start"][:4]) for d in stages + platforms + policies])
    edge = f"{first}-01-01"
    outliers = [d for d in platforms + policies if d["year"] < first]
    for event in outliers:  # drawn at the edge, labelled with the true year
        event["start"] = edge
        event["label"] = text(lang, "tl.off_axis", label=event["label"])
    for event in platforms + policies + stages:
        event["label"] = "\n".join(wrap(event["label"], NOTE_WIDTH))

    order = [d["row"] for d in stages + platforms + policies]
    domain = [edge, f"{end_year + 1}-12-31"]
    middle = (first + end_year) / 2
    scale = alt.Scale(domain=domain)
    x = alt.X("start:T", title=None, scale=scale, axis=None)
    # The chart is tall: the years are shown above and below it.
    x_top = alt.X("start:T", title=text(lang, "tl.year"), scale=scale, axis=alt.Axis(format="%Y", tickCount="year", orient="top", labelFlush=True))
    x_bottom = alt.X("start:T", title=text(lang, "tl.year"), scale=scale, axis=alt.Axis(format="%Y", tickCount="year", orient="bottom", labelFlush=True))
    y = alt.Y(
        "row:N",
        title=None,
        sort=order,
        axis=alt.Axis(labelLimit=0, labelExpr="split(datum.label, '\\n')", labelLineHeight=13, labelFontSize=11, labelPadding=6, labelBaseline="middle"),
    )
    categories = [kind[key] for key in CATEGORY_COLOURS]
    colour = alt.Color(
        "category:N",
        title=text(lang, "tl.kind"),
        scale=alt.Scale(domain=categories, range=list(CATEGORY_COLOURS.values())),
        legend=alt.Legend(orient="top", direction="horizontal"),
    )
    shape = alt.Shape("category:N", title=text(lang, "tl.kind"), scale=alt.Scale(domain=categories, range=CATEGORY_SHAPES))

    def points(name: str, values: list[dict[str, Any]]) -> Any:
        return (
            alt.Chart(alt.Data(values=values), name=name)
            .mark_point(filled=True, size=140, opacity=1)
            .encode(x=x, y=y, color=colour, shape=shape)
        )

    def labels(name: str, values: list[dict[str, Any]], *, right: bool) -> Any:
        return (
            alt.Chart(alt.Data(values=values), name=name)
            .mark_text(align="left" if right else "right", dx=10 if right else -10, fontSize=11, lineBreak="\n", lineHeight=13)
            .encode(x=x, y=y, text="label:N")
        )

    events_drawn = platforms + policies
    layers = [
        alt.Chart(alt.Data(values=stages), name="tl_stages")
        .mark_bar(height=16, cornerRadius=2)
        .encode(x=x_top, x2="end:T", y=y, color=colour),
        alt.Chart(alt.Data(values=stages), name="tl_stage_labels")
        .mark_text(align="left", dx=4, fontSize=11)
        .encode(x=x_bottom, y=y, text="label:N"),
        points("tl_platforms", platforms),
        points("tl_policies", policies),
        labels("tl_labels_right", [e for e in events_drawn if e["year"] <= middle], right=True),
        labels("tl_labels_left", [e for e in events_drawn if e["year"] > middle], right=False),
    ]
    lines = max(len(d["row"].split("\n")) for d in stages + platforms + policies)
    spec = (
        alt.layer(*layers)
        .resolve_axis(x="independent")
        .properties(padding={"left": 24, "right": 12, "top": 6, "bottom": 6}, width=620, height={"step": 13 * lines + 10}, title=text(lang, "tl.title"))
        .configure(font=FONT)
        .to_dict()
    )
    open_stages = [str(s["row"]) for s in stages if s.pop("ongoing")]
    caption = [text(lang, "tl.caption_1")]
    if outliers:
        rows = "; ".join(f"{o['row']} ({o['year']})" for o in outliers)
        caption.append(text(lang, "tl.caption_outliers", first=first, rows=rows))
    if open_stages:
        caption.append(text(lang, "tl.caption_open", stages=join(lang, open_stages), year=end_year))
    caption.append(text(lang, "tl.caption_corrected"))
    if skipped:
        caption.append(text(lang, "tl.caption_skipped", rows=join(lang, skipped)))
    return Chart(
        name="timeline",
        title=text(lang, "tl.chart_title"),
        spec=spec,
        svg=render_svg(spec),
        caption=caption,
        counts={"tl_stages": len(stages), "tl_platforms": len(platforms), "tl_policies": len(policies)},
        listing=sorted(events, key=lambda e: e["date"]),
    )
