"""Every resource declares its CSV dialect, so no reader has to sniff one."""

from __future__ import annotations

import csv
import io
import json

import pytest

import xborder_data

from conftest import PROFILES, RESOURCES, needs_shared

# The spec's defaults, except the line ending: the files use LF, not CRLF.
EXPECTED = {"header": True, "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True}


def _resource(name: str) -> dict:
    return next(r for r in xborder_data.descriptor()["resources"] if r["name"] == name)


@pytest.mark.parametrize("name", RESOURCES)
def test_the_dialect_is_explicit(name: str) -> None:
    assert _resource(name)["dialect"] == EXPECTED


@pytest.mark.parametrize("name", RESOURCES)
def test_the_dialect_validates_against_the_v2_profile(name: str) -> None:
    import jsonschema

    profile = json.loads((needs_shared(PROFILES) / "tabledialect.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(profile).validate(_resource(name)["dialect"])


@pytest.mark.parametrize("name", RESOURCES)
def test_the_csv_module_reads_each_file_with_the_declared_dialect(name: str) -> None:
    """Every row has the header's width and every line ends as declared."""
    dialect = _resource(name)["dialect"]
    data = xborder_data.path(name).read_bytes().decode("utf-8")
    assert data.endswith(dialect["lineTerminator"]) and "\r" not in data
    rows = list(
        csv.reader(
            io.StringIO(data, newline=""),
            delimiter=dialect["delimiter"],
            quotechar=dialect["quoteChar"],
            doublequote=dialect["doubleQuote"],
            strict=True,
        )
    )
    header, body = rows[0], rows[1:]
    assert header == [field["name"] for field in xborder_data.schema(name)["fields"]]
    assert body and all(len(row) == len(header) for row in body)
