"""Typed values back to text (tableschema/writing.py): one form, the data files' own.

Oracle: the data files themselves. Every resource read and written again is the file byte for byte,
through the library and through `show -f csv`, and a written cell reads back to the same value.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli
from xborder_data.tableschema.values import read_number
from xborder_data.tableschema.writing import csv_text, json_value, number_text

from conftest import RESOURCES

PACKAGE = xborder_data.bundled()


def _written(name: str) -> bytes:
    fields = PACKAGE.table_schema(name).field_names
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([csv_text(row[field]) for field in fields] for row in PACKAGE.records(name))
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("name", RESOURCES)
def test_every_resource_written_again_is_its_data_file(name: str) -> None:
    assert _written(name) == PACKAGE.path(name).read_bytes()


@pytest.mark.parametrize("name", ["market_figures", "trade_values", "units", "policies"])
def test_show_as_csv_prints_what_the_data_file_holds(name: str) -> None:
    result = CliRunner().invoke(cli, ["show", name, "-n", "0", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.encode("utf-8") == PACKAGE.path(name).read_bytes()


@pytest.mark.parametrize("value", [559.0, 0.39, -0.5, 1e16, 1e21, 123456789012345678.0, 5e-324, 1.7976931348623157e308,
                                   -0.0, math.nan, math.inf, -math.inf])
def test_a_number_written_reads_back_the_same(value: float) -> None:
    text = number_text(value)
    back = read_number(text)
    assert (math.isnan(back) and math.isnan(value)) or (back == value and math.copysign(1, back) == math.copysign(1, value))
    assert "e+" not in text or abs(value) >= 1e21  # 1e16 is 10000000000000000, as a data file writes it


def test_the_other_types_and_json() -> None:
    assert [csv_text(v) for v in (None, True, False, 2015, date(2020, 1, 17), "a,b")] == ["", "true", "false", "2015", "2020-01-17", "a,b"]
    assert [json_value(v) for v in (math.nan, math.inf, date(2020, 1, 17), 1.5)] == [None, None, "2020-01-17", 1.5]
