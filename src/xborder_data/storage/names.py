"""Names from metadata that become output file names: one safe path component each."""

from __future__ import annotations

import re
from pathlib import PurePath

from xborder_data.errors import DescriptorError

# Letters, digits, '.', '_' and '-', starting with a letter or digit: no separator,
# no '..', no hidden file, no drive letter, nothing a shell or a file system reads specially.
_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")

__all__ = ["check_component", "check_relative"]


def check_component(value: object, *, what: str) -> str:
    """Return ``value`` when it is one safe path component, else raise DescriptorError.

    Args:
        value: the name from metadata, e.g. a resource name or the package version.
        what: what the value is, for the message, e.g. "resource name".

    Raises:
        DescriptorError: naming the value, the rule and the remedy.

    Example:
        >>> check_component("stages", what="resource name")
        'stages'
    """
    if not isinstance(value, str) or not _COMPONENT.fullmatch(value) or value.strip(".") == "":
        raise DescriptorError(
            f"datapackage.json: {what} {value!r} cannot be used as a file name; it must be 1-200 letters, "
            "digits, '.', '_' or '-' starting with a letter or digit (no '/', '\\' or '..'); fix the descriptor."
        )
    return value


def check_relative(path: str | PurePath, *, what: str) -> PurePath:
    """Return ``path`` when every one of its parts is a safe component (so it stays inside its folder).

    Raises:
        DescriptorError: for an absolute path, '..', or any unsafe part.
    """
    pure = PurePath(path)
    if pure.is_absolute() or not pure.parts:
        raise DescriptorError(f"datapackage.json: {what} {str(path)!r} is not a relative path; fix the descriptor.")
    for part in pure.parts:
        check_component(part, what=f"{what} part")
    return pure
