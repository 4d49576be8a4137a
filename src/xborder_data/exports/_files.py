"""What every exporter shares: the plan of files, and names built from metadata.

Writing itself is ``xborder_data.storage.staging.write_staged``: all files are built in a
staging folder beside OUTDIR and moved in only when every one is complete.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, cast

from xborder_data.registry import derived_tables
from xborder_data.errors import DescriptorError
from xborder_data.storage.names import check_component
from xborder_data.tableschema.types import csv_text

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package
    from xborder_data.tableschema.descriptor import FieldSpec, ResourceSpec, TableSchema

# Final path -> function that writes the complete file at the path it is given.
Writers = dict[Path, Callable[[Path], None]]


def resource_file(outdir: Path, name: str, suffix: str) -> Path:
    """``OUTDIR/NAME.suffix`` for a resource, refusing a name that is not one safe component."""
    return outdir / f"{check_component(name, what='resource name')}{suffix}"


def package_name(package: "Package") -> str:
    """The descriptor's ``name`` (default ``xborder-data``), checked to be one safe component."""
    return check_component(package.descriptor().get("name", "xborder-data"), what="package name")


def package_version(package: "Package") -> str:
    """The descriptor's ``version``, checked to be one safe component."""
    return check_component(package.version, what="package version")


def field_title(package: "Package", resource: str, spec: "FieldSpec", lang: str = "en", *, fallback: bool = True) -> str:
    """The field's title in ``lang`` ("en" or "zh"); a field without a Chinese title gives its English one (or "" without ``fallback``)."""
    if lang == "zh" and not fallback:
        return spec.title_zh.strip()
    return spec.title_in(cast("Any", lang)).strip() if lang == "zh" else spec.title


def field_description(package: "Package", resource: str, spec: "FieldSpec", lang: str = "en") -> str:
    """The field's description in ``lang``, falling back to the English one (the loader parsed the schema's ``zh``)."""
    return spec.description_in(cast("Any", lang)).strip() if lang == "zh" else spec.description


def resource_text(package: "Package", name: str, key: str, lang: str = "en") -> str:
    """The resource's ``title`` or ``description`` in ``lang`` (its ``zh`` object when asked and present), else English."""
    resource = package.resource(name)
    if lang == "zh":
        text = resource.title_in("zh") if key == "title" else resource.description_in("zh")
        return text.strip()
    return str(getattr(resource, key, "") or "")


def _schema_file(spec: "ResourceSpec") -> str:
    """Where a derived table's Table Schema is written: beside its CSV."""
    return spec.path.removesuffix(".csv") + ".schema.json"


class Tables:
    """The package as the exports see it: its resources, then the tables derived from them (``derived``: the DID panel).

    A derived table has a name, a Table Schema (titles, descriptions, Chinese titles, types, enums, keys)
    and rows, so every exporter loops over it like a resource and none names it; a copy of the package
    (csv, zip) carries it as ``derived/NAME.csv`` beside its schema, outside the descriptor, whose files it
    must leave byte for byte.
    """

    def __init__(self, package: "Package") -> None:
        self.package = package
        self._derived = {spec.name: (spec, rows) for spec, rows in derived_tables(package)}
        self._rows: dict[str, list[dict[str, Any]]] = {}
        clash = set(self._derived) & set(package.resources())
        if clash:
            raise DescriptorError(f"resource {sorted(clash)[0]!r} has the name of a table the exports derive; rename it.")
        taken = set(package.file_paths())  # a copy writes the derived files beside the package's: never over one
        for spec, _ in self._derived.values():
            for path in (spec.path, _schema_file(spec)):
                if path in taken:
                    raise DescriptorError(f"datapackage.json: the file {path!r} is where the exports write the derived table "
                                          f"{spec.name!r}; move that resource's file elsewhere.", path=path)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.package, attribute)  # everything a resource does not change: descriptor, version, files…

    def resources(self) -> list[str]:
        return self.package.resources() + list(self._derived)

    def is_derived(self, name: str) -> bool:
        return name in self._derived

    def resource(self, name: str) -> "ResourceSpec":
        return self._derived[name][0] if name in self._derived else self.package.resource(name)

    def table_schema(self, name: str) -> "TableSchema":
        return self.resource(name).schema

    def schema(self, name: str) -> dict[str, Any]:
        return copy.deepcopy(self._derived[name][0].schema.raw) if name in self._derived else self.package.schema(name)

    def records(self, name: str) -> list[dict[str, Any]]:
        if name not in self._derived:
            return self.package.records(name)
        if name not in self._rows:
            self._rows[name] = self._derived[name][1]()
        return [dict(row) for row in self._rows[name]]

    def load(self, name: str) -> "pd.DataFrame":
        if name not in self._derived:
            return self.package.load(name)
        from xborder_data.tableschema.frames import to_frame
        from xborder_data.tableschema.table import Table

        schema = self.table_schema(name)
        rows = self.records(name)
        columns = tuple([row[spec.name] for row in rows] for spec in schema.fields)
        return to_frame(Table(names=tuple(schema.field_names), columns=columns, row_count=len(rows)), schema)

    def csv_bytes(self, name: str) -> bytes:
        """A derived table as CSV in the data files' form (UTF-8, LF, minimal quoting)."""
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        fields = self.table_schema(name).field_names
        writer.writerow(fields)
        writer.writerows([csv_text(row[field]) for field in fields] for row in self.records(name))
        return out.getvalue().encode("utf-8")

    def derived_files(self) -> dict[str, bytes]:
        """Each derived table's CSV and Table Schema, by relative path (under ``derived/``; ``__init__`` refused a clash)."""
        files = {}
        for name, (spec, _) in self._derived.items():
            files[spec.path] = self.csv_bytes(name)
            files[_schema_file(spec)] = (
                json.dumps(self.schema(name), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        return files

    def files(self) -> dict[str, bytes]:
        """The package's files as downloaded, then the derived tables' (``derived_files``)."""
        return {**self.package.files(), **self.derived_files()}
