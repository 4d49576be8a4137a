"""SQL hygiene: the names to quote and the key cycle, checked against SQL engines and graphlib."""

from __future__ import annotations

import graphlib

import pytest

import xborder_data
from tools.sqlnames import foreign_key_cycles, needs_quoting

from conftest import REPO, RESOURCES

SCHEMAS = {name: xborder_data.schema(name) for name in RESOURCES}
FIELDS = sorted({field["name"] for schema in SCHEMAS.values() for field in schema["fields"]})
DICTIONARY = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")


def _duckdb_refuses(name: str) -> bool:
    import duckdb

    try:
        duckdb.sql(f'SELECT {name} FROM (SELECT 1 AS "{name}")').fetchall()
    except duckdb.Error:
        return True
    return False


@pytest.mark.parametrize("name", FIELDS)
def test_every_name_duckdb_refuses_bare_is_flagged_and_documented(name: str) -> None:
    pytest.importorskip("duckdb")
    if _duckdb_refuses(name):
        assert needs_quoting(name)
    if needs_quoting(name):
        owners = [table for table, schema in SCHEMAS.items() if name in [f["name"] for f in schema["fields"]]]
        for table in owners:
            assert f"`{table}.{name}`" in DICTIONARY


def test_claims_table_is_the_one_keyword_and_stays_named() -> None:
    assert [name for name in FIELDS if needs_quoting(name)] == ["table"]


def test_the_cycle_is_the_one_graphlib_finds() -> None:
    graph = {name: {fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])} - {name} for name, schema in SCHEMAS.items()}
    with pytest.raises(graphlib.CycleError) as raised:
        graphlib.TopologicalSorter(graph).prepare()
    assert set(raised.value.args[1]) == {"stages", "platforms"}
    assert foreign_key_cycles(SCHEMAS) == [("platforms", "stages")]
    assert "`stages.opening_platform_id` → `platforms`" in DICTIONARY
    assert "`platforms.stage_id` → `stages`" in DICTIONARY


def test_without_a_cycle_none_is_reported() -> None:
    acyclic = {name: schema for name, schema in SCHEMAS.items() if name != "platforms"}
    assert foreign_key_cycles(acyclic) == []
    graph = {name: {fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])} - {name} for name, schema in acyclic.items()}
    graphlib.TopologicalSorter(graph).prepare()


def test_a_three_table_cycle_is_found_once() -> None:
    def ref(target: str) -> dict:
        return {"foreignKeys": [{"fields": ["x"], "reference": {"resource": target, "fields": ["id"]}}]}

    assert foreign_key_cycles({"c": ref("a"), "a": ref("b"), "b": ref("c"), "d": ref("d")}) == [("a", "b", "c")]
