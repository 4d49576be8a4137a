"""datasette: the sqlite export plus a Datasette metadata file describing it.

Serve it with ``datasette OUTDIR/xborder-data.sqlite --metadata OUTDIR/metadata.json``.
The database is the sqlite export itself; this module adds only the metadata:
the package's title, description, licence and source, each table's and
column's description, and a label column so foreign keys show a name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.exports import to_sqlite
from xborder_data.exports._files import Writers, field_description, field_title, resource_text
from xborder_data.urls import safe_url

if TYPE_CHECKING:
    from xborder_data.tableschema.descriptor import TableSchema
    from xborder_data.package import Package

METADATA_FILE = "metadata.json"
# The first of these a table has is what Datasette shows for a foreign key to it.
LABEL_COLUMNS = ("name_en", "title_en", "title", "as_printed")


def _label_column(schema: "TableSchema") -> str | None:
    return next((name for name in LABEL_COLUMNS if name in schema.field_names), None)


def _units(schema: "TableSchema") -> dict[str, str]:
    """Units the schema fixes: a required ``unit`` field with one allowed value applies to ``value``.

    They go into the column description, not Datasette's ``units`` key:
    Datasette renders that through pint, which knows no currency such as
    ``cny_billion`` and would fail on the page.
    """
    unit = next((spec for spec in schema.fields if spec.name == "unit"), None)
    if unit is None or not unit.required or unit.enum is None or len(unit.enum) != 1:
        return {}
    if "value" not in schema.field_names:
        return {}
    return {"value": unit.enum[0]}


def _columns(package: "Package", name: str, lang: str = "en") -> dict[str, str]:
    """Each column's title and description in ``lang``, with its fixed unit when the schema states one."""
    schema = package.table_schema(name)
    units = _units(schema)
    columns = {}
    for spec in schema.fields:
        title, description = field_title(package, name, spec, lang), field_description(package, name, spec, lang)
        text = f"{title}: {description}" if title else description
        if spec.name in units:
            text += (f" 单位：{units[spec.name]}。" if lang == "zh" else f" Unit: {units[spec.name]}.")
        columns[spec.name] = text
    return columns


def metadata(package: "Package", database: str, lang: str = "en") -> dict[str, Any]:
    """Return the Datasette metadata for the sqlite export named ``database`` (its file stem).

    With ``lang="zh"`` the tables' and columns' titles and descriptions are the
    Chinese ones where the descriptor and schemas hold them (``zh``), else English.

    Keys absent from the descriptor (a licence URL, a homepage) are left out,
    never filled with a guess; so is a URL the shared link filter refuses
    (``xborder_data.urls``: only http(s), mailto or relative).
    """
    descriptor = package.descriptor()
    licence = (descriptor.get("licenses") or [{}])[0]
    source = (descriptor.get("sources") or [{}])[0]
    top: dict[str, Any] = {
        "title": descriptor.get("title", descriptor.get("name", "")),
        "description": descriptor.get("description", ""),
        "license": licence.get("name", ""),
        "license_url": safe_url(licence.get("path", "")),
        "source": source.get("title", ""),
        "source_url": safe_url(source.get("path", "")),
        "about": f"Data Package {descriptor.get('name', '')} {package.version}",
        "about_url": safe_url(descriptor.get("homepage", "")),
    }
    tables: dict[str, Any] = {}
    for name in package.resources():
        schema = package.table_schema(name)
        table: dict[str, Any] = {
            "title": resource_text(package, name, "title", lang),
            "description": resource_text(package, name, "description", lang),
            "columns": _columns(package, name, lang),
        }
        label = _label_column(schema)
        if label:
            table["label_column"] = label
        tables[name] = table
    tables[to_sqlite.METADATA_TABLE] = {
        "description": "The package's datapackage.json and version, as exported.",
        "hidden": True,
    }
    return {key: value for key, value in top.items() if value} | {"databases": {database: {"tables": tables}}}


def writers(package: "Package", outdir: Path, *, excel: bool = False, lang: str = "en") -> Writers:
    """Plan the sqlite export's database plus ``metadata.json`` for Datasette (descriptions in ``lang``)."""
    plan = to_sqlite.writers(package, outdir, excel=excel)
    database = next(iter(plan))
    text = json.dumps(metadata(package, database.stem, lang), ensure_ascii=False, indent=2) + "\n"

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8", newline="\n")

    return plan | {outdir / METADATA_FILE: write}
