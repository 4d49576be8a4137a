"""The CLI fits the terminal, suggests names, takes --package anywhere, and says when all is well."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import xborder_data
from tools import cli_docs
from xborder_data.cli import cli
from tools.maintain import main as maintain_main

from conftest import REPO, RESOURCES

ELLIPSIS = "…"


def run(*args: str, columns: int | None = None) -> click.testing.Result:
    env = {"COLUMNS": str(columns)} if columns else {}
    return CliRunner().invoke(cli, list(args), prog_name="xborder-data", env=env)


def display_width(text: str) -> int:
    """Terminal columns, by the Unicode East Asian Width property (wide and fullwidth take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def csv_rows(name: str) -> list[dict[str, str]]:
    with xborder_data.path(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- show fits the terminal -----------------------------------------------------------------
@pytest.mark.parametrize("columns", [40, 80, 132])
@pytest.mark.parametrize("name", RESOURCES)
def test_show_fits_the_terminal_and_only_cuts_with_an_ellipsis(name: str, columns: int) -> None:
    result = run("show", name, "--limit", "0", columns=columns)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    table = [line for line in lines if not line.startswith("(")]
    assert all(display_width(line) <= columns for line in table), max(map(display_width, table))
    # Each shown cell is the file's text, whole or cut with "…": never another value.
    rules = list(re.finditer("-+", table[1]))  # one run of dashes per column, a blank between
    dashes, starts = [rule.group() for rule in rules], [rule.start() for rule in rules]
    types = {field["name"]: field["type"] for field in xborder_data.schema(name)["fields"]}
    fields = list(types)
    shown_fields = fields[: len(dashes)]
    for line, row in zip(table[2:], csv_rows(name)):
        cells = _split_by_display(line, starts, [len(d) for d in dashes])
        for field, cell in zip(shown_fields, cells):
            full = " ".join(row[field].split())
            if cell.endswith(ELLIPSIS):
                # a wide character that does not fit before the "…" leaves a blank
                assert full.startswith(cell[:-1].rstrip()) and cell != full, (field, cell, full)
            elif types[field] == "number" and full:
                assert float(cell) == float(full), (field, cell, full)  # show prints 559 as 559.0
            else:
                assert cell == full, (field, cell, full)
    if len(dashes) < len(fields):
        assert f"({len(dashes)} of {len(fields)} columns fit the terminal; --wide shows all" in result.output


def _split_by_display(line: str, starts: list[int], widths: list[int]) -> list[str]:
    """Cut a rendered line at display columns (a wide character takes two)."""
    cells, column, current, index = [], 0, "", 0
    spans = list(zip(starts, widths))
    for char in line:
        if index < len(spans) and column >= spans[index][0] + spans[index][1]:
            cells.append(current.strip())
            current, index = "", index + 1
        current += char
        column += display_width(char)
    cells.append(current.strip())
    return cells + [""] * (len(spans) - len(cells))


def test_show_wide_prints_every_column_and_cell_in_full() -> None:
    result = run("show", "platforms", "--limit", "0", "--wide", columns=40)
    assert result.exit_code == 0
    header = result.output.splitlines()[0].split()
    assert header == [field["name"] for field in xborder_data.schema("platforms")["fields"]]
    for row in csv_rows("platforms"):
        for value in row.values():
            assert " ".join(value.split()) in result.output
    assert "columns fit the terminal" not in result.output


def test_show_narrow_terminal_still_prints_one_column() -> None:
    result = run("show", "claims", "-n", "2", columns=10)
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("claim_")
    fields = len(xborder_data.schema("claims")["fields"])
    assert f"(1 of {fields} columns fit the terminal" in result.output


# -- did you mean ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "meant"), [("platform", "platforms"), ("Stages", "stages"), ("trade_value", "trade_values"), ("erata", "errata")]
)
@pytest.mark.parametrize("command", [["show"], ["cite"]])
def test_a_mistyped_resource_gets_a_suggestion(command: list[str], typed: str, meant: str) -> None:
    result = run(*command, typed, "x") if command == ["cite"] else run(*command, typed)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: unknown resource {typed!r}; did you mean {meant!r}? valid names are: {', '.join(RESOURCES)}\n"
    )


def test_a_name_close_to_nothing_gets_no_suggestion() -> None:
    result = run("show", "zzzz")
    assert result.exit_code == 2
    assert "did you mean" not in result.stderr


# -- --package after the subcommand ---------------------------------------------------------
@pytest.mark.parametrize("name", cli_docs.command_names())
def test_every_subcommand_accepts_package(name: str) -> None:
    options = {opt for param in cli.commands[name].params for opt in getattr(param, "opts", [])}
    assert "--package" in options


@pytest.mark.parametrize(
    "args",
    [["list"], ["info"], ["show", "drivers", "-f", "csv"], ["validate"], ["cite", "drivers", "b2b_growth"]],
)
def test_package_after_the_command_is_the_same_as_before(args: list[str], tampered_package: Path) -> None:
    before = run("--package", str(tampered_package), *args)
    after = run(*args, "--package", str(tampered_package))
    bundled = run(*args)
    assert (after.exit_code, after.output, after.stderr) == (before.exit_code, before.output, before.stderr)
    assert (after.output, after.stderr) != (bundled.output, bundled.stderr), "the option was ignored"


def test_package_after_export_exports_that_package(formula_package: Path, tmp_path: Path) -> None:
    result = run("export", "csv", str(tmp_path / "out"), "--package", str(formula_package))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "data" / "drivers.csv").read_bytes() == (formula_package / "data" / "drivers.csv").read_bytes()


def test_the_later_package_wins(formula_package: Path, broken_reference_package: Path) -> None:
    result = run("--package", str(broken_reference_package), "show", "drivers", "-f", "csv", "--package", str(formula_package))
    assert result.exit_code == 0
    assert "=HYPERLINK" in result.output


# -- validate --verbose -----------------------------------------------------------------------
def test_validate_verbose_prints_frictionless_full_report() -> None:
    import frictionless

    result = run("validate", "--verbose")
    assert result.exit_code == 0, result.output
    report = frictionless.Package(str(REPO / "datapackage.json")).validate()
    for task in report.tasks:
        assert f"# valid: {task.place}" in result.output
    assert "datapackage.json: valid\n" in result.output
    assert "# valid" not in run("validate").output


def test_validate_verbose_runs_frictionless_only_on_verified_files(tampered_package: Path) -> None:
    result = run("validate", "--verbose", str(tampered_package))
    assert result.exit_code == 1
    assert "[IntegrityError] drivers" in result.output
    assert "[frictionless-skipped]" in result.output


# -- maintain --check -------------------------------------------------------------------------
def test_maintain_check_says_when_all_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert maintain_main(["--check", "--root", str(REPO)]) == 0
    assert capsys.readouterr().out == ("current: datapackage.json (bytes, hash), docs/data-dictionary.md, "
                                       "docs/data-dictionary.zh-CN.md and the release manifest\n")


def test_maintain_check_names_stale_files_and_the_remedy(tampered_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tampered_package / "docs").mkdir(exist_ok=True)
    assert maintain_main(["--check", "--root", str(tampered_package)]) == 1
    out = capsys.readouterr().out
    assert "stale: datapackage.json" in out
    assert out.rstrip().endswith("run `uv run python -m tools.maintain` to rewrite them")


# -- hints name the command a clone runs --------------------------------------------------------
def test_info_hints_use_uv_run() -> None:
    result = run("info")
    hints = [line for line in result.output.splitlines() if "xborder-data " in line and line.strip().startswith(("(", "uv"))]
    assert hints
    for line in hints:
        assert "uv run xborder-data" in line
        assert line.count("xborder-data ") == line.count("uv run xborder-data ")
