"""xlsx: one sheet per table plus a README sheet, written with openpyxl."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.errors import MissingDependencyError
from xborder_data.exports._files import Writers

if TYPE_CHECKING:
    from xborder_data.package import Package

README_SHEET = "README"


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise MissingDependencyError(
            "the xlsx export needs openpyxl; install `xborder-data[xlsx]` (pip install 'xborder-data[xlsx]')"
        ) from None
    return openpyxl


def _append(sheet: Any, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        # openpyxl stores any string starting with "=" as a formula; data is never a formula.
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _readme_rows(package: "Package") -> list[list[Any]]:
    descriptor = package.descriptor()
    licences = "; ".join(f"{lic.get('name', '')} ({lic.get('path', '')})" for lic in descriptor.get("licenses", []))
    rows: list[list[Any]] = [
        ["title", descriptor.get("title", "")],
        ["version", package.version],
        ["license", licences],
        ["description", descriptor.get("description", "")],
        ["citation", package.citation("text")],
        [],
        ["source", "path"],
    ]
    rows += [[source.get("title", ""), source.get("path", "")] for source in descriptor.get("sources", [])]
    rows += [[], ["sheet", "rows", "description"]]
    rows += [[name, len(package.records(name)), package.resource(name).description] for name in package.resources()]
    rows += [[], ["Every row's sources are in the sheets 'claims', 'evidence' and 'sources'."]]
    return rows


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME.xlsx``: a README sheet (title, version, license, citation, sources) and a sheet per table."""
    openpyxl = _openpyxl()

    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        readme = book.active
        readme.title = README_SHEET
        for row in _readme_rows(package):
            _append(readme, row)
        for name in package.resources():
            sheet = book.create_sheet(name[:31])  # Excel's limit on sheet names
            fields = package.table_schema(name).fields
            _append(sheet, [spec.name for spec in fields])
            for record in package.records(name):
                _append(sheet, [record[spec.name] for spec in fields])
            for cell, spec in zip(sheet[1], fields):
                if spec.type == "date":
                    sheet.column_dimensions[cell.column_letter].width = 12
            sheet.freeze_panes = "A2"
        book.save(path)

    name = package.descriptor().get("name", "xborder-data")
    return {outdir / f"{name}.xlsx": write}
