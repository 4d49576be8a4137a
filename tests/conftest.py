"""Shared fixtures: the bundled package, disposable and edited copies, and the research folder."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Callable

import pytest

import xborder_data
from xborder_data.exports import export
from tools.maintain import descriptor_text, refresh, refreshed_descriptor

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLE = SHARED / "seed" / "000_cff32ad3f60e18a9.txt"
PROFILES = SHARED / "reference" / "datapackage-2.0"

RESOURCES = xborder_data.resources()


def needs_shared(path: Path) -> Path:
    """Return ``path``, or skip the test when the research folder is absent (a user's clone)."""
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared is only present in CI and maintainers' checkouts")
    return path


@pytest.fixture(scope="session")
def package() -> xborder_data.Package:
    return xborder_data.bundled()


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A fresh copy of the package folder that a test may break."""
    root = tmp_path / "pkg"
    root.mkdir()
    shutil.copy2(REPO / "datapackage.json", root / "datapackage.json")
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    return root


def rehash(root: Path) -> None:
    """Rewrite bytes and hashes after a deliberate edit, as a maintainer would."""
    (root / "docs").mkdir(exist_ok=True)
    refresh(root)


Edit = Callable[[list[dict[str, str]]], None]


def copy_package(target: Path, edits: dict[str, Edit], *, refresh_hashes: bool = True) -> Path:
    """Copy the bundled package to ``target``, apply row edits to its CSVs, and
    (unless told not to) rewrite bytes and hash so the copy stays self-consistent."""
    export(xborder_data.bundled(), "csv", target)
    for name, edit in edits.items():
        path = target / "data" / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
        edit(rows)
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_bytes(out.getvalue().encode("utf-8"))
    if refresh_hashes:
        (target / "datapackage.json").write_text(descriptor_text(refreshed_descriptor(target)), encoding="utf-8")
    return target


@pytest.fixture
def formula_package(tmp_path: Path) -> Path:
    """A valid copy whose text cells start with each formula character."""

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] = "=HYPERLINK(\"http://example.com\")"
        rows[0]["description"] = "+1 and more"
        rows[1]["name_en"] = "-minus"
        rows[1]["description"] = "@SUM(A1:A9)"
        rows[2]["description"] = "\tindented"

    return copy_package(tmp_path / "formula", {"drivers": edit})


@pytest.fixture
def broken_reference_package(tmp_path: Path) -> Path:
    """A copy whose hashes match but whose first driver cites a missing source."""

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["source_id"] = "no_such_source"

    return copy_package(tmp_path / "broken-ref", {"drivers": edit})


@pytest.fixture
def tampered_package(tmp_path: Path) -> Path:
    """A copy with an edited data file whose hash was not updated."""

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] = rows[0]["name_en"] + " (edited)"

    return copy_package(tmp_path / "tampered", {"drivers": edit}, refresh_hashes=False)


def write_package(root: Path, tables: dict[str, tuple[bytes, dict]], **properties: object) -> Path:
    """Write a minimal one-file-per-table package: CSV bytes and an inline schema per
    resource, with true bytes and sha256, plus any descriptor ``properties``."""
    import hashlib
    import json

    (root / "data").mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (data, schema) in tables.items():
        (root / "data" / f"{name}.csv").write_bytes(data)
        resources.append(
            {
                "name": name,
                "path": f"data/{name}.csv",
                "format": "csv",
                "bytes": len(data),
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "schema": schema,
            }
        )
    descriptor = {"name": "test", "version": "0.0.1", "resources": resources, **properties}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root
