"""A corruption corpus: each way of breaking a copy raises its own exact error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xborder_data
from xborder_data import (
    BadCellError,
    BrokenReferenceError,
    DescriptorError,
    HeaderMismatchError,
    IntegrityError,
    UnknownResourceError,
    UnsafePathError,
    XborderDataError,
)

from conftest import rehash


def _edit(root: Path, name: str, old: bytes, new: bytes, *, fix_hash: bool = True) -> None:
    path = root / "data" / f"{name}.csv"
    data = path.read_bytes()
    assert old in data, old
    path.write_bytes(data.replace(old, new, 1))
    if fix_hash:
        rehash(root)


def _set_path(root: Path, name: str, value: str) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == name:
            resource["path"] = value
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


# -- bad bytes: caught before parsing ------------------------------------------
def test_a_flipped_byte_fails_the_hash(package_copy: Path) -> None:
    path = package_copy / "data" / "stages.csv"
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match=r"stages\.csv: sha256 is [0-9a-f]{64} but datapackage.json says"):
        xborder_data.open(package_copy).load("stages")


def test_a_truncated_file_fails_the_size_check(package_copy: Path) -> None:
    path = package_copy / "data" / "claims.csv"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(IntegrityError, match=r"claims\.csv: size is \d+ bytes but datapackage.json says \d+ \(truncated"):
        xborder_data.open(package_copy).records("claims")


def test_an_appended_row_fails_the_size_check(package_copy: Path) -> None:
    path = package_copy / "data" / "drivers.csv"
    path.write_bytes(path.read_bytes() + b"extra_driver,4,Extra,Extra,article\n")
    with pytest.raises(IntegrityError, match="drivers.csv: size is"):
        xborder_data.open(package_copy).load("drivers")


def test_the_integrity_check_can_be_turned_off(package_copy: Path) -> None:
    path = package_copy / "data" / "drivers.csv"
    path.write_bytes(path.read_bytes() + b"extra_driver,4,Extra,Extra driver,article\n")
    frame = xborder_data.open(package_copy).load("drivers", verify_integrity=False)
    assert frame["driver_id"].tolist()[-1] == "extra_driver"


# -- structure -----------------------------------------------------------------
def test_a_wrong_header_names_missing_and_unexpected_columns(package_copy: Path) -> None:
    _edit(package_copy, "drivers", b"driver_id,ordinal", b"driver,ordinal")
    with pytest.raises(HeaderMismatchError, match=r"row 1 \(header\): missing \['driver_id'\]; unexpected \['driver'\]"):
        xborder_data.open(package_copy).load("drivers")


def test_columns_out_of_order_are_refused(package_copy: Path) -> None:
    _edit(package_copy, "drivers", b"driver_id,ordinal", b"ordinal,driver_id")
    with pytest.raises(HeaderMismatchError, match="columns out of order"):
        xborder_data.open(package_copy).records("drivers")


def test_a_short_row_is_refused_by_both_readers(package_copy: Path) -> None:
    _edit(package_copy, "drivers", b",article\nb2b_growth", b"\nb2b_growth")
    package = xborder_data.open(package_copy)
    with pytest.raises(BadCellError, match=r"drivers\.csv, row 2"):
        package.load("drivers")
    with pytest.raises(BadCellError, match=r"drivers\.csv, row 2"):
        package.records("drivers")


# -- bad cells, one per type ---------------------------------------------------
BAD_CELLS = [
    ("stages", b"1999,2003", b"199x,2003", "start_year", "'199x' is not a year"),
    ("drivers", b"government_support,1,", b"government_support,one,", "ordinal", "'one' is not an integer"),
    ("market_figures", b",559,exact", b",5.5.9,exact", "value", "'5.5.9' is not a number"),
    ("policies", b"2014-07-23", b"2014-07-32", "issue_date", "'2014-07-32' is not a date"),
    ("market_figures", b",usd_billion,", b",usd_trillion,", "unit", "'usd_trillion' is not one of"),
    ("stages", b'1.0,Cross-border e-commerce 1.0', b',Cross-border e-commerce 1.0', "stage_id", "is empty but the field is required"),
]


@pytest.mark.parametrize(("name", "old", "new", "field", "problem"), BAD_CELLS, ids=[c[3] for c in BAD_CELLS])
def test_a_bad_cell_names_file_row_field_and_value(package_copy: Path, name: str, old: bytes, new: bytes, field: str, problem: str) -> None:
    _edit(package_copy, name, old, new)
    package = xborder_data.open(package_copy)
    pattern = rf"{name}\.csv, row \d+, field '{field}': value .*{problem}.*correct the cell"
    with pytest.raises(BadCellError, match=pattern):
        package.load(name)
    with pytest.raises(BadCellError, match=pattern):
        package.records(name)


def test_a_boolean_cell_is_checked(package_copy: Path) -> None:
    schema_path = package_copy / "schemas" / "drivers.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"][1]["type"] = "boolean"
    schema["fields"][1].pop("constraints")
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(BadCellError, match=r"row 3, field 'ordinal': value '2' is not a boolean \(true, True, TRUE, 1, false, False, FALSE, 0\)"):
        xborder_data.open(package_copy).load("drivers")


def test_a_dangling_foreign_key_is_reported(package_copy: Path) -> None:
    _edit(package_copy, "market_figures", b",b2b_growth,unverified", b",b2b_boom,unverified")
    package = xborder_data.open(package_copy)
    package.load("market_figures")  # types are fine; references are checked on request
    with pytest.raises(BrokenReferenceError, match=r"field 'driver_id': value 'b2b_boom' matches no 'driver_id' in resource 'drivers'"):
        package.load("market_figures", check_references=True)
    report = package.validate()
    assert not report.valid
    assert any(issue.type == "foreign-key" for issue in report.errors)


# -- unsafe paths: refused before anything is read -----------------------------
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("/etc/passwd", "is absolute"),
        ("data/../../outside.csv", "contains '..'"),
        ("https://example.org/stages.csv", "is a URL"),
    ],
)
def test_unsafe_paths_are_refused(package_copy: Path, value: str, problem: str) -> None:
    _set_path(package_copy, "stages", value)
    with pytest.raises(UnsafePathError, match=rf"resource 'stages': path '{value}' {problem}"):
        xborder_data.open(package_copy).load("stages")


def test_a_symlink_out_of_the_package_is_refused(package_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_bytes((package_copy / "data" / "stages.csv").read_bytes())
    link = package_copy / "data" / "stages.csv"
    link.unlink()
    os.symlink(outside, link)
    with pytest.raises(UnsafePathError, match="outside .* \\(a symlink\\?\\)"):
        xborder_data.open(package_copy).load("stages")


# -- missing pieces ------------------------------------------------------------
def test_a_missing_file_is_named(package_copy: Path) -> None:
    (package_copy / "data" / "errata.csv").unlink()
    with pytest.raises(DescriptorError, match=r"errata\.csv: data file of resource 'errata' not found"):
        xborder_data.open(package_copy).load("errata")


def test_an_invalid_json_descriptor_gives_line_and_column(package_copy: Path) -> None:
    (package_copy / "datapackage.json").write_text('{"name": "x",', encoding="utf-8")
    with pytest.raises(DescriptorError, match=r"datapackage\.json: not valid JSON \(line 1, column \d+"):
        xborder_data.open(package_copy)


def test_a_missing_descriptor_is_named(tmp_path: Path) -> None:
    with pytest.raises(DescriptorError, match=r"datapackage\.json: file not found"):
        xborder_data.open(tmp_path)


def test_an_unknown_resource_lists_the_valid_names() -> None:
    with pytest.raises(UnknownResourceError, match="unknown resource 'stage'; did you mean 'stages'\\? valid names are: stages, stage_features"):
        xborder_data.load("stage")
    with pytest.raises(KeyError):  # also a KeyError, for dict-like callers
        xborder_data.records("nope")


# -- property: random damage is either harmless or an XborderDataError ---------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), replacement=st.binary(min_size=1, max_size=4))
def test_random_bytes_give_the_right_data_or_a_project_error(package_copy: Path, position: int, replacement: bytes) -> None:
    original = (package_copy / "data" / "policies.csv").read_bytes()
    position %= len(original)
    damaged = original[:position] + replacement + original[position + len(replacement):]
    (package_copy / "data" / "policies.csv").write_bytes(damaged)
    try:
        for verify in (True, False):
            package = xborder_data.open(package_copy)
            try:
                frame = package.load("policies", verify_integrity=verify)
                rows = package.records("policies", verify_integrity=verify)
            except XborderDataError:
                continue
            if verify or damaged == original:
                assert rows == xborder_data.records("policies")
            assert len(frame) == len(rows)
    finally:
        (package_copy / "data" / "policies.csv").write_bytes(original)


def test_a_stray_quote_inside_a_cell_reads_the_same_in_both_readers(package_copy: Path) -> None:
    _edit(package_copy, "drivers", b"Growth of mobile", b'Growth of "mobile')
    package = xborder_data.open(package_copy)
    frame = package.load("drivers")
    rows = package.records("drivers")
    assert frame["name_en"].tolist() == [r["name_en"] for r in rows]
    assert rows[2]["name_en"] == 'Growth of "mobile e-commerce'
