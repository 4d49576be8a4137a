"""Resolving resource paths without ever leaving the package folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from xborder_data.errors import UnsafePathError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MAX_PATH = 1024  # characters; far above any real path, well below the OS limit
_MAX_PART = 255  # bytes per component, the common file-system limit


def check_relative(relative: object, *, resource: str) -> PurePosixPath:
    """Return ``relative`` as a safe relative POSIX path, or refuse it.

    Refused: anything but a non-empty string; URLs and other schemes (the
    loader never touches the network); absolute or drive paths; backslashes;
    NUL and other control characters; empty, '.' or '..' segments; overlong paths.

    Raises:
        UnsafePathError: naming the resource and the path.
    """
    remedy = "resource paths must be relative POSIX paths to files inside the package folder; fix datapackage.json."
    shown = repr(relative)[:80]

    def refuse(problem: str) -> UnsafePathError:
        return UnsafePathError(f"resource {resource!r}: path {shown} {problem}; {remedy}", resource=resource)

    if not isinstance(relative, str) or not relative:
        raise refuse("is not a non-empty string")
    if len(relative) > _MAX_PATH:
        raise refuse(f"is longer than {_MAX_PATH} characters")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in relative):
        raise refuse("contains a control character")
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        raise refuse("is not valid Unicode (a lone surrogate)") from None
    if "://" in relative or (_SCHEME.match(relative) and not re.match(r"^[A-Za-z]:[\\/]", relative)):
        raise refuse("is a URL; the loader never reads the network")
    if "\\" in relative:
        raise refuse("contains a backslash")
    if relative.startswith("/") or re.match(r"^[A-Za-z]:", relative):
        raise refuse("is absolute")
    parts = relative.split("/")
    if ".." in parts:
        raise refuse("contains '..'")
    if any(part in ("", ".") for part in parts):
        raise refuse("has an empty or '.' segment")
    if any(len(part.encode("utf-8")) > _MAX_PART for part in parts):
        raise refuse(f"has a segment longer than {_MAX_PART} bytes")
    return PurePosixPath(relative)


def resolve_inside(root: Path, relative: object, *, resource: str) -> Path:
    """Return the real path of ``root / relative``, refusing anything that could read elsewhere.

    Besides the checks of ``check_relative``, a path that a symlink carries
    outside ``root`` is refused.

    Raises:
        UnsafePathError: naming the resource and the path.
    """
    pure = check_relative(relative, resource=resource)
    real_root = root.resolve()
    try:
        candidate = (real_root / pure).resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise UnsafePathError(f"resource {resource!r}: path {str(pure)!r} cannot be resolved ({error}); fix the package.", resource=resource) from None
    if not candidate.is_relative_to(real_root):
        raise UnsafePathError(
            f"resource {resource!r}: path {str(pure)!r} resolves to {candidate}, outside {real_root} (a symlink?); "
            "resource paths must stay inside the package folder; fix datapackage.json.",
            resource=resource,
        )
    return candidate
