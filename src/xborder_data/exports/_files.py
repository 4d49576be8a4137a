"""What every exporter shares: the plan of files, and names built from metadata.

Writing itself is ``xborder_data.storage.staging.write_staged``: all files are built in a
staging folder beside OUTDIR and moved in only when every one is complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from xborder_data.storage.names import check_component

if TYPE_CHECKING:
    from xborder_data.package import Package

# Final path -> function that writes the complete file at the path it is given.
Writers = dict[Path, Callable[[Path], None]]


def resource_file(outdir: Path, name: str, suffix: str) -> Path:
    """``OUTDIR/NAME.suffix`` for a resource, refusing a name that is not one safe component."""
    return outdir / f"{check_component(name, what='resource name')}{suffix}"


def package_name(package: "Package") -> str:
    """The descriptor's ``name`` (default ``xborder-data``), checked to be one safe component."""
    return check_component(package.descriptor().get("name", "xborder-data"), what="package name")


def package_version(package: "Package") -> str:
    """The descriptor's ``version``, checked to be one safe component."""
    return check_component(package.version, what="package version")
