"""Safe file writing shared by every exporter: refuse overwrites, write atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from xborder_data.errors import OutputExistsError

# Final path -> function that writes the complete file at the path it is given.
Writers = dict[Path, Callable[[Path], None]]


def check_free(paths: list[Path], *, force: bool) -> None:
    """Raise OutputExistsError for the first path that exists, unless ``force``."""
    if force:
        return
    for path in paths:
        if path.exists() or path.is_symlink():
            raise OutputExistsError(f"{path}: already exists; choose another folder, or replace it with --force (force=True from Python).")


def _umask() -> int:
    current = os.umask(0o022)  # the only portable way to read it is to set it
    os.umask(current)
    return current


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` on a temporary file next to ``path``, then rename it over ``path``.

    The temporary file shares the target's folder so that os.replace is a rename
    on one file system, never a copy.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)  # every writer accepts an existing empty file (sqlite3 included)
        # mkstemp creates the file 0600; give it the mode a plain open() would.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(temp, mode)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_all(writers: Writers, *, force: bool) -> list[Path]:
    """Check every target first, then write each one atomically; return the paths."""
    paths = list(writers)
    check_free(paths, force=force)
    for path, write in writers.items():
        write_atomically(path, write)
    return paths
