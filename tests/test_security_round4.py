"""Security and integrity, round four (issue 26): the facts the panels rely on, bounds on every input,
the fast path proving every rule of the strict reader, and the user's own output names.

Each test states a kind of failure and tries several instances of it; the expected answer
comes from an independent reading (the csv module, the strict reader), never from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.checks.facts import PREFECTURE_LEVELS, PROVINCE_LEVELS, check_facts, fact_errors
from xborder_data.cli import cli
from xborder_data.errors import InconsistentDataError
from xborder_data.exports import export
from tools.maintain import descriptor_text, refreshed_descriptor

Rows = list[dict[str, str]]


# ---- tampered copies ---------------------------------------------------------------
@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export of the bundled package; each test copies it."""
    root = tmp_path_factory.mktemp("base") / "pkg"
    export(xborder_data.bundled(), "csv", root)
    return root


def _read(root: Path, resource: str) -> Rows:
    with (root / "data" / f"{resource}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(root: Path, resource: str, rows: Rows) -> None:
    path = root / "data" / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        fields = next(csv.reader(handle))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))


def _schema(root: Path, resource: str, edit: Callable[[dict[str, Any]], None]) -> None:
    path = root / "schemas" / f"{resource}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")


def _tampered(base: Path, tmp_path: Path, edits: dict[str, Callable[[Rows], Rows]],
              schemas: dict[str, Callable[[dict[str, Any]], None]] | None = None) -> xborder_data.Package:
    """A copy of ``base`` with rows (and schemas) edited and hashes made to match, as a careful attacker would."""
    root = tmp_path / "copy"
    shutil.copytree(base, root)
    for resource, edit in (schemas or {}).items():
        _schema(root, resource, edit)
    for resource, edit in edits.items():
        _write(root, resource, edit(_read(root, resource)))
    (root / "datapackage.json").write_text(descriptor_text(refreshed_descriptor(root)), encoding="utf-8")
    return xborder_data.open(root)


def _only(package: xborder_data.Package, resource: str, row: int, field: str, cell: str | None = None) -> InconsistentDataError:
    """The one broken fact, which must name ``resource``, ``row``, ``field`` (and ``cell``); check_facts raises it too."""
    errors = fact_errors(package)
    assert [(e.resource, e.row_number, e.field_name) for e in errors] == [(resource, row, field)], [str(e) for e in errors]
    if cell is not None:
        assert errors[0].cell == cell and cell in str(errors[0])
    with pytest.raises(InconsistentDataError) as raised:
        check_facts(package)
    assert str(raised.value) == str(errors[0])
    return errors[0]


def test_the_bundled_package_holds_every_fact(package: xborder_data.Package) -> None:
    assert fact_errors(package) == []


def test_the_panels_share_the_level_lists() -> None:
    from xborder_data.research import did

    assert set(did.PREFECTURE_LEVELS) == set(PREFECTURE_LEVELS)


# ---- levels ------------------------------------------------------------------------
def _units_by_level(base: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in _read(base, "units"):
        out.setdefault(row["level"], []).append(row["unit_code"])
    return out


@pytest.mark.parametrize("pick", [0, 1, -1])
@pytest.mark.parametrize("wrong", ["county", "province"])
def test_a_zone_whose_prefecture_is_not_prefecture_level_is_refused(base: Path, tmp_path: Path, pick: int, wrong: str) -> None:
    levels = _units_by_level(base)
    # The csv module's reading of units.csv names the wrong-level codes: a county-level city, or a province.
    codes = levels["county_city"] if wrong == "county" else [c for lv in ("province", "autonomous_region") for c in levels[lv]]
    zones = _read(base, "pilot_zones")
    targets = [i for i, z in enumerate(zones) if z["level"] != "whole_island"]
    index = targets[pick]
    code = codes[pick % len(codes)]

    def edit(rows: Rows) -> Rows:
        rows[index]["prefecture_adcode"] = code
        rows[index]["adcode"] = ""  # only the prefecture is wrong
        return rows

    _only(_tampered(base, tmp_path, {"pilot_zones": edit}), "pilot_zones", index + 2, "prefecture_adcode", code)


def test_a_whole_island_zone_names_a_province(base: Path, tmp_path: Path) -> None:
    zones = _read(base, "pilot_zones")
    index = next(i for i, z in enumerate(zones) if z["level"] == "whole_island")
    prefecture = next(u["unit_code"] for u in _read(base, "units")
                      if u["level"] == "prefecture_city" and u["parent_code"] == zones[index]["prefecture_adcode"])

    def edit(rows: Rows) -> Rows:
        rows[index].update(prefecture_adcode=prefecture, adcode="")
        return rows

    _only(_tampered(base, tmp_path, {"pilot_zones": edit}), "pilot_zones", index + 2, "prefecture_adcode", prefecture)


def test_a_zone_code_outside_its_prefecture_is_refused(base: Path, tmp_path: Path) -> None:
    zones = _read(base, "pilot_zones")
    units = _read(base, "units")
    index = next(i for i, z in enumerate(zones) if z["level"] == "county_city")
    elsewhere = next(u["unit_code"] for u in units if u["level"] == "county_city" and u["parent_code"] != zones[index]["prefecture_adcode"])

    def edit(rows: Rows) -> Rows:
        rows[index]["adcode"] = elsewhere
        return rows

    _only(_tampered(base, tmp_path, {"pilot_zones": edit}), "pilot_zones", index + 2, "adcode", elsewhere)


def test_a_unit_level_the_panels_do_not_know_is_refused(base: Path, tmp_path: Path) -> None:
    units = _read(base, "units")
    index = next(i for i, u in enumerate(units) if u["unit_code"] == "330100")  # Hangzhou would silently drop out

    def enum(schema: dict[str, Any]) -> None:
        next(f for f in schema["fields"] if f["name"] == "level")["constraints"]["enum"].append("city")

    def edit(rows: Rows) -> Rows:
        rows[index]["level"] = "city"
        return rows

    package = _tampered(base, tmp_path, {"units": edit}, {"units": enum})
    errors = fact_errors(package)
    assert (errors[0].resource, errors[0].row_number, errors[0].field_name, errors[0].cell) == ("units", index + 2, "level", "city")


def test_a_unit_whose_parent_is_of_the_wrong_level_is_refused(base: Path, tmp_path: Path) -> None:
    units = _read(base, "units")
    index = next(i for i, u in enumerate(units) if u["level"] == "county_city")
    province = units[index]["province_code"]  # a province as a county's parent: one tier skipped

    def edit(rows: Rows) -> Rows:
        rows[index]["parent_code"] = province
        return rows

    package = _tampered(base, tmp_path, {"units": edit})
    errors = fact_errors(package)
    assert (errors[0].resource, errors[0].row_number, errors[0].field_name) == ("units", index + 2, "parent_code")


def test_a_programme_member_in_a_county_is_refused(base: Path, tmp_path: Path) -> None:
    county = _units_by_level(base)["county_city"][0]

    def edit(rows: Rows) -> Rows:
        rows[0]["prefecture_code"] = county
        return rows

    _only(_tampered(base, tmp_path, {"programme_members": edit}), "programme_members", 2, "prefecture_code", county)


# ---- counts ------------------------------------------------------------------------
@pytest.mark.parametrize("delta", [+9, -1, +1])
@pytest.mark.parametrize("pick", [0, -2])
def test_a_stated_count_must_equal_the_rows(base: Path, tmp_path: Path, delta: int, pick: int) -> None:
    zones = _read(base, "pilot_zones")
    batches = _read(base, "pilot_zone_batches")
    index = pick % len(batches)
    rows_of_batch = sum(1 for z in zones if z["batch"] == batches[index]["batch"])  # the csv module counts
    assert int(batches[index]["zones_listed"]) == rows_of_batch
    wrong = str(rows_of_batch + delta)

    def edit(rows: Rows) -> Rows:
        rows[index]["zones_listed"] = wrong
        rows[index]["zones_added"] = str(max(int(rows[index]["zones_added"]), int(wrong)))  # so only the count is wrong
        return rows

    _only(_tampered(base, tmp_path, {"pilot_zone_batches": edit}), "pilot_zone_batches", index + 2, "zones_listed", wrong)


def test_a_removed_zone_breaks_its_batch_count(base: Path, tmp_path: Path) -> None:
    zones = _read(base, "pilot_zones")
    batches = _read(base, "pilot_zone_batches")
    victim = next(i for i, z in enumerate(zones) if z["batch"] != "1" and not z["revoked_batch"])
    index = next(i for i, b in enumerate(batches) if b["batch"] == zones[victim]["batch"])
    package = _tampered(base, tmp_path, {"pilot_zones": lambda rows: rows[:victim] + rows[victim + 1:]})
    _only(package, "pilot_zone_batches", index + 2, "zones_listed", batches[index]["zones_listed"])


def test_a_programme_round_count_must_equal_its_members(base: Path, tmp_path: Path) -> None:
    members = _read(base, "programme_members")
    rounds = _read(base, "programme_rounds")
    index = next(i for i, r in enumerate(rounds) if any(m["round_id"] == r["round_id"] for m in members))
    wrong = str(int(rounds[index]["members_listed"]) + 3)

    def edit(rows: Rows) -> Rows:
        rows[index]["members_listed"] = wrong
        return rows

    _only(_tampered(base, tmp_path, {"programme_rounds": edit}), "programme_rounds", index + 2, "members_listed", wrong)


# ---- uniqueness --------------------------------------------------------------------
@pytest.mark.parametrize("code", ["0{}", "00{}"])
def test_two_units_never_share_a_unit_num(base: Path, tmp_path: Path, code: str) -> None:
    units = _read(base, "units")
    twin = next(u for u in units if u["level"] == "prefecture_city")
    new = code.format(twin["unit_code"])
    assert int(new) == int(twin["unit_code"]) and new != twin["unit_code"]

    def relax(schema: dict[str, Any]) -> None:
        for field in schema["fields"]:
            field.get("constraints", {}).pop("pattern", None)

    def edit(rows: Rows) -> Rows:
        return [*rows, dict(twin, unit_code=new, name_zh="某市", parent_code=twin["parent_code"])]

    _only(_tampered(base, tmp_path, {"units": edit}, {"units": relax}), "units", len(units) + 2, "unit_code", new)


# ---- dates -------------------------------------------------------------------------
def _dated_batch(base: Path) -> int:
    return next(i for i, b in enumerate(_read(base, "pilot_zone_batches")) if b["approval_date"] and b["announced_date"])


@pytest.mark.parametrize("field, shift", [("approval_year", 1), ("approval_year", -3), ("approval_month", 1)])
def test_year_and_month_agree_with_the_approval_date(base: Path, tmp_path: Path, field: str, shift: int) -> None:
    index = _dated_batch(base)
    batches = _read(base, "pilot_zone_batches")
    value = int(batches[index][field]) + shift
    value = value if field == "approval_year" else (value - 1) % 12 + 1

    def edit(rows: Rows) -> Rows:
        rows[index][field] = str(value)
        return rows

    package = _tampered(base, tmp_path, {"pilot_zone_batches": edit})
    errors = fact_errors(package)
    assert (errors[0].resource, errors[0].row_number, errors[0].field_name, errors[0].cell) == ("pilot_zone_batches", index + 2, field, str(value))


def test_an_announcement_before_its_approval_is_refused(base: Path, tmp_path: Path) -> None:
    from datetime import date, timedelta

    index = _dated_batch(base)
    approved = date.fromisoformat(_read(base, "pilot_zone_batches")[index]["approval_date"])
    early = (approved - timedelta(days=1)).isoformat()

    def edit(rows: Rows) -> Rows:
        rows[index]["announced_date"] = early
        return rows

    _only(_tampered(base, tmp_path, {"pilot_zone_batches": edit}), "pilot_zone_batches", index + 2, "announced_date", early)


@pytest.mark.parametrize("offset", [0, -1])
def test_a_revocation_comes_after_the_designation(base: Path, tmp_path: Path, offset: int) -> None:
    zones = _read(base, "pilot_zones")
    index = next(i for i, z in enumerate(zones) if z["batch"] != "1")
    wrong = str(int(zones[index]["batch"]) + offset)  # revoked by its own batch, or by an earlier one

    def edit(rows: Rows) -> Rows:
        rows[index]["revoked_batch"] = wrong
        return rows

    package = _tampered(base, tmp_path, {"pilot_zones": edit})
    errors = [e for e in fact_errors(package) if e.resource == "pilot_zones"]
    assert [(e.row_number, e.field_name, e.cell) for e in errors] == [(index + 2, "revoked_batch", wrong)]


def test_a_programme_round_announced_before_its_approval_is_refused(base: Path, tmp_path: Path) -> None:
    rounds = _read(base, "programme_rounds")
    index = next(i for i, r in enumerate(rounds) if r["announced_date"])

    def edit(rows: Rows) -> Rows:
        year = int(rows[index]["announced_date"][:4])
        rows[index]["approved_date"] = f"{year + 1}-01-01"
        return rows

    package = _tampered(base, tmp_path, {"programme_rounds": edit})
    _only(package, "programme_rounds", index + 2, "announced_date", rounds[index]["announced_date"])


def test_a_round_month_needs_its_year(base: Path, tmp_path: Path) -> None:
    rounds = _read(base, "programme_rounds")
    if "start_month" not in rounds[0]:
        pytest.skip("a copy before 1.4 has no start_year/start_month")
    index = next(i for i, r in enumerate(rounds) if not r["start_year"] and not r["approved_date"] and not r["announced_date"]
                 and not r["effective_date"])

    def edit(rows: Rows) -> Rows:
        rows[index]["start_month"] = "7"
        return rows

    _only(_tampered(base, tmp_path, {"programme_rounds": edit}), "programme_rounds", index + 2, "start_month", "7")


def test_the_panels_refuse_a_broken_fact_before_writing(base: Path, tmp_path: Path) -> None:
    def edit(rows: Rows) -> Rows:
        rows[-1]["zones_listed"] = str(int(rows[-1]["zones_listed"]) + 5)
        rows[-1]["zones_added"] = str(max(int(rows[-1]["zones_added"]), int(rows[-1]["zones_listed"])))
        return rows

    package = _tampered(base, tmp_path, {"pilot_zone_batches": edit})
    for args in (["--balanced"], ["--level", "prefecture"], []):
        result = CliRunner().invoke(cli, ["--package", str(package.root), "panel", "--start", "2015", "--end", "2024", *args,
                                          "-o", str(tmp_path / "p.csv")])
        assert result.exit_code != 0 and "zones_listed" in result.output and "Traceback" not in result.output, result.output
        assert not (tmp_path / "p.csv").exists()


# ---- code changes ------------------------------------------------------------------
@pytest.mark.parametrize("length", [2, 3])
def test_code_changes_never_cycle(base: Path, tmp_path: Path, length: int) -> None:
    changes = _read(base, "unit_code_changes")
    units = [u["unit_code"] for u in _read(base, "units") if u["level"] == "prefecture_city"][:length]
    template = next(c for c in changes if c["change"] == "recoded")
    cycle = [dict(template, change_id=f"{a}-{b}-recoded", old_code=a, new_code=b) for a, b in zip(units, units[1:] + units[:1])]
    package = _tampered(base, tmp_path, {"unit_code_changes": lambda rows: rows + cycle})
    errors = fact_errors(package)
    assert len(errors) == 1 and errors[0].resource == "unit_code_changes" and errors[0].field_name == "new_code"
    assert len(changes) + 2 <= errors[0].row_number <= len(changes) + 1 + length
    assert "cycle" in str(errors[0])


# ---- membership --------------------------------------------------------------------
def test_a_members_round_belongs_to_its_programme(base: Path, tmp_path: Path) -> None:
    members = _read(base, "programme_members")
    rounds = _read(base, "programme_rounds")
    other = next(r for r in rounds if r["programme_id"] != members[0]["programme_id"])

    def edit(rows: Rows) -> Rows:
        rows[0].update(round_id=other["round_id"], round=other["round"])
        return rows

    def recount(rows: Rows) -> Rows:  # the counts kept true, so only membership is broken
        for row in rows:
            if row["round_id"] == other["round_id"]:
                row["members_listed"] = str(int(row["members_listed"]) + 1)
            if row["round_id"] == members[0]["round_id"]:
                row["members_listed"] = str(int(row["members_listed"]) - 1)
        return rows

    package = _tampered(base, tmp_path, {"programme_members": edit, "programme_rounds": recount})
    _only(package, "programme_members", 2, "round_id", other["round_id"])


def test_validate_reports_a_broken_fact(base: Path, tmp_path: Path) -> None:
    def edit(rows: Rows) -> Rows:
        rows[0]["zones_listed"] = str(int(rows[0]["zones_listed"]) + 1)
        rows[0]["zones_added"] = str(int(rows[0]["zones_added"]) + 1)
        return rows

    package = _tampered(base, tmp_path, {"pilot_zone_batches": edit})
    report = package.validate()
    assert not report.valid
    found = [e for e in report.errors if e.type == "InconsistentDataError"]
    assert [(e.resource, e.row, e.field) for e in found] == [("pilot_zone_batches", 2, "zones_listed")]


# ---- the fast path proves every rule the strict reader applies -------------------------
import os  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xborder_data.tableschema import fast, rules  # noqa: E402
from xborder_data.tableschema.frames import to_frame  # noqa: E402

from conftest import write_package  # noqa: E402
from test_fast_reader import assert_same_frame  # noqa: E402

SCHEMA_EXAMPLES = int(os.environ.get("XBORDER_DIFF_EXAMPLES", "40"))
FORMS = [("string", "default"), ("string", "uri"), ("integer", "default"), ("number", "default"), ("year", "default"),
         ("date", "default"), ("boolean", "default")]
# Lexical forms each type accepts (enum members and bounds are drawn from these) ...
VALID = {
    ("string", "default"): ["a", "b", "ab-1", "abc", "x:y", "é" * 3],
    ("string", "uri"): ["https://x.org/", "x:y", "mailto:a@b.c"],
    ("integer", "default"): ["0", "1", "-5", "42", "+7"],
    ("number", "default"): ["0", "1.5", "-2.5", "3", "1e2"],
    ("year", "default"): ["2013", "2000", "2100", "1950"],
    ("date", "default"): ["2014-07-03", "2020-01-01", "1999-12-31"],
    ("boolean", "default"): ["true", "false"],
}
# ... and cells, valid or not, of every type: each field draws from all of them.
CELLS = sorted({c for cells in VALID.values() for c in cells} | {
    "", " ", "not a uri", "AB-1", "a b", "1.0", "NaN", "INF", "-INF", "nan", "-0.0", "1e400", "9223372036854775808",
    "0999", "2014-02-30", "1600-01-01", "yes", "1", "é" * 9, "a" * 24 + "c", "\u3000", "x:\u3000",
})
PATTERNS = [
    "[a-z]+", "^ab-[0-9]+$", "(a|b)*", "[a-z]{1,3}", "x:y|https://x\\.org/", "[a-z]*[0-9]?",
    "(?:(?:a|a)*b|[a-z]*)",       # backtracks in regex, outside the RE2 subset
    "a*a*a*a*a*a*a*a*a*a*b|[a-z]", # in the RE2 subset, backtracks in regex
]


@st.composite
def fields(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind, fmt = draw(st.sampled_from(FORMS))
    field: dict[str, Any] = {"name": f"f{index}", "type": kind}
    if fmt != "default":
        field["format"] = fmt
    constraints: dict[str, Any] = {}
    valid = VALID[(kind, fmt)]
    if draw(st.booleans()):
        constraints["required"] = True
    if draw(st.integers(0, 4)) == 0:
        constraints["unique"] = True
    if draw(st.booleans()):
        constraints["enum"] = draw(st.lists(st.sampled_from(valid), min_size=1, max_size=3, unique=True))
    if kind in ("integer", "number", "year", "date"):
        for low, high in (("minimum", "maximum"), ("exclusiveMinimum", "exclusiveMaximum")):
            picked = sorted(draw(st.lists(st.sampled_from(valid), min_size=0, max_size=2, unique=True)),
                            key=lambda text: float(text) if kind != "date" else float(text.replace("-", "")))
            if len(picked) == 2:
                constraints[low], constraints[high] = picked
            elif picked:
                constraints[draw(st.sampled_from([low, high]))] = picked[0]
    if kind == "string":
        lengths = sorted(draw(st.lists(st.integers(0, 6), max_size=2)))
        for key, value in zip(draw(st.sampled_from([(), ("minLength",), ("maxLength",), ("minLength", "maxLength")])), lengths or [0, 0]):
            constraints[key] = value
        if "minLength" in constraints and "maxLength" in constraints and constraints["minLength"] > constraints["maxLength"]:
            constraints["minLength"], constraints["maxLength"] = constraints["maxLength"], constraints["minLength"]
        if draw(st.booleans()):
            constraints["pattern"] = draw(st.sampled_from(PATTERNS))
    if constraints:
        field["constraints"] = constraints
    return field


def _likely(field: dict[str, Any]) -> list[str]:
    """Texts a field probably accepts: its enum members, or its type's lexical forms."""
    return [str(v) for v in field.get("constraints", {}).get("enum", [])] or VALID[(field["type"], field.get("format", "default"))]


@st.composite
def schema_and_rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[list[str]], bool]:
    count = draw(st.integers(1, 3))
    generated = [draw(fields(i)) for i in range(count)]
    schema: dict[str, Any] = {"fields": generated + [{"name": f"pad{i}"} for i in range(PADS)]}
    if draw(st.booleans()):
        schema["primaryKey"] = ["f0"]
    # Mostly texts the field accepts (so that the fast path has tables to prove), some of any kind.
    clean = draw(st.booleans())
    cell = [st.sampled_from(_likely(field)) if clean else st.one_of(st.sampled_from(_likely(field)), st.sampled_from(CELLS))
            for field in generated]
    rows = draw(st.lists(st.tuples(*cell).map(list), min_size=1, max_size=8))
    return schema, rows, draw(st.booleans())


PADS = 3  # columns of padding: a cell stays below the field limit


def _bytes(schema: dict[str, Any], rows: list[list[str]]) -> bytes:
    """The table, each row padded by long 'pad' cells so that the file is above the fast path's threshold."""
    pads = len(schema["fields"]) - len(rows[0])
    pad = fast.MIN_BYTES // (len(rows) * pads) + 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f["name"] for f in schema["fields"]])
    writer.writerows(row + [f"{number}-" + "p" * pad] * pads for number, row in enumerate(rows))
    return out.getvalue().encode("utf-8")


def _outcome(read: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", read())
    except xborder_data.XborderDataError as error:
        return ("err", type(error).__name__, error.row_number, error.field_name)


def _strict_and_load(root: Path) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """records()' reading (as a frame) and load()'s, each from a fresh Package."""
    def strict() -> Any:
        package = xborder_data.open(root)
        package.records("t")
        return to_frame(package.table("t"), package.table_schema("t"))

    return _outcome(strict), _outcome(lambda: xborder_data.open(root).load("t"))


def _agree(strict: tuple[Any, ...], loaded: tuple[Any, ...]) -> None:
    assert strict[0] == loaded[0], (strict, loaded)
    if strict[0] == "ok":
        assert_same_frame(loaded[1], strict[1])
    else:
        assert strict == loaded


@settings(max_examples=SCHEMA_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=schema_and_rows())
def test_load_and_records_agree_on_generated_schemas(tmp_path_factory: pytest.TempPathFactory, case: tuple[dict[str, Any], list[list[str]], bool]) -> None:
    schema, rows, re2_everywhere = case
    data = _bytes(schema, rows)
    assert len(data) >= fast.MIN_BYTES
    try:
        root = write_package(tmp_path_factory.mktemp("gen"), {"t": (data, schema)})
        xborder_data.open(root)
    except xborder_data.DescriptorError:
        return  # a schema the loader refuses (e.g. an enum member outside its own bounds): nothing to read
    saved = rules.RE2_FROM, rules.PATTERN_BUDGET_SECONDS, rules.TABLE_SECONDS, fast.BLOCK_SIZE
    # A short budget keeps slow patterns quick to refuse; RE2_FROM 0 puts every safe pattern on RE2 in both readers;
    # small blocks make Arrow read several chunks per column, as it does for a large file.
    rules.RE2_FROM, rules.PATTERN_BUDGET_SECONDS, rules.TABLE_SECONDS = (0 if re2_everywhere else saved[0]), 0.2, 0.05
    fast.BLOCK_SIZE = 96 * 1024 if re2_everywhere else saved[3]
    try:
        strict, loaded = _strict_and_load(root)
    finally:
        rules.RE2_FROM, rules.PATTERN_BUDGET_SECONDS, rules.TABLE_SECONDS, fast.BLOCK_SIZE = saved
    _agree(strict, loaded)


def test_every_kind_of_rule_has_a_proof_or_hands_over() -> None:
    assert set(fast.PROOFS) == set(rules.KINDS)


def test_an_enum_does_not_skip_the_uri_rule(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "u", "format": "uri", "constraints": {"enum": ["https://x.org/", "x:y"]}}, {"name": "pad"}]}
    for number, bad in enumerate(["not a uri", "https://x.org/ ", "x:\u3000"]):
        # the enum admits the text, the URI rule does not: the descriptor refuses such an enum, so the cell is the test
        rows = [["https://x.org/"], [bad], ["x:y"]]
        root = write_package(tmp_path / str(number), {"t": (_bytes(schema, rows), schema)})
        strict, loaded = _strict_and_load(root)
        assert strict == ("err", "BadCellError", 3, "u") and loaded == strict


@pytest.mark.parametrize("pattern", ["(?:(?:a|a)*b|[a-z])", "(?:(?:a|a)*c|[a-z0-9]*)"])
def test_a_slow_pattern_is_refused_by_both_readers(tmp_path: Path, pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "PATTERN_BUDGET_SECONDS", 0.2)  # the rule, not the length of the wait, is under test
    schema = {"fields": [{"name": "v", "constraints": {"pattern": pattern}}, {"name": "pad"}]}
    rows = [["a" * (30 + i)] for i in range(4)]
    root = write_package(tmp_path, {"t": (_bytes(schema, rows), schema)})
    strict, loaded = _strict_and_load(root)
    assert strict == ("err", "DescriptorError", None, "v") and loaded == strict


def test_a_safe_pattern_over_many_values_reads_in_linear_time_in_both(tmp_path: Path, regex_timeouts: list[float | None]) -> None:
    # From RE2_FROM distinct values on, a pattern in the RE2 subset cannot backtrack: both readers answer.
    schema = {"fields": [{"name": "v", "constraints": {"pattern": "a*a*a*a*a*a*a*a*a*a*a*a*b|[a-z0-9]*"}}]}
    count = rules.RE2_FROM + 10
    data = ("v\n" + "".join(f"{'a' * 30}{number:x}\n" for number in range(count))).encode()
    root = write_package(tmp_path, {"t": (data, schema)})
    strict, loaded = _strict_and_load(root)
    assert strict[0] == "ok" and len(strict[1]) == count
    _agree(strict, loaded)
    # RE2 (linear time) matched every value: the backtracking engine was never handed one (no clock read).
    assert regex_timeouts == []


PATTERN_TOKENS = ["a", "b", "-", "[ab]", "[a-b]", "[-a]", "\\.", "\\-", ".", "(", ")", "|", "*", "+", "?", "{2}", "{1,3}", "{0,1}",
                  "*?", "+?", "*+", "^", "$", "\\b", "(?:"]


@settings(max_examples=SCHEMA_EXAMPLES * 10, deadline=None)
@given(tokens=st.lists(st.sampled_from(PATTERN_TOKENS), min_size=1, max_size=8),
       texts=st.lists(st.text(alphabet="ab-.\nx", max_size=6), min_size=1, max_size=12))
def test_the_re2_subset_means_what_regex_means(tokens: list[str], texts: list[str]) -> None:
    """A pattern rules.re2_pattern translates matches the same texts in RE2 as in regex (fullmatch)."""
    import regex

    pattern = "".join(tokens)
    translated = rules.re2_pattern(pattern)
    if translated is None:
        return  # outside the subset: matched by regex alone
    try:
        compiled = regex.compile(pattern)
    except regex.error:
        return  # the descriptor refuses it before any read
    import pyarrow as pa
    import pyarrow.compute as pc

    re2 = pc.match_substring_regex(pa.array(texts), translated).to_pylist()
    assert re2 == [compiled.fullmatch(text) is not None for text in texts], (pattern, translated)
    # and regex over all the texts at once, as the strict reader matches a column, gives the same verdicts
    matcher = rules.PatternMatcher(pattern, "t", "f", rules.PatternBudget())
    matcher.prepare(set(texts))
    assert all((verdict is None) == (compiled.fullmatch(text) is not None) for text, verdict in matcher.verdicts.items())


# ---- bounds on every input -----------------------------------------------------------
_PEAK = """
import resource, sys, xborder_data
package = xborder_data.open(sys.argv[1])
package.read_bytes("t")  # the file itself, held once: the baseline the reader adds to
import pandas, pyarrow.csv  # the fast path's libraries, loaded before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    getattr(package, sys.argv[2])("t")
    print("ok")
except xborder_data.BadCellError as error:
    print(error.row_number, type(error).__name__)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


@pytest.mark.parametrize("read", ["records", "load"])
@pytest.mark.parametrize("body", [b"\n", b"\r\n", b",", b"1\n"])
def test_a_huge_run_of_blank_lines_or_cells_stops_at_the_first_bad_row(tmp_path: Path, body: bytes, read: str) -> None:
    import subprocess
    import sys

    size = 30_000_000
    data = b"id,v\n1,a\n" + body * (size // len(body))
    root = write_package(tmp_path, {"t": (data, {"fields": [{"name": "id", "type": "integer"}, {"name": "v"}]})})
    # The csv module, the oracle, reads the same first bad record: row 3 (a blank, a long row or a short one).
    first_bad = next(row for row in csv.reader(io.StringIO(data[:2_000].decode(), newline="")) if len(row) != 2)
    assert first_bad != ["id", "v"]
    result = subprocess.run([sys.executable, "-c", _PEAK, str(root), read], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    outcome, grown = result.stdout.split("\n")[:2]
    assert outcome == "3 BadCellError"
    assert int(grown) < 2 * len(data)  # the text is decoded once to check it; never a list of 10⁷ rows


def test_too_many_resources_are_refused_on_open(tmp_path: Path) -> None:
    import hashlib

    from xborder_data.tableschema.descriptor import MAX_RESOURCES

    data = b"id\n1\n"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_bytes(data)
    resource = {"path": "data/t.csv", "bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "schema": {"fields": [{"name": "id", "type": "integer"}]}}
    descriptor = {"name": "many", "version": "0.0.1",
                  "resources": [dict(resource, name=f"t{i}") for i in range(MAX_RESOURCES * 40)]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(xborder_data.DescriptorError, match=f"{MAX_RESOURCES * 40:,} resources"):
        xborder_data.open(tmp_path)
    result = CliRunner().invoke(cli, ["--package", str(tmp_path), "validate"])
    assert result.exit_code != 0 and "resources" in result.output and "Traceback" not in result.output
    descriptor["resources"] = descriptor["resources"][:MAX_RESOURCES]
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert len(xborder_data.open(tmp_path).resources()) == MAX_RESOURCES  # the bound itself is allowed


# ---- names: the user's own output file name -------------------------------------------
@pytest.mark.parametrize("name", ["面板.csv", "my panel.csv", "panel (2015-2016).csv", "Données d'été.csv", "-dash.csv"])
def test_a_users_own_output_name_is_accepted(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    result = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", "-o", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))  # the csv module reads back what was written
    assert rows and {row["year"] for row in rows} == {"2015", "2016"}


@pytest.mark.parametrize("name", ["a\x1bb.csv", "a\nb.csv", "x" * 300 + ".csv"])
def test_a_users_output_name_that_cannot_be_one_file_is_refused(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", "-o", str(tmp_path / name)])
    assert result.exit_code != 0 and "Traceback" not in result.output and "choose another name" in result.output
    assert list(tmp_path.iterdir()) == []


def test_names_from_metadata_keep_the_metadata_rule(tmp_path: Path) -> None:
    from xborder_data.storage.staging import write_staged

    with pytest.raises(xborder_data.DescriptorError, match="fix the descriptor"):
        write_staged({tmp_path / "面板.csv": lambda path: path.write_text("x")}, tmp_path, force=False)
    assert write_staged({tmp_path / "面板.csv": lambda path: path.write_text("x")}, tmp_path, force=False, user_named=True)


# ---- the size limit: a bound a user may raise for their own package -------------------------
def test_the_data_size_limit_says_what_it_is_and_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"id\n" + b"".join(b"%d\n" % i for i in range(1000))
    root = write_package(tmp_path, {"t": (data, {"fields": [{"name": "id", "type": "integer"}]})})
    with pytest.raises(xborder_data.DescriptorError) as refused:
        xborder_data.open(root, max_bytes=len(data) - 1).records("t")
    assert "max_bytes" in str(refused.value) and "XBORDER_DATA_MAX_BYTES" in str(refused.value) and "release" not in str(refused.value)
    assert len(xborder_data.open(root, max_bytes=len(data)).records("t")) == 1000  # the csv module's count, 1000 rows
    monkeypatch.setenv("XBORDER_DATA_MAX_BYTES", str(len(data) - 1))
    with pytest.raises(xborder_data.DescriptorError, match="max_bytes"):
        xborder_data.open(root).records("t")
    result = CliRunner().invoke(cli, ["--package", str(root), "list"])
    assert result.exit_code != 0 and "XBORDER_DATA_MAX_BYTES" in result.output
    monkeypatch.setenv("XBORDER_DATA_MAX_BYTES", "4GiB")
    with pytest.raises(xborder_data.UsageError, match="XBORDER_DATA_MAX_BYTES"):
        xborder_data.open(root)
    for bad in (0, -1, 1.5, True, "1000"):
        with pytest.raises(xborder_data.UsageError, match="max_bytes"):
            xborder_data.open(root, max_bytes=bad)  # type: ignore[arg-type]


def test_the_pattern_budget_grows_with_the_distinct_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid table of many distinct values reads, however small the fixed part of the budget (issue 28)."""
    monkeypatch.setattr(rules, "PATTERN_BUDGET_SECONDS", 0.01)
    monkeypatch.setattr(rules, "TABLE_SECONDS", 0.0)
    pattern = "(?:[a-z]|_)+[0-9]+"  # a repeated group: outside the RE2 subset, matched value by value under the budget
    assert rules.re2_pattern(pattern) is None
    count = 30_000
    data = ("v\n" + "".join(f"value_{number}\n" for number in range(count))).encode()
    root = write_package(tmp_path, {"t": (data, {"fields": [{"name": "v", "constraints": {"pattern": pattern}}]})})
    strict, loaded = _strict_and_load(root)
    assert strict[0] == "ok" and len(strict[1]) == count  # the csv module's count of data rows
    _agree(strict, loaded)


def test_schema_files_are_read_once_and_bounded_in_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from xborder_data.tableschema import descriptor

    data = b"id\n1\n"
    (tmp_path / "data").mkdir()
    (tmp_path / "schemas").mkdir()
    (tmp_path / "data" / "t.csv").write_bytes(data)
    schema = {"fields": [{"name": "id", "type": "integer", "description": "x" * 400_000}]}
    for number in range(3):
        (tmp_path / "schemas" / f"s{number}.json").write_text(json.dumps(schema), encoding="utf-8")
    resource = {"path": "data/t.csv", "bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
    shared = [dict(resource, name=f"t{i}", schema="schemas/s0.json") for i in range(descriptor.MAX_RESOURCES)]
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "version": "0.0.1", "resources": shared}), encoding="utf-8")
    reads: list[Path] = []
    original = descriptor.read_json
    monkeypatch.setattr(descriptor, "read_json", lambda path: reads.append(path) or original(path))
    assert len(xborder_data.open(tmp_path).resources()) == descriptor.MAX_RESOURCES
    assert len([path for path in reads if path.name == "s0.json"]) == 1  # one schema shared by 500 resources: read once
    monkeypatch.setattr(descriptor, "SCHEMAS_LIMIT", 1 << 20)  # three files of 0.4 MB pass one MiB in all
    distinct = [dict(resource, name=f"t{i}", schema=f"schemas/s{i}.json") for i in range(3)]
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "version": "0.0.1", "resources": distinct}), encoding="utf-8")
    with pytest.raises(xborder_data.DescriptorError, match="schema files past 1 MiB"):
        xborder_data.open(tmp_path)
