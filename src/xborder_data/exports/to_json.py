"""json: one file of records per table, plus a descriptor that points only at them.

Strict JSON: NaN and infinities, which JSON cannot express, are written as null.

``frictionless validate descriptor.json`` reads JSON data through frictionless'
``json`` extra (ijson, jsonlines); without it frictionless says "Please install
frictionless", as if it were absent. This package depends on ``frictionless[json]``,
so an install of xborder-data validates its own json export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from xborder_data.errors import DescriptorError
from xborder_data.exports._files import Writers, resource_file
from xborder_data.urls import safe_descriptor
from xborder_data.tableschema.types import json_value

if TYPE_CHECKING:
    from xborder_data.package import Package

DESCRIPTOR = "descriptor.json"


def _writer(content: Any) -> Callable[[Path], None]:
    # Bind the content now: the plan is built before anything is written.
    text = json.dumps(content, ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def descriptor_for_json(package: "Package") -> dict[str, Any]:
    """The package descriptor rewritten for this folder: each resource is ``NAME.json``, schemas inline.

    The CSV's bytes, hash and dialect describe files this folder lacks, so they are dropped.
    """
    descriptor = safe_descriptor(package.descriptor())  # a refused URL is left out, never written
    for entry in descriptor.get("resources", []):
        name = entry["name"]
        for key in ("bytes", "hash", "dialect", "encoding"):
            entry.pop(key, None)
        entry.update(path=resource_file(Path(), name, ".json").as_posix(), format="json", mediatype="application/json")
        entry["schema"] = safe_descriptor(package.schema(name))
    listed = {entry.get("name") for entry in descriptor.get("resources", [])}
    for name in package.resources():  # the derived tables (the DID panel), described like the resources
        if name not in listed:
            spec = package.resource(name)
            entry = {"name": name, "path": resource_file(Path(), name, ".json").as_posix(), "format": "json",
                     "mediatype": "application/json", "title": spec.title, "description": spec.description,
                     "schema": safe_descriptor(package.schema(name))}
            if spec.title_zh:
                entry["zh"] = {"title": spec.title_zh, "description": spec.description_zh} if spec.description_zh else {"title": spec.title_zh}
            descriptor.setdefault("resources", []).append(entry)
    return descriptor


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME.json`` (a list of objects; dates as YYYY-MM-DD) per table and ``descriptor.json``."""
    plan: Writers = {}
    for name in package.resources():
        records = [{key: json_value(value) for key, value in row.items()} for row in package.records(name)]
        plan[resource_file(outdir, name, ".json")] = _writer(records)
    if outdir / DESCRIPTOR in plan:
        raise DescriptorError(
            f"json export: resource {DESCRIPTOR.removesuffix('.json')!r} would be written to {DESCRIPTOR}, "
            "which holds the package's descriptor; rename the resource."
        )
    plan[outdir / DESCRIPTOR] = _writer(descriptor_for_json(package))
    return plan
