"""The site's downloads: the Data Package's own files, plus the exports when available."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.errors import MissingDependencyError

if TYPE_CHECKING:
    from xborder_data.package import Package

# Formats built by xborder_data.exports, with how the landing page names them.
EXPORT_FORMATS: dict[str, str] = {
    "zip": "Everything in one zip archive",
    "xlsx": "Excel workbook, one sheet per table",
    "sqlite": "SQLite database, one table per resource",
}


@dataclass(frozen=True)
class Download:
    """One file offered on the landing page; ``href`` is relative to the site root."""

    label: str
    href: str
    description: str
    size: int


@dataclass(frozen=True)
class Downloads:
    """What was built, and why any export is missing."""

    files: list[Download]
    notes: list[str]


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
    """Build the zip, xlsx and SQLite exports into ``folder`` when the exports module exists."""
    try:
        from xborder_data.exports import export
    except ImportError:
        return Downloads([], ["The zip, Excel and SQLite downloads are not built by this version of xborder-data."])
    files: list[Download] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xborder-exports-") as staging:
        for fmt, description in EXPORT_FORMATS.items():
            outdir = Path(staging) / fmt
            outdir.mkdir()
            try:
                paths = export(package, fmt, outdir)
            except MissingDependencyError as error:
                notes.append(f"No {fmt} download: {error}")
                continue
            for path in paths:
                target = folder / Path(path).name
                shutil.move(str(path), target)
                files.append(_download(site, target, target.name, description))
    return Downloads(files, notes)
