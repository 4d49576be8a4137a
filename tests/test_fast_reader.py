"""The fast path (pyarrow) against the strict reader: the same frame, or the strict reader's error.

``fast_frame`` may answer only when it read exactly what ``read_table`` would;
otherwise it returns None and the strict reader runs. Every case here is read
both ways with the size threshold forced to 0. Longer run for maintainers:
``XBORDER_DIFF_EXAMPLES=5000 uv run pytest tests/test_fast_reader.py``.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xborder_data
from xborder_data.tableschema import fast
from xborder_data.tableschema.frames import to_frame
from xborder_data.tableschema.table import read_table

from conftest import write_package

EXAMPLES = int(os.environ.get("XBORDER_DIFF_EXAMPLES", "200"))

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "pattern": "[a-z]{2}-[0-9]+"}},
        {"name": "n", "type": "integer", "constraints": {"minimum": -5}},
        {"name": "x", "type": "number"},
        {"name": "y", "type": "year", "constraints": {"minimum": 1900, "maximum": 2100}},
        {"name": "d", "type": "date"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b", "c"]}},
        {"name": "u", "type": "string", "format": "uri"},
        {"name": "t", "type": "string", "constraints": {"maxLength": 12}},
        {"name": "b", "type": "boolean"},
        {"name": "s", "type": "string"},
        {"name": "z", "type": "number"},
        {"name": "g", "type": "string", "constraints": {"pattern": "^([A-Z]{2}|001)$"}},
    ],
    "primaryKey": ["id"],
    "uniqueKeys": [["n", "x"]],
}


def outcome(fn: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn())
    except Exception as error:  # noqa: BLE001 - the outcome is the thing compared
        return ("err", type(error).__name__, str(error), getattr(error, "row_number", None), getattr(error, "field_name", None))


def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes)
    for column in a.columns:
        assert type(a[column].array) is type(b[column].array), column
        if a[column].dtype == "Float64":  # 0.0 and -0.0 compare equal; their signs must agree too
            import numpy as np

            assert np.array_equal(np.signbit(a[column].array._data), np.signbit(b[column].array._data))


def both_ways(tmp_path: Path, data: bytes, schema: dict[str, Any] = SCHEMA) -> tuple[str, Any]:
    """Read ``data`` with the strict reader and with the fast path (threshold 0) through load(); compare."""
    root = write_package(tmp_path, {"t": (data, schema)})
    package = xborder_data.open(root)
    spec = package.resource("t")
    strict = outcome(lambda: to_frame(read_table(package.read_bytes("t"), spec, package.path("t")), spec.schema))
    quick = fast.fast_frame(package.read_bytes("t"), spec, min_bytes=0)
    if quick is not None:
        assert strict[0] == "ok", ("fast path accepted what the strict reader refuses", strict)
        assert_same_frame(quick, strict[1])
    # and load() itself, forced onto the fast path, answers as the strict reader
    old = fast.MIN_BYTES
    fast.MIN_BYTES = 0
    try:
        through = outcome(lambda: xborder_data.open(root).load("t"))
    finally:
        fast.MIN_BYTES = old
    assert through[0] == strict[0], (through, strict)
    if strict[0] == "ok":
        assert_same_frame(through[1], strict[1])
    else:
        assert through == strict
    return ("fast" if quick is not None else "strict"), strict


def table(rows: list[list[str]], header: list[str] | None = None, ending: str = "\n", quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=ending, quoting=quoting)
    writer.writerow(header or [f["name"] for f in SCHEMA["fields"]])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def row(i: int, **cells: str) -> list[str]:
    base = {"id": f"ab-{i}", "n": str(i), "x": f"{i}.5", "y": "2013", "d": "2014-07-03", "kind": "abc"[i % 3],
            "u": "https://example.org/", "t": "short", "b": "true", "s": f"text {i}", "z": "1", "g": "CN"}
    base.update(cells)
    return [base[f["name"]] for f in SCHEMA["fields"]]


GOOD = [row(i) for i in range(20)]


def test_the_spelled_out_whitespace_is_pythons() -> None:
    import re

    assert fast.PY_SPACE == "".join(chr(c) for c in range(0x110000) if re.match(r"\s", chr(c)))


def test_valid_table_takes_the_fast_path(tmp_path: Path) -> None:
    route, result = both_ways(tmp_path, table(GOOD))
    assert result[0] == "ok" and route == "fast"


def test_small_files_keep_the_strict_path(tmp_path: Path) -> None:
    root = write_package(tmp_path, {"t": (table(GOOD), SCHEMA)})
    package = xborder_data.open(root)
    assert fast.fast_frame(package.read_bytes("t"), package.resource("t")) is None


def with_cell(field: str, text: str) -> list[list[str]]:
    return GOOD[:5] + [row(5, **{field: text})] + GOOD[6:]


REGRESSIONS: dict[str, bytes] = {
    "silent column shift": table(GOOD[:3]) + b"ab-99,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,s,1\n",
    "extra cell": table(GOOD[:3]) + b"ab-99,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,s,1,CN,extra\n",
    "1.0 in an integer field": table(with_cell("n", "1.0")),
    "+5 in an integer field": table(with_cell("n", "+5")),
    "int64 overflow": table(with_cell("n", "9223372036854775808")),
    "NaN": table(with_cell("z", "NaN")),
    "INF": table(with_cell("z", "INF")),
    "-INF": table(with_cell("z", "-INF")),
    "nan": table(with_cell("z", "nan")),
    "inf": table(with_cell("z", "inf")),
    "Infinity": table(with_cell("z", "Infinity")),
    "+1.5": table(with_cell("z", "+1.5")),
    "1e400": table(with_cell("z", "1e400")),
    "-0.0": table(with_cell("z", "-0.0")),
    "-0.0 in a key": table(with_cell("x", "-0.0")),
    "NaN in a key": table(with_cell("x", "NaN")),
    "-0.0 and 0.0 in a unique key": table(GOOD[:3] + [row(3, n="7", x="0.0"), row(4, n="7", x="-0.0")]),
    "text after closing quote": table(GOOD[:3]) + b'"ab-1"def,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,s,1,CN\n',
    "quote inside unquoted cell": table(GOOD[:3]) + b'ab-9,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,a"b,1,CN\n',
    "CR-only line endings": table(GOOD, ending="\r"),
    "CRLF line endings": table(GOOD, ending="\r\n"),
    "BOM": b"\xef\xbb\xbf" + table(GOOD),
    "blank line in the middle": table(GOOD[:3]) + b"\n" + table(GOOD[3:]).split(b"\n", 1)[1],
    "trailing blank line": table(GOOD) + b"\n",
    "blank row of empty cells": table(GOOD[:3]) + b"," * 11 + b"\n",
    "long cell": table(with_cell("s", "x" * 131_073)),
    "long cell at the limit": table(with_cell("s", "é" * 70_000)),
    "pattern broken": table(with_cell("id", "AB-1")),
    "pattern with a final newline": table(with_cell("id", "ab-1\n")),
    "anchored pattern with a final newline": table(with_cell("g", "CN\n")),
    "anchored alternation": table(with_cell("g", "001")),
    "anchored alternation broken": table(with_cell("g", "0011")),
    "anchored pattern lower case": table(with_cell("g", "cn")),
    "enum broken": table(with_cell("kind", "d")),
    "enum missing": table(with_cell("kind", "")),
    "repeated primary key": table(GOOD + [row(3)]),
    "missing primary key": table(with_cell("id", "")),
    "repeated unique key": table(GOOD[:3] + [row(3, n="1", x="1.5")]),
    "quoted newline": table(with_cell("s", "two\nlines\r\nand\rmore")),
    "quoted newline everywhere": table(GOOD, quoting=csv.QUOTE_ALL).replace(b"text", b"te\nxt"),
    "quote all": table(GOOD, quoting=csv.QUOTE_ALL),
    "no final newline": table(GOOD).rstrip(b"\n"),
    "unterminated quote": table(GOOD) + b'"ab-77,1',
    "invalid utf-8": table(GOOD[:3]) + b"ab-9,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,\xff,1,CN\n",
    "impossible day": table(with_cell("d", "2014-02-30")),
    "date out of range": table(with_cell("d", "1600-01-01")),
    "NaN below a minimum": table(with_cell("n", "NaN")),
    "year below minimum": table(with_cell("y", "1899")),
    "uri with unicode space": table(with_cell("u", "https://x.org/\u3000a")),
    "uri with \\x1c": table(with_cell("u", "https://x.org/\x1ca")),
    "maxLength in code points": table(with_cell("t", "é" * 12)),
    "maxLength exceeded": table(with_cell("t", "é" * 13)),
    "boolean broken": table(with_cell("b", "yes")),
    "header reordered": table(GOOD, header=["n", "id"] + [f["name"] for f in SCHEMA["fields"]][2:]),
    "header only": table([]),
    "spaces in a number": table(with_cell("n", " 42")),
    "non-ASCII digits": table(with_cell("n", "٤٢")),
    "NUL byte": table(with_cell("s", "a\x00b")),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regression_cases_agree(tmp_path: Path, name: str) -> None:
    both_ways(tmp_path, REGRESSIONS[name])


def test_fast_path_answers_the_ordinary_odd_cases(tmp_path: Path) -> None:
    """NaN, INF, -0.0, +5, CR-only and quoted newlines are read by the fast path itself, not only routed away."""
    for name in ("NaN", "-INF", "-0.0", "+5 in an integer field", "CR-only line endings", "quoted newline", "quote all", "anchored alternation"):
        route, result = both_ways(tmp_path / name.replace(" ", "_"), REGRESSIONS[name])
        assert result[0] == "ok" and route == "fast", name


NASTY = st.sampled_from([
    "", " ", "0", "-0", "+5", "1.0", "1e3", ".5", "5.", "NaN", "nan", "INF", "-INF", "inf", "1e400", "-0.0", "0.0",
    "2013", "0999", "2014-07-03", "2014-02-30", "2262-04-12", "a", "b", "d", "true", "0", "yes", "ab-1", "AB-1",
    "https://x.org/", "x:y", "x: y", '"', '""', "a,b", "a\nb", "\r", "é" * 13, "\u3000", "\x00", "٤",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809",
])
MUTATIONS = st.sampled_from([b'"', b'""', b"\r", b"\n", b"\n\n", b",", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xed\xa0\x80", b""])


@st.composite
def tables(draw: st.DrawFn) -> bytes:
    count = draw(st.integers(1, 12))
    rows = [row(i) for i in range(count)]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, count - 1))
        c = draw(st.integers(0, len(SCHEMA["fields"]) - 1))
        rows[r][c] = draw(NASTY | st.text(max_size=6))
    data = table(rows, ending=draw(st.sampled_from(["\n", "\r\n", "\r"])),
                 quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 2))
        data = data[:at] + draw(MUTATIONS) + data[at + cut:]
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=tables())
def test_fast_and_strict_agree_on_generated_tables(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    both_ways(tmp_path_factory.mktemp("diff"), data)
