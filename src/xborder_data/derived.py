"""Tables derived from a package's resources (the DID panel), offered by every output beside the resources.

The exports and the site loop over a package's resources, then over these, and name none of them. The
public API (``xborder_data/__init__``) registers the DID panel here when ``xborder_data`` is imported, so
no output imports the research code that builds it, and a derived table needs no exporter changed.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, Callable

    from xborder_data.package import Package
    from xborder_data.tableschema.descriptor import ResourceSpec

    Rows = Callable[[], list[dict[str, Any]]]
    Maker = Callable[[Package], "tuple[ResourceSpec, Rows] | None"]

_MAKERS: list[Maker] = []


def register(maker: Maker) -> Maker:
    """Offer the table ``maker`` derives (a resource spec and its rows, or None where the package lacks its inputs)."""
    _MAKERS.append(maker)
    return maker


def derived_tables(package: "Package") -> list[tuple["ResourceSpec", "Rows"]]:
    """The tables derived from ``package``, in registration order."""
    return [found for maker in _MAKERS if (found := maker(package)) is not None]
