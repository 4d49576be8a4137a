"""The project's exceptions: one base class, one small subclass per failure.

Each message names the file, row, field and value where they apply, and ends
with what to do about it.
"""

from __future__ import annotations


class XborderDataError(Exception):
    """Base class of every error raised by xborder_data."""


class DescriptorError(XborderDataError):
    """The datapackage.json descriptor is missing, unreadable or not valid JSON."""


class UnknownResourceError(XborderDataError, KeyError):
    """A resource name that the package does not contain."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class UnsafePathError(XborderDataError):
    """A resource path that is absolute, a URL, contains '..' or escapes the package."""


class IntegrityError(XborderDataError):
    """A data file whose size or sha256 differs from the descriptor."""


class HeaderMismatchError(XborderDataError):
    """A CSV header whose columns differ from the Table Schema's fields."""


class BadCellError(XborderDataError, ValueError):
    """A cell that does not cast to its field's type, or an empty required cell."""


class BrokenReferenceError(XborderDataError):
    """A foreign-key value that matches no row of the referenced resource."""


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


class ScopeSpliceError(UsageError):
    """A trade series asked across scopes, which count different things and must never be spliced."""
