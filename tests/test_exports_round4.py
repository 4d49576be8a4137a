"""Round four of the exports: Stata never changes a value silently, one value label per
value set, Chinese labels, an xlsx a person can print, plain dtypes, Spark.

Each test reads the output back with an independent library (pyreadstat, the
readstat command line, openpyxl, LibreOffice, pyspark) and compares it with the
strict reader's ``records()`` or with the schema files read as JSON.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli
from xborder_data.exports import export
from xborder_data.exports.to_dta import StataCellError, StataWarning
from conftest import REPO, RESOURCES, write_package

pyreadstat = pytest.importorskip("pyreadstat")
PACKAGE = xborder_data.bundled()


def _export(package: xborder_data.Package, fmt: str, out: Path, **options: Any) -> list[str]:
    """Export and return the warning messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export(package, fmt, out, **options)
    return [str(w.message) for w in caught if issubclass(w.category, (StataWarning, UserWarning))]


def _same(got: Any, want: Any, spec_type: str) -> bool:
    """Whether a cell read back by pyreadstat equals the source cell."""
    if want is None:
        return got in ("", None) or (isinstance(got, float) and math.isnan(got))
    if spec_type == "string":
        return got == want
    if spec_type == "date":
        return got == want or (isinstance(got, datetime) and got.date() == want)
    if spec_type == "boolean":
        return got == int(want)
    return got == want and not (isinstance(got, float) and math.isnan(got))


def _read_dta(path: Path) -> tuple[list[dict[str, Any]], Any]:
    """Rows as stored, except that a labelled text enum shows its label (the value it stands for)."""
    raw, meta = pyreadstat.read_dta(str(path))
    labelled, _ = pyreadstat.read_dta(str(path), apply_value_formats=True, formats_as_category=False)
    for variable, label in meta.variable_to_label.items():
        if label != "batch":  # batch labels describe an integer, which stays the value
            raw[variable] = labelled[variable]
    return raw.astype(object).to_dict("records"), meta


# -- Stata: every cell read back equals the source, or was announced -----------------------
@pytest.fixture(scope="module")
def dta(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("dta") / "out"
    return out, _export(PACKAGE, "dta", out)


@pytest.mark.parametrize("name", RESOURCES)
def test_every_cell_of_every_table_reads_back_from_stata(dta: tuple[Path, list[str]], name: str) -> None:
    out, announced = dta
    assert announced == []  # the release holds nothing Stata cannot store
    rows, meta = _read_dta(out / f"{name}.dta")
    source = PACKAGE.records(name)
    specs = PACKAGE.table_schema(name).fields
    assert len(rows) == len(source) and list(meta.column_names) == [s.name for s in specs]
    for number, (got, want) in enumerate(zip(rows, source), start=1):
        for spec in specs:
            assert _same(got[spec.name], want[spec.name], spec.type), (name, number, spec.name, got[spec.name], want[spec.name])


def test_the_readstat_command_line_reads_every_cell_with_the_source_values(dta: tuple[Path, list[str]], tmp_path: Path) -> None:
    if shutil.which("readstat") is None:
        pytest.skip("the readstat command line is absent (Debian package readstat)")
    out, _ = dta
    epoch = date(1960, 1, 1)  # Stata's day 0; readstat prints a %td date as its day number
    for name in RESOURCES:
        target = tmp_path / f"{name}.csv"
        subprocess.run(["readstat", str(out / f"{name}.dta"), str(target)], check=True, capture_output=True)
        with target.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        _, meta = pyreadstat.read_dta(str(out / f"{name}.dta"))  # only for the code -> text table of each value label
        source = PACKAGE.records(name)
        assert len(rows) == len(source)
        for number, (got, want) in enumerate(zip(rows, source), start=1):
            for spec in PACKAGE.table_schema(name).fields:
                cell, value = got[spec.name], want[spec.name]
                where = (name, number, spec.name, cell, value)
                if value is None:
                    assert cell == "", where
                elif spec.type == "string" and spec.enum is not None:
                    assert meta.value_labels[meta.variable_to_label[spec.name]][int(cell)] == value, where
                elif spec.type == "string":
                    assert cell == value, where
                elif spec.type in ("integer", "year"):
                    assert int(float(cell)) == value and float(cell) == value, where
                elif spec.type == "number":
                    assert abs(float(cell) - value) <= 5e-7, where  # readstat prints doubles with 6 decimals
                elif spec.type == "boolean":
                    assert cell == str(int(value)), where
                elif spec.type == "date":
                    assert round(float(cell)) == (value - epoch).days, where


def _hostile(root: Path) -> Path:
    """A one-table package with every kind of value the Stata writer must not change silently."""
    long_name = "a_field_name_that_is_far_longer_than_stata_allows"
    text = (
        b"id,big,small,year_enum,share_enum,note," + long_name.encode() + b",if\n"
        b"1,9007199254740993,-2147483647,2015,0.5,plain,1,x\n"
        b"2,-9223372036854775808,2147483620,2016,1.5,with\x00nul,2,y\n"
        b"3,5,,2020,,tab\tand\x01soh,,z\n"
        b"4,,0,,0.5,,3,\n"
    )
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "big", "type": "integer", "title": "Big integers"},
            {"name": "small", "type": "integer", "title": "The edges of Stata's long"},
            {"name": "year_enum", "type": "integer", "title": "Year of the wave", "constraints": {"enum": [2015, 2016, 2020]}},
            {"name": "share_enum", "type": "number", "title": "Share", "constraints": {"enum": [0.5, 1.5]}},
            {"name": "note", "type": "string", "title": "Note"},
            {"name": long_name, "type": "integer", "title": "The long-named field"},
            {"name": "if", "type": "string", "title": "A reserved word"},
        ],
        "primaryKey": ["id"],
    }
    return write_package(root, {"odd": (text, schema)})


def test_no_cell_changes_in_stata_without_a_warning_naming_it(tmp_path: Path) -> None:
    package = xborder_data.open(_hostile(tmp_path / "pkg"))
    messages = _export(package, "dta", tmp_path / "out")
    text = " ".join(messages)
    frame, meta = pyreadstat.read_dta(str(tmp_path / "out" / "odd.dta"))
    source = package.records("odd")
    # Beyond 2^53: text, both cells named; never rounded, never 0.
    assert "big[1]" in text and "big[2]" in text and "2^53" in text
    assert frame["big"].tolist() == ["9007199254740993", "-9223372036854775808", "5", ""]
    # The edges of Stata's long stay exact integers.
    assert frame["small"].tolist()[:2] == [-2147483647, 2147483620] and math.isnan(frame["small"][2])
    # Integer and number enums keep their values: 2015 is 2015, never a code 0.
    assert frame["year_enum"].tolist()[:3] == [2015, 2016, 2020] and "year_enum" not in meta.variable_to_label
    assert frame["share_enum"].tolist()[:2] == [0.5, 1.5] and frame["share_enum"][3] == 0.5
    # NUL is removed and announced; other control characters are kept as they are.
    assert "note[2]" in text and frame["note"].tolist()[:3] == ["plain", "withnul", "tab\tand\x01soh"]
    # Renamed variables keep their labels, and each rename is reported.
    renamed = [c for c in meta.column_names if c.startswith("a_field")]
    assert len(renamed) == 1 and len(renamed[0]) <= 32 and renamed[0] in text
    assert meta.column_names_to_labels[renamed[0]] == "The long-named field"
    assert "_if" in meta.column_names and meta.column_names_to_labels["_if"] == "A reserved word" and "if -> _if" in text
    assert frame[renamed[0]].tolist()[:2] == [1, 2]
    # Every other cell equals the source.
    assert [row["id"] for row in source] == frame["id"].tolist()


def test_the_minimum_int64_is_never_zero(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    package = xborder_data.open(write_package(tmp_path / "pkg", {"t": (b"n\n-9223372036854775808\n-9223372036854775807\n", schema)}))
    messages = _export(package, "dta", tmp_path / "out")
    frame, _ = pyreadstat.read_dta(str(tmp_path / "out" / "t.dta"))
    assert frame["n"].tolist() == ["-9223372036854775808", "-9223372036854775807"] and "n[1], n[2]" in " ".join(messages)


def test_integers_beyond_long_but_within_2_53_are_exact_doubles_and_announced(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    package = xborder_data.open(write_package(tmp_path / "pkg", {"t": (b"n\n2147483621\n9007199254740992\n1\n", schema)}))
    messages = _export(package, "dta", tmp_path / "out")
    frame, _ = pyreadstat.read_dta(str(tmp_path / "out" / "t.dta"))
    assert [int(v) for v in frame["n"]] == [2147483621, 9007199254740992, 1]
    assert "n[1], n[2]" in " ".join(messages) and "n[3]" not in " ".join(messages)


@pytest.mark.parametrize("cell", [b"INF", b"-INF", b"NaN", b"1e308"])
def test_a_number_stata_cannot_hold_is_one_error_naming_the_cell(cell: bytes, tmp_path: Path) -> None:
    schema = {"fields": [{"name": "x", "type": "number"}]}
    root = write_package(tmp_path / "pkg", {"t": (b"x\n1.5\n" + cell + b"\n", schema)})
    with pytest.raises(StataCellError, match=r"x\[2\]"):
        export(xborder_data.open(root), "dta", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(cli, ["--package", str(root), "export", "dta", str(tmp_path / "out")])
    assert result.exit_code == 1 and "x[2]" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# -- value labels: one per value set ------------------------------------------------------
def _enums() -> dict[tuple[str, str], list[str]]:
    """(resource, field) -> its text enum, read from the schema files as JSON."""
    found = {}
    for name in RESOURCES:
        schema = json.loads((REPO / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
        for field in schema["fields"]:
            enum = field.get("constraints", {}).get("enum")
            if enum is not None and field["type"] == "string":
                found[(name, field["name"])] = enum
    return found


def test_policies_kind_has_exactly_the_seven_policy_kinds(dta: tuple[Path, list[str]]) -> None:
    out, _ = dta
    _, meta = pyreadstat.read_dta(str(out / "policies.dta"))
    label = meta.variable_to_label["kind"]
    kinds = _enums()[("policies", "kind")]
    assert len(kinds) == 7 and sorted(meta.value_labels[label].values()) == sorted(kinds)
    assert set(meta.value_labels[meta.variable_to_label["status"]].values()) == set(_enums()[("policies", "status")])


def test_same_choices_share_one_label_and_different_choices_never_do(dta: tuple[Path, list[str]]) -> None:
    out, _ = dta
    enums = _enums()
    seen: dict[str, dict[float, str]] = {}  # label name -> its table, across every file
    by_choices: dict[frozenset[str], str] = {}
    for name in [*RESOURCES, "did_panel"]:
        _, meta = pyreadstat.read_dta(str(out / f"{name}.dta"))
        for variable, label in meta.variable_to_label.items():
            table = meta.value_labels[label]
            # Append safety: a label name means one table in every file.
            assert seen.setdefault(label, table) == table, (name, variable, label)
            if (name, variable) in enums:
                choices = frozenset(enums[(name, variable)])
                assert set(table.values()) == choices, (name, variable)
                assert by_choices.setdefault(choices, label) == label, (name, variable)
    assert len(set(by_choices.values())) == len(by_choices)  # different choices, different names
    _, units = pyreadstat.read_dta(str(out / "units.dta"))
    _, panel = pyreadstat.read_dta(str(out / "did_panel.dta"))
    assert panel.variable_to_label["level"] == units.variable_to_label["level"]


def test_a_level_without_an_enum_keeps_its_values(package_copy: Path, tmp_path: Path) -> None:
    path = package_copy / "schemas" / "units.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for field in schema["fields"]:
        if field["name"] == "level":
            field.get("constraints", {}).pop("enum", None)
    path.write_text(json.dumps(schema), encoding="utf-8")
    package = xborder_data.open(package_copy)
    _export(package, "dta", tmp_path / "out")
    frame, _ = pyreadstat.read_dta(str(tmp_path / "out" / "units.dta"))
    assert frame["level"].tolist() == [row["level"] or "" for row in package.records("units")]
    panel, _ = pyreadstat.read_dta(str(tmp_path / "out" / "did_panel.dta"))
    assert "" not in set(panel["level"]) and set(panel["level"]) <= {row["level"] for row in package.records("units")}


# -- labels in either language ------------------------------------------------------------
def _with_chinese(root: Path) -> Path:
    """A copy where only policies.kind has a Chinese title and description (the schemas' ``zh`` extension)."""
    path = root / "schemas" / "policies.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for field in schema["fields"]:
        field.pop("zh", None)
        if field["name"] == "kind":
            field["zh"] = {"title": "文件类型", "description": "政策文件的类型。"}
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    return root


def test_stata_labels_in_chinese_where_a_field_has_a_chinese_title(package_copy: Path, tmp_path: Path) -> None:
    root = _with_chinese(package_copy)
    result = CliRunner().invoke(cli, ["--package", str(root), "export", "dta", str(tmp_path / "zh"), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    _, meta = pyreadstat.read_dta(str(tmp_path / "zh" / "policies.dta"))
    english = {spec.name: spec.title for spec in PACKAGE.table_schema("policies").fields}
    assert meta.column_names_to_labels["kind"] == "文件类型"
    assert meta.column_names_to_labels["issue_date"] == english["issue_date"]  # no Chinese title: English kept


def test_datasette_metadata_in_chinese(package_copy: Path, tmp_path: Path) -> None:
    root = _with_chinese(package_copy)
    export(xborder_data.open(root), "datasette", tmp_path / "zh", lang="zh")
    metadata = json.loads((tmp_path / "zh" / "metadata.json").read_text(encoding="utf-8"))
    columns = metadata["databases"]["xborder-data"]["tables"]["policies"]["columns"]
    assert columns["kind"] == "文件类型: 政策文件的类型。"


def test_lang_is_refused_for_a_format_without_labels(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "csv", str(tmp_path / "out"), "--lang", "zh"])
    assert result.exit_code != 0 and "--lang applies to" in result.output and not (tmp_path / "out").exists()


# -- xlsx: a column sheet, and every sheet prints -----------------------------------------
openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def workbook(exported: dict[str, Path]) -> Path:
    return exported["xlsx"] / "xborder-data.xlsx"  # the session's export (conftest.py): read only


def test_the_first_sheet_lists_every_column_with_title_type_and_description(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert book.sheetnames[0] == "columns"
    header, *rows = [list(row) for row in book["columns"].iter_rows(values_only=True)]
    assert header == ["table", "column", "type", "title", "description", "标题", "说明"]
    listed = {(row[0], row[1]): row for row in rows}
    expected = []
    for name in RESOURCES:
        schema = json.loads((REPO / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
        for field in schema["fields"]:
            expected.append((name, field["name"]))
            row = listed[(name, field["name"])]
            assert row[2] == field["type"] and (row[3] or "") == field.get("title", "") and (row[4] or "") == field.get("description", "")
            zh = field.get("zh", {})
            assert (row[5] or "") == zh.get("title", "") and (row[6] or "") == (zh.get("description", "") if zh.get("title") else "")
    assert [key for key in listed if key[0] != "did_panel"] == expected
    from xborder_data.research.did import columns
    from xborder_data.research.programmes import programme_ids

    assert [key[1] for key in listed if key[0] == "did_panel"] == columns(programme_ids(PACKAGE))


def test_every_sheet_is_set_up_to_print_and_wraps_what_its_column_cannot_show(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
        assert widths and max(widths.values()) <= 40, sheet.title
        for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 400)):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > widths.get(cell.column_letter, 0):
                    assert cell.alignment.wrap_text, (sheet.title, cell.coordinate)
                    assert sheet.row_dimensions[cell.row].height and sheet.row_dimensions[cell.row].height > 15, (sheet.title, cell.coordinate)


def test_the_column_sheet_in_chinese(package_copy: Path, tmp_path: Path) -> None:
    root = _with_chinese(package_copy)
    export(xborder_data.open(root), "xlsx", tmp_path / "zh", lang="zh")
    book = openpyxl.load_workbook(tmp_path / "zh" / "xborder-data.xlsx", read_only=True)
    header, *rows = [list(row) for row in book["columns"].iter_rows(values_only=True)]
    assert header == ["表", "列", "类型", "标题", "说明", "title", "description"]
    kind = next(row for row in rows if row[:2] == ["policies", "kind"])
    assert kind[3:5] == ["文件类型", "政策文件的类型。"] and kind[5] == "Kind"


def test_libreoffice_prints_the_workbook_in_under_a_quarter_of_the_old_pages(workbook: Path, tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice (libreoffice-calc) or pdfinfo (poppler-utils) is absent")
    subprocess.run([office, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(workbook)], check=True, capture_output=True, timeout=600)
    info = subprocess.run(["pdfinfo", str(tmp_path / "xborder-data.pdf")], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages < 1025 / 4, pages  # 1.3.0's workbook printed to 1,025 A4 pages


def test_a_batch_beyond_stata_long_is_kept_exact_and_announced_in_export_and_panel(tmp_path: Path) -> None:
    from conftest import copy_package

    big = "3000000000"
    batches = [row["batch"] for row in PACKAGE.records("pilot_zone_batches")]
    last = str(max(batches))

    def renumber(rows: list[dict[str, str]]) -> None:
        for row in rows:
            for key in ("batch", "revoked_batch"):
                if row.get(key) == last:
                    row[key] = big
            if row.get("table") == "pilot_zone_batches" and row.get("row_id") == last:
                row["row_id"] = big

    root = copy_package(tmp_path / "pkg", {"pilot_zone_batches": renumber, "pilot_zones": renumber, "claims": renumber})
    result = CliRunner().invoke(cli, ["--package", str(root), "export", "dta", str(tmp_path / "out")])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "batch[" in result.output and "written as double" in result.output
    frame, meta = pyreadstat.read_dta(str(tmp_path / "out" / "pilot_zone_batches.dta"))
    assert [int(v) for v in frame["batch"]] == [int(b) for b in batches[:-1]] + [int(big)]
    assert "batch" not in meta.variable_to_label  # no value label can hold a code beyond int32
    target = tmp_path / "panel.dta"
    result = CliRunner().invoke(cli, ["--package", str(root), "panel", "--start", "2015", "--end", "2025", "--balanced",
                                      "--format", "dta", "-o", str(target)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    panel, _ = pyreadstat.read_dta(str(target))
    assert int(big) in {int(v) for v in panel["batch"].dropna()}


# -- plain dtypes on request ----------------------------------------------------------------
@pytest.mark.parametrize("name", RESOURCES)
def test_numpy_dtypes_keep_every_value_and_use_plain_dtypes(name: str) -> None:
    import numpy as np
    import pandas as pd

    nullable = xborder_data.load(name)
    plain = xborder_data.load(name, dtypes="numpy")
    assert list(plain.columns) == list(nullable.columns)
    for spec in PACKAGE.table_schema(name).fields:
        column, source = plain[spec.name], nullable[spec.name]
        missing = source.isna().to_numpy()
        if spec.enum is not None and spec.type == "string":
            assert isinstance(column.dtype, pd.CategoricalDtype)
        elif spec.type in ("integer", "year"):
            assert column.dtype == (np.float64 if missing.any() else np.int64), spec.name
        elif spec.type == "number":
            assert column.dtype == np.float64
        elif spec.type == "boolean":
            assert column.dtype == (np.float64 if missing.any() else np.bool_)
        elif spec.type == "date":
            assert column.dtype == np.dtype("datetime64[ns]")
        else:
            assert column.dtype == object
        assert (column.isna().to_numpy() == missing).all(), spec.name
        for got, want in zip(column[~missing], source[~missing]):
            assert got == want, (spec.name, got, want)


def test_a_statsmodels_formula_runs_on_the_panel_with_plain_dtypes() -> None:
    import numpy as np

    smf = pytest.importorskip("statsmodels.formula.api")
    from xborder_data.dtypes import numpy_dtypes

    panel = numpy_dtypes(xborder_data.did_panel(2014, 2020))
    assert panel["treated"].dtype == np.int64 and panel["batch"].dtype == np.float64  # batch is empty for never-treated units
    fit = smf.ols("possibly_unlisted ~ treated + C(year)", data=panel).fit()
    # The same regression by hand: least squares on an intercept, treated and year dummies.
    years = sorted(panel["year"].unique())
    design = np.column_stack([np.ones(len(panel)), panel["treated"]] + [(panel["year"] == y).to_numpy(float) for y in years[1:]])
    expected, *_ = np.linalg.lstsq(design, panel["possibly_unlisted"].to_numpy(float), rcond=None)
    assert fit.nobs == len(panel)
    assert np.allclose(fit.params["treated"], expected[1])


# -- Spark: every cell as load() reads it ----------------------------------------------------
@pytest.fixture(scope="module")
def spark() -> Any:
    pytest.importorskip("pyspark", reason="pyspark is in the `spark` dependency group: uv sync --group spark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: Spark needs one (Debian: default-jre-headless)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("xborder-data-test")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate())
    yield session
    session.stop()


def _spark_same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    return type(got) is type(want) and got == want


@pytest.mark.parametrize("name", RESOURCES)
def test_spark_reads_every_csv_cell_as_load_does(spark: Any, name: str) -> None:
    from xborder_data.exports.spark import read_options, spark_schema

    frame = spark.read.options(**read_options(PACKAGE, name)).schema(spark_schema(PACKAGE, name)).csv(str(PACKAGE.path(name)))
    rows = [row.asDict() for row in frame.collect()]
    source = PACKAGE.records(name)
    assert len(rows) == len(source)
    for number, (got, want) in enumerate(zip(rows, source), start=2):
        assert list(got) == list(want)
        for key, value in want.items():
            assert _spark_same(got[key], value), (name, number, key, got[key], value)


def test_the_spark_schema_needs_no_pyspark() -> None:
    code = ("import sys, xborder_data; from xborder_data.exports.spark import spark_schema; "
            "print(spark_schema(xborder_data.bundled(), 'stages')); assert 'pyspark' not in sys.modules")
    result = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("`stage_id` STRING, ")


def test_an_existing_panel_file_asks_for_another_file_name_not_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "panel.dta"
    target.write_bytes(b"old")
    result = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", "--balanced", "--format", "dta", "-o", str(target)])
    assert result.exit_code == 1 and "choose another file name" in result.output and "folder" not in result.output
    assert target.read_bytes() == b"old"


def test_the_readme_spark_snippet_reads_claims_as_load_does(spark: Any) -> None:
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## When one machine is not enough\n"):]
    section = section[: section.index("\n## ", 1)]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code, "no python block under 'When one machine is not enough'"
    namespace: dict[str, Any] = {"__name__": "readme_snippet"}
    exec(compile(code.group(1), "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    for name in ("claims", "evidence"):
        rows = [row.asDict() for row in namespace["read_table"](name).collect()]
        assert rows == PACKAGE.records(name)


def test_haven_reads_one_value_label_per_set_of_choices(dta: tuple[Path, list[str]]) -> None:
    if shutil.which("Rscript") is None or subprocess.run(["Rscript", "-e", "library(haven); library(jsonlite)"],
                                                         capture_output=True).returncode != 0:
        pytest.skip("R with haven and jsonlite is absent (Debian: r-cran-haven r-cran-jsonlite)")
    out, _ = dta
    script = ("library(haven); library(jsonlite); a <- commandArgs(TRUE); "
              "cat(toJSON(lapply(a, function(f) names(attr(read_dta(f)$kind, 'labels')))))")
    files = [str(out / "policies.dta"), str(out / "sources.dta")]
    result = subprocess.run(["Rscript", "-e", script, *files], capture_output=True, text=True, check=True)
    policies, sources = json.loads(result.stdout)
    enums = _enums()
    assert policies == enums[("policies", "kind")] and len(policies) == 7
    assert sources == enums[("sources", "kind")]


def test_the_json_export_validates_with_the_frictionless_this_package_installs() -> None:
    from importlib.metadata import requires

    assert any(r.replace(" ", "").startswith("frictionless[json]") for r in requires("xborder-data") or [])
    pytest.importorskip("ijson")  # what frictionless' json extra brings
    pytest.importorskip("jsonlines")


def test_a_renamed_variable_never_takes_a_valid_name_of_another(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a-b", "type": "string"}, {"name": "a_b", "type": "string", "title": "Kept"},
                         {"name": "名称", "type": "string", "title": "Unicode names are valid in Stata 118"}]}
    package = xborder_data.open(write_package(tmp_path / "pkg", {"t": ("a-b,a_b,名称\np,q,义乌\n".encode(), schema)}))
    messages = " ".join(_export(package, "dta", tmp_path / "out"))
    frame, meta = pyreadstat.read_dta(str(tmp_path / "out" / "t.dta"))
    assert meta.column_names == ["a_b_2", "a_b", "名称"] and frame.iloc[0].tolist() == ["p", "q", "义乌"]
    assert meta.column_names_to_labels == {"a_b_2": "a-b", "a_b": "Kept", "名称": "Unicode names are valid in Stata 118"}
    assert "a-b -> a_b_2" in messages and "a_b ->" not in messages and "名称 ->" not in messages


def test_spark_reads_the_parquet_export_and_the_panel_as_load_does(spark: Any, tmp_path: Path) -> None:
    import pandas as pd

    from xborder_data.research.did import PANEL_TABLE, did_panel, export_span

    export(PACKAGE, "parquet", tmp_path / "out")
    for name in RESOURCES:
        rows = [row.asDict() for row in spark.read.parquet(str(tmp_path / "out" / f"{name}.parquet")).collect()]
        assert rows == PACKAGE.records(name), name
    panel = did_panel(*export_span(PACKAGE), programmes="all")
    expected = [{key: (None if value is None or value is pd.NA or value is pd.NaT else value.date() if isinstance(value, pd.Timestamp)
                       else int(value) if isinstance(value, int) else value) for key, value in row.items()}
                for row in panel.astype(object).to_dict("records")]
    rows = [row.asDict() for row in spark.read.parquet(str(tmp_path / "out" / f"{PANEL_TABLE}.parquet")).collect()]
    assert rows == expected
