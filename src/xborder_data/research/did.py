"""The balanced DID panel: every prefecture-level unit of ``units``, every year.

``pilot_zone_panel`` lists designated units only. A difference-in-differences
design needs the never-treated units too, so this panel starts from ``units``
(the 2023 statistical division codes) and marks treatment from ``pilot_zones``
at prefecture level. Integer columns are pandas' nullable ``Int64``, so a merge
that leaves a unit unmatched keeps integers instead of turning them into floats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xborder_data.errors import DescriptorError, UsageError
from xborder_data.research.panel import Rule, Treatment, check_arguments, first_treated_year, is_treated, require_inputs, treated_units

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package

# The levels of ``units`` that are prefecture-level divisions (municipalities count as one).
PREFECTURE_LEVELS = ("municipality", "prefecture_city", "autonomous_prefecture", "region", "league")
COLUMNS = [
    "unit_num", "unit_code", "name_zh", "name_en", "province_code", "province_zh", "province_en", "level",
    "year", "ever_treated", "treated", "batch", "first_treated_year", "cohort", "years_since_treatment", "dated_by",
    "approval_date", "announced_date", "revoked_year", "possibly_unlisted",
]
INTEGERS = ("unit_num", "year", "ever_treated", "treated", "batch", "first_treated_year", "cohort", "years_since_treatment",
            "revoked_year", "possibly_unlisted")
TITLES = {
    "unit_num": "Unit number (xtset)", "unit_code": "Division code", "name_zh": "Name (Chinese)", "name_en": "Name (English)",
    "province_code": "Province code", "province_zh": "Province (Chinese)", "province_en": "Province (English)",
    "level": "Level", "year": "Year", "ever_treated": "Ever designated", "treated": "Treated (0/1)",
    "batch": "First batch", "first_treated_year": "First treated year",
    "cohort": "Treatment cohort (first treated year; 0 = never treated)", "years_since_treatment": "Years since treatment",
    "dated_by": "Dated by", "approval_date": "Approval date", "announced_date": "Announcement date",
    "revoked_year": "Treatment ends (all zones revoked)",
    "possibly_unlisted": "May be an unlisted designation",
}


INPUTS = ("units", "pilot_zones", "pilot_zone_batches")  # the resources the panel is built from
FORMS = ("long", "wide")
YEARLY = ("year", "treated", "years_since_treatment")  # the columns that vary by year
PANEL_TABLE = "did_panel"  # the name the exports give the panel beside the resources
FIRST_YEAR = 2012  # three years before the first batch (2015): room for pre-trends


def has_panel(package: "Package") -> bool:
    """Whether ``package`` has what the balanced panel is built from (the exports add it then)."""
    return set(INPUTS) <= set(package.resources())


def calendar_dates(frame: "pd.DataFrame") -> "pd.DataFrame":
    """``frame`` with its date columns as ``datetime.date`` objects: Parquet stores date32, xlsx a date, never a midnight timestamp."""
    out = frame.copy()
    for column in ("approval_date", "announced_date"):
        if column in out.columns:
            out[column] = out[column].dt.date.astype(object).where(out[column].notna(), None)
    return out


def export_span(package: "Package") -> tuple[int, int]:
    """The years the exports' panel covers: 2012 to the latest batch's year."""
    require_inputs(package, units=True)
    years = [row["approval_year"] or (row["announced_date"].year if row["announced_date"] else FIRST_YEAR)
             for row in package.records("pilot_zone_batches")]
    return FIRST_YEAR, max([FIRST_YEAR, *years])


def _gap_batches(batches: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Batches whose listed members fall short of the count their reply states."""
    return [row for row in batches.values()
            if row["zones_listed"] is not None and row["zones_added"] is not None and row["zones_listed"] < row["zones_added"]]


def _batch_year(batch: dict[str, Any], rule: Rule) -> int:
    """The first treated year of a batch under ``rule``; a batch the rule cannot date counts as treated at once."""
    try:
        return first_treated_year(batch, rule)[0]
    except UsageError:
        return -1


def did_rows(package: "Package", start: int, end: int, rule: Rule = "approval_year",
             treatment: Treatment = "absorbing") -> list[dict[str, Any]]:
    """Return the balanced prefecture × year panel as dicts (no pandas), sorted by unit and year."""
    start, end = check_arguments("did_panel", start, end, rule, treatment)
    treated = {unit["unit_id"]: unit for unit in treated_units(package, "prefecture", rule)}
    batches = {row["batch"]: row for row in package.records("pilot_zone_batches")}
    # A unit could be an unnamed member of a batch with missing members when no
    # batch up to it names the unit or a zone inside it, no later batch designates
    # the unit itself (a reply designates no existing zone), and it lies in a
    # province the reply is addressed to (any province where no source gives them).
    # Only a batch treated by the panel's last year matters: before it, an unnamed member is untreated anyway.
    gaps = [(row["batch"], set(row["addressees"].split(" | ")) if row.get("addressees") else None) for row in _gap_batches(batches)
            if _batch_year(row, rule) <= end]
    designated_itself = {zone["adcode"] for zone in package.records("pilot_zones") if zone["adcode"]}
    rows = []
    for unit in sorted(package.records("units"), key=lambda u: u["unit_code"]):
        if unit["level"] not in PREFECTURE_LEVELS:
            continue
        if not (unit["unit_code"].isascii() and unit["unit_code"].isdigit()):
            raise DescriptorError(
                f"resource 'units': unit_code {unit['unit_code'][:20]!r} is not a division code of digits, so it has no "
                "unit_num; restore the package from the release.", resource="units", field_name="unit_code",
            )
        hit = treated.get(unit["unit_code"])
        first = hit["first_treated_year"] if hit else None
        batch = batches[hit["batch"]] if hit else None
        flagged = int(unit["unit_code"] not in designated_itself and any(
            (hit is None or hit["batch"] > number) and (provinces is None or unit["province_zh"] in provinces) for number, provinces in gaps))
        base = {
            "unit_num": int(unit["unit_code"]), "unit_code": unit["unit_code"], "name_zh": unit["name_zh"],
            # A designated unit keeps the English name its list source gives (Harbin, not the code table's pinyin).
            "name_en": hit["name_en"] if hit else unit["name_en"], "province_code": unit["province_code"], "province_zh": unit["province_zh"],
            "province_en": unit["province_en"], "level": unit["level"], "ever_treated": int(hit is not None),
            "batch": hit["batch"] if hit else None, "first_treated_year": first,
            "cohort": first if first is not None and first <= end else 0,  # treated after the window: a control in it
            "dated_by": hit["dated_by"] if hit else None,
            "approval_date": batch["approval_date"] if batch else None, "announced_date": batch["announced_date"] if batch else None,
            "revoked_year": hit["revoked_year"] if hit else None, "possibly_unlisted": flagged,
        }
        for year in range(start, end + 1):
            since = None if first is None else year - first
            rows.append({**base, "year": year, "treated": is_treated(hit, year, treatment) if hit else 0, "years_since_treatment": since})
    return [{column: row[column] for column in COLUMNS} for row in rows]


def did_panel(start: int, end: int, rule: Rule = "approval_year", *, treatment: Treatment = "absorbing",
              form: str = "long", package: "Package | None" = None) -> "pd.DataFrame":
    """Return the balanced prefecture × year DID panel over every prefecture-level unit.

    Args:
        start: first year (inclusive); end: last year (inclusive).
        rule: how a batch's approval dates its first treated year (see
            ``pilot_zone_panel``).
        treatment: ``"absorbing"`` (default) or ``"ends_at_revocation"``, as
            in ``pilot_zone_panel``. At prefecture level the two agree for
            every unit in this release: the reply that revokes Haikou, Sanya
            and Alashankou designates Hainan Island and Bortala.
        form: ``"long"`` (default), one row per unit and year; or ``"wide"``,
            one row per unit with its unit columns, batch, dates, cohort,
            revoked_year and possibly_unlisted, and ``treated_<year>`` for each
            year (the treatment list a spreadsheet or ``reshape`` starts from).
        package: another copy of the package; the bundled one by default.

    Returns:
        One row per prefecture-level unit of ``units`` (333 in the 2023 code
        table, plus the four municipalities) and year. ``unit_num`` is the
        division code as an integer, for ``xtset unit_num year``. Never-treated
        units have treated 0, ever_treated 0, cohort 0 and empty batch and
        first year. ``ever_treated``, ``batch`` and ``first_treated_year``
        describe the unit (designated by any batch); ``cohort`` is the first
        treated year when it falls within ``end``, else 0 (never treated in
        the window), the group variable ``csdid`` and R's ``did`` expect.
        ``revoked_year`` is empty for every prefecture in this release (each
        revoked city stays inside a zone).
        ``possibly_unlisted`` is 1 for a unit that could be one of the
        designations no source names, of a batch treated by ``end``: no batch
        up to that batch names it or a zone inside it, no later batch
        designates the unit itself, and it lies in a province the batch's
        reply is addressed to (``pilot_zone_batches.addressees``). A panel that
        ends before the incomplete batch (2022) flags nothing. Drop those units
        for a clean control group. County-level zones (Yiwu…) treat their prefecture;
        Xiong'an treats Baoding; the 2025 whole-island zone treats Haikou,
        Sanya and Danzhou (not Sansha).

    Example:
        >>> p = did_panel(2015, 2016)
        >>> p.loc[p.unit_code == "330100", "treated"].tolist()
        [1, 1]
    """
    import pandas as pd

    if form not in FORMS:
        raise UsageError(f"did_panel: form must be one of {', '.join(FORMS)}, not {form!r}")
    start, end = check_arguments("did_panel", start, end, rule, treatment)  # before the bundled package is read
    if package is None:
        from xborder_data.package import bundled

        package = bundled()
    frame = pd.DataFrame(did_rows(package, start, end, rule, treatment), columns=COLUMNS)
    for column in INTEGERS:
        frame[column] = frame[column].astype("Int64")
    for column in COLUMNS:
        if column not in INTEGERS and column not in ("approval_date", "announced_date"):
            frame[column] = frame[column].astype("string")
    for column in ("approval_date", "announced_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame if form == "long" else _wide(frame)


def _wide(frame: "pd.DataFrame") -> "pd.DataFrame":
    """One row per unit: the columns that do not vary by year, then treated_<year> per year."""
    per_unit = [c for c in COLUMNS if c not in YEARLY]
    units = frame.drop_duplicates("unit_num")[per_unit].reset_index(drop=True)
    treated = frame.pivot(index="unit_num", columns="year", values="treated")
    treated.columns = [f"treated_{year}" for year in treated.columns]
    wide = units.merge(treated.astype("Int64").reset_index(), on="unit_num", how="left", validate="one_to_one")
    return wide
