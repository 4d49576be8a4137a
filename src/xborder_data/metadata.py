"""Reading datapackage.json and its Table Schemas into frozen dataclasses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xborder_data.errors import DescriptorError
from xborder_data.paths import resolve_inside


@dataclass(frozen=True)
class FieldSpec:
    """One Table Schema field: the parts the loader acts on."""

    name: str
    type: str
    title: str = ""
    description: str = ""
    required: bool = False
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ForeignKey:
    """A single-field foreign key: ``field`` refers to ``resource.target``."""

    field: str
    resource: str
    target: str


@dataclass(frozen=True)
class TableSchema:
    """The parsed Table Schema of one resource."""

    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...] = ("",)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class ResourceSpec:
    """One resource of the descriptor, with its schema loaded."""

    name: str
    path: str
    title: str
    description: str
    bytes: int | None
    hash: str | None
    schema: TableSchema


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object from ``path``, raising DescriptorError on any failure."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DescriptorError(f"{path}: file not found; check the path or download the package again.") from None
    except OSError as error:
        raise DescriptorError(f"{path}: cannot be read ({error}); check its permissions.") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise DescriptorError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "restore the file from the release or fix the syntax."
        ) from None
    if not isinstance(value, dict):
        raise DescriptorError(f"{path}: expected a JSON object, found {type(value).__name__}; restore the file from the release.")
    return value


def parse_schema(raw: dict[str, Any], origin: str) -> TableSchema:
    """Turn a Table Schema dict into a TableSchema, checking the parts the loader needs."""
    try:
        fields = tuple(
            FieldSpec(
                name=f["name"],
                type=f.get("type", "string"),
                title=f.get("title", ""),
                description=f.get("description", ""),
                required=bool(f.get("constraints", {}).get("required", False)),
                enum=tuple(f["constraints"]["enum"]) if "enum" in f.get("constraints", {}) else None,
            )
            for f in raw["fields"]
        )
        primary_key = raw.get("primaryKey", [])
        foreign_keys = tuple(
            ForeignKey(fk["fields"][0], fk["reference"]["resource"], fk["reference"]["fields"][0])
            for fk in raw.get("foreignKeys", [])
        )
    except (KeyError, TypeError, IndexError) as error:
        raise DescriptorError(f"{origin}: malformed Table Schema (missing {error}); restore it from the release.") from None
    return TableSchema(
        fields=fields,
        primary_key=tuple([primary_key] if isinstance(primary_key, str) else primary_key),
        foreign_keys=foreign_keys,
        missing_values=tuple(raw.get("missingValues", [""])),
        raw=raw,
    )


def load_resources(root: Path, descriptor: dict[str, Any]) -> dict[str, ResourceSpec]:
    """Parse every resource of ``descriptor``, reading schemas referenced by path."""
    resources: dict[str, ResourceSpec] = {}
    entries = descriptor.get("resources")
    if not isinstance(entries, list) or not entries:
        raise DescriptorError(f"{root / 'datapackage.json'}: no 'resources' list; restore the file from the release.")
    for entry in entries:
        name = entry.get("name")
        path = entry.get("path")
        if not isinstance(name, str) or not isinstance(path, str):
            raise DescriptorError(f"{root / 'datapackage.json'}: a resource lacks a string 'name' or 'path'; restore the file.")
        schema_ref = entry.get("schema")
        if isinstance(schema_ref, str):
            schema_path = resolve_inside(root, schema_ref, resource=name)
            raw_schema = read_json(schema_path)
            origin = str(schema_path)
        elif isinstance(schema_ref, dict):
            raw_schema, origin = schema_ref, f"datapackage.json resource {name!r}"
        else:
            raise DescriptorError(f"datapackage.json: resource {name!r} has no schema; restore the file from the release.")
        digest = entry.get("hash")
        resources[name] = ResourceSpec(
            name=name,
            path=path,
            title=entry.get("title", name),
            description=entry.get("description", ""),
            bytes=entry.get("bytes"),
            hash=digest,
            schema=parse_schema(raw_schema, origin),
        )
    return resources
