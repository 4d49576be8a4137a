"""Shared fixtures: the bundled package, a disposable copy, and the research folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import xborder_data
from xborder_data.maintain import refresh

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLE = SHARED / "seed" / "000_cff32ad3f60e18a9.txt"
PROFILES = SHARED / "reference" / "datapackage-2.0"

RESOURCES = xborder_data.resources()


def needs_shared(path: Path) -> Path:
    """Return ``path``, or skip the test when the research folder is absent (a user's clone)."""
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared is only present in CI and maintainers' checkouts")
    return path


@pytest.fixture(scope="session")
def package() -> xborder_data.Package:
    return xborder_data.bundled()


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A fresh copy of the package folder that a test may break."""
    root = tmp_path / "pkg"
    root.mkdir()
    shutil.copy2(REPO / "datapackage.json", root / "datapackage.json")
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    return root


def rehash(root: Path) -> None:
    """Rewrite bytes and hashes after a deliberate edit, as a maintainer would."""
    (root / "docs").mkdir(exist_ok=True)
    refresh(root)
