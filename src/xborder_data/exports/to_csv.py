"""csv: the Data Package as downloaded, or spreadsheet-safe CSVs with ``excel``."""

from __future__ import annotations

import csv
import io
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.exports._files import Writers

if TYPE_CHECKING:
    from xborder_data.package import Package

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def excel_safe(cell: str) -> str:
    """Prefix a text cell that a spreadsheet would read as a formula with a quote."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _write_bytes(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def _excel_text(package: "Package", name: str) -> str:
    text = package.read_bytes(name).decode("utf-8")
    # Only text fields are escaped: a negative number must stay a number.
    text_columns = {i for i, spec in enumerate(package.table_schema(name).fields) if spec.type == "string"}
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
        if number == 0:
            writer.writerow(row)
        else:
            writer.writerow([excel_safe(cell) if i in text_columns else cell for i, cell in enumerate(row)])
    return BOM + out.getvalue()


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan the package's own files (byte for byte), or one Excel-safe CSV per table."""
    if excel:
        return {
            outdir / f"{name}.csv": partial(_write_bytes, _excel_text(package, name).encode("utf-8"))
            for name in package.resources()
        }
    return {outdir / relative: partial(_write_bytes, data) for relative, data in package.files().items()}
