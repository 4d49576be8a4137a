"""Typed values back to text (tableschema/types.py): one form, the data files' own.

Oracles: the data files as the csv module reads them, and json.loads. Every cell of every field of every
resource, read by records() and by load() and written by its field's type object, is the file's text;
its strict JSON form parses to the value that text means; `show -f csv` prints the file byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli
from xborder_data.tableschema.types import NUMBER, TYPES, csv_text, json_value

from conftest import RESOURCES

PACKAGE = xborder_data.bundled()


def _file_columns(name: str) -> dict[str, list[str]]:
    with PACKAGE.path(name).open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return {field: [row[i] for row in rows] for i, field in enumerate(header)}


def _frame_values(column: pd.Series) -> list[Any]:
    return [None if missing else value for value, missing in zip(column.astype(object), column.isna())]  # NaN stays NaN in Float64


def _meant(kind: str, text: str) -> Any:
    """What a cell's text means in JSON, by Python's own parsers: the oracle for the strict JSON form."""
    if text == "":
        return None
    if kind == "number":
        return None if text in ("NaN", "INF", "-INF") else float(text)
    if kind in ("integer", "year"):
        return int(text)
    return text in ("true", "True", "TRUE", "1") if kind == "boolean" else text  # the default trueValues


@pytest.mark.parametrize("name", RESOURCES)
def test_every_field_written_by_its_type_is_the_data_file_cell_by_cell(name: str) -> None:
    assert len(RESOURCES) == 18
    columns = _file_columns(name)
    records, frame = PACKAGE.records(name), PACKAGE.load(name)
    for spec in PACKAGE.table_schema(name).fields:
        kind, texts = TYPES[spec.type], columns[spec.name]
        assert [kind.csv(row[spec.name]) for row in records] == texts, spec.name
        assert [kind.csv(value) for value in _frame_values(frame[spec.name])] == texts, spec.name
        strict = json.dumps([kind.json(row[spec.name]) for row in records], allow_nan=False)
        assert json.loads(strict) == [_meant(spec.type, text) for text in texts], spec.name


@pytest.mark.parametrize("name", RESOURCES)
def test_every_resource_written_again_is_its_data_file(name: str) -> None:
    fields = PACKAGE.table_schema(name).field_names
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([csv_text(row[field]) for field in fields] for row in PACKAGE.records(name))
    assert out.getvalue().encode("utf-8") == PACKAGE.path(name).read_bytes()


@pytest.mark.parametrize("name", RESOURCES)
def test_show_as_csv_prints_what_the_data_file_holds(name: str) -> None:
    result = CliRunner().invoke(cli, ["show", name, "-f", "csv"])  # every row: the limit is the table's
    assert result.exit_code == 0, result.output
    assert result.output.encode("utf-8") == PACKAGE.path(name).read_bytes()


@pytest.mark.parametrize("value", [559.0, 0.39, -0.5, 1e16, 1e21, 123456789012345678.0, 5e-324, 1.7976931348623157e308,
                                   -0.0, math.nan, math.inf, -math.inf])
def test_a_number_written_reads_back_the_same(value: float) -> None:
    text = NUMBER.csv(value)
    back = NUMBER.reader()(text)
    assert (math.isnan(back) and math.isnan(value)) or (back == value and math.copysign(1, back) == math.copysign(1, value))
    assert "e+" not in text or abs(value) >= 1e21  # 1e16 is 10000000000000000, as a data file writes it
    assert json.loads(json.dumps(NUMBER.json(value), allow_nan=False)) == (value if math.isfinite(value) else None)


def test_the_other_types_and_json() -> None:
    assert [csv_text(v) for v in (None, True, False, 2015, date(2020, 1, 17), "a,b")] == ["", "true", "false", "2015", "2020-01-17", "a,b"]
    assert [json_value(v) for v in (math.nan, math.inf, date(2020, 1, 17), 1.5)] == [None, None, "2020-01-17", 1.5]
