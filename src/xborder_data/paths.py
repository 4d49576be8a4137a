"""Resolving resource paths without ever leaving the package folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from xborder_data.errors import UnsafePathError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def resolve_inside(root: Path, relative: str, *, resource: str) -> Path:
    """Return ``root / relative``, refusing anything that could read elsewhere.

    Refused: URLs (the loader never touches the network), absolute paths,
    paths with a '..' segment, and paths that a symlink carries outside root.

    Raises:
        UnsafePathError: naming the resource and the path.
    """
    remedy = "resource paths must be relative paths inside the package folder; fix datapackage.json."
    if _URL.match(relative):
        raise UnsafePathError(f"resource {resource!r}: path {relative!r} is a URL; the loader never reads the network; {remedy}")
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", relative):
        raise UnsafePathError(f"resource {resource!r}: path {relative!r} is absolute; {remedy}")
    if ".." in pure.parts:
        raise UnsafePathError(f"resource {resource!r}: path {relative!r} contains '..'; {remedy}")
    real_root = root.resolve()
    candidate = (root / pure).resolve()
    if not candidate.is_relative_to(real_root):
        raise UnsafePathError(
            f"resource {resource!r}: path {relative!r} resolves to {candidate}, outside {real_root} (a symlink?); {remedy}"
        )
    return candidate
