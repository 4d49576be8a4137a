"""The command line: output, exit codes, error lines, imports and its generated docs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

import xborder_data
from tools import cli_docs
from xborder_data.citing.cite import STYLES
from xborder_data.cli import cli
from xborder_data.errors import UnknownResourceError
from xborder_data.exports.to_csv import BOM, FORMULA_STARTS

PACKAGE = xborder_data.bundled()
RESOURCES = xborder_data.resources()
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), prog_name="xborder-data")


# -- info and list -------------------------------------------------------------
@pytest.mark.parametrize("args", [(), ("info",)])
def test_info(runner: CliRunner, args: tuple[str, ...]) -> None:
    result = run(runner, *args)
    assert result.exit_code == 0, result.output
    out = result.output
    descriptor = PACKAGE.descriptor()
    assert out.startswith(descriptor["title"] + "\n")
    assert f"Version {PACKAGE.version}, license CC-BY-4.0" in out
    for name in RESOURCES:
        count = len(PACKAGE.records(name))
        line = next(line for line in out.splitlines() if line.split()[:1] == [name])
        assert f"{count} rows" in line and PACKAGE.resource(name).description in line
    assert f"Integrity: verified (bytes and sha256 of all {len(RESOURCES)} data files" in out
    assert PACKAGE.citation("text") in out


def test_info_reports_failed_integrity(runner: CliRunner, tampered_package: Path) -> None:
    result = run(runner, "--package", str(tampered_package), "info")
    assert result.exit_code == 1
    assert f"Integrity: FAILED for 1 of {len(RESOURCES)} data files" in result.stderr
    assert "drivers.csv: size is" in result.stderr
    assert "verified" not in result.stdout


def test_list(runner: CliRunner) -> None:
    result = run(runner, "list")
    assert result.exit_code == 0
    pairs = [line.split() for line in result.output.splitlines()]
    assert pairs == [[name, str(len(PACKAGE.records(name)))] for name in RESOURCES]


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["list"], ["info"], ["show", "-h"], ["export", "--help"]])
def test_no_pandas_import(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from xborder_data.cli import main\n"
        f"sys.argv = ['xborder-data', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
        "heavy = sorted(m for m in ('pandas', 'frictionless', 'pyarrow', 'openpyxl') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()  # the command really ran
    assert "HEAVY []" in done.stderr


def test_python_dash_m_alias() -> None:
    done = subprocess.run([sys.executable, "-m", "xborder_data", "list"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.split()[:2] == [RESOURCES[0], str(len(PACKAGE.records(RESOURCES[0])))]


# -- show -------------------------------------------------------------------------
def test_show_table_limits_rows(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["show", "claims", "--limit", "3", "--wide"], prog_name="xborder-data")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "claim_id"
    assert len(lines) == 2 + 3 + 1
    assert lines[-1] == f"(3 of {len(PACKAGE.records('claims'))} rows; --limit 0 shows all)"


def test_show_csv_is_the_data_file(runner: CliRunner) -> None:
    result = run(runner, "show", "policies", "--format", "csv", "--limit", "0")
    assert result.exit_code == 0
    shown = list(csv.reader(io.StringIO(result.output)))
    original = list(csv.reader(io.StringIO(PACKAGE.path("policies").read_text(encoding="utf-8"))))
    assert shown == original


def test_show_json(runner: CliRunner) -> None:
    result = run(runner, "show", "market_figures", "-f", "json", "-n", "2")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert rows == PACKAGE.records("market_figures")[:2]


# -- cite ---------------------------------------------------------------------------
@pytest.mark.parametrize("style", STYLES)
def test_cite_styles(runner: CliRunner, style: str) -> None:
    result = run(runner, "cite", "--style", style)
    assert result.exit_code == 0
    assert result.output == PACKAGE.citation(style) + "\n"


def test_cite_row(runner: CliRunner) -> None:
    found = PACKAGE.sources_for("stages", "2.0")
    result = run(runner, "cite", "stages", "2.0")
    assert result.exit_code == 0
    assert found.claims and found.sources
    for claim in found.claims:
        assert claim["claim_id"] in result.output
    for item in found.evidence:
        assert item["evidence_id"] in result.output
    for source in found.sources:
        assert f"{source['source_id']}: {source['title']}" in result.output
    assert f"Claims ({len(found.claims)}):" in result.output


def test_cite_unknown_row_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, "cite", "stages", "9.9")
    assert result.exit_code == 2
    assert "no row with stage_id = '9.9'" in result.stderr


def test_cite_name_without_row(runner: CliRunner) -> None:
    result = run(runner, "cite", "stages")
    assert result.exit_code == 2
    assert "give the row's id" in result.stderr


# -- validate -----------------------------------------------------------------------
def test_validate_bundled(runner: CliRunner) -> None:
    result = run(runner, "validate")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].endswith(": valid")
    assert f"checked: bytes and sha256 of all {len(RESOURCES)} data files match datapackage.json" in result.output
    assert "checked: frictionless validates the verified files" in result.output


def test_validate_invalid_path_exits_1(runner: CliRunner, tampered_package: Path) -> None:
    result = run(runner, "validate", str(tampered_package))
    assert result.exit_code == 1
    assert "INVALID" in result.output
    assert "[IntegrityError] drivers" in result.output


def test_validate_broken_reference(runner: CliRunner, broken_reference_package: Path) -> None:
    result = run(runner, "validate", str(broken_reference_package / "datapackage.json"))
    assert result.exit_code == 1
    assert "no_such_source" in result.output


# -- errors and exit codes ----------------------------------------------------------
def test_unknown_resource_lists_choices(runner: CliRunner) -> None:
    result = run(runner, "show", "nope")
    assert result.exit_code == 2
    assert result.stderr == f"Error: unknown resource 'nope'; valid names are: {', '.join(RESOURCES)}\n"


def test_unknown_format_lists_choices(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "export", "xml", str(tmp_path))
    assert result.exit_code == 2
    assert "'xml' is not one of 'csv', 'json', 'sqlite', 'parquet', 'xlsx', 'zip'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_exception(runner: CliRunner) -> None:
    result = run(runner, "--debug", "show", "nope")
    assert result.exit_code == 1
    assert isinstance(result.exception, UnknownResourceError)


def test_library_error_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "xborder-data.sqlite"
    target.write_bytes(b"old bytes")
    result = run(runner, "export", "sqlite", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target}: already exists; choose another folder, or replace it with --force (force=True from Python).\n"
    assert target.read_bytes() == b"old bytes"
    forced = run(runner, "export", "sqlite", str(tmp_path), "--force")
    assert forced.exit_code == 0
    assert forced.output == f"{target}\n"
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


def test_missing_dependency_message(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # an optional extra (pyarrow is a core dependency)
    result = run(runner, "export", "xlsx", str(tmp_path))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "install `xborder-data[xlsx]`" in result.stderr
    assert "Traceback" not in result.output


def test_excel_only_with_csv(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "export", "zip", str(tmp_path), "--excel")
    assert result.exit_code == 2
    assert "--excel applies to the csv format only" in result.stderr


# -- export --excel ------------------------------------------------------------------
def test_export_excel(runner: CliRunner, tmp_path: Path, formula_package: Path) -> None:
    result = run(runner, "--package", str(formula_package), "export", "csv", str(tmp_path / "out"), "--excel")
    assert result.exit_code == 0, result.output
    copy = xborder_data.open(formula_package)
    for name in RESOURCES:
        data = (tmp_path / "out" / f"{name}.csv").read_bytes()
        assert data.startswith(BOM.encode("utf-8"))
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert rows[0] == copy.table_schema(name).field_names
        # Text cells are made safe; numbers such as -0.8 stay numbers, which Excel reads as values.
        text = [i for i, f in enumerate(copy.table_schema(name).fields) if f.type == "string"]
        for row in rows[1:]:
            assert not [row[i] for i in text if row[i].startswith(FORMULA_STARTS)], (name, row)
    drivers = list(csv.DictReader(io.StringIO((tmp_path / "out" / "drivers.csv").read_text(encoding="utf-8-sig"))))
    assert drivers[0]["name_en"] == "'=HYPERLINK(\"http://example.com\")"
    assert drivers[1]["name_en"] == "'-minus"
    assert drivers[1]["description"] == "'@SUM(A1:A9)"
    assert drivers[0]["ordinal"] == "1"  # numbers stay numbers


def test_export_excel_is_needed_for_the_test_data(formula_package: Path) -> None:
    # The plain export keeps the formula-like cells: --excel is what removes them.
    rows = xborder_data.open(formula_package).records("drivers")
    assert rows[0]["name_en"].startswith("=")


# -- site -------------------------------------------------------------------------------
def test_site_missing(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xborder_data.site", None)
    result = run(runner, "site", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "install `xborder-data[site]`" in result.stderr


def test_site_calls_build_site(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    fake = types.ModuleType("xborder_data.site")
    fake.build_site = lambda package, outdir, *, force: calls.append((package, outdir, force))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "xborder_data.site", fake)
    result = run(runner, "site", str(tmp_path / "site"), "--force")
    assert result.exit_code == 0, result.output
    assert calls == [(PACKAGE, str(tmp_path / "site"), True)]


# -- docs ---------------------------------------------------------------------------------
def test_readme_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert cli_docs.render_section() in text, "run `uv run python -m tools.cli_docs`"


def test_every_command_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    names = cli_docs.command_names()
    assert set(names) == {"info", "list", "show", "cite", "lookup", "validate", "verify", "export", "panel", "site"}
    for name in names:
        assert f"### xborder-data {name}\n" in text
        assert f"Usage: xborder-data {name} " in text


def test_readme_tips() -> None:
    text = README.read_text(encoding="utf-8")
    heading = text.index("## Command line")
    assert heading < text.index("uv run xborder-data export csv out --excel") < text.index(cli_docs.START)
    assert cli_docs.TIPS in text  # the tips a fresh README would get are the ones it has


def test_docs_check_fails_when_stale(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")
    assert cli_docs.main(["--check", "--readme", str(readme)]) == 1
    assert cli_docs.main(["--readme", str(readme)]) == 0
    assert cli_docs.main(["--check", "--readme", str(readme)]) == 0
    stale = readme.read_text(encoding="utf-8").replace("Print the rows of resource NAME.", "Old text.")
    readme.write_text(stale, encoding="utf-8")
    assert cli_docs.main(["--check", "--readme", str(readme)]) == 1
    assert readme.read_text(encoding="utf-8").startswith("# Title\n\n## Command line\n")


def test_info_reports_a_broken_reference(runner: CliRunner, broken_reference_package: Path) -> None:
    result = run(runner, "--package", str(broken_reference_package), "info")
    assert result.exit_code == 1
    assert "Integrity: verified" in result.output
    assert "Validation: FAILED:" in result.stderr and "no_such_source" in result.stderr


def test_info_reports_validation_when_all_is_well(runner: CliRunner) -> None:
    result = run(runner, "info")
    assert result.exit_code == 0
    assert "Validation: every cell meets its Table Schema type and constraints, keys are unique, foreign keys resolve" in result.output
