"""The balanced DID panel: every prefecture-level unit of ``units``, every year.

``pilot_zone_panel`` lists designated units only. A difference-in-differences
design needs the never-treated units too, so this panel starts from ``units``
(the 2023 statistical division codes) and marks treatment from ``pilot_zones``
at prefecture level. Integer columns are pandas' nullable ``Int64``, so a merge
that leaves a unit unmatched keeps integers instead of turning them into floats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, cast

from xborder_data.checks.facts import PREFECTURE_LEVELS  # the levels that are prefecture-level divisions: one list
from xborder_data.dtypes import numpy_dtypes
from xborder_data.errors import DescriptorError, UsageError
from xborder_data.research import programmes as progs
from xborder_data.tableschema.types import DATE
from xborder_data.research.panel import (
    CountyZones,
    Rule,
    Treatment,
    as_package,
    check_arguments,
    check_options,
    check_size,
    first_treated_year,
    is_treated,
    kept_zones,
    require_inputs,
    treated_units,
)

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from xborder_data.package import Package
    from xborder_data.tableschema.descriptor import ResourceSpec

COLUMNS = [
    "unit_num", "unit_code", "name_zh", "name_en", "province_code", "province_zh", "province_en", "level",
    "year", "ever_treated", "treated", "batch", "first_treated_year", "cohort", "years_since_treatment", "dated_by",
    "first_treated_via", "identified_by", "approval_date", "announced_date", "revoked_year", "possibly_unlisted",
]
INTEGERS = ("unit_num", "year", "ever_treated", "treated", "batch", "first_treated_year", "cohort", "years_since_treatment",
            "revoked_year", "possibly_unlisted")
TITLES = {
    "unit_num": "Unit number (xtset)", "unit_code": "Division code", "name_zh": "Name (Chinese)", "name_en": "Name (English)",
    "province_code": "Province code", "province_zh": "Province (Chinese)", "province_en": "Province (English)",
    "level": "Level", "year": "Year", "ever_treated": "Ever designated", "treated": "Treated (0/1)",
    "batch": "First batch", "first_treated_year": "First treated year",
    "cohort": "Treatment cohort (first treated year; 0 = never treated)", "years_since_treatment": "Years since treatment",
    "dated_by": "Dated by", "first_treated_via": "First treated through (prefecture, county_city, new_area, whole_island)",
    "identified_by": "First zone identified by (named, list_order)",
    "approval_date": "Approval date", "announced_date": "Announcement date",
    "revoked_year": "Treatment ends (all zones revoked)",
    "possibly_unlisted": "May be an unlisted designation",
}
DESCRIPTIONS = {
    "unit_num": "The division code as a whole number, for Stata's xtset unit_num year.",
    "unit_code": "Six-digit statistical division code of the prefecture-level unit (2023 codes, as units.unit_code).",
    "name_zh": "Chinese name from units.", "name_en": "English name: a designated unit's list source, else units' pinyin.",
    "province_code": "Division code of the province.", "province_zh": "Province, Chinese name.", "province_en": "Province, English name.",
    "level": "Level of the unit (units.level).", "year": "Calendar year of the row.",
    "ever_treated": "1 when any batch designates a zone that treats the unit, whatever the window.",
    "treated": "1 in a year the unit is treated under the panel's rule and treatment, else 0.",
    "batch": "The batch of the unit's first zone.", "first_treated_year": "The year the first zone treats the unit, under the rule.",
    "cohort": "first_treated_year when it is not after the panel's last year, else 0 (the group variable of csdid and R's did).",
    "years_since_treatment": "year minus first_treated_year; empty for never-treated units.",
    "dated_by": "What dates the first batch: approval, or announcement where the approval is undated.",
    "first_treated_via": "How the first zone reaches the unit: prefecture (the zone is the unit), county_city, new_area or whole_island.",
    "identified_by": "How the source identifies the first zone: named, or list_order (inferred from the reply's order).",
    "approval_date": "The State Council's approval of the first batch.", "announced_date": "The announcement of the first batch.",
    "revoked_year": "The year treatment ends when every zone of the unit is revoked (ends_at_revocation); else empty.",
    "possibly_unlisted": "1 for an untreated unit that may be a designation no source names (a batch with missing members "
                         "treats by the last year, and the unit lies in a province its reply addresses).",
}
TITLES_ZH = {
    "unit_num": "单位编号（xtset）", "unit_code": "行政区划代码", "name_zh": "中文名称", "name_en": "英文名称",
    "province_code": "省级代码", "province_zh": "省份（中文）", "province_en": "省份（英文）", "level": "行政级别", "year": "年份",
    "ever_treated": "是否曾获批", "treated": "当年是否处理（0/1）", "batch": "首个批次", "first_treated_year": "首次处理年份",
    "cohort": "处理组别（首次处理年份；0 = 从未处理）", "years_since_treatment": "距首次处理年数", "dated_by": "定年依据",
    "first_treated_via": "首次处理途径（地级、县级市、新区、全岛）", "identified_by": "首个综试区的识别方式（点名、列表顺序）",
    "approval_date": "批复日期", "announced_date": "公布日期", "revoked_year": "处理结束年份（综试区全部撤销）",
    "possibly_unlisted": "可能为未列出的获批城市",
}
SUFFIX_ZH = {"treated": "当年是否处理（0/1）", "first_year": "首次处理年份", "unlisted": "可能为未列出的成员", "rule_year": "按规则认定成员的起始年份"}
ENUMS = {"first_treated_via": ["prefecture", "county_city", "new_area", "whole_island"], "identified_by": ["named", "list_order"],
         "dated_by": ["approval", "announcement"]}


INPUTS = ("units", "pilot_zones", "pilot_zone_batches")  # the resources the panel is built from
FORMS = ("long", "wide")
YEARLY = ("year", "treated", "years_since_treatment")  # the columns that vary by year
PANEL_TABLE = "did_panel"  # the name the exports give the panel beside the resources
FIRST_YEAR = 2012  # three years before the first batch (2015): room for pre-trends


def has_panel(package: "Package") -> bool:
    """Whether ``package`` has what the balanced panel is built from (the exports add it then)."""
    return set(INPUTS) <= set(package.resources())


def column_labels(columns: list[str]) -> dict[str, str]:
    """Column -> label (Stata's variable labels) for a panel's columns: the zone panel's and this panel's titles, and the wide form's."""
    from xborder_data.research.panel import TITLES as ZONE_TITLES

    labels = {**ZONE_TITLES, **TITLES}
    labels |= {c: f"Treated in {c.removeprefix('treated_')} (0/1)" for c in columns if c.startswith("treated_")}
    return labels


def export_span(package: "Package") -> tuple[int, int]:
    """The years the exports' panel covers: 2012 to the latest batch's year."""
    require_inputs(package, units=True)
    years = [row["approval_year"] or (row["announced_date"].year if row["announced_date"] else FIRST_YEAR)
             for row in package.records("pilot_zone_batches")]
    return FIRST_YEAR, max([FIRST_YEAR, *years])


def _gap_batches(batches: dict[int, dict[str, Any]], zones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Batches whose listed members, counted here (never read from zones_listed), fall short of the count
    their reply states; a batch that states no count is a gap too."""
    listed: dict[int, int] = {}
    for zone in zones:
        listed[zone["batch"]] = listed.get(zone["batch"], 0) + 1
    return [row for row in batches.values() if row["zones_added"] is None or listed.get(row["batch"], 0) < row["zones_added"]]


def _batch_year(batch: dict[str, Any], rule: Rule) -> int:
    """The first treated year of a batch under ``rule``; a batch the rule cannot date counts as treated at once."""
    try:
        return first_treated_year(batch, rule)[0]
    except UsageError:
        return -1


def columns(programmes: list[str]) -> list[str]:
    """The panel's columns with the given programmes' four columns each at the end."""
    return COLUMNS + [progs.column(programme, suffix) for programme in programmes for suffix in progs.SUFFIXES]


def did_rows(package: "Package", start: int, end: int, rule: Rule = "approval_year",
             treatment: Treatment = "absorbing", *, programmes: Any = (), county_zones: CountyZones = "parent",
             inferred: bool = True) -> list[dict[str, Any]]:
    """Return the balanced prefecture × year panel as dicts (no pandas), sorted by unit and year."""
    start, end = check_arguments("did_panel", start, end, rule, treatment)
    check_options("did_panel", county_zones, inferred)
    require_inputs(package, units=True)
    prefectures = sorted((unit for unit in package.records("units") if unit["level"] in PREFECTURE_LEVELS), key=lambda u: u["unit_code"])
    check_size("did_panel", len(prefectures), start, end)
    chosen = progs.resolve(package, programmes)
    codes = {unit["unit_code"] for unit in prefectures}
    concurrent = [progs.treatment(package, programme, rule, codes, county_zones=county_zones, inferred=inferred) for programme in chosen]
    treated = {unit["unit_id"]: unit for unit in treated_units(package, "prefecture", rule, county_zones=county_zones, inferred=inferred)}
    batches = {row["batch"]: row for row in package.records("pilot_zone_batches")}
    zones = kept_zones(package, "parent", inferred)  # the designations the sources list, whatever the panel counts
    # A unit could be an unnamed member of a batch with missing members when no
    # zone the panel counts treats it, no batch designates the unit itself, and it
    # lies in a province the reply is addressed to (any province where no source gives them).
    # A unit treated by some zone is never flagged: its first zone is its treatment, and
    # `ever_treated == 0 & possibly_unlisted == 0` is the clean control group.
    # Only a batch treated by the panel's last year matters: before it, an unnamed member is untreated anyway.
    gaps = [(row["batch"], set(row["addressees"].split(" | ")) if row.get("addressees") else None)
            for row in _gap_batches(batches, zones) if _batch_year(row, rule) <= end]
    designated_itself = {zone["adcode"] for zone in zones if zone["adcode"]}
    rows = []
    for unit in prefectures:
        if not (unit["unit_code"].isascii() and unit["unit_code"].isdigit()):
            raise DescriptorError(
                f"resource 'units': unit_code {unit['unit_code'][:20]!r} is not a division code of digits, so it has no "
                "unit_num; restore the package from the release.", resource="units", field_name="unit_code",
            )
        hit = treated.get(unit["unit_code"])
        first = hit["first_treated_year"] if hit else None
        batch = batches[hit["batch"]] if hit else None
        flagged = int(hit is None and unit["unit_code"] not in designated_itself and any(
            provinces is None or unit["province_zh"] in provinces for _, provinces in gaps))
        base = {
            "unit_num": int(unit["unit_code"]), "unit_code": unit["unit_code"], "name_zh": unit["name_zh"],
            # A designated unit keeps the English name its list source gives (Harbin, not the code table's pinyin).
            "name_en": hit["name_en"] if hit else unit["name_en"], "province_code": unit["province_code"], "province_zh": unit["province_zh"],
            "province_en": unit["province_en"], "level": unit["level"], "ever_treated": int(hit is not None),
            "batch": hit["batch"] if hit else None, "first_treated_year": first,
            "cohort": first if first is not None and first <= end else 0,  # treated after the window: a control in it
            "dated_by": hit["dated_by"] if hit else None,
            "first_treated_via": hit["first_treated_via"] if hit else None, "identified_by": hit["identified_by"] if hit else None,
            "approval_date": batch["approval_date"] if batch else None, "announced_date": batch["announced_date"] if batch else None,
            "revoked_year": hit["revoked_year"] if hit else None, "possibly_unlisted": flagged,
        }
        for programme in concurrent:
            base.update(programme.unit_values(unit["unit_code"], end))
        for year in range(start, end + 1):
            since = None if first is None else year - first
            row = {**base, "year": year, "treated": is_treated(hit, year, treatment) if hit else 0, "years_since_treatment": since}
            for programme in concurrent:
                row[progs.column(programme.programme_id, "treated")] = programme.treated(unit["unit_code"], year)
            rows.append(row)
    names = columns(chosen)
    return [{column: row[column] for column in names} for row in rows]


def schema(package: "Package", programmes: Any = ()) -> dict[str, Any]:
    """The panel's Table Schema: every column's type, title, description and Chinese title (``zh``)."""
    chosen = progs.resolve(package, programmes)
    names = {row["programme_id"]: row for row in package.records("programmes")} if chosen else {}
    fields = []
    for column in COLUMNS:
        kind = "integer" if column in INTEGERS else "date" if column.endswith("_date") else "string"
        field: dict[str, Any] = {"name": column, "type": kind, "title": TITLES[column], "description": DESCRIPTIONS[column],
                                 "zh": {"title": TITLES_ZH[column]}}
        if column in ENUMS:
            field["constraints"] = {"enum": ENUMS[column]}
        fields.append(field)
    for programme in chosen:
        row = names[programme]
        treatment = progs.ProgrammeTreatment(programme, row["name_en"] or programme)
        for (column, title), suffix in zip(treatment.titles().items(), progs.SUFFIXES):
            fields.append({"name": column, "type": "integer", "title": title,
                           "description": f"{row['name_en']} ({programme}): {progs.DESCRIPTIONS[suffix]}",
                           "zh": {"title": f"{row['name_zh']}：{SUFFIX_ZH[suffix]}"}})
    return {"fields": fields, "primaryKey": ["unit_code", "year"]}


PANEL_PATH = f"derived/{PANEL_TABLE}.csv"  # where a copy of the package writes the panel beside its own files
PANEL_TITLE = "Balanced DID panel (derived)"
PANEL_TITLE_ZH = "平衡双重差分面板（派生表）"


def panel_description(package: "Package", lang: str = "en") -> str:
    """What the exports' panel is: its years, rule and treatment, in English or Chinese."""
    start, end = export_span(package)
    if lang == "zh":
        return (f"由 units、pilot_zones、pilot_zone_batches 和各项目成员表派生的平衡面板：每个地级单位 × {start}–{end} 年，"
                "规则为 approval_year（批复当年起处理），处理为 absorbing，从未处理的单位记为 0，含全部并行项目的处理列；"
                "其他规则与选项请用 xborder_data.did_panel 或 xborder-data panel 生成。")
    return (f"Derived from units, pilot_zones, pilot_zone_batches and the programme tables: every prefecture-level unit × "
            f"{start}–{end}, rule approval_year (treated from the year of approval), absorbing treatment, never-treated units "
            "coded 0, with every concurrent programme's columns. For another rule or option use xborder_data.did_panel or "
            "xborder-data panel.")


def panel_resource(package: "Package") -> "tuple[ResourceSpec, Callable[[], list[dict[str, Any]]]] | None":
    """The exports' DID panel as a derived resource: a ResourceSpec (name, path, Table Schema with titles,
    descriptions and Chinese titles) and a function giving its rows; None for a copy without the panel's inputs."""
    from xborder_data.tableschema.descriptor import ResourceSpec, parse_schema

    if not has_panel(package):
        return None
    raw = schema(package, "all")
    units = {spec.name: spec for spec in package.table_schema("units").fields}
    for field in raw["fields"]:
        if field["name"] == "level" and units.get("level") is not None and units["level"].enum is not None:
            field["constraints"] = {"enum": list(units["level"].enum)}  # the same categories as units.level, for joins
    raw["foreignKeys"] = [{"fields": ["unit_code"], "reference": {"resource": "units", "fields": ["unit_code"]}}]
    spec = ResourceSpec(name=PANEL_TABLE, path=PANEL_PATH, title=PANEL_TITLE, description=panel_description(package),
                        bytes=None, hash=None, schema=parse_schema(raw, PANEL_TABLE),
                        title_zh=PANEL_TITLE_ZH, description_zh=panel_description(package, "zh"))

    def rows() -> list[dict[str, Any]]:
        return did_rows(package, *export_span(package), programmes="all")

    return spec, rows


def did_panel(start: int, end: int, rule: Rule = "approval_year", *, treatment: Treatment = "absorbing",
              form: str = "long", programmes: Any = (), county_zones: CountyZones = "parent", inferred: bool = True,
              nullable: bool = True, package: "Package | str | Path | None" = None) -> "pd.DataFrame":
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
        programmes: the concurrent programmes to add, by ``programme_id``
            (``"all"``, one id, or a list; none by default). Each adds four
            columns, named by the programme id without "_pilot" (the stem):
            ``<stem>_treated`` (0/1 by year; empty for a member whose
            round no source dates), ``<stem>_first_year``, ``<stem>_unlisted``
            (1 for a unit no member treats while a round whose members are not
            all listed falls in the window: it may be an unlisted member) and
            ``<stem>_rule_year`` (the year from which membership follows a rule,
            ``programme_rounds.rule_text``, rather than a list: retail import
            from 2021, B2B export nationwide from 2021; the panel does not
            apply the rule). Members are dated, and county-level members
            treated, by the same rules as the zones.
        county_zones: ``"parent"`` (default): a zone below prefecture level
            (the county-level cities Yiwu, Hunchun, Suifenhe…, the Xiong'an
            new area) treats the prefecture that holds it; ``"ignore"``: it
            does not, as in papers that count prefecture-level cities only
            (by 2019, 56 treated units instead of 59). The same holds for
            county-level programme members (Yiwu, Pingtan).
        inferred: ``True`` (default) counts every listed zone and member;
            ``False`` leaves out zones identified only by their place in a
            reply's list (``pilot_zones.identified_by``) and members derived
            by a round's rule (``programme_members.derived``); they then
            count as unlisted.
        nullable: ``True`` (default): pandas' nullable ``Int64`` and
            ``string``; ``False``: plain NumPy dtypes (``int64`` where no
            value is missing, ``float64`` with NaN where one is, ``object``
            text), which statsmodels formulas need.
        package: another copy of the package (a ``Package`` or its folder);
            the bundled one by default.

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
        designations no source names, of a batch whose first treated year
        (under ``rule``) is not after ``end``: no zone the panel counts treats
        it, no batch designates the unit itself, and it lies in a province
        the batch's reply is addressed to (``pilot_zone_batches.addressees``).
        A treated unit is never flagged, so ``ever_treated == 0 &
        possibly_unlisted == 0`` is the clean control group. A panel that
        ends before the incomplete batch's first treated year (2022 under
        ``approval_year``, 2023 under ``next_year_if_after_june``) flags
        nothing. ``first_treated_via`` says how the first zone reaches the
        unit: ``prefecture`` (the zone is the prefecture or municipality),
        ``county_city`` (Yiwu treats Jinhua), ``new_area`` (Xiong'an treats
        Baoding) or ``whole_island`` (the 2025 Hainan zone treats Haikou,
        Sanya and Danzhou, not Sansha); ``identified_by`` how its source
        identifies that zone (``named`` or ``list_order``).

    Example:
        >>> p = did_panel(2015, 2016)
        >>> p.loc[p.unit_code == "330100", "treated"].tolist()
        [1, 1]
    """
    import pandas as pd

    if form not in FORMS:
        raise UsageError(f"did_panel: form must be one of {', '.join(FORMS)}, not {form!r}")
    if not isinstance(nullable, bool):
        raise UsageError(f"did_panel: nullable must be True or False, not {nullable!r}")
    start, end = check_arguments("did_panel", start, end, rule, treatment)  # before the bundled package is read
    check_options("did_panel", county_zones, inferred)
    package = as_package(package)
    chosen = progs.resolve(package, programmes)
    names = columns(chosen)
    frame = pd.DataFrame(did_rows(package, start, end, rule, treatment, programmes=chosen, county_zones=county_zones,
                                  inferred=inferred), columns=names)
    integers = [*INTEGERS, *names[len(COLUMNS):]]  # every programme column is a whole number
    for column in integers:
        frame[column] = frame[column].astype("Int64")
    for column in names:
        if column not in integers and column not in ("approval_date", "announced_date"):
            frame[column] = frame[column].astype("string")
    for column in ("approval_date", "announced_date"):
        frame[column] = pd.to_datetime(frame[column]).astype(cast("Any", DATE.pandas))  # load()'s unit
    out = frame if form == "long" else _wide(frame, [progs.column(programme, "treated") for programme in chosen])
    return out if nullable else numpy_dtypes(out)


def _wide(frame: "pd.DataFrame", concurrent: list[str]) -> "pd.DataFrame":
    """One row per unit: the columns that do not vary by year, then treated_<year> (and <programme>_treated_<year>) per year."""
    per_unit = [c for c in frame.columns if c not in (*YEARLY, *concurrent)]
    wide = frame.drop_duplicates("unit_num")[per_unit].reset_index(drop=True)
    for value in ("treated", *concurrent):
        pivot = frame.pivot(index="unit_num", columns="year", values=value)
        pivot.columns = [f"{value}_{year}" for year in pivot.columns]
        wide = wide.merge(pivot.astype("Int64").reset_index(), on="unit_num", how="left", validate="one_to_one")
    return wide
