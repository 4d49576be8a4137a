"""Where an output may go: the policy every export, site and panel file checks before writing.

The mechanism that writes (a staging folder, atomic moves, a lock) is ``staging``;
this module only says no: never over the package, its files or the folders that
hold them, never over the current or home folder, never through a link.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from xborder_data.errors import UnsafeOutputError, UsageError

# A Package (its root and files): not imported, storage lies below the package that uses it.
PackageReader = Any


def _package_folders(root: Path, package_files: list[str]) -> set[Path]:
    """The folders below ``root`` that hold the package's files (data/, schemas/)."""
    return {(root / relative).resolve().parent for relative in package_files} - {root}


def refuse_package_folder(target: str | os.PathLike[str], *, package_root: Path, package_files: list[str],
                          what: str = "an export") -> None:
    """Refuse to write into the package's own folder, a folder that contains it, or a folder that
    holds its files (data/, schemas/) or lies inside one.

    Another folder below the package (a clone's ``out/`` beside ``data/``) is allowed: an export
    writes only inside its OUTDIR, so it cannot replace a file of the package from there.

    Raises:
        UnsafeOutputError: naming the folder and why.
    """
    resolved = Path(target).resolve()
    root = package_root.resolve()
    folders = _package_folders(root, package_files)
    holding = next((f for f in folders if resolved == f or f in resolved.parents or resolved in f.parents), None)
    if resolved == root or resolved in root.parents or holding is not None:
        where = (
            "the data package's own folder" if resolved == root
            else "a folder that contains the data package" if resolved in root.parents
            else f"the package's folder of data or schemas ({holding}), inside it, or above it"
        )
        raise UnsafeOutputError(
            f"{resolved}: is {where}; refusing to write {what} there (it could replace the package's files). "
            "Name a new folder, e.g. `out`, beside the package's data or outside it."
        )


def refuse_package_file(target: str | os.PathLike[str], *, package_root: Path, package_files: list[str]) -> Path:
    """Return ``target`` resolved, refusing a file the package reads or a place inside its data folders.

    A single output file (a panel) may go beside the package (a clone's root holds
    both), but never over ``datapackage.json``, a data or schema file, the
    datasheet, README or a licence, nor into a folder that holds data or schemas.

    Raises:
        UnsafeOutputError: naming the file and why.
    """
    resolved = Path(target).resolve()
    root = package_root.resolve()
    files = {(root / relative).resolve() for relative in package_files}
    files |= {root / name for name in ("DATASHEET.md", "README.md", "LICENSE", "LICENSE-DATA", "CITATION.cff")}
    folders = _package_folders(root, package_files)
    if resolved == root or resolved in root.parents or resolved in files or any(f == resolved.parent or f in resolved.parents for f in folders):
        raise UnsafeOutputError(
            f"{resolved}: is the data package's folder or one of its files or data folders; refusing to write there "
            "(it would replace the package's files). Name a file outside them, e.g. `panel.csv`."
        )
    return resolved


def refuse_protected(target: str | os.PathLike[str], *, package_root: Path) -> Path:
    """Return ``target`` made absolute, refusing folders that must never be replaced.

    Refused: "" and the current folder, ``package_root`` and every folder
    above it, and the home folder and every folder above it.

    Raises:
        UnsafeOutputError: naming the folder and why.
    """
    if str(target).strip() == "":
        raise UnsafeOutputError("the output folder is empty (''); name a new folder, e.g. `site-out`.")
    if os.path.islink(target):  # --force would replace whatever the link points at
        raise UnsafeOutputError(f"{target}: is a symbolic link; name a real folder, e.g. `site-out`.")
    resolved = Path(target).resolve()
    protected = {
        Path.cwd().resolve(): "the current folder",
        package_root.resolve(): "the data package's own folder",
        Path.home().resolve(): "the home folder",
    }
    for folder, what in protected.items():
        if resolved == folder or resolved in folder.parents:
            where = what if resolved == folder else f"a folder that contains {what}"
            raise UnsafeOutputError(f"{resolved}: is {where}; refusing to write a site over it. Name a new folder, e.g. `site-out`.")
    return resolved  # the path checked is the path written: never a lexical '..' past a symlink


def output_file(package: "PackageReader", target: str) -> Path:
    """The resolved output file for ``target`` (``panel -o``), refused when it is empty, a folder, a symbolic link,
    or one of the package's files or data folders.

    Raises:
        UsageError: ``target`` names no file, or a link.
        UnsafeOutputError: it is one of the package's files or folders.
    """
    if target.strip() in ("", ".") or target.endswith(("/", os.sep)) or os.path.isdir(target):
        raise UsageError(f"--output {target!r} names no file (empty, or a folder); give a file name, e.g. -o panel.csv")
    if os.path.islink(target):  # writing through it could replace any file the link names
        raise UsageError(f"--output {target!r} is not a regular file but a symbolic link; give another name")
    return refuse_package_file(target, package_root=package.root, package_files=package.file_paths())
