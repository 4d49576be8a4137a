"""The site's downloads: the Data Package's own files, plus the exports when available."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.errors import MissingDependencyError
from xborder_data.exports._files import Tables

if TYPE_CHECKING:
    from xborder_data.package import Package

# Formats built by xborder_data.exports, with how the landing page names them.
EXPORT_FORMATS: dict[str, str] = {
    "zip": "Everything in one zip archive",
    "xlsx": "Excel workbook, one sheet per table, the derived tables (the DID panel) included",
    "sqlite": "SQLite database, one table per resource and per derived table",
    "parquet": "Parquet, one file per table (derived tables included), with the Table Schema's types",
    "json": "JSON, one file of records per table (derived tables included), plus the descriptor",
    "dta": "Stata 118 files with variable labels, one per table (derived tables included)",
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
    tables = Tables(package)  # each derived table (the DID panel) as CSV beside its schema, as the csv export writes it
    for relative, data in tables.derived_files().items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    files += [_download(site, folder / tables.resource(name).path, Path(tables.resource(name).path).name,
                        f"CSV: {tables.resource(name).title}, with its Table Schema beside it")
              for name in tables.resources() if tables.is_derived(name)]
    return Downloads(files, notes, groups)
