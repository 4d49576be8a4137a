"""The balanced DID panel and its Stata file, read back by independent readers."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli

REPO = Path(__file__).resolve().parents[1]
PREFECTURE_LEVELS = {"municipality", "prefecture_city", "autonomous_prefecture", "region", "league"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return xborder_data.did_panel(2012, 2024)


def _units_csv() -> list[dict[str, str]]:
    # The csv module, not the loader, is the oracle for which units exist.
    with (REPO / "data" / "units.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["level"] in PREFECTURE_LEVELS]


def test_the_panel_is_balanced_over_every_prefecture_level_unit(panel: pd.DataFrame) -> None:
    codes = {row["unit_code"] for row in _units_csv()}
    assert set(panel["unit_code"]) == codes
    assert len(panel) == len(codes) * 13
    assert panel.groupby("unit_code").size().eq(13).all()


def test_never_treated_units_are_coded_zero_and_treated_ones_follow_their_batch(panel: pd.DataFrame) -> None:
    never = panel[panel["ever_treated"] == 0]
    assert len(never) > 0 and (never["treated"] == 0).all() and never["first_treated_year"].isna().all()
    # Hangzhou: batch 1, approved 2015 (pilot_zone_batches.csv read with the csv module).
    hz = panel[panel["unit_code"] == "330100"].set_index("year")["treated"]
    assert hz[2014] == 0 and hz[2015] == 1


def test_a_merge_keeps_integers(panel: pd.DataFrame) -> None:
    stats = pd.DataFrame({"unit_code": ["330100", "999999"], "year": [2015, 2015], "gdp": [1.0, 2.0]})
    merged = stats.merge(panel, on=["unit_code", "year"], how="left")
    assert str(merged["treated"].dtype) == "Int64"
    assert merged.loc[0, "treated"] == 1 and pd.isna(merged.loc[1, "treated"])


@pytest.mark.parametrize("balanced", [True, False])
def test_the_cli_dta_opens_in_pyreadstat_with_labels_and_chinese_text(tmp_path: Path, balanced: bool) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    target = tmp_path / "panel.dta"
    args = ["panel", "--start", "2014", "--end", "2016", "--format", "dta", "-o", str(target)] + (["--balanced"] if balanced else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_dta(str(target))
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["treated"] == "Treated (0/1)" if balanced else labels["treated"]
    assert "杭州市" in set(frame["name_zh"])
    expected = xborder_data.did_panel(2014, 2016) if balanced else xborder_data.pilot_zone_panel(2014, 2016)
    assert len(frame) == len(expected)
    assert frame["treated"].sum() == expected["treated"].sum()


def test_binary_formats_need_an_output_file() -> None:
    result = CliRunner().invoke(cli, ["panel", "--start", "2014", "--end", "2015", "--format", "dta"])
    assert result.exit_code == 2 and "--output" in result.output


def test_an_existing_output_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine.dta"
    target.write_bytes(b"user data")
    result = CliRunner().invoke(cli, ["panel", "--start", "2014", "--end", "2015", "--balanced", "--format", "dta", "-o", str(target)])
    assert result.exit_code != 0 and target.read_bytes() == b"user data"


def test_the_readme_merge_example_prints_integers(capsys: pytest.CaptureFixture[str]) -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("panel = xborder_data.did_panel(")
    block = text[text.rindex("```python", 0, start) + len("```python"): text.index("```", start)]
    exec(compile(block, "README.md", "exec"), {"__name__": "readme_snippet"})  # noqa: S102 - the README's own code
    printed = capsys.readouterr().out.strip()
    comment = next(line for line in block.splitlines() if line.startswith("print(")).split("#")[1].strip()
    assert printed == comment == "[[2014, 2015, 0], [2015, 2015, 1]]"


# ``exported``: every format of the bundled package, once per test run (conftest.py).
def test_the_sqlite_export_holds_the_panel_as_integers(exported: dict[str, Path], panel: pd.DataFrame) -> None:
    import sqlite3

    (database,) = exported["sqlite"].glob("*.sqlite")
    with sqlite3.connect(database) as connection:
        kinds = {row[0] for row in connection.execute("SELECT DISTINCT typeof(treated) FROM did_panel")}
        units = connection.execute("SELECT COUNT(DISTINCT unit_code) FROM did_panel").fetchone()[0]
        hz = connection.execute("SELECT year, treated FROM did_panel WHERE unit_code = '330100' AND year IN (2014, 2015) ORDER BY year").fetchall()
    assert kinds == {"integer"}
    assert units == panel["unit_code"].nunique()
    assert hz == [(2014, 0), (2015, 1)]


def test_the_xlsx_export_has_a_panel_sheet(exported: dict[str, Path]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    (book,) = exported["xlsx"].glob("*.xlsx")
    sheet = openpyxl.load_workbook(book, read_only=True)["did_panel"]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    assert header[:2] == ("unit_num", "unit_code")
    first = next(rows)
    assert isinstance(first[header.index("treated")], int)


RESOURCE_NAMES = [r["name"] for r in __import__("json").loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["resources"]]


@pytest.fixture(scope="module")
def dta_folder(exported: dict[str, Path]) -> Path:
    return exported["dta"]  # the session's export (conftest.py): read only


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_every_resource_reads_back_from_dta_with_labels_and_values(dta_folder: Path, name: str) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    import json

    frame, meta = pyreadstat.read_dta(str(dta_folder / f"{name}.dta"), apply_value_formats=True)
    raw, _ = pyreadstat.read_dta(str(dta_folder / f"{name}.dta"))  # integers as stored, before value labels
    resource = next(r for r in json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["resources"] if r["name"] == name)
    schema = json.loads((REPO / resource["schema"]).read_text(encoding="utf-8"))
    labels = dict(zip(meta.column_names, meta.column_labels))
    with (REPO / resource["path"]).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))  # the csv module is the oracle for the values
    assert len(frame) == len(rows)
    for spec in schema["fields"]:
        assert labels[spec["name"]] == spec["title"][:80]
        if spec["type"] == "string":
            got = ["" if (v is None or (isinstance(v, float) and pd.isna(v))) else str(v) for v in frame[spec["name"]]]
            assert got == [row[spec["name"]] for row in rows], spec["name"]
        elif spec["type"] == "integer":
            got = [None if pd.isna(v) else int(v) for v in raw[spec["name"]]]
            assert got == [int(row[spec["name"]]) if row[spec["name"]] else None for row in rows], spec["name"]


# --- treatment that ends, the island, the flag for unnamed members, Stata types ---

def _batches_csv() -> dict[str, dict[str, str]]:
    with (REPO / "data" / "pilot_zone_batches.csv").open(encoding="utf-8", newline="") as handle:
        return {row["batch"]: row for row in csv.DictReader(handle)}


def _zones_csv() -> list[dict[str, str]]:
    with (REPO / "data" / "pilot_zones.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_revoked_zones_leave_treatment_only_when_asked() -> None:
    revoked = {z["zone_id"]: int(z["revoked_batch"]) for z in _zones_csv() if z["revoked_batch"]}
    assert set(revoked) == {"b3-460100", "b5-460200", "b6-652702"}  # Haikou, Sanya, Alashankou (the 2025 reply)
    # Batch 8 is dated by its publication, 2025-04-25 (read with the csv module).
    end = int(_batches_csv()["8"]["announced_date"][:4])
    ending = xborder_data.pilot_zone_panel(2020, 2026, treatment="ends_at_revocation")
    absorbing = xborder_data.pilot_zone_panel(2020, 2026)
    for zone_id in revoked:
        rows = ending[ending["unit_id"] == zone_id].set_index("year")
        first = int(rows["first_treated_year"].iloc[0])
        assert [int(v) for v in rows["treated"]] == [int(first <= y < end) for y in range(2020, 2027)]
        assert (absorbing[absorbing["unit_id"] == zone_id]["treated"] == (absorbing["year"] >= first)[absorbing["unit_id"] == zone_id]).all()
    others = ending[~ending["unit_id"].isin(revoked)]
    assert (others["treated"].to_numpy() == absorbing[~absorbing["unit_id"].isin(revoked)]["treated"].to_numpy()).all()


def test_at_prefecture_level_the_island_and_bortala_keep_revoked_cities_treated() -> None:
    absorbing = xborder_data.did_panel(2024, 2026)
    ending = xborder_data.did_panel(2024, 2026, treatment="ends_at_revocation")
    assert (absorbing["treated"] == ending["treated"]).all()
    by = ending.set_index(["unit_code", "year"])
    # Haikou, Sanya and Danzhou lie on Hainan Island; Sansha (460300) does not.
    for code in ("460100", "460200", "460400", "652700"):
        assert by.loc[(code, 2025), "treated"] == 1, code
    assert by.loc[("460400", 2024), "treated"] == 0 and by.loc[("460300", 2026), "treated"] == 0


def test_cohort_is_the_first_year_within_the_window_or_zero(panel: pd.DataFrame) -> None:
    last = int(panel["year"].max())
    first = panel["first_treated_year"]
    expected = first.where(first.notna() & (first <= last), 0)
    assert (panel["cohort"] == expected).all() and str(panel["cohort"].dtype) == "Int64"
    # A window that ends before a unit's treatment makes it a control there (csdid's gvar 0).
    early = xborder_data.did_panel(2012, 2019).drop_duplicates("unit_code").set_index("unit_code")
    assert early.loc["330700", "cohort"] == 2018 and early.loc["321200", "cohort"] == 0  # Jinhua via Yiwu; 泰州 2022
    assert early.loc["321200", "first_treated_year"] == 2022 and early.loc["321200", "ever_treated"] == 1


def test_a_window_before_the_incomplete_batch_flags_nothing() -> None:
    assert (xborder_data.did_panel(2012, 2021)["possibly_unlisted"] == 0).all()
    assert (xborder_data.did_panel(2012, 2022)["possibly_unlisted"] == 1).any()


def test_numpy_years_are_years() -> None:
    import numpy as np

    frame = xborder_data.did_panel(np.int64(2014), np.int32(2015))
    assert sorted(set(frame["year"])) == [2014, 2015]


@pytest.mark.parametrize("rule", ["approval_year", "next_year_if_after_june"])
def test_possibly_unlisted_marks_only_candidates_of_the_incomplete_batch(rule: str) -> None:
    panel = xborder_data.did_panel(2012, 2025, rule).drop_duplicates("unit_code").set_index("unit_code")
    batches = _batches_csv()
    zones = _zones_csv()
    listed = {number: sum(1 for z in zones if z["batch"] == number) for number in batches}  # counted, not read from zones_listed
    incomplete = [b for b in batches.values() if listed[b["batch"]] < int(b["zones_added"])]
    assert [b["batch"] for b in incomplete] == ["7"]
    provinces = set(incomplete[0]["addressees"].split(" | "))
    treated = {z["prefecture_adcode"] for z in zones} | {"460100", "460200", "460400"}  # the whole-island zone's cities
    itself = {z["adcode"] for z in zones}
    for code, row in panel.iterrows():
        candidate = code not in treated and code not in itself and row["province_zh"] in provinces
        assert row["possibly_unlisted"] == int(candidate), code
    assert not ((panel["possibly_unlisted"] == 1) & (panel["ever_treated"] == 1)).any()
    clean = panel[(panel["possibly_unlisted"] == 0) & (panel["ever_treated"] == 0)]
    assert len(clean) > 0 and "湖北省" in set(clean["province_zh"])


@pytest.mark.parametrize(("start", "end"), [(2020, 2012), (2012, 2300), (1800, 2020), (2012, "2024"), (True, 2020)])
def test_bad_years_are_one_usage_error(start: object, end: object) -> None:
    from xborder_data.errors import UsageError

    with pytest.raises(UsageError, match="did_panel"):
        xborder_data.did_panel(start, end)  # type: ignore[arg-type]
    if type(start) is int and type(end) is int:  # the CLI parses text: "2024" is a year there
        result = CliRunner().invoke(cli, ["panel", "--start", str(start), "--end", str(end), "--balanced"])
        assert result.exit_code == 2 and "did_panel" in result.output and "Traceback" not in result.output


def test_the_stata_panel_has_daily_dates_integers_and_value_labels(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    target = tmp_path / "p.dta"
    result = CliRunner().invoke(cli, ["panel", "--start", "2018", "--end", "2020", "--balanced", "--format", "dta", "-o", str(target)])
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_dta(str(target))
    assert meta.original_variable_types["approval_date"] == "%td"
    for column in ("batch", "first_treated_year", "cohort", "treated", "unit_num"):
        assert meta.readstat_variable_types[column] in ("int8", "int16", "int32"), column
    assert set(meta.variable_to_label) >= {"batch", "level", "dated_by"}
    labelled, _ = pyreadstat.read_dta(str(target), apply_value_formats=True)
    assert "prefecture_city" in set(labelled["level"]) and "approval" in set(labelled["dated_by"])
    hz = frame[(frame["unit_code"] == "330100") & (frame["year"] == 2018)].iloc[0]
    assert str(hz["approval_date"]) == "2015-03-07" and hz["cohort"] == 2015


def test_the_wide_form_is_the_long_panel_reshaped(panel: pd.DataFrame) -> None:
    wide = xborder_data.did_panel(2012, 2024, form="wide")
    assert len(wide) == panel["unit_code"].nunique() and wide["unit_num"].is_unique
    # pandas' own reshape of the long panel is the oracle.
    expected = panel.pivot(index="unit_code", columns="year", values="treated")
    for year in range(2012, 2025):
        got = wide.set_index("unit_code")[f"treated_{year}"]
        assert (got == expected[year].reindex(got.index)).all(), year
        assert str(got.dtype) == "Int64"


def test_the_cli_wide_form_reads_back_in_stata_with_yearly_labels(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    target = tmp_path / "wide.dta"
    result = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", "--balanced", "--wide", "--format", "dta", "-o", str(target)])
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_dta(str(target))
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["treated_2015"] == "Treated in 2015 (0/1)" and len(frame) == len(_units_csv())
    text = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", "--balanced", "--wide"]).output
    rows = list(csv.DictReader(text.splitlines()))
    assert {row["treated_2015"] for row in rows} == {"0", "1"} and len(rows) == len(_units_csv())


@pytest.mark.parametrize("args", [["--wide"], ["--balanced", "--level", "zone"], ["--balanced", "-o", "x.dta"]])
def test_contradicting_panel_options_are_usage_errors(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", *args])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_readme_states_the_clean_control_group_the_panel_gives() -> None:
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    stated = int(re.search(r"\((\d+) never-treated units remain", text).group(1))  # type: ignore[union-attr]
    units = xborder_data.did_panel(2012, 2025).drop_duplicates("unit_code")
    assert stated == int(((units["possibly_unlisted"] == 0) & (units["ever_treated"] == 0)).sum())
