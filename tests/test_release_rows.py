"""The release manifest's row counts: recorded only for a copy that validates, used only for a copy identical to it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.checks.integrity import released_rows
from xborder_data.cli import cli
from xborder_data.tableschema import table as strict_reader
from tools.maintain import release_rows

REPO = Path(__file__).resolve().parents[1]


def csv_row_counts(root: Path) -> dict[str, int]:
    """The oracle: the csv module's count of data rows in every data file."""
    package = xborder_data.open(root)
    counts = {}
    for name in package.resources():
        with (root / package.resource(name).path).open(encoding="utf-8", newline="") as handle:
            counts[name] = sum(1 for _ in csv.reader(handle)) - 1  # less the header
    return counts


def test_the_manifest_records_the_csv_modules_row_counts() -> None:
    assert released_rows(xborder_data.__version__) == csv_row_counts(REPO)


def test_releases_before_the_counts_have_none() -> None:
    assert released_rows("1.4.0") is None
    assert released_rows("0.0.1") is None


def _summary(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """Run the summary with the strict reader made to fail: it must not be needed."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the summary parsed a table of a copy identical to the release")

    monkeypatch.setattr(strict_reader, "read_table", refuse)
    result = CliRunner().invoke(cli, list(args), prog_name="xborder-data")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["info", "list"])
def test_an_identical_copy_is_summarised_without_parsing(monkeypatch: pytest.MonkeyPatch, package_copy: Path,
                                                         command: str) -> None:
    code, out, err = _summary(monkeypatch, "--package", str(package_copy), command)
    assert code == 0, err
    for name, count in csv_row_counts(package_copy).items():
        line = next(line for line in out.splitlines() if line.split()[:1] == [name])
        assert str(count) in line.split()
    if command == "info":
        assert "checked cell by cell when release" in out


def test_a_rehashed_edit_is_read_and_refused(broken_reference_package: Path) -> None:
    """Hashes rewritten to match an invalid cell: the copy is not the release, so it is read and fails."""
    result = CliRunner().invoke(cli, ["--package", str(broken_reference_package), "info"], prog_name="xborder-data")
    assert result.exit_code == 1
    assert "Validation: FAILED" in result.stderr and "no_such_source" in result.stderr
    assert "checked cell by cell when release" not in result.stdout


def test_a_copy_that_does_not_validate_gets_no_counts(broken_reference_package: Path) -> None:
    assert release_rows(broken_reference_package) is None
    assert release_rows(REPO) == csv_row_counts(REPO)


def test_the_bare_command_prints_the_clis_summary_without_click() -> None:
    """`xborder-data` with no argument serves the release's summary without importing click; the text is `info`'s."""
    import subprocess
    import sys

    script = ("import sys; sys.argv = ['xborder-data']; from xborder_data.__main__ import main; main(); "
              "sys.stderr.write(repr(sorted(m for m in ('click', 'pandas', 'pyarrow', 'regex') if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8", check=True)
    assert done.stderr == "[]"
    full = CliRunner().invoke(cli, ["info"], prog_name="xborder-data")
    assert full.exit_code == 0
    assert done.stdout == full.stdout


def test_an_unreadable_datasheet_leaves_the_summary_whole(package_copy: Path, tmp_path: Path) -> None:
    """A datasheet linked from outside the copy cannot be hashed: the release is not compared, the rest is reported."""
    outside = tmp_path / "DATASHEET.md"
    outside.write_text("# elsewhere\n", encoding="utf-8")
    (package_copy / "DATASHEET.md").symlink_to(outside)
    result = CliRunner().invoke(cli, ["--package", str(package_copy), "info"], prog_name="xborder-data")
    assert result.exit_code == 0, result.output
    assert "Integrity: verified" in result.stdout and "Release: not compared" in result.stdout
    assert "Validation: every cell meets" in result.stdout and "checked cell by cell when release" not in result.stdout
