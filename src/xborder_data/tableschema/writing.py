"""Typed values back to text: the one home for the CSV form and the strict JSON form.

The reader turns a cell's text into a typed value by its field's type
(``values.py``); these functions go the other way, in the form the package's own
data files use, so a value read and written again is the text it came from:
an integral number is written without a decimal point (``559``, as the files
hold it, never ``559.0`` or ``1e+16``), other numbers in Python's shortest
round-trip form, booleans as ``true``/``false``, dates as ``YYYY-MM-DD``, and
the Table Schema spellings ``NaN``, ``INF`` and ``-INF``. JSON has no NaN or
infinity: strict JSON writes them as null.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

NAN, INF, NEG_INF = "NaN", "INF", "-INF"  # the Table Schema's lexical forms, as values.read_number reads them
_INTEGRAL_DIGITS = 1e21  # below this an integral float prints exactly as an integer (as JSON.stringify does)


def number_text(value: float) -> str:
    """A number in the data files' form: ``559``, ``0.39``, ``NaN``, ``INF``, ``-INF``."""
    if math.isnan(value):
        return NAN
    if math.isinf(value):
        return INF if value > 0 else NEG_INF
    if value.is_integer() and abs(value) < _INTEGRAL_DIGITS:
        return str(int(value)) if value or math.copysign(1.0, value) > 0 else "-0"
    return repr(value)


def csv_text(value: Any) -> str:
    """A typed value as the text of its CSV cell (empty for a missing value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def json_value(value: Any) -> Any:
    """A typed value for strict JSON: dates as ``YYYY-MM-DD``, NaN and infinities as null, the rest as it is."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value
