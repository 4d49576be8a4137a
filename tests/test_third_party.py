"""Readers nobody here wrote: datapackage-py (the v1 stack) on the CSVs, polars and DuckDB on the Parquet export.

Each reads every resource the way a user would, and the result is compared
cell by cell with the loader's records.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import xborder_data
from xborder_data.exports import export

from conftest import REPO, RESOURCES

# Type families per Table Schema type; a string with an enum may come back as a category.
POLARS_FAMILIES = {"string": {"String"}, "integer": {"Int64"}, "year": {"Int64"}, "number": {"Float64"}, "boolean": {"Boolean"}, "date": {"Date"}}
DUCKDB_FAMILIES = {"string": {"VARCHAR"}, "integer": {"BIGINT"}, "year": {"BIGINT"}, "number": {"DOUBLE"}, "boolean": {"BOOLEAN"}, "date": {"DATE"}}


def _fields(name: str) -> list[dict[str, Any]]:
    return xborder_data.schema(name)["fields"]


def _assert_same_rows(got: list[dict[str, Any]], name: str) -> None:
    want = xborder_data.records(name)
    assert len(got) == len(want), name
    for got_row, want_row in zip(got, want):
        assert set(got_row) == set(want_row)
        for column, value in want_row.items():
            cell = got_row[column]
            if isinstance(cell, Decimal):
                cell = float(cell)
            if isinstance(cell, datetime):
                cell = cell.date()
            assert cell == value and type(cell) is type(value), (name, column, cell, value)


# -- datapackage-py 1.15 (v1) -------------------------------------------------------------
@pytest.fixture(scope="module")
def v1_package() -> Any:
    datapackage = pytest.importorskip("datapackage", reason="datapackage-py is a dev dependency: run `uv sync`")
    return datapackage.Package(str(REPO / "datapackage.json"))


def test_datapackage_py_finds_the_descriptor_valid(v1_package: Any) -> None:
    assert v1_package.valid, v1_package.errors
    assert v1_package.resource_names == RESOURCES


@pytest.mark.parametrize("name", RESOURCES)
def test_datapackage_py_reads_each_resource_with_its_schema(v1_package: Any, name: str) -> None:
    """Casts every cell, checks bytes and sha256, and resolves every foreign key."""
    resource = v1_package.get_resource(name)
    _assert_same_rows(resource.read(keyed=True, integrity=True), name)
    # With relations, each foreign key cell becomes the row it points to (or the read fails).
    related = resource.read(keyed=True, relations=True)
    for fk in xborder_data.bundled().table_schema(name).foreign_keys:
        for row, plain in zip(related, xborder_data.records(name)):
            if plain[fk.field] is not None:
                assert row[fk.field][fk.target] == plain[fk.field]


def test_without_the_dialect_datapackage_py_misreads_errata(tmp_path: Path) -> None:
    """Why the dialect is declared: v1 sniffs one and takes ' for the quote character."""
    datapackage = pytest.importorskip("datapackage")
    import tableschema

    for folder in ("data", "schemas"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        del resource["dialect"]
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(tableschema.exceptions.CastError, match="Row length"):
        datapackage.Package(str(tmp_path / "datapackage.json")).get_resource("errata").read()


# -- the Parquet export, read by polars and DuckDB ---------------------------------------
@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("pyarrow")
    out = tmp_path_factory.mktemp("parquet")
    export(xborder_data.bundled(), "parquet", out)
    return out


@pytest.mark.parametrize("name", RESOURCES)
def test_polars_reads_the_parquet_export_with_the_schema_types(parquet: Path, name: str) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.read_parquet(parquet / f"{name}.parquet")
    for field in _fields(name):
        dtype = frame.schema[field["name"]]
        allowed = POLARS_FAMILIES[field["type"]] | ({"Categorical", "Enum"} if "enum" in field.get("constraints", {}) else set())
        assert dtype.base_type().__name__ in allowed, (field["name"], dtype)
    _assert_same_rows(frame.to_dicts(), name)


@pytest.mark.parametrize("name", RESOURCES)
def test_duckdb_reads_the_parquet_export_with_the_schema_types(parquet: Path, name: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    relation = duckdb.read_parquet(str(parquet / f"{name}.parquet"))
    declared = dict(zip(relation.columns, map(str, relation.types)))
    for field in _fields(name):
        allowed = DUCKDB_FAMILIES[field["type"]]
        assert declared[field["name"]] in allowed or declared[field["name"]].startswith("ENUM"), (field["name"], declared[field["name"]])
    _assert_same_rows([dict(zip(relation.columns, row)) for row in relation.fetchall()], name)


def test_a_parquet_date_is_a_date_in_both(parquet: Path) -> None:
    """Guards the comparison above: dates arrive as dates, not as text."""
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    first = pl.read_parquet(parquet / "policies.parquet")["issue_date"].drop_nulls()[0]
    assert isinstance(first, date)
    query = f"SELECT issue_date FROM read_parquet('{parquet / 'policies.parquet'}') WHERE issue_date IS NOT NULL LIMIT 1"
    ((value,),) = duckdb.sql(query).fetchall()
    assert isinstance(value, date)
