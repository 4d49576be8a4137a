"""The one table that maps Table Schema types to pandas, SQLite and Arrow.

Every exporter and ``load()`` look types up here; how a cell's text becomes a
value is ``values.py``' concern, and how it becomes text again ``writing.py``'.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TypeMapping:
    """How one Table Schema type is represented in each target."""

    pandas: str
    sqlite: str
    arrow: str


TYPES: dict[str, TypeMapping] = {
    "string": TypeMapping("string", "TEXT", "string"),
    "integer": TypeMapping("Int64", "INTEGER", "int64"),
    "year": TypeMapping("Int64", "INTEGER", "int64"),
    "number": TypeMapping("Float64", "REAL", "float64"),
    "boolean": TypeMapping("boolean", "INTEGER", "bool_"),
    "date": TypeMapping("datetime64[ns]", "TEXT", "date32"),
}


def mapping_for(field_type: str) -> TypeMapping:
    """Return the mapping of a Table Schema type (metadata refuses any other type first)."""
    return TYPES[field_type]
