"""The claims, evidence and sources behind one row: its citations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xborder_data.errors import DescriptorError, UnknownRowError

if TYPE_CHECKING:
    from xborder_data.package import Package


@dataclass(frozen=True)
class Citations:
    """Everything that backs one row."""

    resource: str
    row_id: str
    row: dict[str, Any]
    claims: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    sources: list[dict[str, Any]]


def _find_row(package: "Package", name: str, row_id: str) -> dict[str, Any]:
    key = package.table_schema(name).primary_key
    if len(key) != 1:
        raise DescriptorError(f"resource {name!r} has no single-field primary key; citations need one.")
    rows = package.records(name)
    for row in rows:
        if str(row[key[0]]) == row_id:
            return row
    ids = [str(row[key[0]]) for row in rows]
    choices = f"valid ids are: {', '.join(ids)}" if len(ids) <= 20 else f"see `xborder-data show {name} --limit 0`"
    raise UnknownRowError(f"resource {name!r} has no row with {key[0]} = {row_id!r}; {choices}.")


def citations_for(package: "Package", name: str, row_id: str) -> Citations:
    """Collect the row, the claims that support it, their evidence and all sources."""
    row = _find_row(package, name, row_id)
    claims_schema = package.table_schema("claims")
    if name == "claims":
        claims = [row]
    else:
        columns = [fk.field for fk in claims_schema.foreign_keys if fk.resource == name]
        claims = [c for c in package.records("claims") if any(c[col] == row_id for col in columns)]
    claim_ids = {c["claim_id"] for c in claims}
    evidence = [e for e in package.records("evidence") if e["claim_id"] in claim_ids]
    if name == "evidence":
        evidence = [row]

    source_ids: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str) and value not in source_ids:
            source_ids.append(value)

    for fk in package.table_schema(name).foreign_keys:
        if fk.resource == "sources":
            add(row[fk.field])
    if name == "sources":
        add(row["source_id"])
    for claim in claims:
        add(claim["source_id"])
        add(claim["evidence_source_id"])
    for item in evidence:
        add(item["source_id"])
    by_id = {s["source_id"]: s for s in package.records("sources")}
    return Citations(name, row_id, row, claims, evidence, [by_id[s] for s in source_ids if s in by_id])
