"""Numbers and booleans as the site prints them: as the CSV writes them, never in exponent form."""

from __future__ import annotations

from decimal import Decimal


def number_text(value: float | int) -> str:
    """``1060.0`` -> ``'1060'``, ``2.04`` -> ``'2.04'``, ``1234567.0`` -> ``'1234567'`` (no exponent).

    Python's ``repr`` of a float is the shortest text that reads back to the
    same float, so this is the number as the CSV wrote it, less trailing zeros.
    """
    if isinstance(value, bool):
        return boolean_text(value)
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return "NaN" if value != value else ("INF" if value > 0 else "-INF")  # the Table Schema's forms
    exact = Decimal(repr(value))
    if exact == exact.to_integral_value():
        return str(int(exact))
    return format(exact.normalize(), "f")


def boolean_text(value: bool) -> str:
    """``True`` -> ``'true'``: the Table Schema's own spelling, as in the CSV."""
    return "true" if value else "false"
