"""Every export format round-trips, read back with the format's own library."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xborder_data
from xborder_data.errors import BrokenReferenceError, MissingDependencyError, OutputExistsError, UsageError
from xborder_data.exports import FORMATS, export
from xborder_data.storage.staging import write_staged
from xborder_data.exports.to_csv import FORMULA_STARTS, excel_safe

RESOURCES = xborder_data.resources()
PACKAGE = xborder_data.bundled()


def expected_rows(name: str) -> list[dict[str, Any]]:
    """``load(name)`` as plain Python values, with the type each dtype stands for."""
    frame = xborder_data.load(name)
    rows = []
    for record in frame.astype(object).to_dict("records"):
        row = {}
        for spec in PACKAGE.table_schema(name).fields:
            value = record[spec.name]
            if pd.isna(value):
                row[spec.name] = None
            elif spec.type == "date":
                row[spec.name] = value.date()
            elif spec.type in ("integer", "year"):
                row[spec.name] = int(value)
            elif spec.type == "number":
                row[spec.name] = float(value)
            elif spec.type == "boolean":
                row[spec.name] = bool(value)
            else:
                row[spec.name] = str(value)
        rows.append(row)
    return rows


def assert_same_typed(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """Equal values of exactly the same Python types, row by row."""
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        assert list(got) == list(want)
        for key in want:
            assert got[key] == want[key], key
            assert type(got[key]) is type(want[key]), (key, got[key], want[key])


# ``exported`` (every format, once per test run) lives in conftest.py.


def test_expected_rows_helper_sees_every_dtype_family() -> None:
    # Guards the helper itself: it must not turn everything into strings.
    figures = expected_rows("market_figures")[0]
    assert type(figures["value"]) is float and type(figures["period_year"]) is int
    assert any(type(row["issue_date"]) is date for row in expected_rows("policies"))


def test_every_format_is_described_in_the_export_help() -> None:
    from click.testing import CliRunner

    from xborder_data.cli import cli

    text = CliRunner().invoke(cli, ["export", "--help"]).output
    for fmt in FORMATS:
        assert re.search(rf"^\s+{fmt}\s", text, flags=re.MULTILINE), fmt


def test_exports_write_only_their_files(exported: dict[str, Path]) -> None:
    for fmt in FORMATS:
        folder = exported[fmt]
        names = {p.name for p in folder.rglob("*") if p.is_file()}
        assert not [n for n in names if n.endswith(".tmp")], fmt


# -- csv and zip: the Data Package itself -----------------------------------
@pytest.mark.parametrize("name", RESOURCES)
def test_csv_round_trip(exported: dict[str, Path], name: str) -> None:
    copy = xborder_data.open(exported["csv"])
    assert copy.path(name).read_bytes() == PACKAGE.path(name).read_bytes()
    pd.testing.assert_frame_equal(copy.load(name), xborder_data.load(name))


def test_csv_copies_descriptor_and_schemas_byte_for_byte(exported: dict[str, Path]) -> None:
    assert (exported["csv"] / "datapackage.json").read_bytes() == PACKAGE.package_path().read_bytes()
    for entry in PACKAGE.descriptor()["resources"]:
        assert (exported["csv"] / entry["schema"]).read_bytes() == (PACKAGE.root / entry["schema"]).read_bytes()


@pytest.fixture(scope="module")
def unzipped(exported: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    (archive,) = exported["zip"].iterdir()
    target = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(archive) as opened:
        assert opened.testzip() is None
        opened.extractall(target)
    return target


@pytest.mark.parametrize("name", RESOURCES)
def test_zip_round_trip(unzipped: Path, name: str) -> None:
    pd.testing.assert_frame_equal(xborder_data.open(unzipped).load(name), xborder_data.load(name))


def test_zip_is_accepted_by_frictionless_as_is(exported: dict[str, Path]) -> None:
    import frictionless

    (archive,) = exported["zip"].iterdir()
    assert archive.name == f"xborder-data-{PACKAGE.version}.zip"
    report = frictionless.Package(str(archive)).validate()
    assert report.valid, report.flatten(["type", "message"])
    assert sorted(task.name for task in report.tasks) == sorted(RESOURCES)


def test_zip_holds_exactly_the_package_files_and_their_folders(exported: dict[str, Path]) -> None:
    (archive,) = exported["zip"].iterdir()
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        folders = [info for info in opened.infolist() if info.is_dir()]
        assert opened.read("datapackage.json") == PACKAGE.package_path().read_bytes()
    files = {"datapackage.json"} | {e["path"] for e in PACKAGE.descriptor()["resources"]}
    files |= {e["schema"] for e in PACKAGE.descriptor()["resources"]}
    files |= {"derived/did_panel.csv", "derived/did_panel.schema.json"}  # the derived panel, outside the descriptor
    assert set(names) == files | {"data/", "schemas/", "derived/"}
    assert len(names) == len(set(names))
    # A folder's entry comes before its files (npm datapackage looks them up in order).
    for folder in ("data/", "schemas/", "derived/"):
        assert names.index(folder) < min(names.index(n) for n in files if n.startswith(folder))
    assert {info.filename for info in folders} == {"data/", "schemas/", "derived/"}
    assert all(info.file_size == 0 for info in folders)


# -- json ---------------------------------------------------------------------
@pytest.mark.parametrize("name", RESOURCES)
def test_json_round_trip(exported: dict[str, Path], name: str) -> None:
    rows = json.loads((exported["json"] / f"{name}.json").read_text(encoding="utf-8"))
    want = [{k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()} for row in expected_rows(name)]
    assert_same_typed(rows, want)


def test_json_descriptor_points_only_at_files_in_the_folder(exported: dict[str, Path]) -> None:
    folder = exported["json"]
    descriptor = json.loads((folder / "descriptor.json").read_text(encoding="utf-8"))
    original = PACKAGE.descriptor()
    assert {k: v for k, v in descriptor.items() if k != "resources"} == {k: v for k, v in original.items() if k != "resources"}
    for entry, source in zip(descriptor["resources"], original["resources"]):
        assert entry["path"] == f"{source['name']}.json" and (folder / entry["path"]).is_file()
        assert entry["schema"] == PACKAGE.schema(source["name"])  # inline: no schemas/ folder needed
        assert "hash" not in entry and "bytes" not in entry
    derived = descriptor["resources"][len(original["resources"]):]  # then the derived tables, described alike
    assert [entry["name"] for entry in derived] == ["did_panel"]
    assert (folder / derived[0]["path"]).is_file() and derived[0]["schema"]["primaryKey"] == ["unit_code", "year"]


def test_json_folder_is_a_data_package_frictionless_reads(exported: dict[str, Path]) -> None:
    import frictionless

    descriptor = json.loads((exported["json"] / "descriptor.json").read_text(encoding="utf-8"))
    report = frictionless.Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    package = frictionless.Package(str(exported["json"] / "descriptor.json"))
    pytest.importorskip("ijson", reason="frictionless reads JSON rows only with frictionless[json] (ijson)")
    for name in RESOURCES:
        rows = package.get_resource(name).read_rows()
        assert len(rows) == len(PACKAGE.records(name)), name


# -- sqlite ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def db(exported: dict[str, Path]):
    connection = sqlite3.connect(exported["sqlite"] / "xborder-data.sqlite")
    yield connection
    connection.close()


@pytest.mark.parametrize("name", RESOURCES)
def test_sqlite_round_trip(db: sqlite3.Connection, name: str) -> None:
    fields = PACKAGE.table_schema(name).fields
    # SQLite's own storage classes are the oracle: each stored value has the class
    # its Python value maps to in the sqlite3 module's documented adaptation.
    storage = {bool: "integer", int: "integer", float: "real", str: "text", date: "text", type(None): "null"}
    for spec in fields:
        stored = [row[0] for row in db.execute(f'SELECT typeof("{spec.name}") FROM "{name}" ORDER BY rowid')]
        values = [row[spec.name] for row in expected_rows(name)]
        assert stored == [storage[type(value)] for value in values], spec.name
    cursor = db.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, values)) for values in cursor]
    want = [
        {k: v.isoformat() if isinstance(v, date) else int(v) if isinstance(v, bool) else v for k, v in row.items()}
        for row in expected_rows(name)
    ]
    assert_same_typed(rows, want)


@pytest.mark.parametrize("name", RESOURCES)
def test_sqlite_keys(db: sqlite3.Connection, name: str) -> None:
    schema = PACKAGE.table_schema(name)
    info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
    assert tuple(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]) == schema.primary_key
    keys = {(row[3], row[2], row[4]) for row in db.execute(f'PRAGMA foreign_key_list("{name}")')}
    assert keys == {(fk.field, fk.resource, fk.target) for fk in schema.foreign_keys}


def test_sqlite_foreign_key_check_is_clean(db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_sqlite_rejects_a_foreign_key_violation(exported: dict[str, Path], tmp_path: Path) -> None:
    database = shutil.copyfile(exported["sqlite"] / "xborder-data.sqlite", tmp_path / "copy.sqlite")  # it writes
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
            connection.execute(
                "INSERT INTO drivers (driver_id, ordinal, name_en, description, source_id) "
                "VALUES ('new_driver', 9, 'x', 'x', 'no_such_source')"
            )
        assert connection.execute("SELECT count(*) FROM drivers WHERE driver_id = 'new_driver'").fetchone() == (0,)
        # The same row with a real source is accepted, so the refusal was the key.
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO drivers (driver_id, ordinal, name_en, description, source_id) "
            "VALUES ('new_driver', 9, 'x', 'x', 'article')"
        )
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def test_sqlite_metadata_table(db: sqlite3.Connection) -> None:
    stored = dict(db.execute('SELECT key, value FROM "_metadata"'))
    assert json.loads(stored["datapackage.json"]) == PACKAGE.descriptor()
    assert stored["version"] == PACKAGE.version


# -- parquet ------------------------------------------------------------------
@pytest.mark.parametrize("name", RESOURCES)
def test_parquet_round_trip(exported: dict[str, Path], name: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(exported["parquet"] / f"{name}.parquet")
    for spec in PACKAGE.table_schema(name).fields:
        field = table.schema.field(spec.name)
        present = [row[spec.name] for row in expected_rows(name) if row[spec.name] is not None]
        if spec.enum is not None:
            assert field.type == pa.dictionary(pa.int32(), pa.string())
        elif present:  # pyarrow's own inference from the loader's values is the oracle
            assert field.type == pa.array(present).type, spec.name
        assert field.nullable is (not spec.required)
        assert field.metadata[b"description"].decode() == spec.description
    assert table.schema.metadata[b"xborder_data.version"].decode() == PACKAGE.version
    assert_same_typed(table.to_pylist(), expected_rows(name))


@pytest.mark.parametrize("name", RESOURCES)
def test_parquet_enums_keep_all_categories(exported: dict[str, Path], name: str) -> None:
    import pyarrow.parquet as pq

    frame = pq.read_table(exported["parquet"] / f"{name}.parquet").to_pandas()
    loaded = xborder_data.load(name)
    for spec in PACKAGE.table_schema(name).fields:
        if spec.enum is not None:
            assert list(frame[spec.name].cat.categories) == list(loaded[spec.name].cat.categories)


# -- xlsx -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def book(exported: dict[str, Path]):
    import openpyxl

    return openpyxl.load_workbook(exported["xlsx"] / "xborder-data.xlsx")


@pytest.mark.parametrize("name", RESOURCES)
def test_xlsx_round_trip(book, name: str) -> None:
    sheet = book[name]
    header, *body = [list(row) for row in sheet.iter_rows(values_only=True)]
    fields = PACKAGE.table_schema(name).fields
    assert header == [spec.name for spec in fields]
    expected = expected_rows(name)
    assert len(body) == len(expected)
    for cells, want in zip(body, expected):
        for spec, got in zip(fields, cells):
            value = want[spec.name]
            if value is None:
                assert got is None
            elif spec.type == "date":
                assert type(got) is datetime and got.date() == value
            elif spec.type == "number":
                # Excel has one number type; 559.0 is stored, and read back, as 559.
                assert type(got) in (int, float) and float(got) == value
            else:
                assert type(got) is type(value) and got == value, (spec.name, got, value)


def test_xlsx_readme_sheet(book) -> None:
    assert book.sheetnames == ["columns", "README", *RESOURCES, "did_panel"]  # the column sheet first, the balanced DID panel last
    readme = {row[0]: row[1] for row in book["README"].iter_rows(values_only=True) if row and row[0]}
    assert readme["title"] == PACKAGE.descriptor()["title"]
    assert readme["version"] == PACKAGE.version
    assert "CC-BY-4.0" in readme["license"]
    assert readme["citation"] == PACKAGE.citation("text")
    for source in PACKAGE.descriptor()["sources"]:
        assert readme[source["title"]] == source["path"]


def test_xlsx_without_openpyxl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingDependencyError, match=r"install `xborder-data\[xlsx\]`"):
        export(PACKAGE, "xlsx", tmp_path)


# -- --excel ----------------------------------------------------------------------
@given(st.text())
def test_excel_safe_never_starts_a_formula_and_is_reversible(cell: str) -> None:
    safe = excel_safe(cell)
    assert safe == cell or safe == "'" + cell
    if safe.startswith(FORMULA_STARTS):  # left alone only as a plain number, which no spreadsheet runs
        assert float(safe) == float(safe) and not any(c.isalpha() and c not in "eE" for c in safe)


def test_excel_csv_rejected_for_other_formats(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--excel applies to the csv format only"):
        export(PACKAGE, "json", tmp_path, excel=True)


# -- safety -------------------------------------------------------------------------
def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown export format 'xml'; choose one of: csv, json, sqlite"):
        export(PACKAGE, "xml", tmp_path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_refused_overwrite_leaves_everything_untouched(exported: dict[str, Path], tmp_path: Path, fmt: str) -> None:
    first = exported[fmt]  # the session's export of the same package, made earlier in this run
    written = sorted(p for p in first.rglob("*") if p.is_file())
    target = tmp_path / "second" / written[-1].relative_to(first)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match=rf"{target.name}: already exists; choose another folder, or replace it with --force"):
        export(PACKAGE, fmt, tmp_path / "second")
    assert target.read_bytes() == b"precious"
    # Checked before writing: no other file of the export appeared either.
    assert [p for p in (tmp_path / "second").rglob("*") if p.is_file()] == [target]
    again = export(PACKAGE, fmt, tmp_path / "second", force=True)
    assert sorted(again) == [tmp_path / "second" / p.relative_to(first) for p in written]
    assert target.read_bytes() != b"precious"
    # Every file of every format is byte-reproducible, xlsx included (fixed document and zip dates).
    assert [p.read_bytes() for p in sorted(again)] == [p.read_bytes() for p in written]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    target = outdir / "table.csv"
    target.write_bytes(b"old")

    def half_write(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError("disk full")

    def whole_write(path: Path) -> None:
        path.write_bytes(b"new")

    with pytest.raises(OSError, match="disk full"):
        write_staged({outdir / "new.csv": whole_write, target: half_write}, outdir, force=True)
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [outdir]
    assert list(outdir.iterdir()) == [target]


def test_sqlite_export_refuses_broken_references(tmp_path: Path, broken_reference_package: Path) -> None:
    with pytest.raises(BrokenReferenceError, match="FOREIGN KEY constraint failed"):
        export(xborder_data.open(broken_reference_package), "sqlite", tmp_path / "out")
    assert not (tmp_path / "out" / "xborder-data.sqlite").exists()


def test_the_derived_panel_travels_with_every_export(exported: dict[str, Path]) -> None:
    """csv, json, zip and parquet carry the DID panel as a table like the others (csv module, json, pyarrow, polars)."""
    import csv as csv_module
    import io

    import pyarrow.parquet as pq

    from xborder_data.research.did import export_span

    start, end = export_span(PACKAGE)
    expected = xborder_data.did_panel(start, end, programmes="all")
    with (exported["csv"] / "derived" / "did_panel.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv_module.DictReader(handle))
    schema = json.loads((exported["csv"] / "derived" / "did_panel.schema.json").read_text(encoding="utf-8"))
    assert [field["name"] for field in schema["fields"]] == list(rows[0]) == list(expected.columns)
    assert all(field.get("title") and field.get("description") and field.get("zh", {}).get("title") for field in schema["fields"])
    assert len(rows) == len(expected)
    for row, (_, want) in zip(rows[::97], expected.iloc[::97].iterrows()):
        for column in ("unit_code", "year", "treated", "first_treated_via", "retail_import_treated"):
            value = want[column]
            assert row[column] == ("" if str(value) in ("<NA>", "NaT") else str(value)), column
    with zipfile.ZipFile(next(exported["zip"].iterdir())) as opened:
        assert opened.read("derived/did_panel.csv") == (exported["csv"] / "derived" / "did_panel.csv").read_bytes()
    records = json.loads((exported["json"] / "did_panel.json").read_text(encoding="utf-8"))
    assert len(records) == len(expected) and records[0]["unit_code"] == rows[0]["unit_code"]
    descriptor = json.loads((exported["json"] / "descriptor.json").read_text(encoding="utf-8"))
    assert "did_panel" in [entry["name"] for entry in descriptor["resources"]]
    panel = pq.read_table(exported["parquet"] / "did_panel.parquet")
    units = pq.read_table(exported["parquet"] / "units.parquet")
    assert panel.schema.field("unit_code").type == units.schema.field("unit_code").type  # string, not large_string
    assert panel.join(units.select(["unit_code", "name_zh"]), keys="unit_code", right_suffix="_units").num_rows == len(expected)
    polars = pytest.importorskip("polars")
    joined = polars.read_parquet(exported["parquet"] / "did_panel.parquet").join(
        polars.read_parquet(exported["parquet"] / "units.parquet"), on=["unit_code", "level"])
    assert joined.height == len(expected)  # level is a category over the same values in both files
