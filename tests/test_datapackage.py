"""The Data Package itself: valid, typed, cited, and consistent with its sources."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

import pytest

import xborder_data
from tools.maintain import stale_files

from conftest import ARTICLE, PROFILES, REPO, RESOURCES, needs_shared

ROW_COUNTS = {
    "stages": 3,
    "stage_features": 15,
    "platforms": 16,
    "policies": 78,
    "market_figures": 11,
    "drivers": 3,
    "sources": 227,
    "claims": 611,
    "evidence": 672,
    "errata": 16,
    "pilot_zone_batches": 8,
    "trade_values": 29,
    "pilot_zones": 175,
    "units": 376,
    "unit_code_changes": 17,
    "programmes": 6,
    "programme_rounds": 25,
    "programme_members": 127,
}
CITED_TABLES = ["stages", "stage_features", "platforms", "policies", "market_figures", "drivers"]
FORMULA_START = ("=", "+", "-", "@")


def test_frictionless_reports_the_package_valid() -> None:
    import frictionless

    report = frictionless.Package(str(REPO / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "message"])


def test_descriptor_validates_against_the_official_v2_profiles() -> None:
    import jsonschema

    folder = needs_shared(PROFILES)
    profiles = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(profiles["datapackage.json"]).validate(descriptor)
    for resource in descriptor["resources"]:
        jsonschema.Draft7Validator(profiles["dataresource.json"]).validate(resource)
        schema = json.loads((REPO / resource["schema"]).read_text(encoding="utf-8"))
        jsonschema.Draft7Validator(profiles["tableschema.json"]).validate(schema)


def test_descriptor_carries_the_required_metadata() -> None:
    descriptor = xborder_data.descriptor()
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for key in ("name", "title", "description", "version", "created", "licenses", "contributors", "keywords", "sources"):
        assert descriptor.get(key), key
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    for resource in descriptor["resources"]:
        assert resource["type"] == "table"
        assert resource["format"] == "csv" and resource["mediatype"] == "text/csv"
        assert resource["encoding"] == "utf-8"
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", resource["hash"])
        assert isinstance(resource["schema"], str) and (REPO / resource["schema"]).is_file()


def test_resource_names_are_the_documented_ones() -> None:
    assert RESOURCES == list(ROW_COUNTS)


@pytest.mark.parametrize("name", RESOURCES)
def test_row_counts_are_pinned(name: str) -> None:
    assert len(xborder_data.records(name)) == ROW_COUNTS[name]


@pytest.mark.parametrize("name", RESOURCES)
def test_every_field_is_described_and_typed(name: str) -> None:
    schema = xborder_data.schema(name)
    assert schema["primaryKey"], name
    assert schema["missingValues"] == [""]
    for field in schema["fields"]:
        assert field["title"] and field["description"], field["name"]
        assert field["type"] in {"string", "integer", "number", "year", "date", "boolean"}
        assert field["type"] != "list"
    assert "uniqueKeys" not in schema and "fieldsMatch" not in schema


@pytest.mark.parametrize("name", RESOURCES)
def test_csv_bytes_are_utf8_without_bom_with_lf_endings(name: str) -> None:
    data = xborder_data.path(name).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    data.decode("utf-8")
    assert data.endswith(b"\n")


@pytest.mark.parametrize("name", RESOURCES)
def test_no_text_cell_starts_with_a_formula_character(name: str) -> None:
    # Numbers such as -0.8 are typed cells, not formulas; text must never look like one.
    text_fields = [f["name"] for f in xborder_data.schema(name)["fields"] if f["type"] == "string"]
    with xborder_data.path(name).open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            for field in text_fields:
                assert not row[field].startswith(FORMULA_START), (name, number, field, row[field])


@pytest.mark.parametrize("name", CITED_TABLES)
def test_every_row_cites_a_source(name: str) -> None:
    sources = {s["source_id"] for s in xborder_data.records("sources")}
    for row in xborder_data.records(name):
        assert row["source_id"] in sources


@pytest.mark.parametrize("name", CITED_TABLES)
def test_every_article_row_is_backed_by_a_claim(name: str) -> None:
    key = xborder_data.bundled().table_schema(name).primary_key[0]
    claimed = {c[key] for c in xborder_data.records("claims") if c["table"] == name}
    for row in xborder_data.records(name):
        if row.get("origin", "article") == "article":
            assert row[key] in claimed, (name, row[key])


def test_every_foreign_key_resolves(package: xborder_data.Package) -> None:
    package.check_references()


def test_each_claim_points_at_exactly_its_own_table_and_a_real_field(package: xborder_data.Package) -> None:
    enum = next(f for f in package.schema("claims")["fields"] if f["name"] == "table")["constraints"]["enum"]
    typed = {fk.resource: fk.field for fk in package.table_schema("claims").foreign_keys if fk.resource in enum}
    assert set(typed) == set(enum)
    for claim in package.records("claims"):
        set_columns = {table for table, column in typed.items() if claim[column] is not None}
        assert set_columns == {claim["table"]}, claim["claim_id"]
        if claim["field"] is not None:
            assert claim["field"] in package.table_schema(claim["table"]).field_names, claim["claim_id"]


def test_claims_with_evidence_have_an_evidence_record(package: xborder_data.Package) -> None:
    linked = {(e["claim_id"], e["source_id"]) for e in package.records("evidence")}
    for claim in package.records("claims"):
        if claim["status"] != "unverified":
            assert claim["evidence_source_id"] is not None, claim["claim_id"]
        if claim["evidence_source_id"] is not None:
            assert (claim["claim_id"], claim["evidence_source_id"]) in linked, claim["claim_id"]


def test_figure_status_matches_its_value_claim(package: xborder_data.Package) -> None:
    value_claims = {c["figure_id"]: c for c in package.records("claims") if c["table"] == "market_figures" and c["field"] == "value"}
    for figure in package.records("market_figures"):
        claim = value_claims[figure["figure_id"]]
        assert figure["status"] == claim["status"], figure["figure_id"]
        assert float(claim["normalized_value"]) == figure["value"]


def test_corrections_are_in_the_main_tables_and_the_printed_words_in_claims(package: xborder_data.Package) -> None:
    platforms = {p["platform_id"]: p for p in package.records("platforms")}
    assert platforms["global_sources"]["headquarters"] == "Hong Kong"
    assert platforms["global_sources"]["country"] == "HK"
    claims = {c["claim_id"]: c for c in package.records("claims")}
    assert "Shenzhen" in claims["global_sources_place"]["as_printed"]
    assert claims["global_sources_place"]["status"] == "corrected"
    assert claims["policies_keep_coming"]["status"] == "corrected"
    assert "not issued" in claims["policies_keep_coming"]["as_printed"]


def test_quotes_stay_short(package: xborder_data.Package) -> None:
    for claim in package.records("claims"):
        assert len(claim["as_printed"].split()) <= 16, claim["claim_id"]
    for item in package.records("evidence"):
        assert len((item["quote"] or "").split()) <= 16, item["evidence_id"]
        assert len(item["quote"] or "") <= 120, item["evidence_id"]


def test_each_as_printed_fragment_occurs_verbatim_in_the_article(package: xborder_data.Package) -> None:
    article = needs_shared(ARTICLE).read_text(encoding="utf-8")
    for claim in package.records("claims"):
        if claim["source_id"] == "article":
            assert claim["as_printed"] in article, claim["claim_id"]
    for erratum in package.records("errata"):
        assert erratum["as_printed"] in article, erratum["erratum_id"]


def test_generated_hashes_and_data_dictionary_are_fresh() -> None:
    assert stale_files(REPO) == [], "run: uv run python -m tools.maintain"


def test_maintain_detects_a_stale_hash(package_copy: Path) -> None:
    from conftest import rehash

    rehash(package_copy)
    assert stale_files(package_copy) == []
    path = package_copy / "data" / "drivers.csv"
    path.write_bytes(path.read_bytes().replace(b"Growth of mobile", b"Growth in mobile"))
    assert stale_files(package_copy) == ["datapackage.json"]


def _changelog_top_version() -> str:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(r"^## \[(\d+\.\d+\.\d+)\]", text, flags=re.MULTILINE)
    assert match, "CHANGELOG.md has no release entry"
    return match.group(1)


def test_one_version_everywhere() -> None:
    descriptor_version = xborder_data.descriptor()["version"]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in pyproject["project"]["dynamic"]
    from importlib.metadata import version

    assert xborder_data.__version__ == descriptor_version == _changelog_top_version()
    assert version("xborder-data") == descriptor_version


def test_citation_cff_is_valid_and_agrees_with_the_descriptor() -> None:
    import jsonschema
    import yaml

    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads((REPO / "tests" / "vendor" / "cff-schema-1.2.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(cff)
    assert cff["type"] == "dataset"
    assert str(cff["version"]) == xborder_data.__version__
    assert cff["license"] == "CC-BY-4.0"


def test_readme_and_datasheet_state_the_current_release() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert xborder_data.citation("text") in readme
    datasheet = (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    assert f"version {xborder_data.__version__} of the Data Package" in datasheet
    for name, count in ROW_COUNTS.items():
        assert f"| `{name}` | {count} |" in datasheet, name


def test_the_datasheet_counts_the_later_claims_the_data_holds() -> None:
    import re

    text = (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    match = re.search(r"Of the (\d+) claims of later sources, (\d+) rest on a quote", text)
    assert match is not None
    later = [c for c in xborder_data.records("claims") if c["section"] == "external"]
    assert int(match.group(1)) == len(later)
    assert int(match.group(2)) == sum(c["status"] != "unverified" for c in later)
