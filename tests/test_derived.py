"""Derived tables: registered once, offered by every export like a resource, named by none."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import pytest

import xborder_data
from xborder_data import registry
from xborder_data.exports import export
from xborder_data.tableschema.descriptor import ResourceSpec, parse_schema

ROWS = [{"stage_id": "1.0", "mark": 1}, {"stage_id": "2.0", "mark": None}]


def _toy(package: xborder_data.Package):
    """A derived table no exporter has heard of: one per stage, with a gap."""
    schema = {"fields": [{"name": "stage_id", "type": "string", "title": "Stage", "description": "The stage."},
                         {"name": "mark", "type": "integer", "title": "Mark", "description": "A number, or none."}],
              "primaryKey": ["stage_id"]}
    spec = ResourceSpec(name="toy_derived", path="derived/toy_derived.csv", title="Toy", description="A test's table.",
                        bytes=None, hash=None, schema=parse_schema(schema, "toy_derived"))
    return spec, lambda: [dict(row) for row in ROWS]


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_MAKERS", [*registry._MAKERS, _toy])


def test_a_registered_table_reaches_csv_json_and_sqlite_unnamed(toy: None, tmp_path: Path) -> None:
    package = xborder_data.bundled()
    export(package, "csv", tmp_path / "csv")
    with (tmp_path / "csv" / "derived" / "toy_derived.csv").open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == [{"stage_id": "1.0", "mark": "1"}, {"stage_id": "2.0", "mark": ""}]
    schema = json.loads((tmp_path / "csv" / "derived" / "toy_derived.schema.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in schema["fields"]] == ["stage_id", "mark"]
    export(package, "json", tmp_path / "json")
    assert json.loads((tmp_path / "json" / "toy_derived.json").read_text(encoding="utf-8")) == ROWS
    export(package, "sqlite", tmp_path / "sqlite")
    with sqlite3.connect(tmp_path / "sqlite" / "xborder-data.sqlite") as db:
        assert db.execute("SELECT stage_id, mark FROM toy_derived ORDER BY stage_id").fetchall() == [("1.0", 1), ("2.0", None)]


def test_the_panel_is_registered_by_the_public_api_and_no_output_imports_its_code() -> None:
    """Importing the exports and the site pulls in none of the panels' modules: the DID panel comes through the registry."""
    import subprocess

    script = ("import sys, xborder_data.exports, xborder_data.exports._files, xborder_data.site.downloads; "
              "print(sorted(m for m in sys.modules if m in ('xborder_data.research.did', 'xborder_data.research.panel')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    names = [spec.name for spec, _ in registry.derived_tables(xborder_data.bundled())]
    assert names == ["did_panel"]


def test_a_resource_where_a_derived_file_goes_refuses_the_export(package_copy: Path, tmp_path: Path) -> None:
    """A package file at derived/did_panel.csv would be overwritten in the copy: the export refuses, writing nothing."""
    from conftest import rehash

    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    errata = next(r for r in descriptor["resources"] if r["name"] == "errata")
    (package_copy / "derived").mkdir()
    (package_copy / errata["path"]).rename(package_copy / "derived" / "did_panel.csv")
    errata["path"] = "derived/did_panel.csv"
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    rehash(package_copy)
    with pytest.raises(xborder_data.DescriptorError, match="derived/did_panel.csv"):
        export(xborder_data.open(package_copy), "csv", tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
