"""The 1.4 panel: every programme's treatment, county-level zones by choice, how a zone was identified.

Oracles: the counts published papers give (张兵兵 et al., 财经研究 2023: 55 treated cities by 2019
without the county-level zones and Haidong; 霍云科 and 汪五一: 23 Yangtze River Delta cities by 2020),
and the data files read with the csv module.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli
from xborder_data.errors import DescriptorError, InconsistentDataError, UsageError

from conftest import REPO, copy_package

YRD = ("31", "32", "33", "34")  # Shanghai, Jiangsu, Zhejiang, Anhui
PREFECTURE_LEVELS = ("municipality", "prefecture_city", "autonomous_prefecture", "region", "league")


def _rows(name: str) -> list[dict[str, str]]:
    with (REPO / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def full() -> "object":
    return xborder_data.did_panel(2012, 2025, programmes="all")


@pytest.fixture(scope="module")
def ignored() -> "object":
    return xborder_data.did_panel(2012, 2025, programmes="all", county_zones="ignore")


def _treated_in(panel, year: int, province_prefixes: tuple[str, ...] = ()) -> set[str]:
    rows = panel[(panel.year == year) & (panel.treated == 1)]
    return {code for code in rows.unit_code if not province_prefixes or code[:2] in province_prefixes}


def test_the_papers_counts_come_from_the_county_option(full, ignored) -> None:
    # 张兵兵 et al. count 55 cities by 2019 without Yiwu, Hunchun, Suifenhe and without Haidong: 55 + Haidong = 56.
    assert len(_treated_in(ignored, 2019)) == 56
    assert "630200" in _treated_in(ignored, 2019)  # Haidong, which the paper leaves out of its sample
    assert len(_treated_in(full, 2019)) == 59  # the package's default: a county-level zone treats its prefecture
    # 霍云科 and 汪五一: 23 of the Yangtze River Delta's 41 prefecture-level cities by 2020.
    units = [u for u in _rows("units") if u["level"] in PREFECTURE_LEVELS and u["unit_code"][:2] in YRD]
    assert len(units) == 41
    assert len(_treated_in(ignored, 2020, YRD)) == 23
    assert len(_treated_in(full, 2020, YRD)) == 24
    assert _treated_in(full, 2020, YRD) - _treated_in(ignored, 2020, YRD) == {"330700"}  # Jinhua, through Yiwu


def test_first_treated_via_follows_the_first_zone(full) -> None:
    zones = _rows("pilot_zones")
    batches = {row["batch"]: int(row["approval_year"] or row["announced_date"][:4]) for row in _rows("pilot_zone_batches")}
    first: dict[str, tuple[int, str]] = {}
    for zone in zones:
        if zone["level"] == "whole_island":
            continue
        year = batches[zone["batch"]]
        via = zone["level"] if zone["level"] in ("county_city", "new_area") else "prefecture"
        key = zone["prefecture_adcode"]
        if key not in first or (year, via != "prefecture") < (first[key][0], first[key][1] != "prefecture"):
            first[key] = (year, via)
    per_unit = full.drop_duplicates("unit_code").set_index("unit_code")
    for code, (year, via) in first.items():
        assert per_unit.loc[code, "first_treated_year"] == year, code
        assert per_unit.loc[code, "first_treated_via"] == via, code
    assert per_unit.loc["330700", "first_treated_via"] == "county_city"  # Jinhua through Yiwu
    assert per_unit.loc["130600", "first_treated_via"] == "new_area"  # Baoding through Xiong'an
    assert per_unit.loc["460400", "first_treated_via"] == "whole_island"  # Danzhou, by the 2025 Hainan zone
    assert per_unit.loc["110000", "identified_by"] == "named"
    assert per_unit.loc[per_unit.ever_treated == 0, "first_treated_via"].isna().all()


def test_zone_level_codes_never_repeat_in_a_year() -> None:
    panel = xborder_data.pilot_zone_panel(2020, 2025)
    coded = panel[panel.code.notna()]
    assert not coded.duplicated(["code", "year"]).any()
    own = {row["zone_id"]: row["adcode"] for row in _rows("pilot_zones")}
    for zone_id, code in panel.drop_duplicates("unit_id")[["unit_id", "code"]].itertuples(index=False):
        assert (code if isinstance(code, str) else "") == own[zone_id]  # Xiong'an: no code of its own


@pytest.mark.parametrize("rule", ["approval_year", "next_year_if_after_june"])
@pytest.mark.parametrize("end", [2019, 2021, 2022, 2023, 2025])
def test_possibly_unlisted_never_marks_a_treated_unit(rule: str, end: int) -> None:
    panel = xborder_data.did_panel(2012, end, rule=rule)
    assert not ((panel.ever_treated == 1) & (panel.possibly_unlisted == 1)).any()
    batches = _rows("pilot_zone_batches")
    zones = _rows("pilot_zones")
    listed = defaultdict(int)
    for zone in zones:
        listed[zone["batch"]] += 1
    gaps = [b for b in batches if listed[b["batch"]] < int(b["zones_added"])]
    starts = []
    for b in gaps:
        day = date.fromisoformat(b["approval_date"]) if b["approval_date"] else date.fromisoformat(b["announced_date"])
        starts.append(day.year + (1 if rule == "next_year_if_after_june" and day.month > 6 else 0))
    flagged = panel.loc[panel.possibly_unlisted == 1, "unit_code"].nunique()
    if all(start > end for start in starts):
        assert flagged == 0  # a window that ends before the incomplete batch's first treated year flags nothing
    else:
        assert flagged > 0
    xilin_gol = panel[panel.unit_code == "152500"]  # treated in 2025 through Erenhot
    assert (xilin_gol.possibly_unlisted == 0).all()


def _member_years(programme: str) -> dict[str, int | None]:
    rounds = {row["round_id"]: row for row in _rows("programme_rounds")}
    out: dict[str, int | None] = {}
    for member in _rows("programme_members"):
        if member["programme_id"] != programme:
            continue
        round_ = rounds[member["round_id"]]
        day = next((member[k] or round_[k] for k in ("approved_date", "announced_date", "effective_date")
                    if member[k] or round_[k]), "")
        year = int(day[:4]) if day else int(round_["start_year"]) if round_.get("start_year") else None
        codes = [member["prefecture_code"]]
        if member["level"] == "whole_island":  # Hainan Island: the island's prefecture-level cities (not Sansha)
            codes = [u["unit_code"] for u in _rows("units") if u["parent_code"] == member["prefecture_code"]
                     and u["level"] in PREFECTURE_LEVELS and u["unit_code"] != "460300"]
        for code in codes:
            if code not in out or (year is not None and (out[code] is None or year < out[code])):
                out[code] = year
    return out


@pytest.mark.parametrize("programme", ["ecommerce_demo_cities", "retail_import_pilot", "cbec_service_pilot",
                                       "b2b_export_pilot", "market_procurement_pilot"])
def test_each_programme_treats_its_members_prefectures(full, programme: str) -> None:
    years = _member_years(programme)
    per_unit = full.drop_duplicates("unit_code").set_index("unit_code")
    for code, year in years.items():
        got = per_unit.loc[code, f"{programme.removesuffix('_pilot')}_first_year"]
        assert (None if got is None or str(got) == "<NA>" else int(got)) == year, (programme, code)
    treated = full[full[f"{programme.removesuffix('_pilot')}_treated"] == 1]
    for code, year in treated[["unit_code", "year"]].itertuples(index=False):
        assert years[code] is not None and year >= years[code]
    outsiders = full[~full.unit_code.isin(years)]
    assert (outsiders[f"{programme.removesuffix('_pilot')}_treated"] == 0).all()


def test_a_rule_defined_round_is_a_rule_not_members(full) -> None:
    rounds = [r for r in _rows("programme_rounds") if r["programme_id"] == "b2b_export_pilot" and r["rule_text"]]
    assert rounds, "B2B nationwide is a rule-defined round"
    expected = min(int((r["approved_date"] or r["announced_date"] or r["effective_date"])[:4]) for r in rounds)
    assert set(full["b2b_export_rule_year"].dropna()) == {expected}


def test_programmes_with_gaps_flag_only_non_members(full) -> None:
    for programme in ("ecommerce_demo_cities", "cbec_service_pilot", "market_procurement_pilot"):
        flagged = full[full[f"{programme.removesuffix('_pilot')}_unlisted"] == 1]
        assert not flagged.empty
        assert (flagged[f"{programme.removesuffix('_pilot')}_first_year"].isna()).all()
        assert flagged.unit_code.isin(_member_years(programme)).sum() == 0


def test_inferred_members_can_be_left_out(tmp_path: Path) -> None:
    # A copy in which one zone is identified by list order only: inferred=False drops it and flags its unit.
    def mark(rows: list[dict[str, str]]) -> None:
        for row in rows:
            if row["zone_id"] == "b7-371400":  # Dezhou, batch 7
                row["identified_by"] = "list_order"
    root = copy_package(tmp_path / "pkg", {"pilot_zones": mark})
    named = xborder_data.did_panel(2020, 2023, package=root)
    only_named = xborder_data.did_panel(2020, 2023, inferred=False, package=str(root))
    dezhou = named[named.unit_code == "371400"].iloc[-1]
    assert dezhou.treated == 1 and dezhou.identified_by == "list_order"
    dezhou = only_named[only_named.unit_code == "371400"].iloc[-1]
    assert dezhou.treated == 0 and dezhou.possibly_unlisted == 1  # Shandong is a batch-7 addressee


def test_a_stated_count_that_contradicts_the_rows_is_refused(tmp_path: Path) -> None:
    # Raising batch 7's zones_listed to its stated 33 would hide the gap: the fact check refuses it
    # before a panel is built (the panel counts the rows itself in any case).
    def overstate(rows: list[dict[str, str]]) -> None:
        for row in rows:
            if row["batch"] == "7":
                row["zones_listed"] = row["zones_added"]
    root = copy_package(tmp_path / "pkg", {"pilot_zone_batches": overstate})
    with pytest.raises(InconsistentDataError, match="zones_listed"):
        xborder_data.did_panel(2012, 2025, package=xborder_data.open(root))
    result = CliRunner().invoke(cli, ["--package", str(root), "panel", "--start", "2012", "--end", "2025", "--balanced"])
    assert result.exit_code != 0 and "zones_listed" in result.output and "Traceback" not in result.output


def test_the_panel_counts_rows_itself(tmp_path: Path) -> None:
    # A copy that drops a listed batch-3 zone and lowers zones_listed to match: the batch is now a gap by its
    # stated zones_added, so the units of its provinces are flagged (batch 3 has no addressee list: any province).
    def drop(rows: list[dict[str, str]]) -> None:
        rows[:] = [row for row in rows if row["zone_id"] != "b3-110000"]
    def lower(rows: list[dict[str, str]]) -> None:
        for row in rows:
            if row["batch"] == "3":
                row["zones_listed"] = str(int(row["zones_listed"]) - 1)
    root = copy_package(tmp_path / "pkg", {"pilot_zones": drop, "pilot_zone_batches": lower})
    try:
        panel = xborder_data.did_panel(2012, 2019, package=root)
    except InconsistentDataError as error:  # claims that name the dropped zone: the copy is not self-consistent
        pytest.skip(f"the copy needs more edits: {error}")
    beijing = panel[panel.unit_code == "110000"]
    assert (beijing.treated == 0).all() and (beijing.possibly_unlisted == 1).all()


def test_options_are_checked_and_package_may_be_a_path() -> None:
    with pytest.raises(UsageError, match="county_zones"):
        xborder_data.did_panel(2015, 2016, county_zones="drop")
    with pytest.raises(UsageError, match="programmes"):
        xborder_data.did_panel(2015, 2016, programmes=["cbec_pilot_zones"])
    with pytest.raises(UsageError, match="package"):
        xborder_data.did_panel(2015, 2016, package=42)
    frame = xborder_data.pilot_zone_panel(2015, 2016, package=REPO)
    assert len(frame) > 0


def test_a_panel_too_large_is_refused_before_it_is_built(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="rows"):
        xborder_data.did_panel(1900, 2100, package=_many_units(tmp_path))


def _many_units(tmp_path: Path) -> Path:
    def grow(rows: list[dict[str, str]]) -> None:
        template = next(row for row in rows if row["unit_code"] == "420100")  # Wuhan: no zone, so no reference breaks
        for index in range(3000):
            code = f"42{index // 100 + 50:02d}{index % 100:02d}"
            rows.append(dict(template, unit_code=code, name_zh=f"测试{index}", name_en=f"Test {index}"))
    return copy_package(tmp_path / "pkg", {"units": grow})


def test_cli_panel_with_programmes_matches_the_csv_module(tmp_path: Path) -> None:
    out = tmp_path / "面板 (2 programmes).csv"
    result = CliRunner().invoke(cli, ["panel", "--start", "2018", "--end", "2021", "--balanced", "--programme", "retail_import_pilot",
                                      "--programme", "b2b_export_pilot", "--county-zones", "ignore", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert "retail_import_treated" in rows[0] and "b2b_export_rule_year" in rows[0]
    frame = xborder_data.did_panel(2018, 2021, programmes=["retail_import_pilot", "b2b_export_pilot"], county_zones="ignore")
    assert len(rows) == len(frame)
    for row, (_, expected) in zip(rows, frame.iterrows()):
        for column in ("unit_code", "year", "treated", "retail_import_treated", "b2b_export_first_year"):
            value = expected[column]
            assert row[column] == ("" if str(value) == "<NA>" else str(value)), (column, row["unit_code"])


def test_a_member_outside_the_units_is_one_error(tmp_path: Path) -> None:
    def stray(rows: list[dict[str, str]]) -> None:
        rows[0]["prefecture_code"] = "990100"
    root = copy_package(tmp_path / "pkg", {"programme_members": stray}, refresh_hashes=True)
    with pytest.raises((DescriptorError, InconsistentDataError), match="990100"):
        xborder_data.did_panel(2015, 2016, programmes="all", package=root)


def test_the_datasheet_counts_member_rows_on_official_pages() -> None:
    # The DATASHEET's count of member rows resting on a government page (a gov.cn address), recomputed from
    # the CSV files: a row counts when its own source, or a source of any claim on it, is such a page.
    import re
    from urllib.parse import urlparse

    sources = {row["source_id"]: row["url"] for row in _rows("sources")}
    evidence: dict[str, set[str]] = defaultdict(set)
    for row in _rows("evidence"):
        evidence[row["claim_id"]].add(row["source_id"])
    claims = _rows("claims")

    def official(ids: set[str]) -> bool:
        return any((urlparse(sources.get(i) or "").hostname or "").endswith("gov.cn") for i in ids)

    counts = {}
    for table, key in (("pilot_zones", "zone_id"), ("programme_members", "member_id")):
        rows = _rows(table)
        on_claims: dict[str, set[str]] = defaultdict(set)
        for claim in claims:
            if claim.get(key):
                on_claims[claim[key]] |= {claim["source_id"], *evidence[claim["claim_id"]]}
        counts[table] = (len(rows), sum(official({row["source_id"], *on_claims[row[key]]}) for row in rows))
    text = (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    text = " ".join(text.split())
    zones = re.search(r"of the (\d+) `pilot_zones` rows, (\d+) rest on an official page", text)
    members = re.search(r"of the (\d+) `programme_members` rows, (\d+) rest on an official page", text)
    assert zones and members
    assert (int(zones.group(1)), int(zones.group(2))) == counts["pilot_zones"]
    assert (int(members.group(1)), int(members.group(2))) == counts["programme_members"]
