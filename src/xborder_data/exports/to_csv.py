"""csv: the Data Package as downloaded, or spreadsheet-safe CSVs with ``excel``."""

from __future__ import annotations

import csv
import io
import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.exports._files import Writers, resource_file

if TYPE_CHECKING:
    from xborder_data.package import Package

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-5", "+1.5e3") is read as a number, never as a formula: left alone.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
BOM = "\ufeff"


def excel_safe(cell: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with a quote.

    Example:
        >>> excel_safe("=1+1"), excel_safe("-5"), excel_safe("-x")
        ("'=1+1", '-5', "'-x")
    """
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _write_bytes(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def _excel_text(package: "Package", name: str) -> str:
    # The typed read first: it checks hash, header, shape, types and enums as every export does.
    package.records(name)
    dialect = package.resource(name).dialect
    derived = getattr(package, "is_derived", lambda _name: False)(name)
    data = package.csv_bytes(name) if derived else package.read_bytes(name)  # type: ignore[attr-defined]
    text = data.decode("utf-8")  # checked above: the reader refuses anything else
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=dialect.quote_char,
        doublequote=dialect.double_quote, escapechar=dialect.escape_char, skipinitialspace=dialect.skip_initial_space,
    )
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in reader:
        writer.writerow([excel_safe(cell) for cell in row])  # the header too
    return BOM + out.getvalue()


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan the package's own files (byte for byte) and the derived tables under ``derived/``, or one Excel-safe CSV per table."""
    if excel:
        return {
            resource_file(outdir, name, ".csv"): partial(_write_bytes, _excel_text(package, name).encode("utf-8"))
            for name in package.resources()
        }
    return {outdir / relative: partial(_write_bytes, data) for relative, data in package.files().items()}
