"""How each Table Schema type reads its lexical forms: the one set of rules.

Both readers (``records()`` and ``load()``) cast every cell through these
functions, so they cannot disagree. The forms follow Table Schema v2. Where the
spec leaves room, the rules are stricter than frictionless and say so in
README's "Parsing rules": a cell frictionless would repair (``" 42 "``,
``1_000``, ``2014-7-3``, non-ASCII digits) is refused here, never guessed.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Callable

# int64: what pandas' Int64, SQLite and Arrow can all hold.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# datetime64[ns], the dtype load() gives dates.
DATE_MIN, DATE_MAX = date(1677, 9, 22), date(2262, 4, 11)

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_SPECIAL_NUMBERS = {"NaN": math.nan, "INF": math.inf, "-INF": -math.inf}
_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+")

DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")


class CellProblem(ValueError):
    """A cell that breaks its type's lexical rule; the reader adds the location."""


def read_string(text: str) -> str:
    return text


def read_uri(text: str) -> str:
    if not _URI.fullmatch(text):
        raise CellProblem("is not a URI with a scheme, such as https://example.org/")
    return text


def read_integer(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise CellProblem("is not an integer such as 42 (ASCII digits, an optional sign, no spaces)")
    if len(text.lstrip("+-0")) > 19:  # more digits than int64 holds; also spares int() its 4,300-digit limit
        raise CellProblem("is outside the 64-bit integer range")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise CellProblem("is outside the 64-bit integer range")
    return value


def read_number(text: str) -> float:
    if text in _SPECIAL_NUMBERS:
        return _SPECIAL_NUMBERS[text]
    if not _NUMBER.fullmatch(text):
        raise CellProblem("is not a number such as 5.5, 1e3, NaN, INF or -INF (ASCII digits, no spaces)")
    value = float(text)
    if math.isinf(value):
        raise CellProblem("is too large for a 64-bit float")
    return value


def read_year(text: str) -> int:
    if not _YEAR.fullmatch(text):
        raise CellProblem("is not a year of four digits such as 2013")
    return int(text)


def read_date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise CellProblem("is not a date as YYYY-MM-DD")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise CellProblem("is not a date: no such day in the calendar") from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise CellProblem(f"is outside the dates this loader represents ({DATE_MIN} to {DATE_MAX})")
    return value


def boolean_reader(true_values: tuple[str, ...], false_values: tuple[str, ...]) -> Callable[[str], bool]:
    """Return the reader of a boolean field with these true and false values."""
    truth = {**dict.fromkeys(false_values, False), **dict.fromkeys(true_values, True)}
    choices = ", ".join(true_values + false_values)

    def read_boolean(text: str) -> bool:
        try:
            return truth[text]
        except KeyError:
            raise CellProblem(f"is not a boolean ({choices})") from None

    return read_boolean


# type -> format -> reader. A type or format missing here is refused when the
# schema is read, never read as text.
READERS: dict[str, dict[str, Callable[[str], object]]] = {
    "string": {"default": read_string, "uri": read_uri},
    "integer": {"default": read_integer},
    "number": {"default": read_number},
    "year": {"default": read_year},
    "date": {"default": read_date},
}
