"""The claims, evidence and sources behind one row: its citations.

The one implementation of "what backs this row". It works on tables passed in
(lists of typed records), so it never calls back into ``Package``, and it
compares keys as typed values: batch ``3`` and batch ``"3"`` are one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xborder_data.tableschema.types import CellProblem
from xborder_data.errors import DescriptorError, UnknownRowError
from xborder_data.tableschema.descriptor import ResourceSpec

# A Package, read through its methods; not imported, because package.py calls into this module.
PackageReader = Any


# What a row's citations read (the CLI's `cite` and the site's citations page print them all).
PROVENANCE_FIELDS = {
    "claims": ("claim_id", "source_id", "status", "as_printed", "field", "normalized_value", "note"),
    "evidence": ("evidence_id", "claim_id", "source_id", "stance", "quote"),
    "sources": ("source_id", "title", "publisher", "quality", "url"),
}


def require_provenance(package: "PackageReader") -> None:
    """Refuse a package whose claims, evidence or sources lack what citations read (``PROVENANCE_FIELDS``)."""
    for table, fields in PROVENANCE_FIELDS.items():
        if table not in package.resources():
            raise DescriptorError(
                f"{package.package_path()}: no {table!r} resource; citations need this project's claims, evidence and sources tables."
            )
        package.require(table, dict.fromkeys(fields, "string"), "a row's citations", required=fields[:1])


def sources_for(package: "PackageReader", name: str, row_id: object) -> "Citations":
    """The claims, evidence and sources behind one row of ``name`` (``row_id`` typed or as its CSV text)."""
    require_provenance(package)
    tables = {table: package.records(table) for table in PROVENANCE_FIELDS}
    return citations_for(package.records(name), package.resource(name), {n: package.resource(n) for n in package.resources()},
                         tables, row_id)


@dataclass(frozen=True)
class Citations:
    """Everything that backs one row."""

    resource: str
    row_id: Any
    row: dict[str, Any]
    claims: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    sources: list[dict[str, Any]]


def _short(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut to ``limit`` characters: an error names a value, never prints megabytes of it."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def typed_key(spec: ResourceSpec, row_id: object) -> Any:
    """Return ``row_id`` as a value of the resource's single-field primary key.

    Raises:
        DescriptorError: the resource has no single-field primary key.
        UnknownRowError: the text is not a value of the key's type.
    """
    key = spec.schema.primary_key
    if len(key) != 1:
        raise DescriptorError(f"resource {spec.name!r} has no single-field primary key; citations need one.")
    field = next(f for f in spec.schema.fields if f.name == key[0])
    if not isinstance(row_id, str) or field.type == "string":
        return row_id
    try:
        return field.read(row_id)
    except CellProblem as problem:
        raise UnknownRowError(f"resource {spec.name!r}: {key[0]} {row_id!r} {problem}.") from None


def claims_for_row(claims: list[dict[str, Any]], claims_spec: ResourceSpec, resource: str, key: Any) -> list[dict[str, Any]]:
    """Return the claims whose foreign key into ``resource`` holds ``key`` (a typed value)."""
    columns = [fk.field for fk in claims_spec.schema.foreign_keys if fk.resource == resource and len(fk.fields) == 1]
    return [claim for claim in claims if any(claim[column] == key for column in columns)]


def citations_for(
    rows: list[dict[str, Any]],
    spec: ResourceSpec,
    specs: dict[str, ResourceSpec],
    tables: dict[str, list[dict[str, Any]]],
    row_id: object,
) -> Citations:
    """Collect the row, the claims that support it, their evidence and all sources.

    Args:
        rows: the records of the resource ``spec`` describes.
        specs: every resource of the package, by name.
        tables: the records of "claims", "evidence" and "sources".
        row_id: the row's primary-key value, typed or as its CSV text.
    """
    key = typed_key(spec, row_id)
    column = spec.schema.primary_key[0]
    row = next((candidate for candidate in rows if candidate[column] == key), None)
    if row is None:
        ids = [_short(candidate[column]) for candidate in rows]
        choices = f"valid ids are: {', '.join(ids)}" if len(ids) <= 20 else f"see `xborder-data show {spec.name} --limit 0`"
        raise UnknownRowError(f"resource {spec.name!r} has no row with {column} = {_short(row_id)}; {choices}.")
    if spec.name == "claims":
        claims = [row]
    else:
        claims = claims_for_row(tables["claims"], specs["claims"], spec.name, key)
    claim_ids = {claim["claim_id"] for claim in claims}
    evidence = [row] if spec.name == "evidence" else [item for item in tables["evidence"] if item["claim_id"] in claim_ids]

    source_ids: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str) and value not in source_ids:
            source_ids.append(value)

    for fk in spec.schema.foreign_keys:
        if fk.resource == "sources" and len(fk.fields) == 1:
            add(row[fk.field])
    if spec.name == "sources":
        add(row["source_id"])
    for claim in claims:
        add(claim.get("source_id"))
        add(claim.get("evidence_source_id"))
    for item in evidence:
        add(item.get("source_id"))
    by_id = {source["source_id"]: source for source in tables["sources"]}
    return Citations(spec.name, key, row, claims, evidence, [by_id[s] for s in source_ids if s in by_id])
