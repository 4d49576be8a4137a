"""Typed pandas DataFrames, with dtypes taken from the Table Schema only."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.csvtext import cell_error, check_header, decode, first_bad_row, shape_is_regular
from xborder_data.metadata import FieldSpec, TableSchema
from xborder_data.errors import BadCellError
from xborder_data.typed_rows import parse_records
from xborder_data.typemap import FALSE_VALUES, TRUE_VALUES, mapping_for

if TYPE_CHECKING:
    import pandas as pd

# Numbers are parsed by pandas' C reader straight into nullable dtypes.
_READ_AS = {"integer": "Int64", "year": "Int64", "number": "Float64"}
# Dates and booleans are read as text and converted by _cast.
_READ_AS_TEXT = ("date", "boolean")


def _reads_as_category(spec: FieldSpec) -> bool:
    """A text field with a plain list of distinct string choices: the C reader builds the Categorical."""
    return (
        spec.enum is not None
        and spec.type not in _READ_AS
        and spec.type not in _READ_AS_TEXT
        and all(isinstance(choice, str) for choice in spec.enum)
        and len(set(spec.enum)) == len(spec.enum)
    )


def _read_dtype(spec: FieldSpec) -> str:
    if spec.type in _READ_AS:
        return _READ_AS[spec.type]
    if spec.type in _READ_AS_TEXT:
        return "str"
    # Reading text as "string" (or "category") directly saves a full conversion pass.
    return "category" if _reads_as_category(spec) else "string"


def _read_dtypes(schema: TableSchema) -> dict[str, str]:
    return {spec.name: _read_dtype(spec) for spec in schema.fields}


def parse_frame(data: bytes, schema: TableSchema, path: Path) -> "pd.DataFrame":
    """Parse CSV bytes into a DataFrame whose dtypes follow the schema.

    string -> string, integer and year -> Int64, number -> Float64,
    boolean -> boolean, date -> datetime64, any field with an enum -> Categorical.

    Raises:
        HeaderMismatchError, BadCellError: as records.parse_records does, for
        the same inputs.
    """
    import pandas as pd

    newline = data.find(b"\n")
    first_line = data if newline < 0 else data[:newline]  # split() would copy the whole rest
    check_header(next(csv.reader([decode(first_line, path)]), []), schema, path)
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype=_read_dtypes(schema),
            keep_default_na=False,
            na_values=list(schema.missing_values),
            encoding="utf-8",
            encoding_errors="strict",
            skip_blank_lines=False,
        )
    except Exception as error:  # pandas raises many types; find the exact cell the slow, strict way
        raise _locate_error(data, schema, path) or BadCellError(
            f"{path}: cannot be parsed ({type(error).__name__}: {error}); check the CSV quoting."
        ) from None
    if not shape_is_regular(data, len(schema.fields), len(frame)):
        # The fast count can be fooled by a stray quote inside an unquoted cell;
        # the strict parser decides.
        located = _locate_error(data, schema, path)
        if located is not None:
            raise located
    for spec in schema.fields:
        frame[spec.name] = _cast(frame[spec.name], spec, path)
    return frame


def _cast(column: "pd.Series", spec: FieldSpec, path: Path) -> "pd.Series":
    import pandas as pd

    typed_by_reader = spec.type in _READ_AS or (spec.type == "string" and column.dtype == "string")
    if typed_by_reader and spec.enum is None and not spec.required:
        return column  # already typed by the reader: nothing to check, so skip the mask (fixed cost per column)
    present = column.notna()
    if spec.required and not present.all():
        row = int((~present).to_numpy().nonzero()[0][0])
        raise cell_error(path, row + 2, spec.name, "", "is empty but the field is required")
    if spec.type == "date":
        result = pd.to_datetime(column, format="%Y-%m-%d", errors="coerce")
        _raise_first(column, present & result.isna(), spec, path)
        return result.astype(mapping_for("date").pandas)  # type: ignore[call-overload]  # one resolution on every pandas version
    if spec.type == "boolean":
        result = column.map({**dict.fromkeys(TRUE_VALUES, True), **dict.fromkeys(FALSE_VALUES, False)})
        _raise_first(column, present & result.isna(), spec, path)
        return result.astype("boolean")
    if _reads_as_category(spec):
        return _fix_categories(column, spec, path)
    if spec.enum is not None:
        _raise_first(column, present & ~column.isin(spec.enum), spec, path, f"is not one of {sorted(spec.enum)}")
        return column.astype(pd.CategoricalDtype(categories=list(spec.enum)))
    if spec.type in _READ_AS or column.dtype == "string":
        return column
    return column.astype("string")


def _fix_categories(column: "pd.Series", spec: FieldSpec, path: Path) -> "pd.Series":
    """Give a column read as "category" the schema's categories, in the schema's order."""
    import numpy as np

    choices = list(spec.enum or ())
    found = list(column.cat.categories)
    allowed = set(choices)
    unknown = [code for code, value in enumerate(found) if value not in allowed]
    if unknown:
        row = int(np.isin(column.cat.codes.to_numpy(), unknown).nonzero()[0][0])
        raise cell_error(path, row + 2, spec.name, found[int(column.cat.codes.to_numpy()[row])], f"is not one of {sorted(choices)}")
    return column.cat.set_categories(choices)


def _raise_first(column: "pd.Series", bad: "pd.Series", spec: FieldSpec, path: Path, problem: str | None = None) -> None:
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise cell_error(path, row + 2, spec.name, column.iloc[row], problem or f"is not {mapping_for(spec.type).expected}")


def _locate_error(data: bytes, schema: TableSchema, path: Path) -> BadCellError | None:
    """Re-parse strictly to name the file, row, field and value of a failure; None if all is well."""
    text = decode(data, path)
    shape_error = first_bad_row(text, len(schema.fields), path)
    if shape_error is not None:
        return shape_error
    try:
        parse_records(data, schema, path)
    except BadCellError as error:
        return error
    return None
