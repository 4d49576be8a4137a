"""The site's downloads: the Data Package's own files, plus the exports when available."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.errors import MissingDependencyError
from xborder_data.research.did import has_panel

if TYPE_CHECKING:
    from xborder_data.package import Package

# Formats built by xborder_data.exports, with how the landing page names them.
EXPORT_FORMATS: dict[str, str] = {
    "zip": "Everything in one zip archive",
    "xlsx": "Excel workbook, one sheet per table, plus the balanced DID panel",
    "sqlite": "SQLite database, one table per resource, plus the did_panel table",
    "parquet": "Parquet, one file per table, with the Table Schema's types, plus did_panel.parquet",
    "json": "JSON, one file of records per table, plus the descriptor",
    "dta": "Stata 118 files with variable labels, one per table, plus did_panel.dta",
}


@dataclass(frozen=True)
class Download:
    """One file offered on the landing page; ``href`` is relative to the site root."""

    label: str
    href: str
    description: str
    size: int


@dataclass(frozen=True)
class Group:
    """A format that writes one file per table: its description and its files."""

    label: str
    description: str
    files: list[Download]


@dataclass(frozen=True)
class Downloads:
    """What was built, and why any export is missing."""

    files: list[Download]
    notes: list[str]
    groups: list[Group] = field(default_factory=list)


def _download(site: Path, path: Path, label: str, description: str) -> Download:
    return Download(label, path.relative_to(site).as_posix(), description, path.stat().st_size)


def copy_package(package: "Package", site: Path, folder: Path) -> list[Download]:
    """Write the package as downloaded (descriptor, data and schemas) into ``folder``."""
    for relative, data in package.files().items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    files = [_download(site, folder / "datapackage.json", "datapackage.json", "The Data Package descriptor (with data/ and schemas/ below it)")]
    for name in package.resources():
        csv = folder / package.resource(name).path
        files.append(_download(site, csv, csv.name, package.resource(name).title or name))
    return files


def build_exports(package: "Package", site: Path, folder: Path) -> Downloads:
    """Build the exports into ``folder``.

    A format that writes one file gets it in ``folder``; one that writes a file
    per table gets a subfolder named after the format.
    """
    from xborder_data.exports import export
    files: list[Download] = []
    notes: list[str] = []
    groups: list[Group] = []
    with tempfile.TemporaryDirectory(prefix="xborder-exports-") as staging:
        for fmt, description in EXPORT_FORMATS.items():
            outdir = Path(staging) / fmt
            outdir.mkdir()
            try:
                paths = export(package, fmt, outdir)
            except MissingDependencyError as error:
                notes.append(f"No {fmt} download: {error}")
                continue
            if len(paths) == 1:
                target = folder / Path(paths[0]).name
                shutil.move(str(paths[0]), target)
                files.append(_download(site, target, target.name, description))
                continue
            subfolder = folder / fmt
            subfolder.mkdir(parents=True, exist_ok=True)
            moved = []
            for path in paths:
                target = subfolder / Path(path).name
                shutil.move(str(path), target)
                moved.append(_download(site, target, target.name, description))
            groups.append(Group({"json": "JSON", "dta": "Stata"}.get(fmt, fmt.capitalize()), description, moved))
    panel = panel_files(package, site, folder / "did_panel")
    if panel:
        groups.append(Group("DID panel", "The balanced prefecture x year panel (xborder_data.did_panel) as CSV; "
                                         "the Parquet, Stata, SQLite and Excel downloads carry it too", panel))
    return Downloads(files, notes, groups)


def panel_files(package: "Package", site: Path, folder: Path) -> list[Download]:
    """The balanced DID panel as CSV, when the package has its inputs (Parquet, Stata, SQLite and Excel carry it too)."""
    if not has_panel(package):
        return []
    from xborder_data.research.did import calendar_dates, did_panel, export_span

    start, end = export_span(package)
    frame = calendar_dates(did_panel(start, end, package=package))
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / "did_panel.csv"
    frame.to_csv(csv_path, index=False, lineterminator="\n")
    what = f"every prefecture-level unit, {start}-{end}, rule approval_year, absorbing treatment"
    return [_download(site, csv_path, csv_path.name, f"CSV, {what}")]
