"""The concurrent programmes' treatment, prefecture by prefecture.

Papers on the pilot zones control for the other national programmes a city
joined (e-commerce demonstration cities, retail-import pilots, B2B export
pilots…). This module turns ``programme_members`` and ``programme_rounds`` into
one treatment per prefecture-level unit and programme, under the same rules as
the zones: a date's year (or the next year after June), county-level members
treating their prefecture unless ``county_zones="ignore"``, and gaps stated,
never filled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xborder_data.errors import DescriptorError, UsageError
from xborder_data.research.panel import UNIT_FIELDS, CountyZones, Rule, date_year, zone_prefectures

if TYPE_CHECKING:
    from xborder_data.package import Package

MEMBER_TABLE = "programme_members"  # programmes.member_table of the programmes this module reads
# Members below prefecture level: a county-level city (Yiwu), a county-level area (Pingtan) or a new area.
BELOW_PREFECTURE = frozenset({"county_city", "new_area", "other"})
SUFFIXES = ("treated", "first_year", "unlisted", "rule_year")


def stem(programme_id: str) -> str:
    """The prefix of a programme's panel columns: its id without "_pilot", so that every name fits
    Stata's 32 characters (market_procurement_first_year, not market_procurement_pilot_first_year)."""
    return programme_id.removesuffix("_pilot")


def column(programme_id: str, suffix: str) -> str:
    """A programme's panel column: ``column("retail_import_pilot", "treated")`` is ``retail_import_treated``."""
    return f"{stem(programme_id)}_{suffix}"
DESCRIPTIONS = {
    "treated": "1 from the year its first member inside the unit is dated (under the panel's rule), 0 before and for "
               "non-members; empty for a member whose round no source dates.",
    "first_year": "The year its first member inside the unit is dated, under the panel's rule.",
    "unlisted": "1 for a unit no member treats while a round whose members are not all listed falls in the window.",
    "rule_year": "The year from which membership follows a rule (programme_rounds.rule_text) rather than a list; "
                 "the panel does not apply the rule.",
}

PROGRAMME_FIELDS = {"programme_id": "string", "name_en": "string", "member_table": "string"}
ROUND_FIELDS = {"round_id": "string", "programme_id": "string", "round": "integer", "approved_date": "date", "announced_date": "date",
                "effective_date": "date", "stated_count": "integer", "stated_total": "integer", "rule_text": "string"}
MEMBER_FIELDS = {"member_id": "string", "programme_id": "string", "round_id": "string", "prefecture_code": "string",
                 "level": "string", "approved_date": "date", "announced_date": "date", "effective_date": "date",
                 "derived": "boolean"}
DATES = ("approved_date", "announced_date", "effective_date")  # the first a row fills dates it
YEAR_FIELDS = {"start_year": "year", "start_month": "integer"}  # a round's year (and month) where no day is known (1.4)


@dataclass
class ProgrammeTreatment:
    """One programme's treatment of prefecture-level units.

    ``first_year``: unit code -> first treated year (None when no source dates the member's round).
    ``gap_years``: the first years of rounds whose members are not all listed (None: an undated round).
    ``rule_year``: the first year from which membership follows a rule (rule_text), not a list.
    """

    programme_id: str
    name_en: str
    first_year: dict[str, int | None] = field(default_factory=dict)
    gap_years: list[int | None] = field(default_factory=list)
    rule_year: int | None = None

    def columns(self) -> list[str]:
        return [column(self.programme_id, suffix) for suffix in SUFFIXES]

    def titles(self) -> dict[str, str]:
        name = stem(self.programme_id).replace("_", " ")  # short: a Stata label holds 80 characters
        return dict(zip(self.columns(), (f"{name}: treated (0/1)", f"{name}: first treated year",
                                         f"{name}: may be an unlisted member", f"{name}: membership by rule from")))

    def unit_values(self, unit_code: str, end: int) -> dict[str, Any]:
        """The columns that do not vary by year, for one unit in a panel ending in ``end``."""
        member = unit_code in self.first_year
        unlisted = not member and any(year is None or year <= end for year in self.gap_years)
        return {column(self.programme_id, "first_year"): self.first_year.get(unit_code),
                column(self.programme_id, "unlisted"): int(unlisted), column(self.programme_id, "rule_year"): self.rule_year}

    def treated(self, unit_code: str, year: int) -> int | None:
        """1 from the member's first year on, 0 before and for non-members, None for an undated member."""
        if unit_code not in self.first_year:
            return 0
        first = self.first_year[unit_code]
        return None if first is None else int(year >= first)


def programme_ids(package: "Package") -> list[str]:
    """The programmes whose members are in ``programme_members`` (all but the pilot zones), in table order."""
    package.require("programmes", PROGRAMME_FIELDS, "the programme panel", required=("programme_id", "member_table"))
    return [row["programme_id"] for row in package.records("programmes") if row["member_table"] == MEMBER_TABLE]


def resolve(package: "Package", programmes: Any) -> list[str]:
    """``programmes`` as a list of programme ids: ``"all"``, one id, or a list of ids; refuse an unknown one."""
    if programmes is None or programmes == ():
        return []
    known = programme_ids(package)
    if programmes == "all":
        return known
    wanted = [programmes] if isinstance(programmes, str) else programmes
    if not isinstance(wanted, (list, tuple)) or not all(isinstance(item, str) for item in wanted):
        raise UsageError(f"programmes must be 'all', a programme id or a list of ids, not {programmes!r}")
    strangers = [item for item in wanted if item not in known]
    if strangers:
        raise UsageError(f"programmes: {strangers[0]!r} is not a programme with members; choose from {', '.join(known)} or 'all'")
    return list(dict.fromkeys(wanted))


def _first(row: dict[str, Any], fallback: dict[str, Any]) -> Any:
    for key in DATES:
        if row.get(key) is not None:
            return row[key]
    for key in DATES:
        if fallback.get(key) is not None:
            return fallback[key]
    return None


def _year(row: dict[str, Any], round_: dict[str, Any], rule: Rule) -> int | None:
    """The first treated year of a member (or round) under ``rule``: from its first date, else from the round's
    start_year; with no month, only ``approval_year`` can place it (as for a pilot-zone batch)."""
    day = _first(row, round_)
    if day is not None:
        return date_year(day, rule)
    year, month = round_.get("start_year"), round_.get("start_month")
    if year is None or (rule == "next_year_if_after_june" and month is None):
        return None
    return int(year) + (1 if rule == "next_year_if_after_june" and month is not None and month > 6 else 0)


def treatment(package: "Package", programme_id: str, rule: Rule, prefectures: set[str], *,
              county_zones: CountyZones = "parent", inferred: bool = True) -> ProgrammeTreatment:
    """The treatment of prefecture-level units (``prefectures``) by one programme.

    A unit is treated from the earliest dated member inside it. A round whose members are not all
    listed (fewer rows than its stated count, fewer members so far than its stated running total,
    or no count at all) is a gap: units that no member treats may be unlisted members from its year.
    A round with ``rule_text`` and no members defines membership by a rule the panel does not apply.
    """
    have = {spec.name for spec in package.table_schema("programme_rounds").fields}
    years = {name: kind for name, kind in YEAR_FIELDS.items() if name in have}  # a 1.3 copy has none
    package.require("programme_rounds", {**ROUND_FIELDS, **years}, "the programme panel", required=("round_id", "programme_id", "round"))
    package.require("programme_members", MEMBER_FIELDS, "the programme panel",
                    required=("member_id", "programme_id", "round_id", "prefecture_code"))
    names = {row["programme_id"]: row["name_en"] for row in package.records("programmes")}
    package.require("units", UNIT_FIELDS, "the programme panel", required=("unit_code", "level", "province_code"))
    units = package.records("units")
    rounds = {row["round_id"]: row for row in package.records("programme_rounds") if row["programme_id"] == programme_id}
    members = [row for row in package.records("programme_members") if row["programme_id"] == programme_id]
    out = ProgrammeTreatment(programme_id, names.get(programme_id) or programme_id)
    counted: dict[str, int] = dict.fromkeys(rounds, 0)  # rows per round, counted here, never read from members_listed
    for member in members:
        round_ = rounds.get(member["round_id"])
        if round_ is None:
            raise DescriptorError(
                f"resource 'programme_members': member {member['member_id']!r} names round {member['round_id']!r}, which is not "
                f"a round of programme {programme_id!r} in programme_rounds; restore the package from the release.",
                resource="programme_members", field_name="round_id",
            )
        if not inferred and member["derived"]:
            continue  # a member that follows from another table's rule counts as unlisted here
        counted[member["round_id"]] += 1
        if county_zones == "ignore" and member["level"] in BELOW_PREFECTURE:
            continue
        # A whole-island member (Hainan Island) treats the province's prefectures on the island, as the zone does.
        codes = zone_prefectures({"level": member["level"], "prefecture_adcode": member["prefecture_code"]}, units)
        strangers = [code for code in codes if code not in prefectures]
        if strangers or not codes:
            raise DescriptorError(
                f"resource 'programme_members': member {member['member_id']!r} lies in prefecture "
                f"{(strangers or [member['prefecture_code']])[0]!r}, which is not a prefecture-level unit of units; "
                "restore the package from the release.",
                resource="programme_members", field_name="prefecture_code",
            )
        year = _year(member, round_, rule)
        for code in codes:
            known = out.first_year.get(code)
            if code not in out.first_year or (year is not None and (known is None or year < known)):
                out.first_year[code] = year  # an undated member never hides a dated one
    running = 0
    for round_id, round_ in sorted(rounds.items(), key=lambda item: (item[1]["round"], item[0])):  # running totals in round order
        year = _year(round_, round_, rule)
        running += counted[round_id]
        if round_["rule_text"] and counted[round_id] == 0 and round_["stated_count"] is None:
            if year is not None and (out.rule_year is None or year < out.rule_year):
                out.rule_year = year
            continue
        complete = (counted[round_id] >= round_["stated_count"] if round_["stated_count"] is not None
                    else round_["stated_total"] is not None and running >= round_["stated_total"])
        if not complete:
            out.gap_years.append(year)
    return out
