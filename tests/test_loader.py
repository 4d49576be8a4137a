"""The loader: types from the schema, copies not shared state, no heavy imports."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from datetime import date

import pandas as pd
import pytest

import xborder_data
from conftest import REPO, RESOURCES

# The contract README states for load(), written out here independently of the
# code's own type table: Table Schema type -> pandas dtype.
DOCUMENTED_DTYPES = {
    "string": "string",
    "integer": "Int64",
    "year": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[ns]",
}


def _expected_dtype(field: dict) -> str:
    if field.get("constraints", {}).get("enum"):
        return "category"
    return DOCUMENTED_DTYPES[field["type"]]


def test_the_readme_states_the_same_dtypes() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "string → `string`, integer and year → `Int64`, number → `Float64`, boolean → `boolean`, date → `datetime64[ns]`" in readme


@pytest.mark.parametrize("name", RESOURCES)
def test_every_resource_loads_with_the_dtypes_its_schema_implies(name: str) -> None:
    frame = xborder_data.load(name)
    fields = xborder_data.schema(name)["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    for field in fields:
        assert str(frame[field["name"]].dtype) == _expected_dtype(field), field["name"]
        enum = field.get("constraints", {}).get("enum")
        if enum:
            assert list(frame[field["name"]].cat.categories) == enum


@pytest.mark.parametrize("name", RESOURCES)
def test_records_agree_with_load_row_by_row(name: str) -> None:
    frame = xborder_data.load(name)
    rows = xborder_data.records(name)
    assert len(rows) == len(frame)
    for row, (_, series) in zip(rows, frame.iterrows()):
        for column, value in row.items():
            cell = series[column]
            if value is None:
                assert pd.isna(cell), (name, column)
            elif isinstance(value, date):
                assert cell.date() == value
            else:
                assert cell == value, (name, column)


def test_stage_ids_stay_strings() -> None:
    assert xborder_data.load("stages")["stage_id"].tolist() == ["1.0", "2.0", "3.0"]
    assert [r["stage_id"] for r in xborder_data.records("stages")] == ["1.0", "2.0", "3.0"]


def test_year_columns_with_gaps_are_nullable_integers() -> None:
    stages = xborder_data.load("stages")
    assert str(stages["end_year"].dtype) == "Int64"
    assert stages["end_year"].isna().sum() == 1
    assert stages["end_year"].dropna().tolist() == [2003, 2012]
    platforms = xborder_data.load("platforms")
    assert str(platforms["start_year"].dtype) == "Int64" and platforms["start_year"].isna().any()


def test_records_give_plain_python_values() -> None:
    policy = {r["policy_id"]: r for r in xborder_data.records("policies")}["gac_2014_56"]
    assert policy["issue_date"] == date(2014, 7, 23)
    assert policy["issue_year"] == 2014 and type(policy["issue_year"]) is int
    assert policy["departments"] == 1
    figure = {r["figure_id"]: r for r in xborder_data.records("market_figures")}["us_high_spend_amount_2013"]
    assert figure["value"] == 0.5 and type(figure["value"]) is float


def test_dates_load_as_datetimes() -> None:
    policies = xborder_data.load("policies")
    assert str(policies["issue_date"].dtype).startswith("datetime64")
    assert policies.loc[policies["policy_id"] == "gac_2014_56", "effective_date"].item() == pd.Timestamp("2014-08-01")


def test_mutating_a_returned_frame_does_not_change_the_next_load() -> None:
    first = xborder_data.load("stages")
    first.loc[0, "name_en"] = "changed"
    del first["description"]
    again = xborder_data.load("stages")
    assert again.loc[0, "name_en"] == "Cross-border e-commerce 1.0"
    assert "description" in again.columns


def test_mutating_returned_records_and_metadata_changes_nothing() -> None:
    rows = xborder_data.records("drivers")
    rows[0]["name_en"] = "changed"
    rows.clear()
    assert xborder_data.records("drivers")[0]["name_en"] == "Government support at every level"
    descriptor = xborder_data.descriptor()
    descriptor["version"] = "9.9.9"
    schema = xborder_data.schema("stages")
    schema["fields"].clear()
    assert xborder_data.descriptor()["version"] == xborder_data.__version__
    assert xborder_data.schema("stages")["fields"]


def test_concurrent_loads_from_threads_agree(tmp_path) -> None:
    package = xborder_data.open(REPO)
    results: list[pd.DataFrame] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(package.load("claims"))
        except BaseException as error:  # collected and re-raised below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 8
    for frame in results[1:]:
        pd.testing.assert_frame_equal(frame, results[0])


def test_paths_are_real_files_inside_the_package() -> None:
    assert xborder_data.package_path().name == "datapackage.json"
    for name in RESOURCES:
        path = xborder_data.path(name)
        assert path.is_file() and path.is_relative_to(xborder_data.package_path().parent)


def test_open_accepts_a_folder_or_its_descriptor() -> None:
    assert xborder_data.open(REPO).resources() == RESOURCES
    assert xborder_data.open(REPO / "datapackage.json").version == xborder_data.__version__


def test_sources_for_returns_the_claims_and_sources_behind_a_row() -> None:
    cited = xborder_data.sources_for("platforms", "global_sources")
    assert cited.row["headquarters"] == "Hong Kong"
    assert {c["claim_id"] for c in cited.claims} >= {"global_sources_place", "global_sources_year"}
    source_ids = [s["source_id"] for s in cited.sources]
    assert source_ids[0] == "article"
    assert {"scmp_global_sources", "global_sources_history"} <= set(source_ids)
    assert all(e["claim_id"] in {c["claim_id"] for c in cited.claims} for e in cited.evidence)


def test_sources_for_an_unknown_row_names_the_valid_command() -> None:
    with pytest.raises(xborder_data.UnknownRowError, match="no row with platform_id = 'amazon'"):
        xborder_data.sources_for("platforms", "amazon")


@pytest.mark.parametrize("style", ["text", "bibtex", "apa"])
def test_citation_styles_carry_title_version_and_year(style: str) -> None:
    text = xborder_data.citation(style)
    descriptor = xborder_data.descriptor()
    assert descriptor["title"] in text
    assert xborder_data.__version__ in text
    assert descriptor["created"][:4] in text


def test_bibtex_citation_is_a_misc_entry() -> None:
    assert xborder_data.citation("bibtex").startswith("@misc{xborder_data_")


def test_unknown_citation_style_lists_the_choices() -> None:
    with pytest.raises(xborder_data.UsageError, match="choose one of: text, bibtex, apa"):
        xborder_data.citation("mla")  # type: ignore[arg-type]


def test_validate_reports_the_bundled_package_valid() -> None:
    report = xborder_data.validate()
    assert report.valid, report.summary()
    assert report.checked == RESOURCES
    assert report.summary().startswith("valid")


def test_import_loads_neither_pandas_nor_pyarrow_nor_frictionless() -> None:
    code = "import sys, xborder_data; print(sorted(m for m in ('pandas', 'frictionless', 'numpy', 'pyarrow') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_records_do_not_import_pandas() -> None:
    code = "import sys, xborder_data; xborder_data.records('claims'); print('pandas' in sys.modules or 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_public_api_is_explicit() -> None:
    for name in xborder_data.__all__:
        assert hasattr(xborder_data, name), name
    assert callable(xborder_data.load) and callable(xborder_data.records) and callable(xborder_data.citation)


def test_the_readme_lists_every_error_class_the_package_exports() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Every failure raises") : readme.index("### Parsing rules")]
    errors = {name for name in xborder_data.__all__ if name.endswith("Error") and name != "XborderDataError"}
    assert errors == set(re.findall(r"`(\w+Error)`", section)) - {"CellError"}
