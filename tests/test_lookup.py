"""Look-ups by name or code, checked against the CSV files read with the csv module.

The oracle reads data/*.csv directly, so a row added by a later release is
checked without anyone editing this file; no count is pinned.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import unicodedata
from datetime import date
from functools import cache

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli
from xborder_data.errors import UsageError
from xborder_data.research.lookup import LookupResult, lookup

from conftest import REPO


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    with (REPO / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def unit_code(name_zh: str) -> str:
    [row] = [row for row in rows("units") if row["name_zh"] == name_zh]
    return row["unit_code"]


def expected_members(code: str) -> set[tuple[str, str]]:
    """(resource, row id) of every zone and member that is the place ``code`` or lies inside it."""
    zones = {("pilot_zones", row["zone_id"]) for row in rows("pilot_zones") if code in (row["adcode"], row["prefecture_adcode"])}
    members = {("programme_members", row["member_id"]) for row in rows("programme_members")
               if code in (row["unit_code"], row["prefecture_code"])}
    return zones | members


def codes_named_en(name_en: str) -> set[str]:
    """The codes of every row of units, pilot_zones or programme_members whose English name is ``name_en``."""
    found = {row["unit_code"] for row in rows("units") if row["name_en"] == name_en}
    found |= {row["adcode"] for row in rows("pilot_zones") if row["name_en"] in (name_en, f"{name_en} City")}
    found |= {row["unit_code"] for row in rows("programme_members") if row["name_en"] in (name_en, f"{name_en} City")}
    return found


def run(*args: str, columns: int = 200):
    return CliRunner().invoke(cli, list(args), prog_name="xborder-data", env={"COLUMNS": str(columns)})


# -- the API --------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["义乌", "义乌市", "Yiwu", "Yiwu City", "yiwu city", " YIWU ", "330782", "b3-330782"])
def test_yiwu_by_chinese_name_english_name_code_and_zone_id(query: str) -> None:
    result = lookup(query)
    assert isinstance(result, LookupResult) and not result.ambiguous
    [place] = result.places
    assert place.code == unit_code("义乌市") == "330782"
    assert place.in_units and place.name_zh == "义乌市"
    assert {(m.resource, m.row_id) for m in place.memberships} == expected_members(place.code)


def test_yiwu_memberships_carry_their_batch_dates_and_sources() -> None:
    batches = {row["batch"]: row for row in rows("pilot_zone_batches")}
    [place] = lookup("义乌").places
    zones = [m for m in place.memberships if m.resource == "pilot_zones"]
    assert zones
    for membership in zones:
        [zone] = [row for row in rows("pilot_zones") if row["zone_id"] == membership.row_id]
        batch = batches[zone["batch"]]
        assert membership.round == int(zone["batch"])
        assert membership.approved_date == (date.fromisoformat(batch["approval_date"]) if batch["approval_date"] else None)
        assert membership.announced_date == (date.fromisoformat(batch["announced_date"]) if batch["announced_date"] else None)
        assert zone["source_id"] in membership.source_ids
        assert membership.via == ""
    for membership in place.memberships:
        if membership.resource == "programme_members":
            [member] = [row for row in rows("programme_members") if row["member_id"] == membership.row_id]
            assert membership.programme_id == member["programme_id"]
            assert member["source_id"] in membership.source_ids
            if member["effective_date"]:
                assert membership.effective_date == date.fromisoformat(member["effective_date"])


def test_taizhou_jiangsu_by_its_chinese_name() -> None:
    [place] = lookup("泰州").places
    assert place.code == unit_code("泰州市")
    assert {(m.resource, m.row_id) for m in place.memberships} == expected_members(place.code)


def test_taizhou_in_english_is_ambiguous_and_returns_every_candidate() -> None:
    result = lookup("Taizhou")
    oracle = codes_named_en("Taizhou")
    assert len(oracle) >= 2  # 泰州市 (Jiangsu) and 台州市 (Zhejiang)
    assert result.ambiguous
    assert {place.code for place in result.places} == oracle
    assert {unit_code("泰州市"), unit_code("台州市")} <= oracle
    assert "ambiguous" in result.summary() and "ambiguous" in repr(result)
    assert "泰州市" in repr(result) and "台州市" in repr(result)


def test_pingxiang_returns_every_place_the_data_names_so() -> None:
    # 萍乡市 (Jiangxi) is a unit; 凭祥市 (Guangxi, a county-level city) is in no table of this release.
    oracle = codes_named_en("Pingxiang") | {row["adcode"] for row in rows("pilot_zones") if row["name_zh"] == "凭祥市"}
    result = lookup("Pingxiang")
    assert {place.code for place in result.places} == oracle
    assert result.ambiguous is (len(oracle) > 1)
    assert unit_code("萍乡市") in oracle


@pytest.mark.parametrize(("queries", "name_zh"), [
    (["Xi'an", "Xian", "Xī'ān", "XI’AN", "Xi'an City", "西安"], "西安市"),
    (["Lu'an", "Luan", "Lù'ān", "六安"], "六安市"),
])
def test_apostrophes_and_tone_marks_do_not_matter(queries: list[str], name_zh: str) -> None:
    for query in queries:
        assert [place.code for place in lookup(query).places] == [unit_code(name_zh)], query


def test_every_customs_district_is_found_and_filed_under_its_seat() -> None:
    districts = [row for row in rows("programme_members") if row["level"] == "customs_district"]
    assert districts
    for row in districts:
        for query in (row["name_zh"], row["name_en"]):
            places = {place.code: place for place in lookup(query).places}
            assert row["unit_code"] in places, query
            [membership] = [m for m in places[row["unit_code"]].memberships if m.row_id == row["member_id"]]
            assert "customs district" in membership.via and row["name_zh"] in membership.via


def test_a_county_level_zone_is_listed_for_its_prefecture_and_marked() -> None:
    inside = [row for row in rows("pilot_zones") if row["adcode"] and row["adcode"] != row["prefecture_adcode"]]
    assert inside  # Yiwu in Jinhua, among others
    for row in inside:
        [prefecture] = lookup(row["prefecture_adcode"]).places
        [membership] = [m for m in prefecture.memberships if m.row_id == row["zone_id"]]
        assert row["name_zh"] in membership.via and "inside" in membership.via
        [own] = [m for m in lookup(row["adcode"]).places[0].memberships if m.row_id == row["zone_id"]]
        assert own.via == ""


def test_a_membership_inferred_from_list_order_or_a_rule_says_so() -> None:
    # Pingxiang City is 萍乡 or 凭祥: the data reads batch 7's as 萍乡 from the reply's list order, and says so.
    zones = {row["zone_id"]: row.get("identified_by", "named") for row in rows("pilot_zones")}
    members = {row["member_id"]: row["derived"] for row in rows("programme_members")}
    for query in {row["adcode"] for row in rows("pilot_zones") if row.get("identified_by") == "list_order"} | {"Pingxiang", "义乌"}:
        for place in lookup(query).places:
            for m in place.memberships:
                want = (("" if zones[m.row_id] == "named" else zones[m.row_id]) if m.resource == "pilot_zones"
                        else ("rule" if members[m.row_id] == "true" else ""))
                assert m.inferred_by == want, (query, m.row_id)
                if want == "list_order":
                    assert f"{m.row_id}: inferred from its place in the reply's list" in run("lookup", query).output


def test_every_zone_and_member_is_found_by_its_chinese_name() -> None:
    for resource, key, code_field in (("pilot_zones", "zone_id", "adcode"), ("programme_members", "member_id", "unit_code")):
        for row in rows(resource):
            found = lookup(row["name_zh"])
            ids = {m.row_id for place in found.places for m in place.memberships}
            assert row[key] in ids, (resource, row[key])
            if row[code_field]:
                assert row[code_field] in {place.code for place in found.places}


def test_no_match_suggests_near_names() -> None:
    result = lookup("Yiwo")
    assert not result and not result.places
    assert any("Yiwu" in suggestion for suggestion in result.suggestions)
    assert "near matches" in result.summary()


def test_a_retired_code_or_name_points_to_its_successor() -> None:
    for change in rows("unit_code_changes"):
        if not change["old_code"] or change["old_code"] in {row["unit_code"] for row in rows("units")}:
            continue  # a unit created from nothing, or a renaming that kept the code (which still finds the unit)
        result = lookup(change["old_code"])
        assert not result.places
        assert any(change["new_code"] in s and change["old_name_zh"] in s for s in result.suggestions), change["change_id"]


@pytest.mark.parametrize("bad", ["", "   ", None, 330782, "义" * 10_000])
def test_a_blank_non_text_or_huge_query_is_a_usage_error(bad: object) -> None:
    with pytest.raises(UsageError, match="place name or (a division )?code"):
        lookup(bad)  # type: ignore[arg-type]


def test_the_public_name_is_lazy_and_the_import_stays_light() -> None:
    assert xborder_data.lookup is lookup and "lookup" in xborder_data.__all__
    code = ("import sys, xborder_data; heavy = ('pandas', 'pyarrow', 'frictionless'); "
            "before = [m for m in heavy if m in sys.modules]; xborder_data.lookup('Yiwu'); "
            "print(before, [m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[] []"


# -- the command line ------------------------------------------------------------------
def _display_width(text: str) -> int:
    """Terminal columns, measured independently of the code (which uses rich)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell_starts(line: str) -> dict[int, str]:
    """Display column -> character, for every character of ``line``."""
    starts, column = {}, 0
    for char in line:
        starts[column] = char
        column += _display_width(char)
    return starts


def test_cli_lookup_prints_the_memberships_with_chinese_columns_aligned() -> None:
    result = run("lookup", "义乌")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for resource, row_id in expected_members("330782"):
        assert row_id in result.output
    assert "跨境电子商务综合试验区" in result.output
    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "} and line.strip())
    starts = [i for i, char in enumerate(lines[rule]) if char == "-" and (i == 0 or lines[rule][i - 1] == " ")]
    body = [line for line in lines[rule + 1:] if line.strip()]
    assert body
    for line in [lines[rule - 1]] + body:
        cells = _cell_starts(line)
        for start in starts[1:]:
            # each column begins at the same display column: a gap before it, no wide character across it
            assert cells.get(start - 1) == " " and start - 1 in cells and (start in cells or start >= _display_width(line)), line


def test_cli_lookup_ambiguous_and_unknown() -> None:
    result = run("lookup", "Taizhou")
    assert result.exit_code == 0 and "ambiguous" in result.output
    assert "泰州市" in result.output and "台州市" in result.output
    missing = run("lookup", "Yiwo")
    assert missing.exit_code == 1 and "near matches" in missing.output and "Yiwu" in missing.output


def test_cli_lookup_json_is_the_api_result() -> None:
    result = run("lookup", "330782", "-f", "json")
    data = json.loads(result.output)
    [place] = lookup("330782").places
    assert data["places"][0]["code"] == place.code and data["ambiguous"] is False
    assert [m["row_id"] for m in data["places"][0]["memberships"]] == [m.row_id for m in place.memberships]


def test_show_takes_a_code_or_a_name_for_the_row_id() -> None:
    result = run("show", "units", "330782", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert list(csv.DictReader(result.output.splitlines())) == [row for row in rows("units") if row["unit_code"] == "330782"]
    taizhou = run("show", "pilot_zones", "Taizhou", "-f", "csv")
    assert {row["zone_id"] for row in csv.DictReader(taizhou.output.splitlines())} == {
        row["zone_id"] for row in rows("pilot_zones") if row["name_en"] == "Taizhou"}


def test_cite_takes_a_name_and_says_how_to_find_an_id() -> None:
    [yiwu_zone] = [row["zone_id"] for row in rows("pilot_zones") if row["adcode"] == "330782"]
    result = run("cite", "pilot_zones", "Yiwu")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"pilot_zones {yiwu_zone}"
    ambiguous = run("cite", "pilot_zones", "Taizhou")
    assert ambiguous.exit_code == 2
    assert all(row["zone_id"] in ambiguous.output for row in rows("pilot_zones") if row["name_en"] == "Taizhou")
    for args in (("cite", "pilot_zones", "Nowhere"), ("show", "units", "Nowhere")):
        missing = run(*args)
        assert missing.exit_code == 2 and "xborder-data lookup Nowhere" in missing.output, args
