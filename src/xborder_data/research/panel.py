"""The pilot-zone treatment panel: one row per unit and year.

Difference-in-differences work on the comprehensive cross-border e-commerce
pilot zones treats each batch's approval as the start of treatment. This module
turns ``pilot_zones`` and ``pilot_zone_batches`` into the long unit × year table
that such work needs, with the rule for late-year approvals made explicit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from xborder_data.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package

Level = Literal["zone", "prefecture"]
Rule = Literal["approval_year", "next_year_if_after_june"]

LEVELS = ("zone", "prefecture")
YEARS = (1900, 2100)  # bounds the panel: about 171 units × 201 years at most
RULES = ("approval_year", "next_year_if_after_june")
COLUMNS = [
    "unit_id", "code", "prefecture_adcode", "name_zh", "name_en", "province_zh", "province_en", "level",
    "year", "batch", "first_treated_year", "dated_by", "treated", "years_since_treatment",
]


def first_treated_year(batch: dict[str, Any], rule: Rule) -> tuple[int, str]:
    """Return a batch's first treated year under ``rule``, and what dates it.

    ``approval_year``: the year the State Council approved the batch.
    ``next_year_if_after_june``: that year if approved in January to June,
    else the next year.

    Where no source dates the approval (batch 8), the announcement stands in:
    its year for ``approval_year``; for ``next_year_if_after_june`` an
    announcement in January to June of a year gives that year. The second
    value says which date was used: "approval" or "announcement".

    Raises:
        UsageError: when the batch lacks the date the rule needs.
    """
    year, month, announced = batch["approval_year"], batch["approval_month"], batch["announced_date"]
    if year is None:
        if announced is None:
            raise UsageError(f"pilot_zone_batches batch {batch['batch']}: no approval or announcement date, so no rule can date its treatment")
        if rule == "approval_year" or announced.month <= 6:
            return announced.year, "announcement"
        raise UsageError(
            f"pilot_zone_batches batch {batch['batch']}: approval undated and announced after June, so "
            f"rule 'next_year_if_after_june' cannot place it; use rule='approval_year'"
        )
    if rule == "approval_year":
        return int(year), "approval"
    if month is None:
        # Approval cannot follow its announcement: an announcement by June settles it.
        if announced is not None and announced.year == year and announced.month <= 6:
            return int(year), "approval"
        raise UsageError(
            f"pilot_zone_batches batch {batch['batch']}: approval month unknown, so "
            f"rule 'next_year_if_after_june' cannot place it; use rule='approval_year'"
        )
    return int(year) + (1 if month > 6 else 0), "approval"


def _units(zones: list[dict[str, Any]], batches: dict[int, dict[str, Any]], level: Level, rule: Rule) -> list[dict[str, Any]]:
    """One dict per unit with its names, batch and first treated year."""
    units: dict[str, dict[str, Any]] = {}
    for zone in sorted(zones, key=lambda z: (z["batch"], z["zone_id"])):
        start, basis = first_treated_year(batches[zone["batch"]], rule)
        if level == "zone":
            key, code = zone["zone_id"], zone["adcode"] or zone["prefecture_adcode"]
            unit = {"unit_id": key, "code": code, "name_zh": zone["name_zh"], "name_en": zone["name_en"], "level": zone["level"]}
        else:
            key = code = zone["prefecture_adcode"]
            own = zone["adcode"] == code  # the zone is the prefecture itself
            unit = {"unit_id": key, "code": code, "name_zh": zone["name_zh"] if own else None,
                    "name_en": zone["name_en"] if own else None, "level": zone["level"] if own else None}
        unit.update(prefecture_adcode=zone["prefecture_adcode"], province_zh=zone["province_zh"],
                    province_en=zone["province_en"], batch=zone["batch"], first_treated_year=start, dated_by=basis)
        known = units.get(key)
        if known is None:
            units[key] = unit
            continue
        # A prefecture is treated from its first zone; keep names from the zone that is the prefecture.
        if start < known["first_treated_year"]:
            known.update(batch=unit["batch"], first_treated_year=start, dated_by=basis)
        for field in ("name_zh", "name_en", "level"):
            if known[field] is None:
                known[field] = unit[field]
    return list(units.values())


def panel_rows(package: "Package", start: int, end: int, level: Level = "zone", rule: Rule = "approval_year") -> list[dict[str, Any]]:
    """Return the panel as a list of dicts (no pandas), sorted by unit and year."""
    if level not in LEVELS:
        raise UsageError(f"pilot_zone_panel: level must be one of {', '.join(LEVELS)}, not {level!r}")
    if rule not in RULES:
        raise UsageError(f"pilot_zone_panel: rule must be one of {', '.join(RULES)}, not {rule!r}")
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise UsageError(f"pilot_zone_panel: start and end must be whole years, not {start!r} and {end!r}")
    if start > end:
        raise UsageError(f"pilot_zone_panel: start {start} is after end {end}; give start <= end")
    if not (YEARS[0] <= start and end <= YEARS[1]):
        raise UsageError(
            f"pilot_zone_panel: years must lie in {YEARS[0]}–{YEARS[1]} (calendar years a city panel can mean), "
            f"not {start}–{end}"
        )
    batches = {row["batch"]: row for row in package.records("pilot_zone_batches")}
    units = _units(package.records("pilot_zones"), batches, level, rule)
    rows = []
    for unit in sorted(units, key=lambda u: u["unit_id"]):
        for year in range(start, end + 1):
            since = year - unit["first_treated_year"]
            rows.append({**unit, "year": year, "treated": int(since >= 0), "years_since_treatment": since})
    return [{column: row[column] for column in COLUMNS} for row in rows]


def pilot_zone_panel(
    start: int,
    end: int,
    level: Level = "zone",
    rule: Rule = "approval_year",
    *,
    package: "Package | None" = None,
) -> "pd.DataFrame":
    """Return the long unit × year treatment panel of the pilot zones.

    Args:
        start: first year of the panel.
        end: last year of the panel (inclusive).
        level: ``"zone"``, one unit per row of ``pilot_zones`` (unit_id is its
            zone_id; code is its adcode, or for Xiong'an, which has none, the
            prefecture's); or ``"prefecture"``, one unit per enclosing
            prefecture (unit_id and code are prefecture_adcode), treated from
            its first zone. A county-level zone such as Yiwu makes its
            prefecture treated. Names are empty for a prefecture that is not a
            zone itself. At zone level a code can repeat (Xiong'an, batch 5,
            and Baoding, batch 8, both give 130600): merge city statistics at
            prefecture level.
        rule: ``"approval_year"`` treats a batch from the year of approval;
            ``"next_year_if_after_june"`` from the next year when it was
            approved after June (see first_treated_year).
        package: another copy of the package; the bundled one by default.

    Returns:
        A DataFrame with one row per unit and year: unit_id, code,
        prefecture_adcode, name_zh, name_en, province_zh, province_en, level,
        year, batch, first_treated_year, dated_by ("approval", or
        "announcement" where the approval is undated), treated (0/1) and
        years_since_treatment (year - first_treated_year, negative before).
        Treatment is absorbing: the 2025 revocation of three zones (see
        their notes) is not modelled.
        Only designated units appear. Before using the cities outside it
        as controls, note that 10 of the 181 designations are missing
        because no source read names them (pilot_zone_batches.note says
        which): fill treated with 0 only for cities you know were never
        designated.

    Raises:
        UsageError: for a bad level, rule or year range, or a batch whose
            dates the rule needs but the data lacks.

    Example:
        >>> p = pilot_zone_panel(2015, 2016)
        >>> p.loc[p.unit_id == "b1-330100", ["year", "treated"]].values.tolist()
        [[2015, 1], [2016, 1]]
    """
    import pandas as pd

    if package is None:
        from xborder_data.package import bundled

        package = bundled()
    rows = panel_rows(package, start, end, level, rule)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("year", "batch", "first_treated_year", "treated", "years_since_treatment"):
        frame[column] = frame[column].astype("Int64")  # nullable: a merge keeps integers
    for column in ("unit_id", "code", "prefecture_adcode", "name_zh", "name_en", "province_zh", "province_en", "level", "dated_by"):
        frame[column] = frame[column].astype("string")
    return frame
