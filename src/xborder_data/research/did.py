"""The balanced DID panel: every prefecture-level unit of ``units``, every year.

``pilot_zone_panel`` lists designated units only. A difference-in-differences
design needs the never-treated units too, so this panel starts from ``units``
(the 2023 statistical division codes) and marks treatment from ``pilot_zones``
at prefecture level. Integer columns are pandas' nullable ``Int64``, so a merge
that leaves a unit unmatched keeps integers instead of turning them into floats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xborder_data.research.panel import Rule, panel_rows

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package

# The levels of ``units`` that are prefecture-level divisions (municipalities count as one).
PREFECTURE_LEVELS = ("municipality", "prefecture_city", "autonomous_prefecture", "region", "league")
COLUMNS = [
    "unit_num", "unit_code", "name_zh", "name_en", "province_code", "province_zh", "province_en", "level",
    "year", "ever_treated", "treated", "batch", "first_treated_year", "years_since_treatment", "dated_by",
    "approval_date", "announced_date", "possibly_unlisted",
]
INTEGERS = ("unit_num", "year", "ever_treated", "treated", "batch", "first_treated_year", "years_since_treatment", "possibly_unlisted")
TITLES = {
    "unit_num": "Unit number (xtset)", "unit_code": "Division code", "name_zh": "Name (Chinese)", "name_en": "Name (English)",
    "province_code": "Province code", "province_zh": "Province (Chinese)", "province_en": "Province (English)",
    "level": "Level", "year": "Year", "ever_treated": "Ever designated", "treated": "Treated (0/1)",
    "batch": "First batch", "first_treated_year": "First treated year", "years_since_treatment": "Years since treatment",
    "dated_by": "Dated by", "approval_date": "Approval date", "announced_date": "Announcement date",
    "possibly_unlisted": "May be an unlisted designation",
}


PANEL_TABLE = "did_panel"  # the name the exports give the panel beside the resources
FIRST_YEAR = 2012  # three years before the first batch (2015): room for pre-trends


def export_span(package: "Package") -> tuple[int, int]:
    """The years the exports' panel covers: 2012 to the latest batch's year."""
    years = [row["approval_year"] or (row["announced_date"].year if row["announced_date"] else FIRST_YEAR)
             for row in package.records("pilot_zone_batches")]
    return FIRST_YEAR, max(years)


def did_rows(package: "Package", start: int, end: int, rule: Rule = "approval_year") -> list[dict[str, Any]]:
    """Return the balanced prefecture × year panel as dicts (no pandas), sorted by unit and year."""
    treated = {row["unit_id"]: row for row in panel_rows(package, start, start, "prefecture", rule)}
    batches = {row["batch"]: row for row in package.records("pilot_zone_batches")}
    # A batch whose listed members fall short of its stated count may hold any unit not
    # yet treated when it was approved: flag those units so a researcher can drop them.
    gaps = sorted(
        first for first, row in ((row["approval_year"] or (row["announced_date"].year if row["announced_date"] else None), row)
                                 for row in batches.values())
        if first is not None and row["zones_listed"] is not None and row["zones_added"] is not None and row["zones_listed"] < row["zones_added"]
    )
    rows = []
    for unit in sorted(package.records("units"), key=lambda u: u["unit_code"]):
        if unit["level"] not in PREFECTURE_LEVELS:
            continue
        hit = treated.get(unit["unit_code"])
        first = hit["first_treated_year"] if hit else None
        batch = batches[hit["batch"]] if hit else None
        flagged = int(any(first is None or first > gap for gap in gaps))
        base = {
            "unit_num": int(unit["unit_code"]), "unit_code": unit["unit_code"], "name_zh": unit["name_zh"],
            "name_en": unit["name_en"], "province_code": unit["province_code"], "province_zh": unit["province_zh"],
            "province_en": unit["province_en"], "level": unit["level"], "ever_treated": int(hit is not None),
            "batch": hit["batch"] if hit else None, "first_treated_year": first, "dated_by": hit["dated_by"] if hit else None,
            "approval_date": batch["approval_date"] if batch else None, "announced_date": batch["announced_date"] if batch else None,
            "possibly_unlisted": flagged,
        }
        for year in range(start, end + 1):
            since = None if first is None else year - first
            rows.append({**base, "year": year, "treated": int(since is not None and since >= 0), "years_since_treatment": since})
    return [{column: row[column] for column in COLUMNS} for row in rows]


def did_panel(start: int, end: int, rule: Rule = "approval_year", *, package: "Package | None" = None) -> "pd.DataFrame":
    """Return the balanced prefecture × year DID panel over every prefecture-level unit.

    Args:
        start: first year (inclusive); end: last year (inclusive).
        rule: how a batch's approval dates its first treated year (see
            ``pilot_zone_panel``).
        package: another copy of the package; the bundled one by default.

    Returns:
        One row per prefecture-level unit of ``units`` (333 in the 2023 code
        table, plus the four municipalities) and year. ``unit_num`` is the
        division code as an integer, for ``xtset unit_num year``. Never-treated
        units have treated 0, ever_treated 0 and empty batch and first year.
        Treatment is absorbing: the 2025 revocation of Haikou, Sanya and
        Alashankou is not modelled (Hainan Island and Bortala are designated
        by the same reply). ``possibly_unlisted`` is 1 for a unit not yet
        treated when a batch with members no source names was approved (see
        ``pilot_zone_batches.note``): drop those units for a clean control group.
        County-level zones (Yiwu…) treat their prefecture; Xiong'an treats Baoding.
        The 2025 whole-island zone of Hainan is a province-level unit and marks
        no prefecture here: Haikou and Sanya are treated from their own batches.

    Example:
        >>> p = did_panel(2015, 2016)
        >>> p.loc[p.unit_code == "330100", "treated"].tolist()
        [1, 1]
    """
    import pandas as pd

    if package is None:
        from xborder_data.package import bundled

        package = bundled()
    frame = pd.DataFrame(did_rows(package, start, end, rule), columns=COLUMNS)
    for column in INTEGERS:
        frame[column] = frame[column].astype("Int64")
    for column in COLUMNS:
        if column not in INTEGERS and column not in ("approval_date", "announced_date"):
            frame[column] = frame[column].astype("string")
    for column in ("approval_date", "announced_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame
