"""What the public API plugs into the floors below it, so that they call up without importing up.

- Tables derived from a package's resources (the DID panel), offered by every output beside the
  resources. The exports and the site loop over a package's resources, then over these, and name
  none of them: no output imports the research code that builds them, and a derived table needs no
  exporter changed.
- The validator ``Package.validate()`` runs (``checks.validation``). Validation reads a package, so
  the package may not import it; it only calls what is plugged in here.

``xborder_data/__init__`` plugs both in when ``xborder_data`` (or any module of it) is imported.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, Callable

    from xborder_data.checks.report import ValidationReport
    from xborder_data.tableschema.descriptor import ResourceSpec

    Package = Any  # an xborder_data.Package: package.py imports this module, and the two would tie in a circle
    Rows = Callable[[], list[dict[str, Any]]]
    Maker = Callable[[Package], "tuple[ResourceSpec, Rows] | None"]
    Validator = Callable[[Package], ValidationReport]

_MAKERS: list[Maker] = []
_validator: Validator | None = None


def register(maker: Maker) -> Maker:
    """Offer the table ``maker`` derives (a resource spec and its rows, or None where the package lacks its inputs)."""
    _MAKERS.append(maker)
    return maker


def derived_tables(package: "Package") -> list[tuple["ResourceSpec", "Rows"]]:
    """The tables derived from ``package``, in registration order."""
    return [found for maker in _MAKERS if (found := maker(package)) is not None]


def plug_validator(validator: Validator) -> Validator:
    """Make ``validator`` the one ``Package.validate()`` runs."""
    global _validator
    _validator = validator
    return validator


def validator() -> "Validator":
    """The validator plugged in (by ``xborder_data/__init__``, which Python imports before any of its modules)."""
    if _validator is None:  # pragma: no cover - only if xborder_data/__init__ failed half-way
        raise RuntimeError("no validator is plugged in: xborder_data was not imported whole")
    return _validator
