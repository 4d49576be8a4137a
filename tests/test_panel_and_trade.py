"""pilot_zone_panel and trade_series: checked against hand-computed expectations."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import PANEL_LEVELS, PANEL_RULES, cli
from xborder_data.errors import ScopeSpliceError, UsageError, XborderDataError
from xborder_data.research.panel import LEVELS, RULES

from conftest import copy_package

# First treated year of each batch under each rule, worked out by hand from the
# dates the sources give (pilot_zone_batches): approved March 2015, January
# 2016, 2018-07-24, December 2019, 2020-04-27, January 2022, 2022-11-14, and
# batch 8 undated but published 2025-04-25.
FIRST_YEAR = {
    "approval_year": {1: 2015, 2: 2016, 3: 2018, 4: 2019, 5: 2020, 6: 2022, 7: 2022, 8: 2025},
    "next_year_if_after_june": {1: 2015, 2: 2016, 3: 2019, 4: 2020, 5: 2020, 6: 2022, 7: 2023, 8: 2025},
}
ZONES = xborder_data.records("pilot_zones")
# Hainan Island's prefecture-level cities by GB/T 2260: Haikou, Sanya, Danzhou (Sansha,
# 460300, administers the South China Sea islands, off the island).
HAINAN_ISLAND = {"460100", "460200", "460400"}


def _prefectures(zone: dict) -> set[str]:
    return HAINAN_ISLAND if zone["level"] == "whole_island" else {zone["prefecture_adcode"]}


def test_cli_choices_match_the_library() -> None:
    assert PANEL_LEVELS == LEVELS and PANEL_RULES == RULES


@pytest.mark.parametrize(("level", "rule"), list(itertools.product(LEVELS, RULES)))
def test_panel_shape_is_units_times_years(level: str, rule: str) -> None:
    panel = xborder_data.pilot_zone_panel(2013, 2026, level=level, rule=rule)
    units = {z["zone_id"] for z in ZONES} if level == "zone" else set().union(*(_prefectures(z) for z in ZONES))
    assert len(panel) == len(units) * 14
    assert set(panel["unit_id"]) == units
    assert not panel.duplicated(["unit_id", "year"]).any()
    assert sorted(set(panel["year"])) == list(range(2013, 2027))


@pytest.mark.parametrize("rule", RULES)
def test_zone_treatment_follows_the_rule(rule: str) -> None:
    panel = xborder_data.pilot_zone_panel(2013, 2026, rule=rule)
    batch_of = {z["zone_id"]: z["batch"] for z in ZONES}
    for row in panel.itertuples():
        first = FIRST_YEAR[rule][batch_of[row.unit_id]]
        assert row.first_treated_year == first, row.unit_id
        assert row.treated == int(row.year >= first)
        assert row.years_since_treatment == row.year - first


def test_a_prefecture_is_treated_from_its_first_zone() -> None:
    panel = xborder_data.pilot_zone_panel(2015, 2026, level="prefecture")
    first = panel.drop_duplicates("unit_id").set_index("unit_id")
    # Jinhua: Yiwu (batch 3, 2018) before Jinhua itself (batch 6, 2022).
    assert first.loc["330700", "first_treated_year"] == 2018 and first.loc["330700", "batch"] == 3
    assert first.loc["330700", "name_zh"] == "金华市"
    # Baoding: Xiong'an (batch 5, 2020) before Baoding itself (batch 8).
    assert first.loc["130600", "first_treated_year"] == 2020
    # The whole island treats its prefecture-level cities: Danzhou from 2025; Haikou keeps its 2018 start.
    assert "460000" not in first.index and "460300" not in first.index
    assert first.loc["460400", "first_treated_year"] == 2025 and first.loc["460100", "first_treated_year"] == 2018
    # Hulunbuir is treated through Manzhouli but is not itself a zone: its name comes from units.
    assert first.loc["150700", "first_treated_year"] == 2020 and first.loc["150700", "name_zh"] == "呼伦贝尔市"
    assert not first[["name_zh", "name_en", "level", "province_zh"]].isna().any().any()


def test_batch_8_is_dated_by_its_announcement() -> None:
    panel = xborder_data.pilot_zone_panel(2025, 2025)
    dated = dict(zip(panel["unit_id"], panel["dated_by"]))
    assert {dated[z["zone_id"]] for z in ZONES if z["batch"] == 8} == {"announcement"}
    assert {dated[z["zone_id"]] for z in ZONES if z["batch"] != 8} == {"approval"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": 2020, "end": 2019}, "start 2020 is after end 2019"),
        ({"start": 2020, "end": 2021, "level": "county"}, "level must be one of zone, prefecture"),
        ({"start": 2020, "end": 2021, "rule": "july"}, "rule must be one of approval_year, next_year_if_after_june"),
        ({"start": "2020", "end": 2021}, "start and end must be whole years"),
    ],
)
def test_bad_panel_arguments_raise_one_usage_error(kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        xborder_data.pilot_zone_panel(**kwargs)


def test_a_rule_that_needs_a_missing_month_refuses(tmp_path: Path) -> None:
    from xborder_data.research.panel import pilot_zone_panel

    def blank_month(rows: list[dict[str, str]]) -> None:
        rows[2]["approval_month"] = ""  # batch 3, approved 2018-07-24

    package = xborder_data.open(copy_package(tmp_path / "pkg", {"pilot_zone_batches": blank_month}))
    assert len(pilot_zone_panel(2018, 2018, package=package)) == len(ZONES)  # approval_year needs no month
    with pytest.raises(UsageError, match="batch 3: approval month unknown"):
        pilot_zone_panel(2018, 2018, rule="next_year_if_after_june", package=package)


def test_cli_panel_writes_the_same_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2017", "--level", "prefecture"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    frame = xborder_data.pilot_zone_panel(2015, 2017, level="prefecture")
    assert len(rows) == len(frame)
    assert [(r["unit_id"], int(r["year"]), int(r["treated"])) for r in rows] == list(zip(frame["unit_id"], frame["year"], frame["treated"]))
    target = tmp_path / "panel.csv"
    assert CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2015", "-o", str(target)]).exit_code == 0
    again = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", "-o", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output
    assert len(target.read_text(encoding="utf-8").splitlines()) == len(ZONES) + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["panel.csv"]  # no temporary left


def test_cli_panel_bad_range_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["panel", "--start", "2016", "--end", "2015"])
    assert result.exit_code == 2 and "start 2016 is after end 2015" in result.output


# -- trade_series ---------------------------------------------------------

TRADE = {r["trade_value_id"]: r for r in xborder_data.records("trade_values")}
SCOPES = sorted({r["scope"] for r in TRADE.values()})
FLOWS = ["total", "export", "import"]
REVISIONS = ["latest", "first_release", "revised", "final"]


@pytest.mark.parametrize(("scope", "flow", "revision"), list(itertools.product(SCOPES, FLOWS, REVISIONS)))
@pytest.mark.parametrize("implied", [False, True])
def test_a_series_never_mixes_scopes_or_revisions_or_counts_twice(scope: str, flow: str, revision: str, implied: bool) -> None:
    expected = [
        r for r in TRADE.values()
        if r["scope"] == scope and r["flow"] == flow and (implied or r["vintage"] != "implied")
        and (revision == "latest" or r["vintage"] == revision)
    ]
    if not expected:  # an empty series is an error, never an empty table
        with pytest.raises(xborder_data.UsageError, match="this scope"):
            xborder_data.trade_series(scope, flow, revision, period="all", include_implied=implied)
        return
    series = xborder_data.trade_series(scope, flow, revision, period="all", include_implied=implied)
    assert len(series) == len({r["period_label"] for r in expected})
    assert not series["period_label"].duplicated().any()
    assert set(series["scope"]) <= {scope} and set(series["flow"]) <= {flow}
    if revision != "latest":
        assert set(series["vintage"]) <= {revision}
    if not implied:
        assert "implied" not in set(series["vintage"])
    for row in series.itertuples():
        stored = TRADE[row.trade_value_id]
        assert (stored["value"], stored["scope"], stored["period_label"]) == (row.value, scope, row.period_label)


def test_first_releases_of_the_survey_series() -> None:
    series = xborder_data.trade_series("survey_including_b2b", revision="first_release")
    assert dict(zip(series["period_label"], series["value"])) == {"2020": 1690, "2021": 1980, "2022": 2110, "2023": 2380, "2024": 2630}


def test_latest_prefers_the_final_figure_and_implied_values_only_when_asked() -> None:
    latest = xborder_data.trade_series("survey_including_b2b")
    values = dict(zip(latest["period_label"], latest["value"]))
    assert values["2022"] == 2100 and values["2021"] == 1980 and "2019" not in values
    implied = xborder_data.trade_series("survey_including_b2b", include_implied=True)
    values = dict(zip(implied["period_label"], implied["value"]))
    assert values["2021"] == round(2110 / 1.098, -1) and values["2019"] == round(1690 / 1.311, -1)


def test_half_years_and_years_are_separate_series() -> None:
    halves = xborder_data.trade_series("survey_including_b2b", period="half_year")
    assert dict(zip(halves["period_label"], halves["value"])) == {"2024H1": 1250, "2025H1": 1320}
    assert set(xborder_data.trade_series("survey_including_b2b")["period_label"]).isdisjoint(halves["period_label"])


@pytest.mark.parametrize("scope", [["survey_including_b2b", "platform_cleared_retail"], ("survey_including_b2b",), None, "all", "*"])
def test_splicing_scopes_is_refused(scope: object) -> None:
    with pytest.raises(ScopeSpliceError, match="never spliced"):
        xborder_data.trade_series(scope)  # type: ignore[arg-type]
    assert issubclass(ScopeSpliceError, UsageError) and issubclass(ScopeSpliceError, XborderDataError)


@pytest.mark.parametrize(("kwargs", "message"), [({"flow": "net"}, "flow must be one of"), ({"revision": "newest"}, "revision must be one of"), ({"period": "quarter"}, "period must be one of")])
def test_bad_series_arguments_raise_one_usage_error(kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        xborder_data.trade_series("survey_including_b2b", **kwargs)


def test_every_trade_row_is_labelled_with_a_vintage_and_a_release_date() -> None:
    for row in TRADE.values():
        assert row["vintage"] in {"first_release", "revised", "final", "implied", "unknown"}
        assert (row["released"] is None) == (row["vintage"] == "implied"), row["trade_value_id"]
        assert row["derived"] == (row["vintage"] == "implied"), row["trade_value_id"]
    assert [r for r in TRADE.values() if r["vintage"] == "unknown"] == [TRADE["cbec_2024_total_later"]]
