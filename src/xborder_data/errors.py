"""The project's exceptions: one base class, one small subclass per failure.

Each message names the file, row, field and value where they apply, and ends
with what to do about it.
"""

from __future__ import annotations


class XborderDataError(Exception):
    """Base class of every error raised by xborder_data.

    Errors are data, as frictionless' ``CellError`` is: where they apply,
    ``resource``, ``path``, ``row_number`` (the header is row 1), ``field_name``
    and ``cell`` say where the problem is, so reports and tests read attributes
    instead of parsing the message.
    """

    def __init__(
        self,
        message: str = "",
        *,
        resource: str | None = None,
        path: str | None = None,
        row_number: int | None = None,
        field_name: str | None = None,
        cell: str | None = None,
    ) -> None:
        super().__init__(message)
        self.resource = resource
        self.path = path
        self.row_number = row_number
        self.field_name = field_name
        self.cell = cell


class DescriptorError(XborderDataError):
    """A descriptor or schema that is missing, unreadable, malformed, or uses a property the loader does not support."""


class UnknownResourceError(XborderDataError, KeyError):
    """A resource name that the package does not contain."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class UnsafePathError(XborderDataError):
    """A resource path that is absolute, a URL, contains '..' or escapes the package."""


class IntegrityError(XborderDataError):
    """A data file whose size or sha256 differs from the descriptor, or that has no sha256 to check."""


class HeaderMismatchError(XborderDataError):
    """A CSV header whose columns differ from the Table Schema's fields."""


class BadCellError(XborderDataError, ValueError):
    """A row or cell that breaks the CSV dialect, its field's type or a schema constraint."""


class BrokenReferenceError(XborderDataError):
    """A foreign-key value that matches no row of the referenced resource."""


class InconsistentDataError(XborderDataError, ValueError):
    """A row that contradicts a fact the research helpers rely on (a level, a count, a date order, a code's uniqueness)."""


class MissingDependencyError(XborderDataError, ImportError):
    """An optional dependency is not installed; the message names the extra."""


class OutputExistsError(XborderDataError, FileExistsError):
    """An output file already exists and overwriting was not asked for."""


class UsageError(XborderDataError, ValueError):
    """An argument outside its valid choices; the message lists them."""


class UnknownRowError(XborderDataError, KeyError):
    """A row id that the resource does not contain."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnsafeOutputError(XborderDataError, ValueError):
    """An output folder that writing or replacing would harm (the package, home, a foreign folder)."""


class ScopeSpliceError(UsageError):
    """A trade series asked across scopes, which count different things and must never be spliced."""
