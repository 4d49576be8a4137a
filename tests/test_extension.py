"""Release 1.1.0: the facts past the article keep the same standard of evidence."""

from __future__ import annotations

import ast
import operator
import re
from collections import Counter

import pytest

import xborder_data

EXTENSION_TABLES = ["pilot_zone_batches", "trade_values"]
_REFERENCE = re.compile(r"(\w+)\[(\w+)\]")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _evaluate(expression: str, lookup) -> float:
    """Evaluate arithmetic over field[row] references, and nothing else."""
    values: dict[str, float] = {}

    def substitute(match: re.Match) -> str:
        name = f"v{len(values)}"
        values[name] = lookup(match.group(1), match.group(2))
        return name

    tree = ast.parse(_REFERENCE.sub(substitute, expression), mode="eval")

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            return values[node.id]
        raise ValueError(f"not arithmetic: {ast.dump(node)}")

    return walk(tree)


def test_new_rows_are_marked_as_extension_rows() -> None:
    platforms = xborder_data.records("platforms")
    policies = xborder_data.records("policies")
    assert Counter(p["origin"] for p in platforms) == {"article": 6, "extension": 10}
    assert Counter(p["origin"] for p in policies) == {"article": 3, "extension": 75}
    for row in platforms + policies:
        assert (row["origin"] == "article") == (row["evidence_quality"] == "article")


def test_the_official_series_never_mixes_scopes_or_revisions_in_one_key() -> None:
    keys = Counter((r["period_label"], r["flow"], r["scope"], r["vintage"]) for r in xborder_data.records("trade_values"))
    assert [key for key, count in keys.items() if count > 1] == []


def test_the_series_break_of_2018_is_explicit() -> None:
    rows = xborder_data.records("trade_values")
    scopes = {r["period_year"]: r["scope"] for r in rows if r["flow"] == "total" and r["vintage"] == "first_release"}
    assert scopes[2017] == "platform_cleared_retail"
    assert scopes[2020] == "survey_including_b2b"
    assert {r["scope"] for r in rows if r["trade_value_id"] == "cbec_2018_total"} == {"survey_including_b2b"}


def test_preliminary_and_final_figures_are_both_kept() -> None:
    rows = {r["trade_value_id"]: r for r in xborder_data.records("trade_values")}
    assert rows["cbec_2022_total_preliminary"]["value"] == 2110 and rows["cbec_2022_total_preliminary"]["vintage"] == "first_release"
    assert rows["cbec_2022_total_final"]["value"] == 2100 and rows["cbec_2022_total_final"]["vintage"] == "final"


def test_derived_trade_values_equal_their_formula() -> None:
    rows = {r["trade_value_id"]: r for r in xborder_data.records("trade_values")}
    derived = [r for r in rows.values() if r["derived"]]
    assert [r["trade_value_id"] for r in derived] == ["cbec_2019_total", "cbec_2021_total_implied"]
    for row in derived:
        assert row["evidence_quality"] == "derived" and row["value_qualifier"] == "about"
        assert row["vintage"] == "implied" and row["released"] is None
        computed = _evaluate(row["formula"], lambda field, key: rows[key][field])
        assert round(computed, -1) == row["value"], (row["trade_value_id"], computed)


def test_derived_batch_counts_equal_their_formula() -> None:
    batches = {r["batch"]: r for r in xborder_data.records("pilot_zone_batches")}
    checked = 0
    for row in batches.values():
        for part in filter(None, (row["formula"] or "").split(";")):
            target, expression = (side.strip() for side in part.split("="))
            computed = _evaluate(expression, lambda field, key: batches[int(key)][field])
            assert computed == row[target], (row["batch"], target)
            assert row[f"{target}_derived"], (row["batch"], target)
            checked += 1
        if row["zones_added_derived"] or row["zones_total_derived"]:
            assert row["formula"], row["batch"]
    assert checked == 4
    assert (batches[4]["zones_added"], batches[7]["zones_added"], batches[8]["zones_added"]) == (24, 33, 16)


def test_running_totals_add_up_where_both_are_known() -> None:
    batches = sorted(xborder_data.records("pilot_zone_batches"), key=lambda r: r["batch"])
    for before, after in zip(batches, batches[1:]):
        if before["zones_total"] is not None and after["zones_total"] is not None:
            revoked = after["zones_revoked"] or 0
            assert after["zones_total"] == before["zones_total"] + after["zones_added"] - revoked, after["batch"]


def test_what_no_source_states_stays_empty() -> None:
    batches = {r["batch"]: r for r in xborder_data.records("pilot_zone_batches")}
    assert batches[8]["approval_year"] is None  # only the publication is dated
    assert batches[8]["approval_date"] is None
    # Batch 4's publication (2019-12-24) is now read, and rests on its own claim.
    claims = [c for c in xborder_data.records("claims") if c["batch"] == 4 and c["field"] == "announced_date"]
    assert [c["normalized_value"] for c in claims] == [batches[4]["announced_date"].isoformat()]
    assert batches[6]["approval_date"] is None  # approved in January 2022, published 2022-02-08
    platforms = {p["platform_id"]: p for p in xborder_data.records("platforms")}
    assert platforms["ec21"]["start_year"] is None and platforms["kellysearch"]["start_year"] is None
    assert platforms["amazon_global_selling"]["start_year"] is None  # no source dates the launch


def _claims_by_row(table: str) -> dict[str, list[dict]]:
    column = {fk.resource: fk.field for fk in xborder_data.bundled().table_schema("claims").foreign_keys}[table]
    grouped: dict[str, list[dict]] = {}
    for claim in xborder_data.records("claims"):
        if claim["table"] == table:
            grouped.setdefault(str(claim[column]), []).append(claim)
    return grouped


def _new_rows() -> list[tuple[str, str, dict]]:
    rows = []
    for table in ("platforms", "policies"):
        key = xborder_data.bundled().table_schema(table).primary_key[0]
        rows += [(table, str(r[key]), r) for r in xborder_data.records(table) if r["origin"] == "extension"]
    for table in EXTENSION_TABLES:
        key = xborder_data.bundled().table_schema(table).primary_key[0]
        rows += [(table, str(r[key]), r) for r in xborder_data.records(table)]
    return rows


@pytest.mark.parametrize(("table", "row_id", "row"), _new_rows(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_new_row_has_a_source_and_a_quote(table: str, row_id: str, row: dict) -> None:
    sources = {s["source_id"]: s for s in xborder_data.records("sources")}
    assert sources[row["source_id"]]["role"] == "evidence"
    claims = _claims_by_row(table).get(row_id, [])
    if row.get("derived") or row.get("zones_added_derived"):
        assert row["formula"], "a derived row stores its formula"
        return
    if table == "trade_values" and row["flow"] != "total" and not claims:
        # Without claims of its own, the split comes from the same release as its total, which carries the quote.
        totals = _claims_by_row(table)
        sibling = next(r for r in xborder_data.records(table) if r["flow"] == "total" and r["period_label"] == row["period_label"] and r["vintage"] == row["vintage"] and r["source_id"] == row["source_id"])
        claims = totals[sibling["trade_value_id"]]
    assert claims, "no claim backs this row"
    assert all(c["as_printed"] and c["source_id"] != "article" for c in claims)


def test_evidence_quality_follows_the_source_quality() -> None:
    sources = {s["source_id"]: s for s in xborder_data.records("sources")}
    expected = {"mirror": {"mirror"}, "blog": {"verified_blog"}}
    for table, _, row in _new_rows():
        quality = sources[row["source_id"]]["quality"]
        if quality in expected and row["evidence_quality"] not in {"derived", "unconfirmed_basis"}:
            assert row["evidence_quality"] in expected[quality], (table, row)


def test_unconfirmed_figures_are_flagged_not_stated_as_fact() -> None:
    rows = {r["trade_value_id"]: r for r in xborder_data.records("trade_values")}
    later = rows["cbec_2024_total_later"]
    assert later["evidence_quality"] == "unconfirmed_basis" and later["scope"] == "unknown"
    claim = next(c for c in xborder_data.records("claims") if c["trade_value_id"] == "cbec_2024_total_later")
    assert claim["status"] == "unverified"


def test_the_articles_unverified_claims_stay_flagged() -> None:
    claims = {c["claim_id"]: c for c in xborder_data.records("claims")}
    for claim_id in ("ndrc_2012_number", "us_b2b_559", "us_buyers_59", "pricegrabber_50"):
        assert claims[claim_id]["status"] == "unverified", claim_id
