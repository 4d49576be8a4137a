"""Names that become output file names.

Names taken from metadata (a resource name, the package version) must be one
conservative path component each: a tampered descriptor chooses them. A name
the user typed (``panel -o 面板.csv``) is the user's own choice: any single
file name the file system takes is accepted, Chinese, spaces and parentheses
included; only what would leave its folder or cannot be a file name is refused.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import unicodedata

from xborder_data.errors import DescriptorError, UnsafeOutputError

# Letters, digits, '.', '_' and '-', starting with a letter or digit: no separator,
# no '..', no hidden file, no drive letter, nothing a shell or a file system reads specially.
_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")

__all__ = ["check_component", "check_relative", "check_user_file_name"]
_NAME_BYTES = 255  # the common file-system limit on one component


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


def check_user_file_name(value: str) -> str:
    """Return ``value`` when it can be one file name in its folder: the rule for a name the user chose.

    Refused: empty, '.', '..', a separator, NUL or another control character
    (C0, DEL, C1, which a terminal would act on), a lone surrogate (not text),
    more than 255 bytes in UTF-8. Letters of any script, spaces and punctuation pass.

    Raises:
        UnsafeOutputError: naming the value and the rule.

    Example:
        >>> check_user_file_name("面板 (2015).csv")
        '面板 (2015).csv'
    """
    shown = value.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:80]
    problem = None
    if value in ("", ".", "..") or "/" in value or "\\" in value:
        problem = "is not one file name (empty, '.', '..' or a path separator)"
    elif any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        problem = "holds a control character or a lone surrogate"
    elif len(value.encode("utf-8")) > _NAME_BYTES:
        problem = f"is longer than {_NAME_BYTES} bytes in UTF-8"
    if problem:
        raise UnsafeOutputError(f"output file name {shown!r} {problem}; choose another name.")
    return value
