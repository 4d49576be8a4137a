"""The datasette export, served by a real Datasette on 127.0.0.1."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

import xborder_data

from conftest import RESOURCES

pytestmark = pytest.mark.slow

DATABASE = "xborder-data"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


@pytest.fixture(scope="module")
def folder(exported: dict[str, Path]) -> Path:
    """The session's datasette export of the bundled package (conftest.py): read only."""
    assert sorted(p.name for p in exported["datasette"].iterdir()) == sorted([f"{DATABASE}.sqlite", "metadata.json"])
    return exported["datasette"]


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    """Datasette serving the export; stopped by its PID however the tests end."""
    pytest.importorskip("datasette")
    port = _free_port()
    command = [
        sys.executable, "-m", "datasette", "serve", str(folder / f"{DATABASE}.sqlite"),
        "--metadata", str(folder / "metadata.json"), "--host", "127.0.0.1", "--port", str(port),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    base = f"http://127.0.0.1:{port}"
    try:
        # No timer: wait for the line uvicorn writes once it listens (or for the end of its output, if it exits).
        said = []
        while not any(b"Uvicorn running on" in line for line in said):
            line = process.stderr.readline()
            if not line:
                pytest.fail(f"datasette exited with {process.wait()}: {b''.join(said).decode()[-2000:]}")
            said.append(line)
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep draining: a full pipe would block it
        assert "datasette" in _get(f"{base}/-/versions.json")
        yield base
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.mark.parametrize("name", RESOURCES)
def test_datasette_serves_each_table_as_in_the_csv(server: str, name: str) -> None:
    """Every row and every non-empty cell, compared as text with the csv module's reading."""
    rows = _get(f"{server}/{DATABASE}/{name}.json?_shape=array&_size=max")
    with xborder_data.path(name).open(encoding="utf-8", newline="") as handle:
        expected = list(csv.DictReader(handle))
    assert len(rows) == len(expected)
    schema = xborder_data.schema(name)
    types = {field["name"]: field["type"] for field in schema["fields"]}
    key = schema["primaryKey"]
    served = {tuple(str(row[k]) for k in key): row for row in rows}  # Datasette orders by key
    for want in expected:
        got = served[tuple(want[k] for k in key)]
        for column, text in want.items():
            value = got[column]
            if text == "":
                assert value is None, (column, value)
            elif types[column] == "boolean":
                assert value == (1 if text == "true" else 0), (column, value)
            elif types[column] in ("integer", "year"):
                assert value == int(text), (column, value)
            elif types[column] == "number":
                assert value == float(text), (column, value)
            else:
                assert value == text, (column, value)


def test_datasette_reports_the_package_metadata(server: str) -> None:
    descriptor = xborder_data.descriptor()
    served = _get(f"{server}/-/metadata.json")
    assert served["title"] == descriptor["title"]
    assert served["license"] == descriptor["licenses"][0]["name"]
    assert served["license_url"] == descriptor["licenses"][0]["path"]
    assert served["source_url"] == descriptor["sources"][0]["path"]
    tables = served["databases"][DATABASE]["tables"]
    for name in RESOURCES:
        resource = next(r for r in descriptor["resources"] if r["name"] == name)
        assert tables[name]["description"] == resource["description"]
        for field in xborder_data.schema(name)["fields"]:
            assert field["description"] in tables[name]["columns"][field["name"]]


def test_the_unit_fixed_by_the_schema_is_in_the_column_description(server: str) -> None:
    unit = next(f for f in xborder_data.schema("trade_values")["fields"] if f["name"] == "unit")
    columns = _get(f"{server}/-/metadata.json")["databases"][DATABASE]["tables"]["trade_values"]["columns"]
    assert columns["value"].endswith(f"Unit: {unit['constraints']['enum'][0]}.")


def test_foreign_keys_are_labelled(server: str) -> None:
    """Datasette shows the referenced platform's name next to a stage's opening platform."""
    rows = _get(f"{server}/{DATABASE}/stages.json?_shape=array&_labels=on")
    names = {row["platform_id"]: row["name_en"] for row in xborder_data.records("platforms")}
    labelled = [row["opening_platform_id"] for row in rows if row["opening_platform_id"]]
    assert labelled
    for cell in labelled:
        assert cell["label"] == names[cell["value"]]


@pytest.mark.parametrize("name", RESOURCES)
def test_each_table_page_renders(server: str, name: str) -> None:
    with urllib.request.urlopen(f"{server}/{DATABASE}/{name}", timeout=10) as response:
        assert response.status == 200
        page = response.read().decode("utf-8")
    assert xborder_data.bundled().resource(name).description.split("'")[0] in page


def test_the_served_database_passes_foreign_key_check(folder: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(folder / f"{DATABASE}.sqlite")
    try:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()
