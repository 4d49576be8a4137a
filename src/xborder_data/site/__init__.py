"""A self-contained static website of the Data Package.

Build it with ``build_site(package, outdir)``. Its dependencies are the
``xborder-data[site]`` extra (altair, vl-convert-python, jinja2, markdown-it-py);
they are imported only when a site is built.
"""

from __future__ import annotations

from xborder_data.site.build import build_site

__all__ = ["build_site"]
