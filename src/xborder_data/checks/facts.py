"""The facts the research helpers rely on, checked in one place.

A Table Schema checks each cell and each key; it cannot say that a zone's
``prefecture_adcode`` names a prefecture-level unit, that a batch's
``zones_listed`` equals its rows, or that a revocation follows its designation.
The panels rely on such facts, so a tampered copy that breaks one would give a
wrong panel without an error. ``fact_errors`` finds every broken fact (for
``Package.validate()``), ``check_facts`` raises the first (for the panels,
before they build anything). Each error is an ``InconsistentDataError``
naming the resource, row, field and value.

Each rule is one kind of fact, over every row and table it applies to:

- levels: a unit's level is one the panels know; its province and parent are
  units of the level above; a zone's (or programme member's) prefecture is a
  prefecture-level unit (a whole-island zone's is a province), its own code
  lies in that prefecture and has the zone's level;
- counts: a batch's ``zones_listed`` equals its rows in ``pilot_zones``, and is
  at most ``zones_added``; ``zones_revoked``, where given, equals the zones it
  revokes; a round's ``members_listed`` equals its rows in ``programme_members``;
- uniqueness: a unit code is a number (``unit_num``) no other unit shares;
  a round number names one round of its programme;
- dates: a batch's year and month agree with its approval date, and a round's
  start_year and start_month with its first date (a month never without its
  year); nothing is announced before it was approved; a later batch is not
  approved before an earlier one; a zone is revoked by a later batch than the
  one designating it;
- code changes: following old code to new code never returns to a code;
- membership: a programme member's round belongs to its programme and has its
  round number, and its programme keeps its members in ``programme_members``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterator

from xborder_data.errors import InconsistentDataError

# A Package, read through its methods; not imported, because package.py calls into this module.
PackageReader = Any


__all__ = ["FACTS", "PREFECTURE_LEVELS", "PROVINCE_LEVELS", "COUNTY_LEVELS", "check_facts", "fact_errors"]

# The levels of ``units``, by tier. A municipality is both province- and prefecture-level.
PROVINCE_LEVELS = ("province", "autonomous_region", "municipality")
PREFECTURE_LEVELS = ("municipality", "prefecture_city", "autonomous_prefecture", "region", "league")
COUNTY_LEVELS = ("county_city", "county")  # a county (县) is a unit only as a programme member (Pingtan)
UNIT_LEVELS = tuple(dict.fromkeys(PROVINCE_LEVELS + PREFECTURE_LEVELS + COUNTY_LEVELS))
WHOLE_ISLAND = "whole_island"  # a zone over a whole province's island: its prefecture_adcode is the province
UNIT_NUM_DIGITS = 18  # unit_num is the code as an int64
_REMEDY = "restore the package from the release"

Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Fact:
    """One kind of fact: the tables and fields it reads, and the check that yields each broken instance."""

    name: str
    reads: dict[str, dict[str, str]]  # resource -> field -> Table Schema type
    check: Callable[["_Report", Rows], Iterator[InconsistentDataError]]


class _Report:
    """Builds errors that name the resource, file, row, field and value."""

    def __init__(self, package: "PackageReader") -> None:
        self.package = package

    def error(self, resource: str, index: int, field: str, value: Any, problem: str) -> InconsistentDataError:
        row = index + 2  # the header is row 1
        shown = repr(value) if not isinstance(value, str) or len(value) <= 60 else repr(value[:57] + "...")
        return InconsistentDataError(
            f"{self.package.path(resource)}, row {row}, field {field!r}: value {shown} {problem}; {_REMEDY}.",
            resource=resource, path=str(self.package.path(resource)), row_number=row, field_name=field,
            cell=None if value is None else str(value),
        )


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, tuple[int, dict[str, Any]]]:
    """key value -> (index, row), the first row of each value."""
    out: dict[Any, tuple[int, dict[str, Any]]] = {}
    for index, row in enumerate(rows):
        out.setdefault(row[key], (index, row))
    return out


# ---- levels -----------------------------------------------------------------------
def _levels(report: _Report, rows: Rows) -> Iterator[InconsistentDataError]:
    if "units" not in rows:
        return
    units = rows["units"]
    table = _by(units, "unit_code")

    def level_of(code: Any) -> str | None:
        found = table.get(code)
        return found[1]["level"] if found else None

    for index, unit in enumerate(units):
        level = unit["level"]
        if level not in UNIT_LEVELS:
            yield report.error("units", index, "level", level, f"is not a level the panels know ({', '.join(UNIT_LEVELS)})")
            continue
        if level_of(unit["province_code"]) not in PROVINCE_LEVELS:
            yield report.error("units", index, "province_code", unit["province_code"], "is not a province-level unit of units")
        elif level in PROVINCE_LEVELS and unit["province_code"] != unit["unit_code"]:
            yield report.error("units", index, "province_code", unit["province_code"], "is not the province-level unit's own code")
        parent = unit["parent_code"]
        if level in PROVINCE_LEVELS:
            if parent is not None:
                yield report.error("units", index, "parent_code", parent, "is set, but a province-level unit has no parent")
            continue
        above = PROVINCE_LEVELS if level in PREFECTURE_LEVELS else PREFECTURE_LEVELS
        tier = "province" if level in PREFECTURE_LEVELS else "prefecture"
        if level_of(parent) not in above:
            yield report.error("units", index, "parent_code", parent, f"is not a {tier}-level unit of units, as a {level}'s parent must be")
        elif table[parent][1]["province_code"] != unit["province_code"]:
            yield report.error("units", index, "parent_code", parent, f"lies in another province than the unit's {unit['province_code']}")
    for index, zone in enumerate(rows.get("pilot_zones", [])):
        whole = zone["level"] == WHOLE_ISLAND
        prefecture = zone["prefecture_adcode"]
        wanted, tier = (PROVINCE_LEVELS, "province") if whole else (PREFECTURE_LEVELS, "prefecture")
        if level_of(prefecture) not in wanted:
            found = level_of(prefecture)
            yield report.error("pilot_zones", index, "prefecture_adcode", prefecture,
                               f"is not a {tier}-level unit of units ({'absent' if found is None else 'its level is ' + found}), "
                               f"as a {zone['level']} zone's prefecture_adcode must be")
            continue
        if zone["province_zh"] != table[prefecture][1]["province_zh"]:
            yield report.error("pilot_zones", index, "province_zh", zone["province_zh"],
                               f"differs from the province of its prefecture {prefecture} ({table[prefecture][1]['province_zh']})")
        code = zone["adcode"]
        if code is None:
            continue
        if code not in table:
            yield report.error("pilot_zones", index, "adcode", code, "is not a unit of units")
        elif code != prefecture and (whole or table[code][1]["parent_code"] != prefecture):
            yield report.error("pilot_zones", index, "adcode", code, f"does not lie in the zone's prefecture_adcode {prefecture}")
        elif zone["level"] in UNIT_LEVELS and table[code][1]["level"] != zone["level"]:
            yield report.error("pilot_zones", index, "level", zone["level"], f"differs from the level of its unit {code} ({table[code][1]['level']})")
    for index, member in enumerate(rows.get("programme_members", [])):
        found = level_of(member["prefecture_code"])
        wanted, tier = (PROVINCE_LEVELS, "province") if member["level"] == WHOLE_ISLAND else (PREFECTURE_LEVELS, "prefecture")
        if found not in wanted:
            yield report.error("programme_members", index, "prefecture_code", member["prefecture_code"],
                               f"is not a {tier}-level unit of units ({'absent' if found is None else 'its level is ' + found}), "
                               f"as a {member['level']} member's prefecture_code must be")


# ---- counts -----------------------------------------------------------------------
def _counts(report: _Report, rows: Rows) -> Iterator[InconsistentDataError]:
    zones = rows.get("pilot_zones", [])
    listed: dict[Any, int] = {}
    revoked: dict[Any, int] = {}
    for zone in zones:
        listed[zone["batch"]] = listed.get(zone["batch"], 0) + 1
        if zone["revoked_batch"] is not None:
            revoked[zone["revoked_batch"]] = revoked.get(zone["revoked_batch"], 0) + 1
    for index, batch in enumerate(rows.get("pilot_zone_batches", []) if "pilot_zones" in rows else []):
        number = batch["batch"]
        if batch["zones_listed"] != listed.get(number, 0):
            yield report.error("pilot_zone_batches", index, "zones_listed", batch["zones_listed"],
                               f"differs from the {listed.get(number, 0)} rows of pilot_zones in batch {number}")
        elif batch["zones_added"] is not None and batch["zones_listed"] > batch["zones_added"]:
            yield report.error("pilot_zone_batches", index, "zones_listed", batch["zones_listed"],
                               f"is more than the batch's zones_added ({batch['zones_added']})")
        if batch["zones_revoked"] is not None and batch["zones_revoked"] != revoked.get(number, 0):
            yield report.error("pilot_zone_batches", index, "zones_revoked", batch["zones_revoked"],
                               f"differs from the {revoked.get(number, 0)} zones of pilot_zones whose revoked_batch is {number}")
    members: dict[Any, int] = {}
    for member in rows.get("programme_members", []):
        members[member["round_id"]] = members.get(member["round_id"], 0) + 1
    for index, round_ in enumerate(rows.get("programme_rounds", []) if "programme_members" in rows else []):
        count = members.get(round_["round_id"], 0)
        if round_["members_listed"] != count:
            yield report.error("programme_rounds", index, "members_listed", round_["members_listed"],
                               f"differs from the {count} rows of programme_members in round {round_['round_id']!r}")


# ---- uniqueness -------------------------------------------------------------------
def _uniqueness(report: _Report, rows: Rows) -> Iterator[InconsistentDataError]:
    numbers: dict[int, tuple[int, str]] = {}
    for index, unit in enumerate(rows.get("units", [])):
        code = unit["unit_code"]
        if not (isinstance(code, str) and code.isascii() and code.isdigit() and len(code) <= UNIT_NUM_DIGITS):
            yield report.error("units", index, "unit_code", code, f"is not a division code of at most {UNIT_NUM_DIGITS} ASCII digits, "
                                                                  "so it has no unit_num")
            continue
        first = numbers.setdefault(int(code), (index, code))
        if first[0] != index:
            yield report.error("units", index, "unit_code", code,
                               f"has the unit_num {int(code)} of row {first[0] + 2} ({first[1]!r}); two units must never share one")
    rounds: dict[tuple[Any, Any], int] = {}
    for index, round_ in enumerate(rows.get("programme_rounds", [])):
        key = (round_["programme_id"], round_["round"])
        first_index = rounds.setdefault(key, index)
        if first_index != index:
            yield report.error("programme_rounds", index, "round", round_["round"],
                               f"repeats row {first_index + 2}'s round of programme {key[0]!r}")


# ---- dates ------------------------------------------------------------------------
def _approved(batch: dict[str, Any]) -> tuple[int, ...] | None:
    """A batch's approval as (year, month, day), (year, month) or (year,), as precise as the row gives it."""
    day = batch["approval_date"]
    if day is not None:
        return (day.year, day.month, day.day)
    if batch["approval_year"] is None:
        return None
    return (batch["approval_year"],) + ((batch["approval_month"],) if batch["approval_month"] is not None else ())


def _day(value: date | None) -> tuple[int, ...] | None:
    return None if value is None else (value.year, value.month, value.day)


def _before(first: tuple[int, ...] | None, second: tuple[int, ...] | None) -> bool:
    """Whether ``second`` is surely earlier than ``first`` (compared at the precision both give)."""
    if first is None or second is None:
        return False
    n = min(len(first), len(second))
    return second[:n] < first[:n]


def _dates(report: _Report, rows: Rows) -> Iterator[InconsistentDataError]:
    batches = rows.get("pilot_zone_batches", [])
    for index, batch in enumerate(batches):
        day = batch["approval_date"]
        if day is not None:
            for field, value, part in (("approval_year", batch["approval_year"], day.year), ("approval_month", batch["approval_month"], day.month)):
                if value is not None and value != part:
                    yield report.error("pilot_zone_batches", index, field, value, f"contradicts approval_date {day.isoformat()}")
        if batch["approval_month"] is not None and batch["approval_year"] is None:
            yield report.error("pilot_zone_batches", index, "approval_month", batch["approval_month"], "is given without an approval_year")
        if _before(_approved(batch), _day(batch["announced_date"])):
            yield report.error("pilot_zone_batches", index, "announced_date", batch["announced_date"].isoformat(),
                               "is before the batch's approval")
    # (a batch without a number, possible only in a schema without the key, is left out of the order)
    ordered = sorted((i for i in range(len(batches)) if batches[i]["batch"] is not None), key=lambda i: batches[i]["batch"])
    latest: tuple[int, tuple[int, ...]] | None = None  # (index, approval) of the latest-approved earlier batch
    for index in ordered:
        batch = batches[index]
        approved = _approved(batch)
        if latest is not None:
            earlier = batches[latest[0]]["batch"]
            if _before(latest[1], approved):
                yield report.error("pilot_zone_batches", index, "approval_date" if batch["approval_date"] else "approval_year",
                                   batch["approval_date"] or batch["approval_year"],
                                   f"is before the approval of the earlier batch {earlier}; batches are numbered in order of approval")
            elif _before(latest[1], _day(batch["announced_date"])):
                yield report.error("pilot_zone_batches", index, "announced_date", batch["announced_date"].isoformat(),
                                   f"is before the approval of the earlier batch {earlier}")
        if approved is not None and (latest is None or not _before(approved, latest[1])):
            latest = (index, approved)
    for index, zone in enumerate(rows.get("pilot_zones", [])):
        if zone["revoked_batch"] is not None and zone["batch"] is not None and zone["revoked_batch"] <= zone["batch"]:
            yield report.error("pilot_zones", index, "revoked_batch", zone["revoked_batch"],
                               f"does not come after the batch that designates the zone ({zone['batch']})")
    for resource in ("programme_rounds", "programme_members"):
        for index, row in enumerate(rows.get(resource, [])):
            if _before(_day(row["approved_date"]), _day(row["announced_date"])):
                yield report.error(resource, index, "announced_date", row["announced_date"].isoformat(), "is before approved_date")
    for index, row in enumerate(rows.get("programme_rounds", [])):  # start_year/start_month: a 1.4 round's date without a day
        year, month = row.get("start_year"), row.get("start_month")
        if month is not None and year is None:
            yield report.error("programme_rounds", index, "start_month", month, "is given without a start_year")
        first = next((row[key] for key in ("approved_date", "announced_date", "effective_date") if row.get(key) is not None), None)
        if year is not None and first is not None and (year, month or first.month) != (first.year, first.month):
            yield report.error("programme_rounds", index, "start_year", year, f"contradicts the round's first date {first.isoformat()}")


# ---- code changes -----------------------------------------------------------------
KEEPS_CODE = ("renamed", "upgraded")  # the kinds of change that may leave a code as it was


def _code_changes(report: _Report, rows: Rows) -> Iterator[InconsistentDataError]:
    changes = rows.get("unit_code_changes", [])
    successors: dict[str, list[int]] = {}
    for index, change in enumerate(changes):
        old, new = change["old_code"], change["new_code"]
        if old is None:
            continue
        if old == new:
            if change["change"] not in KEEPS_CODE:
                yield report.error("unit_code_changes", index, "new_code", new, f"is its own old_code, but a {change['change']!r} change gives a new code")
            continue
        successors.setdefault(old, []).append(index)
    # Depth-first search over codes, iteratively; a change that reaches a code on the current path closes a cycle.
    state: dict[str, int] = {}  # 1: on the path, 2: done
    for start in sorted(successors):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            code, position = stack[-1]
            edges = successors.get(code, [])
            if position == len(edges):
                state[code] = 2
                stack.pop()
                continue
            stack[-1] = (code, position + 1)
            index = edges[position]
            new = changes[index]["new_code"]
            if state.get(new) == 1:
                path = [c for c, _ in stack] + [new]
                yield report.error("unit_code_changes", index, "new_code", new,
                                   f"closes a cycle of code changes ({' -> '.join(map(str, path[path.index(new):]))})")
                return  # one cycle is enough to name; the others share its rows
            if not state.get(new):
                state[new] = 1
                stack.append((new, 0))


# ---- membership -------------------------------------------------------------------
def _membership(report: _Report, rows: Rows) -> Iterator[InconsistentDataError]:
    if "programme_rounds" not in rows:
        return
    rounds = _by(rows["programme_rounds"], "round_id")
    programmes = _by(rows["programmes"], "programme_id") if "programmes" in rows else None
    for index, member in enumerate(rows.get("programme_members", [])):
        found = rounds.get(member["round_id"])
        if found is None:
            yield report.error("programme_members", index, "round_id", member["round_id"], "is not a round of programme_rounds")
            continue
        round_ = found[1]
        if round_["programme_id"] != member["programme_id"]:
            yield report.error("programme_members", index, "round_id", member["round_id"],
                               f"is a round of programme {round_['programme_id']!r}, not of the member's {member['programme_id']!r}")
        elif round_["round"] != member["round"]:
            yield report.error("programme_members", index, "round", member["round"],
                               f"differs from round {member['round_id']!r}'s number ({round_['round']})")
        if programmes is None:
            continue
        programme = programmes.get(member["programme_id"])
        if programme is None:
            yield report.error("programme_members", index, "programme_id", member["programme_id"], "is not a programme of programmes")
        elif programme[1]["member_table"] != "programme_members":
            yield report.error("programme_members", index, "programme_id", member["programme_id"],
                               f"keeps its members in {programme[1]['member_table']!r}, not in programme_members")


_ZONES = {"zone_id": "string", "batch": "integer", "adcode": "string", "prefecture_adcode": "string", "level": "string",
          "province_zh": "string", "revoked_batch": "integer"}
_BATCHES = {"batch": "integer", "approval_year": "year", "approval_month": "integer", "approval_date": "date",
            "announced_date": "date", "zones_added": "integer", "zones_revoked": "integer", "zones_listed": "integer"}
_UNITS = {"unit_code": "string", "level": "string", "province_code": "string", "province_zh": "string", "parent_code": "string"}
_ROUNDS = {"round_id": "string", "programme_id": "string", "round": "integer", "members_listed": "integer",
           "approved_date": "date", "announced_date": "date"}
_MEMBERS = {"programme_id": "string", "round_id": "string", "round": "integer", "prefecture_code": "string",
            "approved_date": "date", "announced_date": "date"}

FACTS: tuple[Fact, ...] = (
    Fact("levels", {"units": _UNITS, "pilot_zones": _ZONES, "programme_members": _MEMBERS}, _levels),
    Fact("counts", {"pilot_zones": _ZONES, "pilot_zone_batches": _BATCHES, "programme_rounds": _ROUNDS, "programme_members": _MEMBERS}, _counts),
    Fact("uniqueness", {"units": _UNITS, "programme_rounds": _ROUNDS}, _uniqueness),
    Fact("dates", {"pilot_zone_batches": _BATCHES, "pilot_zones": _ZONES, "programme_rounds": _ROUNDS, "programme_members": _MEMBERS}, _dates),
    Fact("code changes", {"unit_code_changes": {"old_code": "string", "new_code": "string", "change": "string"}}, _code_changes),
    Fact("membership", {"programme_members": _MEMBERS, "programme_rounds": _ROUNDS,
                        "programmes": {"programme_id": "string", "member_table": "string"}}, _membership),
)


def _rows(package: "PackageReader", fact: Fact) -> Rows:
    """The rows of the resources a fact reads that the package has; a rule over a missing resource is not run."""
    present = set(package.resources())
    rows: Rows = {}
    for name, fields in fact.reads.items():
        if name in present:
            package.require(name, fields, f"the {fact.name} check")
            rows[name] = package.records(name)
    return rows


def fact_errors(package: "PackageReader") -> list[InconsistentDataError]:
    """Every broken fact of ``package``, in rule order, then row order.

    Raises:
        DescriptorError: a table the facts read lacks a field they need.
        BadCellError, IntegrityError, ...: a table that does not read at all.
    """
    report = _Report(package)
    found: list[InconsistentDataError] = []
    for fact in FACTS:
        found.extend(fact.check(report, _rows(package, fact)))
    return found


def check_facts(package: "PackageReader") -> None:
    """Raise the first broken fact of ``package``: the panels call this before building anything.

    Raises:
        InconsistentDataError: naming the resource, row, field and value.
        DescriptorError: a table the facts read lacks a field they need.
    """
    report = _Report(package)
    for fact in FACTS:
        for error in fact.check(report, _rows(package, fact)):
            raise error
