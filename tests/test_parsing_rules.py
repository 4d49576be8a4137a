"""One set of parsing rules: load(), records() and frictionless compared on generated CSVs.

The oracles are independent of the loader: frictionless reads the same bytes
with its own parser, and the spec's examples pin the lexical forms. The rules
are stricter than frictionless in documented places (README, "Parsing rules"),
so the comparison is one-way: whatever the loader accepts, frictionless accepts
with equal values; whatever frictionless refuses, the loader refuses.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import xborder_data
from xborder_data import BadCellError, DescriptorError, HeaderMismatchError, XborderDataError

from conftest import write_package

TYPES = ("string", "integer", "number", "boolean", "date", "year")

# Lexical forms worth trying per type: valid ones from the spec, and the forms
# on which readers are known to disagree.
TRICKY = {
    "integer": ["0", "42", "-7", "+3", "1.0", "1e3", " 42 ", "1_000", "٤٢", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0x1F", ""],
    "number": ["5.5", "-0.25", ".5", "1.", "1e3", "1E-2", "NaN", "INF", "-INF", "nan", "inf", "Infinity", "1_000.5", "١٫٥", " 1.5", "1e999", "--1", ""],
    "boolean": ["true", "false", "True", "FALSE", "1", "0", "yes", "t", " true", ""],
    "date": ["2014-07-03", "2014-7-3", "1600-01-01", "2262-04-11", "2262-04-12", "1677-09-22", "2014-02-30", "20140703", "2014-07-03T00:00:00", ""],
    "year": ["2013", "0999", "13", "20133", "+2013", "٢٠١٣", ""],
    "string": ["plain", "with, comma", 'with "quote"', "multi\nline", "cr\rinside", "  padded  ", "", "=SUM(A1)", "\x1b[31mred", "汉字"],
}


def _expected_equal(ours: Any, theirs: Any) -> bool:
    if ours is None:
        return theirs is None
    if isinstance(ours, float):
        value = float(theirs) if isinstance(theirs, (Decimal, int, float)) else math.nan
        return (math.isnan(ours) and math.isnan(value)) or ours == value
    return ours == theirs and type(ours) is type(theirs)


@st.composite
def tables(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    """A schema of 1–4 fields and CSV bytes that mostly, but not always, follow it."""
    width = draw(st.integers(1, 4))
    kinds = [draw(st.sampled_from(TYPES)) for _ in range(width)]
    fields = [{"name": f"f{i}", "type": kind} for i, kind in enumerate(kinds)]
    if draw(st.booleans()):
        fields[0]["constraints"] = {"required": True}
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(field["name"] for field in fields)]
    for _ in range(draw(st.integers(0, 5))):
        cells = []
        for kind in kinds:
            cell = draw(st.one_of(st.sampled_from(TRICKY[kind]), st.text(max_size=6)))
            if draw(st.integers(0, 9)) == 0:
                cells.append(cell)  # written raw: may break the quoting on purpose
            else:
                cells.append('"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell)
        shape = draw(st.integers(0, 19))
        if shape == 0 and cells:
            cells.pop()  # a short row
        elif shape == 1:
            cells.append("EXTRA")  # a long row
        lines.append(",".join(cells))
    text = terminator.join(lines) + (terminator if draw(st.booleans()) else "")
    return text.encode("utf-8", "surrogatepass"), {"fields": fields}


def _package(tmp_path: Path, data: bytes, schema: dict[str, Any]) -> xborder_data.Package:
    root = tmp_path / f"p{abs(hash((data, str(schema))))}"
    if not root.exists():
        write_package(root, {"t": (data, schema)})
    return xborder_data.open(root)


def _frictionless_resource(root: Path, schema: dict[str, Any]) -> Any:
    import frictionless

    return frictionless.Resource(path="data/t.csv", basepath=str(root), schema=frictionless.Schema.from_descriptor(schema))


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return "ok", call()
    except XborderDataError as error:
        return "error", (type(error), error.row_number, error.field_name)


def _frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's cells as plain Python values, for comparing with records()."""
    rows = []
    for record in frame.astype(object).to_dict("records"):
        row = {}
        for key, value in record.items():
            if value is pd.NA or value is pd.NaT:
                row[key] = None
            elif isinstance(value, pd.Timestamp):
                row[key] = value.date()
            elif hasattr(value, "item"):
                row[key] = value.item()
            else:
                row[key] = value
        rows.append(row)
    return rows


def _same(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> bool:
    return len(left) == len(right) and all(
        a.keys() == b.keys() and all(_expected_equal(a[k], b[k]) for k in a) for a, b in zip(left, right)
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=tables())
def test_load_and_records_agree_or_refuse_alike(tmp_path: Path, case: tuple[bytes, dict[str, Any]]) -> None:
    data, schema = case
    package = _package(tmp_path, data, schema)
    records = _outcome(lambda: package.records("t"))
    frame = _outcome(lambda: package.load("t"))
    assert records[0] == frame[0], (records, frame)
    event(f"both {records[0]}")
    if records[0] == "error":
        assert records[1] == frame[1]  # same class, same row, same field
    else:
        assert _same(_frame_rows(frame[1]), records[1])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=tables())
def test_what_the_loader_accepts_frictionless_reads_alike(tmp_path: Path, case: tuple[bytes, dict[str, Any]]) -> None:
    import frictionless

    data, schema = case
    package = _package(tmp_path, data, schema)
    ours = _outcome(lambda: package.records("t"))
    report = _frictionless_resource(package.root, schema).validate()
    if not report.valid:
        assert ours[0] == "error", report.flatten(["rowNumber", "fieldName", "type"])
        event("both refuse")
        return
    event(f"frictionless accepts, the loader {'accepts' if ours[0] == 'ok' else 'refuses'}")
    if ours[0] == "ok":
        with _frictionless_resource(package.root, schema) as source:
            theirs = [row.to_dict() for row in source.row_stream]
        assert _same(ours[1], theirs)


# -- the spec's lexical forms, one by one ---------------------------------------
CASES = [
    ("integer", "42", 42),
    ("integer", "-7", -7),
    ("integer", "1.0", None),
    ("integer", "1e3", None),
    ("integer", " 42 ", None),
    ("integer", "99999999999999999999", None),
    ("number", "1e3", 1000.0),
    ("number", "INF", math.inf),
    ("number", "-INF", -math.inf),
    ("number", "1_000", None),
    ("number", "١٫٥", None),
    ("date", "2014-07-03", date(2014, 7, 3)),
    ("date", "2014-7-3", None),
    ("date", "1600-01-01", None),
    ("year", "2013", 2013),
    ("boolean", "TRUE", True),
    ("boolean", "0", False),
    ("boolean", "yes", None),
]


@pytest.mark.parametrize(("kind", "text", "value"), CASES)
def test_each_lexical_form_reads_the_same_in_both_readers(tmp_path: Path, kind: str, text: str, value: Any) -> None:
    data = f"id,v\na,{text}\n".encode()
    package = xborder_data.open(write_package(tmp_path, {"t": (data, {"fields": [{"name": "id"}, {"name": "v", "type": kind}]})}))
    if value is None:
        for read in (package.records, package.load):
            with pytest.raises(BadCellError) as caught:
                read("t")
            assert (caught.value.row_number, caught.value.field_name, caught.value.cell) == (2, "v", text)
    else:
        assert package.records("t")[0]["v"] == value
        cell = package.load("t")["v"].iloc[0]
        assert (cell.date() if kind == "date" else cell) == value


def test_nan_stays_a_number_and_only_a_blank_is_missing(tmp_path: Path) -> None:
    data = b"id,v\na,NaN\nb,\n"
    package = xborder_data.open(write_package(tmp_path, {"t": (data, {"fields": [{"name": "id"}, {"name": "v", "type": "number"}]})}))
    column = package.load("t")["v"]
    assert math.isnan(column.array._data[0]) and not column.array._mask[0]
    assert column.isna().tolist() == [False, True]
    assert math.isnan(package.records("t")[0]["v"]) and package.records("t")[1]["v"] is None


def test_the_silent_shift_is_refused_at_its_row(tmp_path: Path) -> None:
    data = b"id,name,note\nA,Alpha,first,EXTRA\nB,Beta\nC,Gamma,third\n"
    package = xborder_data.open(write_package(tmp_path, {"t": (data, {"fields": [{"name": n} for n in ("id", "name", "note")]})}))
    for read in (package.records, package.load):
        with pytest.raises(BadCellError, match=r"row 2: has 4 cells but the schema has 3 fields") as caught:
            read("t")
        assert caught.value.row_number == 2


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending_reads_alike(tmp_path: Path, ending: bytes) -> None:
    data = ending.join([b"id,v", b"a,1", b'"b\nc",2', b""])
    package = xborder_data.open(write_package(tmp_path, {"t": (data, {"fields": [{"name": "id"}, {"name": "v", "type": "integer"}]})}))
    assert package.records("t") == [{"id": "a", "v": 1}, {"id": "b\nc", "v": 2}]
    assert package.load("t")["v"].tolist() == [1, 2]


def test_a_quote_inside_an_unquoted_cell_is_refused(tmp_path: Path) -> None:
    data = b'id,v\n"abc"def,1\n'
    package = xborder_data.open(write_package(tmp_path, {"t": (data, {"fields": [{"name": "id"}, {"name": "v", "type": "integer"}]})}))
    for read in (package.records, package.load):
        with pytest.raises(BadCellError, match="row 2: malformed CSV"):
            read("t")


# -- the schema is enforced where the data is read ------------------------------
CONSTRAINTS = [
    ({"type": "integer", "constraints": {"minimum": 2}}, "1", "below the minimum 2"),
    ({"type": "integer", "constraints": {"maximum": 2}}, "3", "above the maximum 2"),
    ({"type": "date", "constraints": {"minimum": "2000-01-01"}}, "1999-12-31", "below the minimum"),
    ({"type": "string", "constraints": {"pattern": "[a-z]+"}}, "ABC", "does not match the pattern"),
    ({"type": "string", "constraints": {"minLength": 3}}, "ab", "shorter than 3"),
    ({"type": "string", "constraints": {"maxLength": 1}}, "ab", "longer than 1"),
    ({"type": "integer", "constraints": {"enum": [1, 2]}}, "3", "is not one of"),
    ({"type": "string", "constraints": {"required": True}}, "", "is empty but the field is required"),
]


@pytest.mark.parametrize(("field", "text", "problem"), CONSTRAINTS, ids=[c[2] for c in CONSTRAINTS])
def test_constraints_are_enforced_by_both_readers_as_frictionless_does(tmp_path: Path, field: dict, text: str, problem: str) -> None:
    import frictionless

    schema = {"fields": [{"name": "id"}, {"name": "v", **field}]}
    root = write_package(tmp_path, {"t": (f"id,v\na,{text}\n".encode(), schema)})
    assert not _frictionless_resource(root, schema).validate().valid
    package = xborder_data.open(root)
    for read in (package.records, package.load):
        with pytest.raises(BadCellError, match=problem) as caught:
            read("t")
        assert (caught.value.row_number, caught.value.field_name) == (2, "v")


def test_an_integer_enum_accepts_its_members(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "v", "type": "integer", "constraints": {"enum": [1, 2]}}]}
    package = xborder_data.open(write_package(tmp_path, {"t": (b"v\n1\n2\n", schema)}))
    assert [row["v"] for row in package.records("t")] == [1, 2]
    assert package.load("t")["v"].tolist() == [1, 2]


@pytest.mark.parametrize("key", ["id", ["id"], ["id", "part"]])
def test_a_repeated_primary_key_is_refused_in_any_form(tmp_path: Path, key: Any) -> None:
    schema = {"fields": [{"name": "id"}, {"name": "part", "type": "integer"}], "primaryKey": key}
    package = xborder_data.open(write_package(tmp_path, {"t": (b"id,part\na,1\nb,1\na,1\n", schema)}))
    for read in (package.records, package.load):
        with pytest.raises(BadCellError, match="row 4, field .*repeats row 2 but the primary key must be unique") as caught:
            read("t")
        assert caught.value.row_number == 4


def test_a_duplicated_stage_id_is_refused(package_copy: Path) -> None:
    from conftest import rehash

    path = package_copy / "data" / "stages.csv"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:2] + [lines[1]] + lines[2:]))
    rehash(package_copy)
    with pytest.raises(BadCellError, match="field stage_id: value '1.0' repeats row 2"):
        xborder_data.open(package_copy).load("stages")


def test_true_false_and_missing_values_are_read_per_field(tmp_path: Path) -> None:
    schema = {
        "missingValues": ["", "NA"],
        "fields": [
            {"name": "b", "type": "boolean", "trueValues": ["ja"], "falseValues": ["nein"]},
            {"name": "n", "type": "integer", "missingValues": ["-"]},
            {"name": "s"},
        ],
    }
    package = xborder_data.open(write_package(tmp_path, {"t": (b"b,n,s\nja,-,NA\nnein,3,x\n", schema)}))
    assert package.records("t") == [{"b": True, "n": None, "s": None}, {"b": False, "n": 3, "s": "x"}]
    assert _frame_rows(package.load("t")) == package.records("t")


def test_a_missing_value_listed_in_a_schema_blanks_only_what_it_says(tmp_path: Path) -> None:
    schema = {"missingValues": ["", "CN"], "fields": [{"name": "id"}, {"name": "country"}]}
    package = xborder_data.open(write_package(tmp_path, {"t": (b"id,country\na,CN\nb,US\n", schema)}))
    assert [row["country"] for row in package.records("t")] == [None, "US"]


@pytest.mark.parametrize("fields", ["source_id", ["source_id"]])
def test_foreign_keys_work_in_string_and_list_form(tmp_path: Path, fields: Any) -> None:
    child = {"fields": [{"name": "source_id"}], "foreignKeys": [{"fields": fields, "reference": {"resource": "parent", "fields": fields}}]}
    parent = {"fields": [{"name": "source_id"}], "primaryKey": "source_id"}
    root = write_package(tmp_path, {"child": (b"source_id\na\nz\n", child), "parent": (b"source_id\na\n", parent)})
    package = xborder_data.open(root)
    with pytest.raises(XborderDataError, match="row 3, field 'source_id': value 'z' matches no 'source_id'"):
        package.check_references("child")
    report = package.validate()
    assert not report.valid and any(issue.row == 3 for issue in report.errors)


def test_a_composite_foreign_key_compares_every_part(tmp_path: Path) -> None:
    child = {
        "fields": [{"name": "a"}, {"name": "b", "type": "integer"}],
        "foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "parent", "fields": ["a", "b"]}}],
    }
    parent = {"fields": [{"name": "a"}, {"name": "b", "type": "integer"}], "primaryKey": ["a", "b"]}
    root = write_package(tmp_path, {"child": (b"a,b\nx,1\nx,2\n", child), "parent": (b"a,b\nx,1\ny,2\n", parent)})
    with pytest.raises(XborderDataError, match=r"row 3, field 'a', 'b': value \('x', 2\) matches no"):
        xborder_data.open(root).check_references("child")


UNSUPPORTED = [
    ({"name": "v", "type": "datetime"}, "has type 'datetime'"),
    ({"name": "v", "type": "string", "format": "email"}, "has format 'email'"),
    ({"name": "v", "type": "number", "groupChar": ","}, "uses \\['groupChar'\\]"),
    ({"name": "v", "type": "number", "bareNumber": False}, "bareNumber false"),
    ({"name": "v", "type": "date", "format": "%d/%m/%Y"}, "has format '%d/%m/%Y'"),
    ({"name": "v", "constraints": {"jsonSchema": {}}}, "constraints \\['jsonSchema'\\]"),
    ({"name": "v", "type": "integer", "constraints": {"pattern": "[0-9]+"}}, "checks on strings only"),
]


@pytest.mark.parametrize(("field", "problem"), UNSUPPORTED, ids=[p for _, p in UNSUPPORTED])
def test_an_unsupported_property_is_refused_not_ignored(tmp_path: Path, field: dict, problem: str) -> None:
    root = write_package(tmp_path, {"t": (b"v\n1\n", {"fields": [field]})})
    with pytest.raises(DescriptorError, match=problem):
        xborder_data.open(root)


def test_a_header_that_differs_is_refused_by_both_readers(tmp_path: Path) -> None:
    package = xborder_data.open(write_package(tmp_path, {"t": (b"v,w\n1,2\n", {"fields": [{"name": "w"}, {"name": "v"}]})}))
    for read in (package.records, package.load):
        with pytest.raises(HeaderMismatchError, match="columns out of order"):
            read("t")


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="0123456789+-.eE:/aZ_ \t\n\x00\x7f\x85\xa0\u3000\u0663", max_size=12) | st.sampled_from(sum(TRICKY.values(), [])))
def test_the_fast_paths_re2_rules_accept_exactly_what_the_types_rules_accept(text: str) -> None:
    """Two engines as each other's oracle: Python's re on the types' rules, RE2 (pyarrow) on rules.py's translations."""
    import re

    import pyarrow as pa
    import pyarrow.compute as pc

    from xborder_data.tableschema import rules
    from xborder_data.tableschema.types import DATE, INTEGER, NUMBER, STRING, YEAR

    assert rules.RULES_MATCH
    pairs = ((INTEGER, "default", rules.RE_INTEGER), (NUMBER, "default", rules.RE_NUMBER), (YEAR, "default", rules.RE_YEAR),
             (DATE, "default", rules.RE_DATE), (STRING, "uri", rules.RE_URI))
    for kind, fmt, re2 in pairs:
        python = re.fullmatch(kind.rules[fmt], text, kind.flags) is not None
        assert pc.match_substring_regex(pa.array([text], pa.string()), re2)[0].as_py() is python, (kind.name, fmt, text)
