"""The six Table Schema types, one object each (as frictionless-py's ``fields/*.py``): all the package knows of a type.

Each owns its lexical rule per format (a regex matched whole; ``rules.py`` derives the fast path's RE2 from it),
its reader, its writers and its pandas, Arrow, SQLite and Stata types (as names: no library is imported).
The readers follow Table Schema v2, stricter than frictionless where the spec leaves room (README's "Parsing
rules"): ``" 42 "``, ``1_000``, ``2014-7-3`` or non-ASCII digits are refused, never guessed. The writers give
the data files' own text, so a value read and written again is the text it came from: ``559`` (never ``559.0``
or ``1e+16``), ``true``, ``YYYY-MM-DD``, ``NaN``/``INF``/``-INF``; strict JSON writes NaN and infinities as null.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

# int64: what pandas' Int64, SQLite and Arrow can all hold.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# datetime64[ns], the dtype load() gives dates (one unit for load(), the panels and dtypes.numpy_dtypes).
DATETIME_UNIT = "ns"
DATE_MIN, DATE_MAX = date(1677, 9, 22), date(2262, 4, 11)
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")
_INTEGRAL_DIGITS = 1e21  # below this an integral float prints exactly as an integer (as JSON.stringify does)


class CellProblem(ValueError):
    """A cell that breaks its type's lexical rule; the reader adds the location."""


class FieldType:
    """One Table Schema type. ``rules`` maps a format to its lexical rule (none: any text is read)."""

    name = ""
    rules: dict[str, str] = {"default": ""}
    problem = ""  # what a cell breaking the rule is told
    pandas = arrow = sqlite = stata = ""  # the type's name in each target
    flags = re.ASCII  # the rules' digits and classes are ASCII; a rule's \s (string's uri) is spelled out for RE2

    def __init__(self) -> None:
        self.formats = tuple(self.rules)
        self._compiled = {fmt: re.compile(rule, self.flags) for fmt, rule in self.rules.items() if rule}

    def reader(self, fmt: str = "default") -> Callable[[str], Any]:
        """The reader of one format: text in, typed value out, CellProblem for text that breaks the rule."""
        rule, value, problem = self._compiled.get(fmt), self.value, self.problem
        if rule is None:
            return value
        match = rule.fullmatch  # bound once: this runs for every cell

        def read(text: str) -> Any:
            if not match(text):
                raise CellProblem(problem)
            return value(text)

        return read

    def value(self, text: str) -> Any:
        """The typed value of a text that matched the rule (range checks here)."""
        return text

    def csv(self, value: Any) -> str:
        """A typed value as the text of its CSV cell, in the data files' form (empty for a missing value)."""
        return "" if value is None else self.text(value)

    def text(self, value: Any) -> str:  # a value that is not missing
        return str(value)

    def plain(self, value: Any) -> str:
        """The form people read (the site): the CSV form, where a number never takes an exponent."""
        return self.csv(value)

    def json(self, value: Any) -> Any:
        """A typed value for strict JSON."""
        return value

    def sql(self, value: Any) -> Any:
        """A typed value as SQLite stores it."""
        return value


class StringType(FieldType):
    name = "string"
    rules = {"default": "", "uri": r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+"}
    problem = "is not a URI with a scheme, such as https://example.org/"  # uri's: the default format has no rule
    flags = re.UNICODE  # a URI ends at any white space, Unicode's too
    pandas, arrow, sqlite, stata = "string", "string", "TEXT", "str"  # strL beyond 2,045 bytes


class IntegerType(FieldType):
    name = "integer"
    rules = {"default": r"[+-]?[0-9]+"}
    problem = "is not an integer such as 42 (ASCII digits, an optional sign, no spaces)"
    pandas, arrow, sqlite, stata = "Int64", "int64", "INTEGER", "long"  # double, then text, beyond Stata's long

    def value(self, text: str) -> int:
        sign = text[:1] if text[:1] in ("+", "-") else ""
        digits = text[len(sign):].lstrip("0") or "0"  # int() counts leading zeros towards its 4,300-digit limit
        if len(digits) > 19:  # more digits than int64 holds
            raise CellProblem("is outside the 64-bit integer range")
        value = int(sign + digits)
        if not INT64_MIN <= value <= INT64_MAX:
            raise CellProblem("is outside the 64-bit integer range")
        return value


class YearType(FieldType):
    name = "year"
    rules = {"default": r"[0-9]{4}"}
    problem = "is not a year of four digits such as 2013"
    pandas, arrow, sqlite, stata = "Int64", "int64", "INTEGER", "long"

    def value(self, text: str) -> int:
        return int(text)


class NumberType(FieldType):
    name = "number"
    rules = {"default": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"}
    problem = "is not a number such as 5.5, 1e3, NaN, INF or -INF (ASCII digits, no spaces)"
    pandas, arrow, sqlite, stata = "Float64", "float64", "REAL", "double"  # Stata has no NaN or infinity
    SPECIAL = {"NaN": math.nan, "INF": math.inf, "-INF": -math.inf}  # the Table Schema's lexical forms

    def reader(self, fmt: str = "default") -> Callable[[str], Any]:
        read, special = super().reader(fmt), self.SPECIAL
        return lambda text: special[text] if text in special else read(text)

    def value(self, text: str) -> float:
        value = float(text)
        if math.isinf(value):
            raise CellProblem("is too large for a 64-bit float")
        return value

    def text(self, value: float) -> str:
        """``559``, ``0.39``, ``NaN``, ``INF``, ``-INF``: integral numbers without a decimal point, others in Python's shortest round-trip form."""
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        if float(value).is_integer() and abs(value) < _INTEGRAL_DIGITS:
            return str(int(value)) if value or math.copysign(1.0, value) > 0 else "-0"
        return repr(float(value))

    def plain(self, value: Any) -> str:
        text = self.csv(value)
        return format(Decimal(text).normalize(), "f") if "e" in text else text  # 1e-07 -> 0.0000001

    def json(self, value: Any) -> Any:
        return None if isinstance(value, float) and not math.isfinite(value) else value


class BooleanType(FieldType):
    name = "boolean"
    pandas, arrow, sqlite, stata = "boolean", "bool_", "INTEGER", "byte"

    def reader(self, fmt: str = "default", true_values: tuple[str, ...] = DEFAULT_TRUE_VALUES,
               false_values: tuple[str, ...] = DEFAULT_FALSE_VALUES) -> Callable[[str], bool]:
        """The reader of a boolean field with these true and false values."""
        truth = {**dict.fromkeys(false_values, False), **dict.fromkeys(true_values, True)}
        choices = ", ".join(true_values + false_values)

        def read_boolean(text: str) -> bool:
            try:
                return truth[text]
            except KeyError:
                raise CellProblem(f"is not a boolean ({choices})") from None

        return read_boolean

    def text(self, value: bool) -> str:
        return "true" if value else "false"

    def sql(self, value: Any) -> Any:
        return None if value is None else int(value)


class DateType(FieldType):
    name = "date"
    rules = {"default": r"[0-9]{4}-[0-9]{2}-[0-9]{2}"}
    problem = "is not a date as YYYY-MM-DD"
    pandas, arrow, sqlite, stata = f"datetime64[{DATETIME_UNIT}]", "date32", "TEXT", "td"  # Stata's daily date, %td

    def value(self, text: str) -> date:
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise CellProblem("is not a date: no such day in the calendar") from None
        if not DATE_MIN <= value <= DATE_MAX:
            raise CellProblem(f"is outside the dates this loader represents ({DATE_MIN} to {DATE_MAX})")
        return value

    def text(self, value: date) -> str:
        return (value.date() if isinstance(value, datetime) else value).isoformat()  # load()'s Timestamps are midnight

    def json(self, value: Any) -> Any:
        return None if value is None else self.text(value)

    sql = json


STRING, INTEGER, YEAR, NUMBER, BOOLEAN, DATE = StringType(), IntegerType(), YearType(), NumberType(), BooleanType(), DateType()
# name -> type. A type or format missing here is refused when the schema is read, never read as text.
TYPES: dict[str, FieldType] = {t.name: t for t in (STRING, INTEGER, NUMBER, BOOLEAN, DATE, YEAR)}


def for_value(value: Any) -> FieldType:
    """The type whose writers fit a typed value (a year is an integer; anything else is written as text)."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    return DATE if isinstance(value, date) else STRING


def csv_text(value: Any) -> str:
    """A typed value, of any field, as the text of its CSV cell (empty for a missing value)."""
    return for_value(value).csv(value)


def json_value(value: Any) -> Any:
    """A typed value, of any field, for strict JSON: dates as ``YYYY-MM-DD``, NaN and infinities as null."""
    return for_value(value).json(value)


def plain_text(value: Any) -> str:
    """A typed value, of any field, as people read it: the CSV form, numbers never in exponent form."""
    return for_value(value).plain(value)
