"""Shared fixtures: the bundled package, disposable and edited copies, and the research folder."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Callable

import pytest

import xborder_data
from xborder_data.exports import export
from tools.maintain import descriptor_text, refresh, refreshed_descriptor

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


class _Exports(dict):  # type: ignore[type-arg]
    """Format name -> folder holding the bundled package's export, made on first use."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def __missing__(self, fmt: str) -> Path:
        export(xborder_data.bundled(), fmt, self.root / fmt)
        self[fmt] = self.root / fmt
        return self[fmt]


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``exported[fmt]``: the bundled package exported to ``fmt`` once per test run, in its own folder.

    Read it, never change it (a test that writes to one copies it first).
    """
    return _Exports(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled package's site, built once per test run and shared by every test that only reads it.

    A test that changes a site copies this one first (``shutil.copytree``); the build behind it is the real one.
    """
    from xborder_data.site import build_site

    return build_site(xborder_data.bundled(), tmp_path_factory.mktemp("site") / "out").parent


@pytest.fixture()
def cheap_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests of what a build does with the package, not of the charts or the exports: no exports, tiny SVGs.

    The exports and the charts of the real build are tested on the session ``site``.
    """
    from xborder_data.site import build, figures_chart, pilot_zone_charts, timeline_chart, trade_chart
    from xborder_data.site.downloads import Downloads

    monkeypatch.setattr(build, "build_exports", lambda package, site, folder: Downloads([], ["exports not built in this test"]))
    for module in (figures_chart, pilot_zone_charts, trade_chart):
        monkeypatch.setattr(module, "render_svg", lambda spec, **_: '<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    del timeline_chart  # the timeline's SVG is the one tests read: it is drawn for real


@pytest.fixture()
def pages_only(cheap_build: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cheap_build`` with the timeline's SVG tiny too: for tests of the pages' HTML and the output folder."""
    from xborder_data.site import timeline_chart

    monkeypatch.setattr(timeline_chart, "render_svg", lambda spec, **_: '<svg xmlns="http://www.w3.org/2000/svg"></svg>')


@pytest.fixture()
def fake_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace all page rendering with one page: for tests about the output folder, not the pages."""
    from xborder_data.site import build

    def write(package: object, site: Path, datasheet: str | None = None, datasheet_zh: str | None = None) -> Path:
        (site / "index.html").write_text("<p>site</p>", encoding="utf-8")
        return site / "index.html"

    monkeypatch.setattr(build, "_write_site", write)


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A fresh copy of the package folder that a test may break."""
    root = tmp_path / "pkg"
    root.mkdir()
    shutil.copy2(REPO / "datapackage.json", root / "datapackage.json")
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    return root


@pytest.fixture()
def regex_timeouts(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """The ``timeout`` each `regex` fullmatch is handed from now on (patterns compiled after this fixture).

    What the pattern budget gives each match is the oracle, instead of a wall clock: a shared
    budget hands out only what is left of it, a fresh one per cell or field would start again.
    """
    import regex

    given: list[float | None] = []
    original = regex.compile

    class Recording:
        def __init__(self, compiled: object) -> None:
            self.compiled = compiled

        def fullmatch(self, *args: object, **kwargs: object) -> object:
            given.append(kwargs.get("timeout"))  # type: ignore[arg-type]
            return self.compiled.fullmatch(*args, **kwargs)  # type: ignore[attr-defined]

        def __getattr__(self, name: str) -> object:
            return getattr(self.compiled, name)

    monkeypatch.setattr(regex, "compile", lambda pattern, *a, **k: Recording(original(pattern, *a, **k)))
    return given


def rehash(root: Path) -> None:
    """Rewrite bytes and hashes after a deliberate edit, as a maintainer would."""
    (root / "docs").mkdir(exist_ok=True)
    refresh(root)


Edit = Callable[[list[dict[str, str]]], None]


def copy_package(target: Path, edits: dict[str, Edit], *, refresh_hashes: bool = True) -> Path:
    """Copy the bundled package to ``target``, apply row edits to its CSVs, and
    (unless told not to) rewrite bytes and hash so the copy stays self-consistent."""
    export(xborder_data.bundled(), "csv", target)
    for name, edit in edits.items():
        path = target / "data" / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
        edit(rows)
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_bytes(out.getvalue().encode("utf-8"))
    if refresh_hashes:
        (target / "datapackage.json").write_text(descriptor_text(refreshed_descriptor(target)), encoding="utf-8")
    return target


@pytest.fixture
def formula_package(tmp_path: Path) -> Path:
    """A valid copy whose text cells start with each formula character."""

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] = "=HYPERLINK(\"http://example.com\")"
        rows[0]["description"] = "+1 and more"
        rows[1]["name_en"] = "-minus"
        rows[1]["description"] = "@SUM(A1:A9)"
        rows[2]["description"] = "\tindented"

    return copy_package(tmp_path / "formula", {"drivers": edit})


@pytest.fixture
def broken_reference_package(tmp_path: Path) -> Path:
    """A copy whose hashes match but whose first driver cites a missing source."""

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["source_id"] = "no_such_source"

    return copy_package(tmp_path / "broken-ref", {"drivers": edit})


@pytest.fixture
def tampered_package(tmp_path: Path) -> Path:
    """A copy with an edited data file whose hash was not updated."""

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] = rows[0]["name_en"] + " (edited)"

    return copy_package(tmp_path / "tampered", {"drivers": edit}, refresh_hashes=False)


def write_package(root: Path, tables: dict[str, tuple[bytes, dict]], **properties: object) -> Path:
    """Write a minimal one-file-per-table package: CSV bytes and an inline schema per
    resource, with true bytes and sha256, plus any descriptor ``properties``."""
    import hashlib
    import json

    (root / "data").mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (data, schema) in tables.items():
        (root / "data" / f"{name}.csv").write_bytes(data)
        resources.append(
            {
                "name": name,
                "path": f"data/{name}.csv",
                "format": "csv",
                "bytes": len(data),
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "schema": schema,
            }
        )
    descriptor = {"name": "test", "version": "0.0.1", "resources": resources, **properties}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root
