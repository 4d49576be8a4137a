"""Hostile inputs against the writing side: names, disks, signals, races, formulas, terminals, links.

Each test states what must hold and checks it with something outside the code
under test: a snapshot of the file tree, the csv and json modules, openpyxl and
the xlsx XML itself, html.parser, the kernel's own errors.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli
from xborder_data.errors import BadCellError, DescriptorError, OutputExistsError, UnsafeOutputError
from xborder_data.exports import FORMATS, export
from xborder_data.exports.to_csv import FORMULA_STARTS
from xborder_data.exports.to_xlsx import XlsxCellWarning
from xborder_data.storage.names import check_component
from xborder_data.urls import is_safe_url
from xborder_data.storage.staging import MARKER, write_staged

from conftest import REPO, copy_package, rehash

PACKAGE = xborder_data.bundled()
RESOURCES = xborder_data.resources()


# -- helpers -------------------------------------------------------------------------
def tree(root: Path) -> dict[str, Any]:
    """Every entry under ``root`` with its kind and content: a snapshot to compare before and after."""
    entries: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            entries[key] = ("link", os.readlink(path))
        elif path.is_dir():
            entries[key] = ("dir",)
        else:
            entries[key] = ("file", path.read_bytes())
    return entries


def cli_run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess:
    """The real command in a fresh interpreter (stdout and stderr as bytes)."""
    return subprocess.run(
        [sys.executable, "-m", "xborder_data", *args],
        cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, timeout=300, **kwargs,
    )


def one_error_line(stderr: bytes) -> str:
    """The single line a failure prints; fails the test on a traceback or several lines."""
    lines = stderr.decode("utf-8").strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def edit_descriptor(root: Path, **changes: Any) -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    renamed = changes.pop("rename", None)
    if renamed:
        for entry in descriptor["resources"]:
            if entry["name"] == renamed[0]:
                entry["name"] = renamed[1]
    descriptor.update(changes)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def leftovers(folder: Path) -> list[str]:
    """Staging folders, temporary files or replaced-site folders left behind in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or p.name.endswith(".tmp") or ".replaced-" in p.name)


# -- 1. names from metadata are one safe path component -------------------------------
@pytest.mark.parametrize(
    "name", ["", ".", "..", "../../x", "/abs", "a/b", "a\\b", "C:x", ".hidden", "x\x00y", "x\ny", "-rf", "a" * 201, 5, None]
)
def test_unsafe_names_are_refused(name: object) -> None:
    with pytest.raises(DescriptorError, match="cannot be used as a file name"):
        check_component(name, what="resource name")


@pytest.mark.parametrize("name", [*RESOURCES, "xborder-data", PACKAGE.version, "1.1.0-rc.1", "A_b-9"])
def test_the_package_own_names_are_safe(name: str) -> None:
    assert check_component(name, what="name") == name


HOSTILE = {
    "resource ../../x": {"rename": ("evidence", "../../x")},
    "resource /abs": {"rename": ("evidence", "{tmp}/abs")},
    "package name /abs": {"name": "{tmp}/abs"},
    "version 1/../../v": {"version": "1/../../v"},
}
# Which formats put which name into a file name.
USES = {
    "resource": {"json", "parquet", "xlsx", "csv-excel"},
    "package": {"sqlite", "xlsx", "zip", "datasette"},
    "version": {"zip"},
}


@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.parametrize("fmt", [*FORMATS, "csv-excel"])
def test_names_never_escape_outdir(tmp_path: Path, package_copy: Path, case: str, fmt: str) -> None:
    edit_descriptor(package_copy, **{k: (v.replace("{tmp}", str(tmp_path)) if isinstance(v, str) else v) for k, v in HOSTILE[case].items()})
    outdir = tmp_path / "a" / "b" / "out"
    before = tree(tmp_path)
    kind = case.split()[0]
    if kind == "resource":  # the loader refuses such a name before any export is planned
        with pytest.raises(DescriptorError, match=r"names match \^\[a-z0-9._-\]\+\$"):
            xborder_data.open(package_copy)
        return
    package = xborder_data.open(package_copy)
    name, excel = fmt.removesuffix("-excel"), fmt == "csv-excel"
    if fmt in USES[kind]:
        with pytest.raises(DescriptorError, match="cannot be used as a file name"):
            export(package, name, outdir, excel=excel, force=True)
        assert tree(tmp_path) == before  # not even OUTDIR or its parents were created
    else:
        written = export(package, name, outdir, excel=excel, force=True)
        assert all(Path(p).resolve().is_relative_to(outdir.resolve()) for p in written)
        new = set(tree(tmp_path)) - set(before)
        assert all(entry.startswith("a/b/out") or entry in ("a", "a/b") for entry in new), new


def test_site_refuses_an_unsafe_resource_name(tmp_path: Path, package_copy: Path) -> None:
    from xborder_data.site import build_site

    edit_descriptor(package_copy, name="../../x")
    before = tree(tmp_path)
    with pytest.raises(DescriptorError, match="'../../x' cannot be used as a file name"):
        build_site(xborder_data.open(package_copy), tmp_path / "a" / "out")
    assert tree(tmp_path) == before


def test_cli_names_the_bad_name_in_one_line(tmp_path: Path, package_copy: Path) -> None:
    edit_descriptor(package_copy, version="1/../../v")
    result = cli_run("--package", str(package_copy), "export", "zip", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "package version '1/../../v' cannot be used as a file name" in one_error_line(result.stderr)


def test_a_writer_cannot_place_a_file_outside_outdir(tmp_path: Path) -> None:
    with pytest.raises(UnsafeOutputError, match="lies outside the output folder"):
        write_staged({tmp_path / "elsewhere.txt": lambda p: p.write_text("x")}, tmp_path / "out", force=True)
    with pytest.raises(DescriptorError):
        write_staged({tmp_path / "out" / ".." / "x.txt": lambda p: p.write_text("x")}, tmp_path / "out", force=True)
    assert list(tmp_path.iterdir()) == []


def test_a_symlinked_subfolder_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "data").symlink_to(outside)
    before = tree(tmp_path)
    with pytest.raises(UnsafeOutputError, match="is a symlink"):
        export(PACKAGE, "csv", outdir, force=True)
    assert tree(tmp_path) == before


# -- 2. all or nothing: failures, full disks, signals ---------------------------------
def test_csv_export_into_a_folder_whose_data_is_a_file(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "data").write_text("a file, not a folder", encoding="utf-8")
    before = tree(tmp_path)
    result = cli_run("export", "csv", str(outdir))
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line == f"Error: {outdir / 'data'}: Not a directory; a part of the path is a file, not a folder; choose another path"
    assert tree(tmp_path) == before  # no datapackage.json left behind


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("outdir-below-a-file", "Not a directory"),
        ("target-is-a-folder", "Is a directory; a folder is in the way"),
    ],
)
def test_os_errors_are_one_line(tmp_path: Path, make: str, expected: str) -> None:
    outdir = tmp_path / "out"
    if make == "outdir-below-a-file":
        outdir.write_text("file", encoding="utf-8")
        outdir = outdir / "sub"
    else:
        (outdir / "xborder-data.sqlite").mkdir(parents=True)
    before = tree(tmp_path)
    result = cli_run("export", "sqlite", str(outdir), "--force")
    assert result.returncode == 1
    assert expected.lower() in one_error_line(result.stderr).lower()
    assert tree(tmp_path) == before


def test_an_empty_outdir_name_is_refused(tmp_path: Path) -> None:
    result = cli_run("export", "json", "", cwd=tmp_path)
    assert result.returncode == 2
    assert "the output folder is empty" in one_error_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_place_is_one_line() -> None:
    result = cli_run("export", "json", "/proc/nope")
    assert result.returncode == 1
    assert "/proc" in one_error_line(result.stderr)


def test_debug_shows_the_traceback_instead(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("file", encoding="utf-8")
    result = cli_run("--debug", "export", "json", str(tmp_path / "out" / "sub"))
    assert result.returncode == 1
    assert b"Traceback" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux-only")
@pytest.mark.parametrize("args", [(), ("show", "claims", "-n", "0"), ("cite",), ("show", "claims", "-f", "json")])
def test_full_stdout_is_one_line(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "xborder_data", *args], stdout=full, stderr=subprocess.PIPE, timeout=120
        )
    assert result.returncode == 1
    assert "No space left on device" in one_error_line(result.stderr)


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 64 KiB tmpfs at tmp_path/disk, or a skip where mounting is not permitted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("fmt", ["csv", "json", "sqlite", "xlsx", "zip", "parquet"])
def test_disk_full_leaves_the_disk_as_it_was(small_disk: Path, fmt: str) -> None:
    (small_disk / "keep.txt").write_text("mine", encoding="utf-8")
    # Ballast, so that even the smallest export (zip, about 48 KiB) does not fit.
    (small_disk / "ballast").write_bytes(b"\0" * 32 * 1024)
    outdir = small_disk / "out"
    before = tree(small_disk)
    result = cli_run("export", fmt, str(outdir))
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "No space left on device" in line or "disk is full" in line, line
    assert tree(small_disk) == before
    # Space is given back: the same export succeeds once there is room.
    assert cli_run("export", fmt, str(small_disk.parent / "roomy")).returncode == 0


def test_read_only_disk_is_one_line(tmp_path: Path) -> None:
    disk = tmp_path / "ro"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {mounted.stderr.decode().strip()}")
    try:
        result = cli_run("export", "csv", str(disk / "out"))
        assert result.returncode == 1
        assert "Read-only file system" in one_error_line(result.stderr)
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_immutable_outdir_is_one_line(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "keep.txt").write_text("mine", encoding="utf-8")
    if subprocess.run(["chattr", "+i", str(outdir)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not permitted here (needs root on ext2/3/4, xfs or btrfs)")
    try:
        before = tree(tmp_path)
        result = cli_run("export", "json", str(outdir))
        assert result.returncode == 1
        assert "Operation not permitted" in one_error_line(result.stderr)
        assert tree(tmp_path) == before
    finally:
        subprocess.run(["chattr", "-i", str(outdir)], check=True)


def test_export_into_a_folder_whose_parent_is_not_writable(tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    outdir = parent / "out"
    outdir.mkdir(parents=True)
    if subprocess.run(["chattr", "+i", str(parent)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not permitted here (needs root on ext2/3/4, xfs or btrfs)")
    try:
        written = export(PACKAGE, "json", outdir)  # staged inside OUTDIR instead of beside it
        assert sorted(p.name for p in outdir.iterdir()) == sorted(Path(p).name for p in written)
        assert sorted(p.name for p in parent.iterdir()) == ["out"]
    finally:
        subprocess.run(["chattr", "-i", str(parent)], check=True)


def test_concurrent_exports_never_overwrite_each_other(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "xborder_data", "export", "sqlite", str(outdir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    results = [(process.wait(timeout=300), process.stderr.read()) for process in processes]  # type: ignore[union-attr]
    for process in processes:
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1, 1, 1], results
    for code, stderr in results:
        if code:
            assert "already exists" in one_error_line(stderr)
    assert sorted(p.name for p in outdir.iterdir()) == ["xborder-data.sqlite"]
    assert leftovers(tmp_path) == []
    import sqlite3

    with sqlite3.connect(outdir / "xborder-data.sqlite") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_force_replaces_only_its_own_files(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "notes.txt").write_text("mine", encoding="utf-8")
    (outdir / "xborder-data.sqlite").write_bytes(b"old")
    export(PACKAGE, "sqlite", outdir, force=True)
    assert (outdir / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (outdir / "xborder-data.sqlite").read_bytes().startswith(b"SQLite format 3")


# -- 3. the site owns only what it writes (fake_site, in conftest.py, writes one page: these tests are about the folder)
def site_cli(*args: str, cwd: Path) -> Any:
    """The site command in-process (so fake_site applies), run from ``cwd``."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), prog_name="xborder-data")
    finally:
        os.chdir(old)


@pytest.mark.parametrize("target", [".", "", "PKG", "PKG/..", "HOME", "HOME/.."])
def test_site_force_refuses_protected_folders(
    tmp_path: Path, package_copy: Path, monkeypatch: pytest.MonkeyPatch, fake_site: None, target: str
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "diary.txt").write_text("private", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    (package_copy / ".git").mkdir()
    (package_copy / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    target = target.replace("PKG", str(package_copy)).replace("HOME", str(home))
    before = tree(tmp_path)
    result = site_cli("--package", str(package_copy), "site", target, "--force", cwd=package_copy)
    assert result.exit_code == 2, result.output
    assert "refusing" in result.output or "empty" in result.output
    assert tree(tmp_path) == before


def test_site_force_refuses_a_foreign_folder(tmp_path: Path, fake_site: None) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work", encoding="utf-8")
    before = tree(tmp_path)
    result = site_cli("site", str(out), "--force", cwd=tmp_path)
    assert result.exit_code == 2
    assert f"no {MARKER} file" in result.output
    assert tree(tmp_path) == before


def test_site_force_refuses_a_symlink_to_a_site(tmp_path: Path, fake_site: None) -> None:
    assert site_cli("site", str(tmp_path / "real"), cwd=tmp_path).exit_code == 0
    (tmp_path / "link").symlink_to(tmp_path / "real")
    before = tree(tmp_path)
    assert site_cli("site", str(tmp_path / "link"), "--force", cwd=tmp_path).exit_code == 2
    assert tree(tmp_path) == before


def test_site_force_replaces_a_site_it_built(tmp_path: Path, fake_site: None) -> None:
    out = tmp_path / "out"
    assert site_cli("site", str(out), cwd=tmp_path).exit_code == 0
    assert (out / MARKER).is_file()
    refused = site_cli("site", str(out), cwd=tmp_path)
    assert refused.exit_code == 1 and "exists and is not empty" in refused.output
    assert site_cli("site", str(out), "--force", cwd=tmp_path).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# -- 4. spreadsheets never get a live formula -------------------------------------------
FORMULA = '=HYPERLINK("http://example.com","y")'


def test_excel_csv_refuses_a_formula_in_a_number_column(tmp_path: Path) -> None:
    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["value"] = FORMULA

    root = copy_package(tmp_path / "pkg", {"market_figures": edit})
    package = xborder_data.open(root)
    for fmt, excel in [("csv", True), ("json", False), ("sqlite", False)]:
        with pytest.raises(BadCellError, match="value"):
            export(package, fmt, tmp_path / f"out-{fmt}", excel=excel)
        assert not (tmp_path / f"out-{fmt}").exists()


@pytest.fixture
def formula_header_package(tmp_path: Path) -> Path:
    """A valid copy whose drivers header and cells start with every formula character."""
    root = tmp_path / "pkg"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copy2(REPO / "datapackage.json", root / "datapackage.json")
    schema_path = root / "schemas" / "drivers.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    old = "description"
    new = "=cmd|' /C calc'!A0"
    for spec in schema["fields"]:
        if spec["name"] == old:
            spec["name"] = new
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    data = root / "data" / "drivers.csv"
    with data.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(old)
    rows[0][column] = new
    for row, text in zip(rows[1:], ["@SUM(A1:A9)", "\tindented", "-x"]):
        row[column] = text
    rows[1][rows[0].index("name_en")] = "+1+1"
    rows[2][rows[0].index("name_en")] = "\r=1"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    data.write_bytes(out.getvalue().encode("utf-8"))
    rehash(root)
    return root


def is_neutral(cell: str) -> bool:
    """A cell a spreadsheet does not run: no formula start, or a plain number (float() accepts it, no letters)."""
    if not cell.startswith(FORMULA_STARTS):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return not any(char.isalpha() and char not in "eE" for char in cell)


def test_excel_csv_neutralises_every_column_and_the_header(tmp_path: Path, formula_header_package: Path) -> None:
    package = xborder_data.open(formula_header_package)
    export(package, "csv", tmp_path / "out", excel=True)
    for name in RESOURCES:
        text = (tmp_path / "out" / f"{name}.csv").read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == len(package.records(name)) + 1
        bad = [(i, cell) for i, row in enumerate(rows) for cell in row if not is_neutral(cell)]
        assert bad == [], (name, bad[:3])
    drivers = list(csv.reader(io.StringIO((tmp_path / "out" / "drivers.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert "'=cmd|' /C calc'!A0" in drivers[0]
    assert "'+1+1" in drivers[1] and "'\r=1" in drivers[2]


def test_excel_csv_keeps_plain_negative_numbers(tmp_path: Path) -> None:
    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["growth_pct"] = "-5.5"  # a number field that may be negative

    root = copy_package(tmp_path / "pkg", {"trade_values": edit})
    export(xborder_data.open(root), "csv", tmp_path / "out", excel=True)
    text = (tmp_path / "out" / "trade_values.csv").read_bytes().decode("utf-8-sig")
    assert list(csv.DictReader(io.StringIO(text, newline="")))[0]["growth_pct"] == "-5.5"


def sheet_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/")]


def test_xlsx_never_writes_a_formula(tmp_path: Path, formula_header_package: Path) -> None:
    import openpyxl

    export(xborder_data.open(formula_header_package), "xlsx", tmp_path / "out")  # beside the package, not around it
    path = tmp_path / "out" / "xborder-data.xlsx"
    assert all("<f>" not in xml and "<f " not in xml for xml in sheet_xml(path))
    book = openpyxl.load_workbook(path)
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    header = [cell.value for cell in book["drivers"][1]]
    assert "=cmd|' /C calc'!A0" in header  # the text itself, as text
    assert "+1+1" in [cell.value for cell in book["drivers"][2]]


def test_xlsx_removes_control_characters_and_cuts_long_text_naming_each_cell(tmp_path: Path) -> None:
    import openpyxl

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] = "vertical\x0btab"
        rows[1]["description"] = "x" * 40_000

    root = copy_package(tmp_path / "pkg", {"drivers": edit})
    package = xborder_data.open(root)
    names = package.table_schema("drivers").field_names
    control, long = ("ABCDEFGHIJ"[names.index(field)] for field in ("name_en", "description"))
    with pytest.warns(XlsxCellWarning) as caught:
        export(package, "xlsx", tmp_path / "out")
    messages = sorted(str(w.message) for w in caught if issubclass(w.category, XlsxCellWarning))
    assert messages == sorted([
        f"xlsx export: removed control characters, which Excel cannot store, from 1 cell(s): drivers!{control}2",
        f"xlsx export: cut 1 cell(s) to Excel's limit of 32,767 characters: drivers!{long}3",
    ])
    book = openpyxl.load_workbook(tmp_path / "out" / "xborder-data.xlsx")
    assert book["drivers"][f"{control}2"].value == "verticaltab"
    assert book["drivers"][f"{long}3"].value == "x" * 32_767
    result = cli_run("--package", str(root), "export", "xlsx", str(tmp_path / "cli"))
    assert result.returncode == 0
    assert sorted(result.stderr.decode("utf-8").strip().splitlines()) == [f"warning: {m}" for m in messages]
    assert "Traceback" not in result.stderr.decode("utf-8")


def test_xlsx_layout(exported: dict[str, Path]) -> None:
    import openpyxl

    book = openpyxl.load_workbook(exported["xlsx"] / "xborder-data.xlsx")
    for name in RESOURCES:
        sheet = book[name]
        columns = len(PACKAGE.table_schema(name).fields)
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(columns)}{len(PACKAGE.records(name)) + 1}"
        assert all(cell.font.b for cell in sheet[1])
        widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, columns + 1)]
        assert all(6 <= width <= 60 for width in widths), widths


def test_xlsx_bytes_hold_no_clock_reading(exported: dict[str, Path]) -> None:
    import datetime as dt
    import re

    # Two exports' bytes are compared in test_exports.py::test_refused_overwrite_leaves_everything_untouched[xlsx];
    # that they would also agree at another time needs no timer: every stamp the zipfile module and the
    # document properties read back is older than the day of the export.
    day_before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=1)
    book = exported["xlsx"] / "xborder-data.xlsx"  # exported earlier in this run
    with zipfile.ZipFile(book) as archive:
        stamps = [dt.datetime(*info.date_time) for info in archive.infolist()]
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", "replace") if name.startswith("docProps/") else ""
            stamps += [dt.datetime.fromisoformat(found) for found in re.findall(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})", text)]
    assert len(stamps) > len(RESOURCES) and all(stamp < day_before for stamp in stamps), stamps


# -- 5. strict, self-contained JSON -------------------------------------------------------
def refuse_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def test_json_is_strict_with_nan_and_infinity(tmp_path: Path) -> None:
    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["growth_pct"] = "NaN"  # a number field with no minimum: NaN, INF and -INF are valid there
        rows[1]["growth_pct"] = "INF"
        rows[2]["growth_pct"] = "-INF"

    root = copy_package(tmp_path / "pkg", {"trade_values": edit})
    export(xborder_data.open(root), "json", tmp_path / "out")
    for path in (tmp_path / "out").iterdir():
        json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse_constant)
    values = json.loads((tmp_path / "out" / "trade_values.json").read_text(encoding="utf-8"), parse_constant=refuse_constant)
    assert [row["growth_pct"] for row in values[:3]] == [None, None, None]
    shown = cli_run("--package", str(root), "show", "trade_values", "-f", "json")
    assert shown.returncode == 0
    assert [row["growth_pct"] for row in json.loads(shown.stdout, parse_constant=refuse_constant)[:3]] == [None, None, None]


def test_json_descriptor_points_only_inside(tmp_path: Path) -> None:
    export(PACKAGE, "json", tmp_path)
    descriptor = json.loads((tmp_path / "descriptor.json").read_text(encoding="utf-8"))

    def paths(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [v for k, v in value.items() if k == "path" and isinstance(v, str)] + [p for v in value.values() for p in paths(v)]
        if isinstance(value, list):
            return [p for v in value for p in paths(v)]
        return []

    local = [p for p in paths(descriptor) if "://" not in p]
    assert local and all((tmp_path / p).is_file() for p in local)
    assert not [r for r in descriptor["resources"] if isinstance(r.get("schema"), str)]


# -- 6. terminal safety ----------------------------------------------------------------------
ESCAPE = "\x1b[2J\x1b]0;owned\x07"


@pytest.fixture
def escape_package(tmp_path: Path) -> Path:
    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] = "Red" + ESCAPE + "\u202eevil"

    return copy_package(tmp_path / "pkg", {"drivers": edit})


@pytest.mark.parametrize("args", [("show", "drivers", "--wide"), ("show", "drivers", "-f", "json"), ("info",)])
def test_show_escapes_control_characters(escape_package: Path, args: tuple[str, ...]) -> None:
    result = cli_run("--package", str(escape_package), *args)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    if args[-1] == "json":
        assert json.loads(text)[0]["name_en"] == "Red" + ESCAPE + "\u202eevil"  # the same data, escaped in JSON
    elif args[0] == "show":
        assert "Red\\x1b[2J" in text and "\\u202e" in text


def test_cite_escapes_control_characters(escape_package: Path) -> None:
    driver = xborder_data.open(escape_package).records("drivers")[0]["driver_id"]
    result = cli_run("--package", str(escape_package), "cite", "drivers", driver)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text and "Red\\x1b[2J" in text


def test_redirected_csv_stays_utf8_on_a_cp1252_console(tmp_path: Path) -> None:
    result = cli_run("show", "stages", "-f", "csv", "-n", "0", env={"PYTHONIOENCODING": "cp1252"})
    assert result.returncode == 0, result.stderr
    got = list(csv.reader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    want = list(csv.reader(io.StringIO(PACKAGE.read_bytes("stages").decode("utf-8"), newline="")))
    assert got[0] == want[0] and len(got) == len(want)
    assert any(ord(char) > 0xFF for row in got for cell in row for char in cell)  # Chinese text survived


def on_terminal(*args: str, env: dict[str, str] | None = None) -> bytes:
    """Run the command with its stdout on a pseudo-terminal; return what the terminal received."""
    import pty

    main, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "xborder_data", *args],
            stdout=secondary, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
        )
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the other end closed
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(timeout=120) == 0, process.stderr.read()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    finally:
        os.close(main)
    return output


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_cp1252_console_gets_replacement_characters() -> None:
    # A wide terminal, so that the header is printed whole: this test is about the encoding, not the fitting.
    output = on_terminal("show", "stages", env={"PYTHONIOENCODING": "cp1252", "COLUMNS": "400"})
    assert b"stage_id" in output and b"?" in output  # the Chinese names, replaced


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_csv_on_a_terminal_is_escaped(escape_package: Path) -> None:
    output = on_terminal("--package", str(escape_package), "show", "drivers", "-f", "csv")
    assert b"\x1b" not in output and b"Red\\x1b[2J" in output


# -- 7. the site links only http(s), mailto and relative URLs -----------------------------------
@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/x", True),
        ("http://example.org", True),
        ("mailto:a@example.org", True),
        ("tables/stages.html#row-1.0", True),
        ("../style.css", True),
        ("#top", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("javascript&#58;alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_is_safe_url(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


# A javascript: licence link on the site: test_security.py::test_the_site_links_nothing_hostile_and_loads_nothing_remote
# (every licence path a disguised script URL; no page carries one, every href is safe).


def test_a_reader_that_stops_early_gets_no_error() -> None:
    # `show … | head`: the pipe closes early; like cat or git, say nothing and exit 0.
    show = subprocess.Popen([sys.executable, "-m", "xborder_data", "show", "claims", "-n", "0", "-f", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert show.stdout is not None and show.stderr is not None
    show.stdout.readline()
    show.stdout.close()
    err = show.stderr.read()
    show.stderr.close()
    assert show.wait(timeout=60) == 0
    assert err == b""


SITE_WITHOUT_EXPORTS = """
import sys
from xborder_data.site import build
from xborder_data.site.downloads import Downloads
from xborder_data.cli import main

build.build_exports = lambda package, site, folder: Downloads([], ["exports not built in this test"])
sys.argv = ["xborder-data", *sys.argv[1:]]
main()
"""


def test_a_control_character_in_chart_text_builds_the_site(tmp_path: Path) -> None:
    # vl-convert aborted the whole process (exit 134) on a \x01 in a label.
    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["title_en"] = "Notice\x01 on\x1b[31m trade"

    root = copy_package(tmp_path / "pkg", {"policies": edit})
    # The real command and charts in a fresh interpreter (an abort must not take pytest down), without
    # the downloads: chart labels never reach the exports, which the session site tests in full.
    done = subprocess.run([sys.executable, "-c", SITE_WITHOUT_EXPORTS, "--package", str(root), "site", str(tmp_path / "site")],
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not leftovers(tmp_path)
    for svg in (tmp_path / "site" / "charts").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "\x01" not in text and "\x1b" not in text, svg.name


@pytest.mark.parametrize(
    ("fmt", "rename", "message"),
    [
        ("json", "descriptor", "would be written to descriptor.json"),
        ("sqlite", "_metadata", "clashes with a name"),
        ("datasette", "sqlite_x", "clashes with a name"),
    ],
)
def test_a_resource_name_an_export_reserves_is_refused(tmp_path: Path, package_copy: Path, fmt: str, rename: str, message: str) -> None:
    edit_descriptor(package_copy, rename=("evidence", rename))  # no foreign key points at evidence
    with pytest.raises(DescriptorError, match=message):
        export(xborder_data.open(package_copy), fmt, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_case_colliding_fields_are_refused_by_the_sqlite_export(tmp_path: Path, package_copy: Path) -> None:
    schema_path = package_copy / "schemas" / "drivers.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"][2]["name"] = schema["fields"][1]["name"].upper()
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    data = package_copy / "data" / "drivers.csv"
    lines = data.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    header[2] = header[1].upper()
    data.write_text("\n".join([",".join(header)] + lines[1:]), encoding="utf-8")
    from conftest import rehash

    rehash(package_copy)
    with pytest.raises(DescriptorError, match="one column to SQLite"):
        export(xborder_data.open(package_copy), "sqlite", tmp_path / "out")


def test_site_force_keeps_what_the_user_added(tmp_path: Path, fake_site: None) -> None:
    target = tmp_path / "site"
    assert site_cli("site", str(target), cwd=tmp_path).exit_code == 0
    (target / "CNAME").write_text("example.org\n", encoding="utf-8")
    again = site_cli("site", str(target), "--force", cwd=tmp_path)
    assert again.exit_code == 2
    assert "holds files the earlier build did not write (CNAME)" in again.output
    assert (target / "CNAME").read_text(encoding="utf-8") == "example.org\n"
    (target / "CNAME").unlink()
    assert site_cli("site", str(target), "--force", cwd=tmp_path).exit_code == 0


def test_a_forged_marker_does_not_make_a_folder_replaceable(tmp_path: Path) -> None:
    from xborder_data.storage.staging import MARKER

    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n", encoding="utf-8")
    (target / MARKER).write_text("", encoding="utf-8")
    done = cli_run("site", str(target), "--force")
    assert done.returncode == 2
    assert (target / "notes.txt").exists()
