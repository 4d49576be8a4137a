"""The READMEs' code runs as printed: the CSV snippets for pandas, polars, DuckDB and R, the DuckDB tip,
and the quickstart's and DID example's blocks.

Each snippet is taken from README.md and README.zh-CN.md themselves, run in the
package's folder, and its tables are compared with the loader's records
(themselves checked against frictionless elsewhere), column type by column type
and cell by cell.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import xborder_data
from xborder_data.exports import export

from conftest import REPO, RESOURCES

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = "## Reading the CSVs without the loader"
# Each edition of the README and the headings of its sections with code, by section.
DOCUMENTS = {
    "README.md": {"csv": SECTION, "quickstart": "## Python quickstart"},
    "README.zh-CN.md": {"csv": "## 不用加载器读取 CSV", "quickstart": "## Python 快速上手"},
}
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def _section(heading: str, text: str = README) -> str:
    start = text.index(heading + "\n")
    level = heading.split(" ")[0] + " "
    end = text.find("\n" + level, start + len(heading))
    return text[start : end if end != -1 else None]


def _document(document: str) -> str:
    return (REPO / document).read_text(encoding="utf-8")


def snippet(name: str, document: str = "README.md") -> tuple[str, str]:
    """Return (language, code) of the first code block under ``### name`` of the CSV section of ``document``."""
    match = FENCE.search(_section(f"### {name}", _section(DOCUMENTS[document]["csv"], _document(document))))
    assert match, f"no code block under ### {name} in {document}"
    return match.group(1), match.group(2)


def _run_python(code: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(folder)
    namespace: dict[str, Any] = {"__name__": "readme_snippet"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    return namespace


def _schema_types(name: str) -> dict[str, str]:
    return {field["name"]: field["type"] for field in xborder_data.schema(name)["fields"]}


def _same_rows(got: list[dict[str, Any]], name: str) -> None:
    """Cell by cell against records(): same Python values, dates as dates."""
    want = xborder_data.records(name)
    assert len(got) == len(want)
    for got_row, want_row in zip(got, want):
        assert list(got_row) == list(want_row)
        for column, value in want_row.items():
            cell = got_row[column]
            if isinstance(cell, datetime):
                cell = cell.date()
            assert cell == value and type(cell) is type(value), (name, column, cell, value)


@pytest.fixture(scope="module", params=list(DOCUMENTS))
def pandas_read(request: pytest.FixtureRequest) -> Any:
    language, code = snippet("pandas", request.param)
    assert language == "python"
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _run_python(code, REPO, monkeypatch)["read_table"]


@pytest.mark.parametrize("name", RESOURCES)
def test_the_pandas_snippet_reads_with_the_schema_types(pandas_read: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd
    from pandas.api import types

    monkeypatch.chdir(REPO)
    frame = pandas_read(name)
    checks = {
        "string": lambda d: isinstance(d, pd.StringDtype),
        "integer": lambda d: types.is_integer_dtype(d) and isinstance(d, pd.Int64Dtype),
        "year": lambda d: types.is_integer_dtype(d) and isinstance(d, pd.Int64Dtype),
        "number": lambda d: isinstance(d, pd.Float64Dtype),
        "boolean": lambda d: isinstance(d, pd.BooleanDtype),
        "date": types.is_datetime64_any_dtype,
    }
    for column, kind in _schema_types(name).items():
        assert checks[kind](frame[column].dtype), (column, kind, frame[column].dtype)

    def python(value: Any) -> Any:
        if pd.isna(value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.date()
        return value.item() if hasattr(value, "item") else value  # numpy scalar -> Python

    _same_rows([{column: python(value) for column, value in row.items()} for row in frame.to_dict("records")], name)


@pytest.fixture(scope="module", params=list(DOCUMENTS))
def polars_read(request: pytest.FixtureRequest) -> Any:
    pytest.importorskip("polars")
    language, code = snippet("polars", request.param)
    assert language == "python"
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _run_python(code, REPO, monkeypatch)["read_table"]


@pytest.mark.parametrize("name", RESOURCES)
def test_the_polars_snippet_reads_with_the_schema_types(polars_read: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    monkeypatch.chdir(REPO)
    frame = polars_read(name)
    checks = {
        "string": lambda d: d == pl.String,
        "integer": lambda d: d.is_integer(),
        "year": lambda d: d.is_integer(),
        "number": lambda d: d.is_float(),
        "boolean": lambda d: d == pl.Boolean,
        "date": lambda d: d == pl.Date,
    }
    for column, kind in _schema_types(name).items():
        assert checks[kind](frame.schema[column]), (column, kind, frame.schema[column])
    _same_rows(frame.to_dicts(), name)


@pytest.fixture(scope="module", params=list(DOCUMENTS))
def duckdb_read(request: pytest.FixtureRequest) -> Any:
    pytest.importorskip("duckdb")
    language, code = snippet("DuckDB", request.param)
    assert language == "python"
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _run_python(code, REPO, monkeypatch)["read_table"]


@pytest.mark.parametrize("name", RESOURCES)
def test_the_duckdb_snippet_reads_with_the_schema_types(duckdb_read: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    relation = duckdb_read(name)
    families = {"string": {"VARCHAR"}, "integer": {"BIGINT", "INTEGER"}, "year": {"BIGINT", "INTEGER"},
                "number": {"DOUBLE"}, "boolean": {"BOOLEAN"}, "date": {"DATE"}}  # fmt: skip
    declared = dict(zip(relation.columns, map(str, relation.types)))
    for column, kind in _schema_types(name).items():
        assert declared[column] in families[kind], (column, kind, declared[column])
    _same_rows([dict(zip(relation.columns, row)) for row in relation.fetchall()], name)


def test_the_polars_csv_frame_joins_the_parquet_export_on_stage_id(
    polars_read: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The join that raised a SchemaError when stage_id was read as a float."""
    import polars as pl

    pytest.importorskip("pyarrow")
    export(xborder_data.bundled(), "parquet", tmp_path)
    monkeypatch.chdir(REPO)
    joined = polars_read("platforms").join(pl.read_parquet(tmp_path / "stages.parquet"), on="stage_id", how="inner")
    with_stage = [row for row in xborder_data.records("platforms") if row["stage_id"] is not None]
    assert joined.height == len(with_stage)


def test_the_duckdb_tip_on_the_parquet_export_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    tips = _section("## Command line")
    assert "uv run xborder-data export parquet out" in tips
    code = next(body for language, body in FENCE.findall(tips) if language == "python" and "duckdb" in body)
    export(xborder_data.bundled(), "parquet", tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_tip"})  # noqa: S102
    figures = xborder_data.records("market_figures")
    assert f"{len(figures)} rows" in printed.getvalue()


# -- the quickstart and the DID example --------------------------------------------------
@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_the_quickstart_blocks_run_and_print_what_their_comments_say(document: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quickstart section's Python blocks (the DID example included) run in order, in one session as a
    reader runs them; a print with a comment prints that comment."""
    blocks = [body for language, body in FENCE.findall(_section(DOCUMENTS[document]["quickstart"], _document(document))) if language == "python"]
    assert len(blocks) >= 2
    monkeypatch.chdir(REPO)
    namespace: dict[str, Any] = {"__name__": "readme_snippet"}
    for code in blocks:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, document, "exec"), namespace)  # noqa: S102 - the README's own code
        promised = [line.split("#", 1)[1].strip() for line in code.splitlines() if line.startswith("print(") and "#" in line]
        for comment in promised:
            assert comment in printed.getvalue().splitlines(), (document, comment, printed.getvalue()[-300:])


# -- R ----------------------------------------------------------------------------------
_R_REPORT = """
arguments <- commandArgs(trailingOnly = TRUE)
report <- lapply(setNames(nm = arguments[-1]), function(name) {
  table <- read_table(name)
  list(classes = lapply(table, function(x) class(x)[1]), problems = nrow(problems(table)), rows = table)
})
writeLines(toJSON(report, dataframe = "rows", na = "null", Date = "ISO8601", auto_unbox = TRUE, digits = NA), arguments[1])
"""


@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_the_r_snippet_reads_with_the_schema_types(tmp_path: Path, document: str) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed (Debian: r-base-core r-cran-readr r-cran-jsonlite)")
    probe = subprocess.run([rscript, "-e", "library(readr); library(jsonlite)"], capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"the R packages readr and jsonlite are not installed: {probe.stderr.strip()[-200:]}")
    language, code = snippet("R (readr)", document)
    assert language == "r"
    script = tmp_path / "snippet.R"
    script.write_text(code + _R_REPORT, encoding="utf-8")
    result = subprocess.run(
        [rscript, str(script), str(tmp_path / "report.json"), *RESOURCES], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "chr [1:3] \"1.0\" \"2.0\" \"3.0\"" in result.stdout  # what the snippet prints
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    classes = {"string": "character", "integer": "integer", "year": "integer", "number": "numeric", "boolean": "logical", "date": "Date"}
    for name in RESOURCES:
        got = report[name]
        assert got["problems"] == 0, name
        assert got["classes"] == {column: classes[kind] for column, kind in _schema_types(name).items()}, name
        rows = [
            {column: date.fromisoformat(value) if isinstance(value, str) and got["classes"][column] == "Date" else value
             for column, value in row.items()}
            for row in got["rows"]
        ]  # fmt: skip
        want = xborder_data.records(name)
        assert len(rows) == len(want), name
        for got_row, want_row in zip(rows, want):
            for column, value in want_row.items():
                cell = got_row[column]
                if isinstance(value, float) and isinstance(cell, int):
                    cell = float(cell)  # JSON writes 3.0 as 3
                assert cell == value and type(cell) is type(value), (name, column, cell, value)


# -- the API tables -----------------------------------------------------------------------
def _api_entries() -> list[str]:
    quickstart = _section("## Python quickstart")
    cells = [line.split("|")[1].strip() for line in quickstart.splitlines() if line.startswith("| `")]
    return [entry for cell in cells for entry in re.findall(r"`([^`]+)`", cell)]


def test_the_api_tables_list_entries() -> None:
    entries = _api_entries()
    assert "load(name, verify_integrity=True, check_references=False)" in entries
    assert "Package.files()" in entries


@pytest.mark.parametrize("entry", _api_entries())
def test_each_api_entry_exists_where_the_readme_says(entry: str) -> None:
    """Module entries are in __all__; ``Package.x()`` entries are methods, not module functions."""
    import inspect

    name, _, params = entry.partition("(")
    if name.startswith("Package."):
        owner: Any = xborder_data.Package
        name = name.removeprefix("Package.")
        assert not hasattr(xborder_data, name) or name in xborder_data.__all__
    else:
        owner = xborder_data
        assert name in xborder_data.__all__
    target = getattr(owner, name)
    if not params:
        return
    assert callable(target)
    signature = inspect.signature(target)
    for param in filter(None, (p.strip() for p in params.rstrip(")").split(","))):
        key, _, default = param.partition("=")
        assert key in signature.parameters, (entry, key)
        if default:
            assert repr(signature.parameters[key].default) == default, (entry, key)


def test_contributing_examples_name_a_real_claim_and_row() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "uv run xborder-data cite platforms global_sources" in text
    found = xborder_data.sources_for("platforms", "global_sources")
    assert "`global_sources_place`" in text
    assert "global_sources_place" in [claim["claim_id"] for claim in found.claims]
    for step in ("uv run python -m tools.maintain", "uv run pytest", "_version.py", "CHANGELOG.md"):
        assert step in text


@pytest.mark.parametrize("document", [*DOCUMENTS, "CONTRIBUTING.md"])
def test_every_command_for_a_clone_starts_with_uv_run(document: str) -> None:
    """A fresh clone has no xborder-data, pytest or datasette on PATH: uv run provides them."""
    text = (REPO / document).read_text(encoding="utf-8")
    text = text.split("<!-- cli-reference:start -->")[0]  # --help output, not commands
    commands = [
        line.strip()
        for language, body in FENCE.findall(text)
        if language in ("sh", "console", "bash")
        for line in body.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert commands
    project_tools = ("xborder-data", "python", "pytest", "frictionless", "datasette", "duckdb")
    for command in commands:
        if command.split()[0] in project_tools:
            pytest.fail(f"{document}: `{command}` needs `uv run` in a clone")
        if command.startswith("uv run "):
            assert command.split()[2] in project_tools, command
