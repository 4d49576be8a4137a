"""Export the package to other formats: one registry, one small writer per format.

Importing this module is cheap: each writer, and whatever library it needs, is
imported only when its format is asked for.

Example:
    >>> import xborder_data
    >>> from xborder_data.exports import export
    >>> export(xborder_data.bundled(), "sqlite", "out")
    [PosixPath('out/xborder-data.sqlite')]
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from xborder_data.errors import UsageError

if TYPE_CHECKING:
    from xborder_data.exports._files import Tables, Writers
    from xborder_data.package import Package

ExportFormat = Literal["csv", "json", "sqlite", "parquet", "xlsx", "zip", "datasette", "dta"]
FORMATS: tuple[str, ...] = get_args(ExportFormat)

# Format name -> module that defines ``writers(package, outdir, *, excel)``.
_REGISTRY: dict[str, str] = {name: f"xborder_data.exports.to_{name}" for name in FORMATS}

# Formats whose labels and descriptions can be Chinese (the schemas' ``zh`` titles and descriptions).
LANG_FORMATS: tuple[str, ...] = ("dta", "xlsx", "datasette")
LANGS: tuple[str, ...] = ("en", "zh")

__all__ = ["ExportFormat", "FORMATS", "LANGS", "LANG_FORMATS", "export", "planned_writers"]


def planned_writers(package: "Package | Tables", fmt: str, outdir: Path, *, excel: bool = False, lang: str = "en") -> "Writers":
    """Return the files ``fmt`` would write, each with the function that writes it.

    Raises:
        UsageError: for an unknown format, ``excel`` with a format other than csv,
            or ``lang`` other than "en" for a format whose labels are not translated.
        MissingDependencyError: when the format's optional library is absent.
    """
    if fmt not in _REGISTRY:
        raise UsageError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if excel and fmt != "csv":
        raise UsageError(f"--excel applies to the csv format only, not {fmt!r}; use: export csv OUTDIR --excel")
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}; choose one of: {', '.join(LANGS)}")
    from xborder_data.exports._files import Tables  # not at import: the CLI reads FORMATS from here for every command

    module = importlib.import_module(_REGISTRY[fmt])
    if lang != "en" and fmt not in LANG_FORMATS:
        raise UsageError(f"--lang applies to {', '.join(LANG_FORMATS)}, not {fmt!r}: its data carries no labels to translate")
    # The resources, then the derived tables (the DID panel): every format loops over them alike. A caller
    # exporting several formats passes one Tables, so that a derived table is built once for all.
    tables = package if isinstance(package, Tables) else Tables(package)
    if fmt in LANG_FORMATS:
        return module.writers(tables, outdir, excel=excel, lang=lang)
    return module.writers(tables, outdir, excel=excel)


def export(
    package: "Package | Tables",
    fmt: ExportFormat | str,
    outdir: str | Path,
    *,
    force: bool = False,
    excel: bool = False,
    lang: str = "en",
) -> list[Path]:
    """Write ``package`` in format ``fmt`` into ``outdir`` and return the files written.

    All or nothing: every file is built in a staging folder beside ``outdir``
    and moved in only when all are complete. On any failure, SIGINT or SIGTERM
    the staging folder is removed and ``outdir`` is exactly as before. Without
    ``force`` an existing file refuses the whole export, and of two concurrent
    runs into one folder only one succeeds.

    Args:
        package: the package to export, e.g. ``xborder_data.bundled()`` (or its ``exports._files.Tables``).
        fmt: one of ``FORMATS``.
        outdir: the folder to write into; created when missing.
        force: replace the files this export writes when they exist (never
            any other file, never a folder).
        excel: csv only; write spreadsheet-safe CSVs (UTF-8 with BOM, formula
            characters neutralised) instead of the Data Package.
        lang: "en" (default) or "zh": the language of the dta variable labels,
            the xlsx column sheet and the Datasette descriptions (a field without
            a Chinese text keeps its English one).

    Returns:
        The paths written, in writing order.

    Raises:
        UsageError, MissingDependencyError, OutputExistsError, DescriptorError
        (a name from metadata that is not one safe file name), OSError;
        UnsafeOutputError: ``outdir`` is the package's folder, a folder that contains it, or its
            data or schemas folder (or inside one).
    """
    from xborder_data.storage.outputs import refuse_package_folder
    from xborder_data.storage.staging import write_staged

    if str(outdir).strip() == "":
        raise UsageError("the output folder is empty (''); name a folder, e.g. `out`.")
    outdir = Path(outdir).resolve()  # the path checked is the path written: never a lexical '..' past a symlink
    refuse_package_folder(outdir, package_root=package.root, package_files=package.file_paths(), what=f"the {fmt} export")
    return write_staged(planned_writers(package, fmt, outdir, excel=excel, lang=lang), outdir, force=force)
