"""The one table that maps Table Schema types to pandas, SQLite, Arrow and Python.

Every exporter and both readers look types up here; nothing else decides a type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")


def parse_integer(text: str) -> int:
    """Parse a Table Schema integer (digits with an optional sign)."""
    if not _INTEGER.fullmatch(text):
        raise ValueError(text)
    return int(text)


def parse_number(text: str) -> float:
    """Parse a Table Schema number (decimal, exponent, NaN or INF)."""
    if text != text.strip() or not text:
        raise ValueError(text)
    return float(text)


def parse_boolean(text: str) -> bool:
    """Parse a Table Schema boolean with the default true and false values."""
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValueError(text)


def parse_date(text: str) -> date:
    """Parse a Table Schema date in its default format, YYYY-MM-DD."""
    if not _DATE.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


@dataclass(frozen=True)
class TypeMapping:
    """How one Table Schema type is represented in each target."""

    pandas: str
    sqlite: str
    arrow: str
    python: Callable[[str], object]
    expected: str


TYPES: dict[str, TypeMapping] = {
    "string": TypeMapping("string", "TEXT", "string", str, "text"),
    "integer": TypeMapping("Int64", "INTEGER", "int64", parse_integer, "an integer such as 42"),
    "year": TypeMapping("Int64", "INTEGER", "int64", parse_integer, "a year such as 2013"),
    "number": TypeMapping("Float64", "REAL", "float64", parse_number, "a number such as 5.5"),
    "boolean": TypeMapping("boolean", "INTEGER", "bool_", parse_boolean, "true or false"),
    "date": TypeMapping("datetime64[ns]", "TEXT", "date32", parse_date, "a date as YYYY-MM-DD"),
}


def mapping_for(field_type: str) -> TypeMapping:
    """Return the mapping of a Table Schema type; unknown types are read as text."""
    return TYPES.get(field_type, TYPES["string"])
