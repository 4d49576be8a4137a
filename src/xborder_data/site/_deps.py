"""Lazy imports of the site's optional dependencies (the ``site`` extra)."""

from __future__ import annotations

import importlib
from types import ModuleType

from xborder_data.errors import MissingDependencyError

# module name -> distribution name, for the error message
SITE_MODULES: dict[str, str] = {
    "altair": "altair",
    "vl_convert": "vl-convert-python",
    "jinja2": "jinja2",
    "markdown_it": "markdown-it-py",
}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise MissingDependencyError naming the extra.

    Raises:
        MissingDependencyError: when the module is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        dist = SITE_MODULES.get(module, module)
        raise MissingDependencyError(
            f"building the site needs {dist!r}, which is not installed ({error}); "
            "install it with: pip install 'xborder-data[site]'"
        ) from None
