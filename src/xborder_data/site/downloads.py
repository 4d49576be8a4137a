"""The site's downloads: the Data Package's own files, plus the exports when available."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.errors import MissingDependencyError
from xborder_data.exports._files import Tables
from xborder_data.site.i18n import LANGS, text

if TYPE_CHECKING:
    from xborder_data.package import Package

# Formats built by xborder_data.exports, in the order the landing page offers them (their words: i18n's download.FMT).
EXPORT_FORMATS: tuple[str, ...] = ("zip", "xlsx", "sqlite", "parquet", "json", "dta")


@dataclass(frozen=True)
class Download:
    """One file offered on the landing page; ``href`` is relative to the site root."""

    label: str
    href: str
    description: dict[str, str]  # language -> text
    size: int


@dataclass(frozen=True)
class Group:
    """A format that writes one file per table: its description and its files."""

    label: str
    description: dict[str, str]  # language -> text
    files: list[Download]


@dataclass(frozen=True)
class Downloads:
    """What was built, and why any export is missing."""

    files: list[Download]
    notes: list[str]
    groups: list[Group] = field(default_factory=list)


def _words(key: str, **values: str) -> dict[str, str]:
    """The site's words for ``key`` in every language."""
    return {lang: text(lang, key, **values) for lang in LANGS}


def _download(site: Path, path: Path, label: str, description: dict[str, str]) -> Download:
    return Download(label, path.relative_to(site).as_posix(), description, path.stat().st_size)


def copy_package(package: "Package", site: Path, folder: Path) -> list[Download]:
    """Write the package as downloaded (descriptor, data and schemas) into ``folder``."""
    for relative, data in package.files().items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    files = [_download(site, folder / "datapackage.json", "datapackage.json", _words("download.descriptor"))]
    for name in package.resources():
        resource = package.resource(name)
        csv = folder / resource.path
        files.append(_download(site, csv, csv.name, {lang: resource.title_in(lang) or name for lang in LANGS}))
    return files


def build_exports(package: "Package", site: Path, folder: Path) -> Downloads:
    """Build the exports into ``folder``.

    A format that writes one file gets it in ``folder``; one that writes a file
    per table gets a subfolder named after the format.
    """
    from xborder_data.exports import export
    tables = Tables(package)  # one for every format: each derived table (the DID panel) is built once
    files: list[Download] = []
    notes: list[str] = []
    groups: list[Group] = []
    with tempfile.TemporaryDirectory(prefix="xborder-exports-") as staging:
        for fmt in EXPORT_FORMATS:
            description = _words(f"download.{fmt}")
            outdir = Path(staging) / fmt
            outdir.mkdir()
            try:
                paths = export(tables, fmt, outdir)
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
    for relative, data in tables.derived_files().items():  # each derived table as CSV beside its schema, as in the csv export
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    files += [_download(site, folder / spec.path, Path(spec.path).name,
                        {lang: text(lang, "download.derived", title=spec.title_in(lang) or spec.name) for lang in LANGS})
              for spec in map(tables.resource, tables.resources()) if tables.is_derived(spec.name)]
    return Downloads(files, notes, groups)
