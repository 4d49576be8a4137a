"""xlsx: a column sheet, a README sheet and one sheet per table, written with openpyxl.

The first sheet lists every table's columns with title, type and description in
English and Chinese (the schemas' ``zh`` texts). Every sheet prints: landscape
A4, fitted to the page width, the header row repeated on each page and frozen
on screen, column widths capped and long text wrapped.

Write-only mode streams rows (linear time). No cell is ever a formula, control
characters that XML cannot hold are removed with a warning naming the cell, and
the bytes are reproducible: fixed document dates and zip timestamps.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.errors import MissingDependencyError
from xborder_data.exports._files import Writers, field_description, field_title, package_name, resource_file, resource_text
from xborder_data.urls import safe_descriptor
from xborder_data.tableschema.types import NUMBER, csv_text

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package

README_SHEET = "README"
COLUMNS_SHEET = "columns"
# The column sheet's header, per language: the asked language's title and description come first.
COLUMN_HEADERS = {
    "en": ["table", "column", "type", "title", "description", "标题", "说明"],
    "zh": ["表", "列", "类型", "标题", "说明", "title", "description"],
}
# Characters XML 1.0 cannot hold (openpyxl refuses them with IllegalCharacterError).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_MIN_WIDTH, _MAX_WIDTH = 6, 40  # characters; longer text wraps inside the cap
_LINE_HEIGHT, _MAX_ROW_HEIGHT = 15, 409  # points: one line of 11-point text; Excel's tallest row
_SHEET_NAME_LIMIT = 31  # Excel's limit
_CELL_LIMIT = 32_767  # characters Excel keeps in one cell


class XlsxCellWarning(UserWarning):
    """Cells Excel cannot hold as they are (control characters, over-long text) were changed; the message names them."""


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise MissingDependencyError(
            "the xlsx export needs openpyxl; install `xborder-data[xlsx]` (pip install 'xborder-data[xlsx]')"
        ) from None
    return openpyxl


@dataclass
class _Changed:
    """Cells the workbook cannot hold as they are, by reference (``sheet!A2``)."""

    removed: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)

    def warn(self) -> None:
        templates = (
            (self.removed, "removed control characters, which Excel cannot store, from {} cell(s)"),
            (self.truncated, "cut {} cell(s) to Excel's limit of " + f"{_CELL_LIMIT:,} characters"),
        )
        for cells, template in templates:
            if cells:
                shown = ", ".join(cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
                warnings.warn(f"xlsx export: {template.format(len(cells))}: {shown}", XlsxCellWarning, stacklevel=3)


class _SheetWriter:
    """Streams rows into one write-only sheet: text cells typed as text, widths measured."""

    def __init__(self, openpyxl: Any, book: Any, title: str, header: list[str], changed: "_Changed") -> None:
        self.openpyxl = openpyxl
        self.sheet = book.create_sheet(title)
        self.header = header
        self.changed = changed
        self.widths = [_width(name) for name in header]
        self.rows: list[list[Any]] = []
        self.caps: list[int] = []
        self.wrap = openpyxl.styles.Alignment(wrap_text=True, vertical="top")

    def add(self, values: list[Any]) -> None:
        self.rows.append(values)
        if len(values) > len(self.widths):
            self.widths += [0] * (len(values) - len(self.widths))
        for i, value in enumerate(values):
            self.widths[i] = max(self.widths[i], _width(value))

    def _cell(self, value: Any, row: int, column: int, *, bold: bool = False, top: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        if isinstance(value, float) and not math.isfinite(value):
            value = NUMBER.csv(value)  # the Table Schema's NaN, INF, -INF
        if isinstance(value, str) and _ILLEGAL.search(value):
            self.changed.removed.append(f"{self.sheet.title}!{get_column_letter(column)}{row}")
            value = _ILLEGAL.sub("", value)
        if isinstance(value, str) and len(value) > _CELL_LIMIT:
            self.changed.truncated.append(f"{self.sheet.title}!{get_column_letter(column)}{row}")
            value = value[:_CELL_LIMIT]
        wrap = isinstance(value, str) and (bold or _width(value) > self.caps[column - 1] or "\n" in value)
        plain = not bold and not wrap and not (top and value is not None)
        if plain and not isinstance(value, date) and not (isinstance(value, str) and value.startswith("=")):
            return value  # a plain value: openpyxl writes it as it is, and faster than a cell
        cell = WriteOnlyCell(self.sheet, value=value)
        if wrap or (top and value is not None):
            cell.alignment = self.wrap  # longer than its column: wrapped, never cut at the cell's edge; a tall row reads from the top
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would store "=..." as a formula; data never is one
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        if bold:
            cell.font = self.openpyxl.styles.Font(bold=True)
        return cell

    def finish(self, *, table: bool) -> None:
        """Set widths and the print setup, freeze and filter the header (for tables), then stream every row."""
        from openpyxl.utils import get_column_letter

        self.caps = [min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH) for width in self.widths]
        for i, width in enumerate(self.caps, start=1):
            self.sheet.column_dimensions[get_column_letter(i)].width = width
        _print_setup(self.openpyxl, self.sheet)
        self.sheet.freeze_panes = "A2"
        if table:
            last = f"{get_column_letter(max(len(self.header), 1))}{len(self.rows) + 1}"
            self.sheet.auto_filter.ref = f"A1:{last}"
        for number, values in enumerate([self.header, *self.rows], start=1):
            lines = max((_lines(value, self.caps[i]) for i, value in enumerate(values)), default=1)
            if lines > 1:  # a wrapped cell needs the row's height: no reader is trusted to grow it
                self.sheet.row_dimensions[number].height = min(_LINE_HEIGHT * lines, _MAX_ROW_HEIGHT)
            self.sheet.append([self._cell(value, number, i, bold=number == 1, top=lines > 1) for i, value in enumerate(values, start=1)])


def _width(value: Any) -> int:
    """Characters a value takes on screen: CJK characters count two; a multi-line text its longest line."""
    if value is None:
        return 0
    text = csv_text(value)
    return max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in text.split("\n")), default=0)


def _lines(value: Any, cap: int) -> int:
    """Lines a text takes wrapped in a column ``cap`` characters wide (a little slack for breaks between words)."""
    if not isinstance(value, str):
        return 1
    usable = max(cap - 2, 1)
    return sum(1 if _width(line) <= usable else math.ceil(_width(line) * 1.1 / usable) for line in value.split("\n"))


def _print_setup(openpyxl: Any, sheet: Any) -> None:
    """Landscape A4, every column on one page width, the header row repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = openpyxl.worksheet.properties.PageSetupProperties(fitToPage=True)
    sheet.page_margins = openpyxl.worksheet.page.PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.2, footer=0.2)
    sheet.print_title_rows = "1:1"


def _column_rows(package: "Package", lang: str) -> list[list[Any]]:
    """One row per column of every table (the derived DID panel too): table, column, type, title and description in both languages."""
    other = "en" if lang == "zh" else "zh"
    rows: list[list[Any]] = []
    for name in package.resources():
        for spec in package.table_schema(name).fields:
            first = [field_title(package, name, spec, lang), field_description(package, name, spec, lang)]
            second = [field_title(package, name, spec, other, fallback=False), field_description(package, name, spec, other)]
            if lang == "en" and not second[0]:
                second[1] = ""  # no Chinese text: the English one is not repeated
            rows.append([name, spec.name, spec.type, *first, *second])
    return rows


def _readme_rows(package: "Package", lang: str = "en") -> list[list[Any]]:
    descriptor = safe_descriptor(package.descriptor())  # a refused URL is left out, never written
    licences = "; ".join(f"{lic.get('name', '')} ({lic.get('path', '')})" for lic in descriptor.get("licenses", []))
    rows: list[list[Any]] = [
        ["version", package.version],
        ["license", licences],
        ["description", descriptor.get("description", "")],
        ["citation", package.citation("text")],
        [],
        ["source", "path"],
    ]
    rows += [[source.get("title", ""), source.get("path", "")] for source in descriptor.get("sources", [])]
    rows += [[], ["sheet", "rows", "description"]]
    rows += [[name, len(package.records(name)), resource_text(package, name, "description", lang)] for name in package.resources()]
    rows += [[], ["Every row's sources are in the sheets 'claims', 'evidence' and 'sources'."]]
    return rows


def sheet_titles(names: list[str]) -> dict[str, str]:
    """A distinct sheet title (at most 31 characters, case-insensitively unique) per resource."""
    taken = {README_SHEET.casefold(), COLUMNS_SHEET.casefold()}
    titles: dict[str, str] = {}
    for name in names:
        title, number = name[:_SHEET_NAME_LIMIT], 1
        while title.casefold() in taken:
            number += 1
            suffix = f"~{number}"
            title = name[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(title.casefold())
        titles[name] = title
    return titles


def _reproducible(data: bytes) -> bytes:
    """The same archive with every entry's timestamp, and the saved-at date openpyxl stamps, fixed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == _CORE:
                content = _MODIFIED.sub(rb"\g<1>" + _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o100644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def write_workbook(package: "Package", path: Path, lang: str = "en") -> None:
    """Write the workbook of ``package`` to ``path``; the column sheet leads with ``lang``'s titles."""
    openpyxl = _openpyxl()
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = _FIXED_TIME
    book.properties.creator = "xborder-data"
    changed = _Changed()
    columns = _SheetWriter(openpyxl, book, COLUMNS_SHEET, COLUMN_HEADERS["zh" if lang == "zh" else "en"], changed)
    for row in _column_rows(package, lang):
        columns.add(row)
    columns.finish(table=True)
    descriptor = package.descriptor()
    readme = _SheetWriter(openpyxl, book, README_SHEET, ["title", descriptor.get("title", "")], changed)
    for row in _readme_rows(package, lang):
        readme.add(row)
    readme.finish(table=False)
    for name, title in sheet_titles(package.resources()).items():
        fields = package.table_schema(name).fields
        sheet = _SheetWriter(openpyxl, book, title, [spec.name for spec in fields], changed)
        for record in package.records(name):
            sheet.add([record[spec.name] for spec in fields])
        sheet.finish(table=True)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))
    changed.warn()


def write_frame(frame: "pd.DataFrame", path: Path, sheet: str) -> None:
    """Write one DataFrame (a panel) as a workbook through the same sheet writer: text is text, never a formula."""
    import pandas as pd

    openpyxl = _openpyxl()
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = _FIXED_TIME
    book.properties.creator = "xborder-data"
    changed = _Changed()
    writer = _SheetWriter(openpyxl, book, sheet, [str(column) for column in frame.columns], changed)
    for row in frame.astype(object).itertuples(index=False):
        writer.add([None if value is None or pd.isna(value) else value for value in row])
    writer.finish(table=True)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))
    changed.warn()


def writers(package: "Package", outdir: Path, *, excel: bool = False, lang: str = "en") -> Writers:
    """Plan ``NAME.xlsx``: a column sheet (in ``lang`` first, then the other language), a README sheet
    (title, version, license, citation, sources) and a sheet per table, each set up to print."""
    _openpyxl()
    for name in package.resources():
        resource_file(outdir, name, ".xlsx")  # a sheet per resource: the names must be safe too
    return {outdir / f"{package_name(package)}.xlsx": lambda path: write_workbook(package, path, lang)}
