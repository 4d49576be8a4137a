"""The pilot-zone treatment panel: one row per unit and year.

Difference-in-differences work on the comprehensive cross-border e-commerce
pilot zones treats each batch's approval as the start of treatment. This module
turns ``pilot_zones`` and ``pilot_zone_batches`` into the long unit × year table
that such work needs, with the rule for late-year approvals made explicit.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, Literal

from xborder_data.errors import DescriptorError, UsageError

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from xborder_data.package import Package

Level = Literal["zone", "prefecture"]
Rule = Literal["approval_year", "next_year_if_after_june"]
Treatment = Literal["absorbing", "ends_at_revocation"]
CountyZones = Literal["parent", "ignore"]

LEVELS = ("zone", "prefecture")
YEARS = (1900, 2100)  # bounds the panel: about 340 units × 201 years at most
RULES = ("approval_year", "next_year_if_after_june")
TREATMENTS = ("absorbing", "ends_at_revocation")
COUNTY_ZONES = ("parent", "ignore")
# Zones below prefecture level: county_zones="ignore" keeps them from treating the prefecture that holds them.
BELOW_PREFECTURE = frozenset({"county_city", "new_area"})
# How a zone reaches the prefecture it treats (first_treated_via), by the zone's level.
VIA = {"county_city": "county_city", "new_area": "new_area", "whole_island": "whole_island"}
VIAS = ("prefecture", "county_city", "new_area", "whole_island")
MAX_ROWS = 500_000  # a panel's units × years: the bundled package needs under 70,000 even over 1900–2100
COLUMNS = [
    "unit_id", "code", "prefecture_adcode", "name_zh", "name_en", "province_zh", "province_en", "level",
    "year", "batch", "first_treated_year", "dated_by", "first_treated_via", "identified_by", "revoked_year", "treated",
    "years_since_treatment",
]
TITLES = {
    "unit_id": "Unit (zone_id, or prefecture code)", "code": "Division code", "prefecture_adcode": "Prefecture code",
    "name_zh": "Name (Chinese)", "name_en": "Name (English)", "province_zh": "Province (Chinese)",
    "province_en": "Province (English)", "level": "Level", "year": "Year", "batch": "First batch",
    "first_treated_year": "First treated year", "dated_by": "Dated by",
    "first_treated_via": "First treated through (prefecture, county_city, new_area, whole_island)",
    "identified_by": "First zone identified by (named, list_order)", "revoked_year": "Treatment ends (all zones revoked)",
    "treated": "Treated (0/1)", "years_since_treatment": "Years since treatment",
}
# Hainan's prefecture-level units off Hainan Island: Sansha administers the South
# China Sea islands, so the 2025 whole-island zone does not cover it.
OFF_ISLAND = frozenset({"460300"})


def check_options(who: str, county_zones: Any, inferred: Any) -> None:
    """Refuse a bad ``county_zones`` or ``inferred`` with one UsageError naming ``who``."""
    if county_zones not in COUNTY_ZONES:
        raise UsageError(f"{who}: county_zones must be one of {', '.join(COUNTY_ZONES)}, not {county_zones!r}")
    if not isinstance(inferred, bool):
        raise UsageError(f"{who}: inferred must be True or False, not {inferred!r}")


def check_size(who: str, units: int, start: int, end: int) -> None:
    """Refuse a panel of more than MAX_ROWS rows before building it (a crafted copy can hold any number of units)."""
    rows = units * (end - start + 1)
    if rows > MAX_ROWS:
        raise UsageError(
            f"{who}: {units} units × {end - start + 1} years make {rows:,} rows, more than the {MAX_ROWS:,} a panel "
            "is built with here; narrow the years (--start/--end)"
        )


def date_year(day: Any, rule: Rule) -> int:
    """The first treated year of an act dated ``day`` under ``rule`` (approval_year, or the next year after June)."""
    return int(day.year) + (1 if rule == "next_year_if_after_june" and day.month > 6 else 0)


def check_arguments(who: str, start: Any, end: Any, rule: Any, treatment: Any, level: Any = "zone") -> tuple[int, int]:
    """Return ``start`` and ``end`` as ints; refuse a bad year range, level, rule or treatment with one UsageError naming ``who``.

    Any whole number is a year (numpy's too, as ``df.year.min()`` gives); a bool, float or text is not.
    """
    if level not in LEVELS:
        raise UsageError(f"{who}: level must be one of {', '.join(LEVELS)}, not {level!r}")
    if rule not in RULES:
        raise UsageError(f"{who}: rule must be one of {', '.join(RULES)}, not {rule!r}")
    if treatment not in TREATMENTS:
        raise UsageError(f"{who}: treatment must be one of {', '.join(TREATMENTS)}, not {treatment!r}")
    if any(isinstance(year, bool) or not isinstance(year, numbers.Integral) for year in (start, end)):
        raise UsageError(f"{who}: start and end must be whole years, not {start!r} and {end!r}")
    start, end = int(start), int(end)
    if start > end:
        raise UsageError(f"{who}: start {start} is after end {end}; give start <= end")
    if not (YEARS[0] <= start and end <= YEARS[1]):
        raise UsageError(
            f"{who}: years must lie in {YEARS[0]}–{YEARS[1]} (calendar years a city panel can mean), "
            f"not {start}–{end}"
        )
    return start, end


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


def kept_zones(package: "Package", county_zones: CountyZones, inferred: bool) -> list[dict[str, Any]]:
    """The zones a panel counts: without those identified only by list order (``inferred=False``) and
    without zones below prefecture level (``county_zones="ignore"``)."""
    zones = package.records("pilot_zones")
    return [zone for zone in zones
            if (inferred or zone.get("identified_by", "named") == "named")
            and (county_zones == "parent" or zone["level"] not in BELOW_PREFECTURE)]


def zone_prefectures(zone: dict[str, Any], units: list[dict[str, Any]]) -> list[str]:
    """The prefecture-level units a zone treats: its prefecture_adcode, or for a
    whole-island zone every prefecture-level unit of its province on the island."""
    if zone["level"] != "whole_island":
        return [zone["prefecture_adcode"]]
    province = zone["prefecture_adcode"]
    return sorted(u["unit_code"] for u in units
                  if u["province_code"] == province and u["unit_code"] != province and u["parent_code"] == province
                  and u["level"] not in ("county_city", "county", "district") and u["unit_code"] not in OFF_ISLAND)


def _spells(zones: list[dict[str, Any]], batches: dict[int, dict[str, Any]], rule: Rule) -> dict[str, tuple[int, str, int | None]]:
    """zone_id -> (first treated year, what dates it, year the revoking batch starts or None)."""
    out = {}
    for zone in zones:
        start, basis = first_treated_year(batches[zone["batch"]], rule)
        revoked = zone.get("revoked_batch")
        out[zone["zone_id"]] = (start, basis, first_treated_year(batches[revoked], rule)[0] if revoked else None)
    return out


# What the panels read, and the fields every row must fill: checked on the schema before a row is read.
ZONE_FIELDS = {"zone_id": "string", "batch": "integer", "adcode": "string", "prefecture_adcode": "string", "name_zh": "string",
               "name_en": "string", "level": "string", "province_zh": "string", "province_en": "string"}
BATCH_FIELDS = {"batch": "integer", "approval_year": "year", "approval_month": "integer", "approval_date": "date",
                "announced_date": "date", "zones_added": "integer", "zones_listed": "integer"}
UNIT_FIELDS = {"unit_code": "string", "name_zh": "string", "name_en": "string", "province_code": "string",
               "province_zh": "string", "province_en": "string", "level": "string", "parent_code": "string"}


def as_package(package: "Package | str | Path | None") -> "Package":
    """The bundled package for None, a Package as it is, or the package in a folder (or at its datapackage.json)."""
    from pathlib import Path

    from xborder_data.package import Package, bundled

    if package is None:
        return bundled()
    if isinstance(package, Package):
        return package
    if isinstance(package, (str, Path)):
        return Package(package)
    raise UsageError(f"package must be a Package or the path of a package folder, not {type(package).__name__}")


def require_inputs(package: "Package", *, units: bool) -> None:
    """Refuse a package whose pilot zones, batches (or units) lack what the panels read."""
    package.require("pilot_zones", ZONE_FIELDS, "the treatment panel", required=("zone_id", "batch", "prefecture_adcode"))
    package.require("pilot_zone_batches", BATCH_FIELDS, "the treatment panel", required=("batch",))
    if units:
        package.require("units", UNIT_FIELDS, "the balanced panel", required=("unit_code", "level", "province_code"))
    from xborder_data.checks.facts import check_facts

    check_facts(package)  # a tampered copy is refused before it can mislead (levels, counts, dates, codes)


def treated_units(package: "Package", level: Level, rule: Rule, *, county_zones: CountyZones = "parent",
                  inferred: bool = True) -> list[dict[str, Any]]:
    """One dict per unit with its names, batch, first treated year, how it was first treated and its zones' spells.

    ``county_zones="ignore"`` drops zones below prefecture level (Yiwu, Xiong'an); ``inferred=False``
    drops zones identified only by their place in a reply's list (``pilot_zones.identified_by``).
    """
    require_inputs(package, units=level == "prefecture")
    zones = kept_zones(package, county_zones, inferred)
    batches = {row["batch"]: row for row in package.records("pilot_zone_batches")}
    for zone in zones:
        for key in ("batch", "revoked_batch"):
            if zone.get(key) is not None and zone[key] not in batches:
                raise DescriptorError(
                    f"resource 'pilot_zones': zone {zone['zone_id']!r} names batch {zone[key]} ({key}), which pilot_zone_batches "
                    "lacks; restore the package from the release.", resource="pilot_zones", field_name=key,
                )
    spells = _spells(zones, batches, rule)
    table = {u["unit_code"]: u for u in package.records("units")} if level == "prefecture" else {}
    units: dict[str, dict[str, Any]] = {}
    for zone in sorted(zones, key=lambda z: (z["batch"], z["zone_id"])):
        start, basis, end = spells[zone["zone_id"]]
        if level == "zone":
            keys = [zone["zone_id"]]
        else:
            keys = zone_prefectures(zone, list(table.values()))
            strangers = [key for key in keys if key not in table]
            if strangers:
                raise DescriptorError(
                    f"resource 'pilot_zones': zone {zone['zone_id']!r} lies in prefecture {strangers[0]!r}, which units lacks; "
                    "restore the package from the release.", resource="pilot_zones", field_name="prefecture_adcode",
                )
        for key in keys:
            if level == "zone":
                # A zone without a code of its own (Xiong'an) has no code: its prefecture's would repeat Baoding's.
                unit = {"unit_id": key, "code": zone["adcode"], "prefecture_adcode": zone["prefecture_adcode"],
                        "name_zh": zone["name_zh"], "name_en": zone["name_en"], "level": zone["level"],
                        "province_zh": zone["province_zh"], "province_en": zone["province_en"]}
            else:
                named = table[key]
                unit = {"unit_id": key, "code": key, "prefecture_adcode": key, "name_zh": named["name_zh"],
                        "name_en": named["name_en"], "level": named["level"],
                        "province_zh": named["province_zh"], "province_en": named["province_en"]}
            first = {"batch": zone["batch"], "first_treated_year": start, "dated_by": basis,
                     "first_treated_via": VIA.get(zone["level"], "prefecture"),
                     "identified_by": zone.get("identified_by", "named")}
            known = units.setdefault(key, {**unit, **first, "spells": []})
            known["spells"].append((start, end))
            if level == "prefecture" and zone["adcode"] == key:  # the zone is the prefecture itself: its source's English name
                known["name_en"] = zone["name_en"]
            # A prefecture is treated from its first zone; in a tie, a named zone and the prefecture itself come first.
            if (start, first["identified_by"] != "named", first["first_treated_via"] != "prefecture") < (
                    known["first_treated_year"], known["identified_by"] != "named", known["first_treated_via"] != "prefecture"):
                known.update(first)
    for unit in units.values():
        ends = [end for _, end in unit["spells"]]
        unit["revoked_year"] = max(ends) if ends and None not in ends else None  # every zone revoked: when the last ends
    return list(units.values())


def is_treated(unit: dict[str, Any], year: int, treatment: Treatment) -> int:
    """1 when the unit is treated in ``year``: from its first zone on (absorbing), or
    while one of its zones is designated and not yet revoked (ends_at_revocation)."""
    if treatment == "absorbing":
        return int(year >= unit["first_treated_year"])
    return int(any(start <= year and (end is None or year < end) for start, end in unit["spells"]))


def panel_rows(package: "Package", start: int, end: int, level: Level = "zone", rule: Rule = "approval_year",
               treatment: Treatment = "absorbing", *, county_zones: CountyZones = "parent", inferred: bool = True) -> list[dict[str, Any]]:
    """Return the panel as a list of dicts (no pandas), sorted by unit and year."""
    start, end = check_arguments("pilot_zone_panel", start, end, rule, treatment, level)
    check_options("pilot_zone_panel", county_zones, inferred)
    units = treated_units(package, level, rule, county_zones=county_zones, inferred=inferred)
    check_size("pilot_zone_panel", len(units), start, end)
    rows = []
    for unit in sorted(units, key=lambda u: u["unit_id"]):
        for year in range(start, end + 1):
            rows.append({**unit, "year": year, "treated": is_treated(unit, year, treatment),
                         "years_since_treatment": year - unit["first_treated_year"]})
    return [{column: row[column] for column in COLUMNS} for row in rows]


def pilot_zone_panel(
    start: int,
    end: int,
    level: Level = "zone",
    rule: Rule = "approval_year",
    *,
    treatment: Treatment = "absorbing",
    county_zones: CountyZones = "parent",
    inferred: bool = True,
    package: "Package | str | Path | None" = None,
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
            prefecture treated; names, level and province come from ``units``
            (the English name from the zone where the zone is the prefecture).
            The 2025 whole-island zone of Hainan treats Hainan's prefecture-level
            units on the island (Haikou, Sanya, Danzhou; not Sansha, whose
            islands lie in the South China Sea). At zone level a code can repeat
            (Xiong'an, batch 5, and Baoding, batch 8, both give 130600): merge
            city statistics at prefecture level.
        rule: ``"approval_year"`` treats a batch from the year of approval;
            ``"next_year_if_after_june"`` from the next year when it was
            approved after June (see first_treated_year).
        treatment: ``"absorbing"`` (the default, as most published designs):
            once treated, always treated. ``"ends_at_revocation"``: a zone is
            treated from its batch's year until the year the batch that revokes
            it (``pilot_zones.revoked_batch``) starts, dated by the same rule;
            a prefecture is treated while any of its zones is. The 2025 reply
            revokes Haikou, Sanya and Alashankou, but designates the whole of
            Hainan Island and Bortala (Alashankou's prefecture) in the same
            act, so at prefecture level no unit leaves treatment; at zone level
            the three zones do.
        county_zones: ``"parent"`` (default): a zone below prefecture level
            (the county-level cities Yiwu, Hunchun, Suifenhe…, and the
            Xiong'an new area) treats the prefecture that holds it;
            ``"ignore"``: such zones are left out (at zone level they have no
            row), as papers that count prefecture-level cities only do.
        inferred: ``True`` (default) counts every listed zone; ``False``
            leaves out the zones identified only by their place in a reply's
            list (``pilot_zones.identified_by == "list_order"``).
        package: another copy of the package (a ``Package`` or its folder);
            the bundled one by default.

    Returns:
        A DataFrame with one row per unit and year: unit_id, code,
        prefecture_adcode, name_zh, name_en, province_zh, province_en, level,
        year, batch, first_treated_year, dated_by ("approval", or
        "announcement" where the approval is undated), first_treated_via
        (how the first zone reaches the unit: "prefecture" when the zone is
        the prefecture or a municipality itself, "county_city", "new_area"
        or "whole_island"), identified_by (how the source identifies that
        zone: "named", or "list_order" for an inference from the reply's
        order), revoked_year (the
        year treatment ends under ``ends_at_revocation``, when every zone of
        the unit is revoked; else empty), treated (0/1) and
        years_since_treatment (year - first_treated_year, negative before).
        Only designated units appear: for a balanced panel of every
        prefecture-level unit with never-treated controls, use
        ``did_panel``. Designations that no source read names are missing
        (pilot_zone_batches.note says which). At zone level ``code`` is
        the zone's own division code, empty for Xiong'an, which has none
        (its prefecture, Baoding, is in ``prefecture_adcode``).

    Raises:
        UsageError: for a bad level, rule, treatment or year range, or a batch whose
            dates the rule needs but the data lacks.

    Example:
        >>> p = pilot_zone_panel(2015, 2016)
        >>> p.loc[p.unit_id == "b1-330100", ["year", "treated"]].values.tolist()
        [[2015, 1], [2016, 1]]
    """
    import pandas as pd

    start, end = check_arguments("pilot_zone_panel", start, end, rule, treatment, level)  # before the bundled package is read
    check_options("pilot_zone_panel", county_zones, inferred)
    rows = panel_rows(as_package(package), start, end, level, rule, treatment, county_zones=county_zones, inferred=inferred)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("year", "batch", "first_treated_year", "revoked_year", "treated", "years_since_treatment"):
        frame[column] = frame[column].astype("Int64")  # nullable: a merge keeps integers
    for column in ("unit_id", "code", "prefecture_adcode", "name_zh", "name_en", "province_zh", "province_en", "level", "dated_by",
                   "first_treated_via", "identified_by"):
        frame[column] = frame[column].astype("string")
    return frame
