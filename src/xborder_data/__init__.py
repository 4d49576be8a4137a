"""xborder_data: China's cross-border e-commerce as a typed, cited Data Package.

Importing this module reads no file and imports neither pandas nor
frictionless; they load on first use.

Example:
    >>> import xborder_data
    >>> xborder_data.load("stages")["stage_id"].tolist()
    ['1.0', '2.0', '3.0']
"""

from __future__ import annotations

from xborder_data import registry as _registry
from xborder_data._version import __version__
from xborder_data.errors import (
    BadCellError,
    BrokenReferenceError,
    DescriptorError,
    HeaderMismatchError,
    IntegrityError,
    MissingDependencyError,
    OutputExistsError,
    ScopeSpliceError,
    UnsafeOutputError,
    UnknownResourceError,
    UnknownRowError,
    UnsafePathError,
    UsageError,
    XborderDataError,
)
# Imports for annotations only. `typing`, `pathlib`, `threading` and the package
# machinery are left out of `import xborder_data` to keep it near-free.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    import pandas as pd

    from xborder_data.package import Package

    from xborder_data.citing.cite import CitationStyle
    from xborder_data.checks.integrity import ReleaseComparison
    from xborder_data.research.lookup import lookup
    from xborder_data.research.panel import pilot_zone_panel
    from xborder_data.research.trade import trade_series
    from xborder_data.citing.provenance import Citations
    from xborder_data.checks.report import ValidationReport

__all__ = [
    "__version__",
    "Package",
    "open",
    "bundled",
    "did_panel",
    "resources",
    "load",
    "load_all",
    "records",
    "descriptor",
    "schema",
    "path",
    "package_path",
    "sources_for",
    "citation",
    "validate",
    "compare_with_release",
    "pilot_zone_panel",
    "trade_series",
    "lookup",
    "XborderDataError",
    "BadCellError",
    "BrokenReferenceError",
    "DescriptorError",
    "HeaderMismatchError",
    "IntegrityError",
    "MissingDependencyError",
    "OutputExistsError",
    "ScopeSpliceError",
    "UnknownResourceError",
    "UnknownRowError",
    "UnsafePathError",
    "UsageError",
    "UnsafeOutputError",
]



def __getattr__(name: str) -> object:
    # `xborder_data.Package` is imported on first use, not at import time.
    if name == "Package":
        from xborder_data.package import Package

        return Package
    # The research helpers are the modules' own functions, so help() shows their
    # whole docstring, caveats included; they are imported on first use.
    if name == "pilot_zone_panel":
        from xborder_data.research.panel import pilot_zone_panel

        return pilot_zone_panel
    if name == "did_panel":
        from xborder_data.research.did import did_panel

        return did_panel
    if name == "trade_series":
        from xborder_data.research.trade import trade_series

        return trade_series
    if name == "lookup":
        from xborder_data.research.lookup import lookup

        return lookup
    raise AttributeError(f"module 'xborder_data' has no attribute {name!r}")


@_registry.register
def _did_panel(package: "Package") -> Any:
    """The balanced DID panel, which every export and the site offer beside the resources (research.did)."""
    from xborder_data.research.did import panel_resource

    return panel_resource(package)


@_registry.plug_validator
def _validate(package: "Package") -> "ValidationReport":
    """What ``Package.validate()`` runs: frictionless plus the integrity and fact checks (checks.validation)."""
    from xborder_data.checks.validation import validate as validate_package

    return validate_package(package)


def open(path: "str | Path", *, max_bytes: int | None = None) -> "Package":  # noqa: A001 - the documented name of the API
    """Open another copy of the package (a folder or its datapackage.json).

    ``max_bytes`` is the largest data file it reads: 1 GiB by default (or the
    environment variable XBORDER_DATA_MAX_BYTES); raise it for a large package of your own.
    """
    import os

    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise UsageError(f"open: give the path of a package folder or its datapackage.json, not {path!r}")
    from xborder_data.package import Package

    return Package(path, max_bytes=max_bytes)


def bundled() -> "Package":
    """Return the package bundled with this installation (created once, lazily)."""
    from xborder_data.package import bundled as _bundled_package

    return _bundled_package()


def resources() -> list[str]:
    """Return the bundled resource names, in descriptor order."""
    return bundled().resources()


def load(name: str, *, verify_integrity: bool = True, check_references: bool = False, dtypes: str = "nullable") -> "pd.DataFrame":
    """Return a bundled resource as a DataFrame typed from its Table Schema (``dtypes="numpy"``: plain NumPy dtypes)."""
    return bundled().load(name, verify_integrity=verify_integrity, check_references=check_references, dtypes=dtypes)


def load_all(*, verify_integrity: bool = True) -> dict[str, "pd.DataFrame"]:
    """Return every bundled resource, as a dict of name to DataFrame."""
    return bundled().load_all(verify_integrity=verify_integrity)


def records(name: str, *, verify_integrity: bool = True) -> list[dict[str, Any]]:
    """Return a bundled resource as a list of dicts of Python values (no pandas)."""
    return bundled().records(name, verify_integrity=verify_integrity)


def descriptor() -> dict[str, Any]:
    """Return a copy of the bundled descriptor."""
    return bundled().descriptor()


def schema(name: str) -> dict[str, Any]:
    """Return a copy of the Table Schema of a bundled resource."""
    return bundled().schema(name)


def path(name: str) -> Path:
    """Return the real path of a bundled CSV file."""
    return bundled().path(name)


def package_path() -> Path:
    """Return the real path of the bundled datapackage.json."""
    return bundled().package_path()


def sources_for(name: str, row_id: object) -> "Citations":
    """Return the claims, evidence and sources behind one bundled row (its key, typed or as text)."""
    return bundled().sources_for(name, row_id)


def citation(style: "CitationStyle" = "text") -> str:
    """Return how to cite the dataset: "text", "bibtex", "apa", "ris", "csl-json", "gbt7714" or "gbt7714-en".

    "gbt7714" is a GB/T 7714-2015 reference ([DS/OL] with the package's homepage,
    [DS] without one) in Chinese, "gbt7714-en" the same in English; both carry
    today's date as the citation date.
    """
    return bundled().citation(style)


def validate() -> "ValidationReport":
    """Validate the bundled package with frictionless and the integrity checks."""
    return bundled().validate()


def compare_with_release() -> "ReleaseComparison":
    """Compare every bundled file with the release manifest shipped in this library."""
    return bundled().compare_with_release()
