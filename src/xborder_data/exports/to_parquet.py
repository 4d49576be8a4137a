"""parquet: one file per table, each field of its type's Arrow type (``types.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from xborder_data.exports._files import Writers, resource_file
from xborder_data.tableschema.types import TYPES

if TYPE_CHECKING:
    import pyarrow as pa

    from xborder_data.tableschema.descriptor import FieldSpec
    from xborder_data.package import Package


def _pyarrow() -> Any:
    import pyarrow  # a core dependency
    import pyarrow.parquet  # noqa: F401 - loads the writer

    return pyarrow


def _column(pa: Any, spec: "FieldSpec", values: list[Any]) -> "pa.Array":
    if spec.enum is not None:
        # Dictionary-encoded with every allowed value, so readers see the full category list.
        index = {value: i for i, value in enumerate(spec.enum)}
        indices = pa.array([None if v is None else index[v] for v in values], type=pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(list(spec.enum), type=pa.string()))
    return pa.array(values, type=getattr(pa, TYPES[spec.type].arrow)())


def build_table(package: "Package", name: str) -> "pa.Table":
    """Return resource ``name`` as an Arrow table with field and file metadata."""
    pa = _pyarrow()
    schema = package.table_schema(name)
    rows = package.records(name)
    columns = [_column(pa, spec, [row[spec.name] for row in rows]) for spec in schema.fields]
    fields = [
        pa.field(
            spec.name,
            column.type,
            nullable=not spec.required,
            metadata={"title": spec.title, "description": spec.description, "tableschema_type": spec.type},
        )
        for spec, column in zip(schema.fields, columns)
    ]
    resource = package.resource(name)
    metadata = {
        "xborder_data.version": package.version,
        "xborder_data.resource": name,
        "title": resource.title,
        "description": resource.description,
        "tableschema": json.dumps(schema.raw, ensure_ascii=False),
    }
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=metadata))


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME.parquet`` per table, the derived ones (the DID panel) included, with the same Arrow types."""
    pa = _pyarrow()

    def writer(name: str) -> Callable[[Path], None]:
        table = build_table(package, name)

        def write(path: Path) -> None:
            pa.parquet.write_table(table, path)

        return write

    return {resource_file(outdir, name, ".parquet"): writer(name) for name in package.resources()}
