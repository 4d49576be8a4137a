"""Typed rows as plain Python values, without pandas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xborder_data.csvtext import cell_error, check_header, decode, rows
from xborder_data.metadata import TableSchema
from xborder_data.typemap import mapping_for


def parse_records(data: bytes, schema: TableSchema, path: Path) -> list[dict[str, Any]]:
    """Parse CSV bytes into a list of dicts of typed values, checking every cell.

    Raises:
        HeaderMismatchError: when the header differs from the schema.
        BadCellError: on a malformed row, an uncastable cell, an empty required
            cell or a value outside its enum.
    """
    text = decode(data, path)
    iterator = rows(text, path)
    header = next(iterator, [])
    check_header(header, schema, path)
    missing = set(schema.missing_values)
    casters = [(spec, mapping_for(spec.type)) for spec in schema.fields]
    enums = {spec.name: set(spec.enum) for spec in schema.fields if spec.enum is not None}
    out: list[dict[str, Any]] = []
    for number, row in enumerate(iterator, start=2):
        if len(row) != len(casters):
            raise cell_error(path, number, "*", ",".join(row)[:60], f"has {len(row)} cells, expected {len(casters)}")
        record: dict[str, Any] = {}
        for (spec, mapping), raw in zip(casters, row):
            if raw in missing:
                if spec.required:
                    raise cell_error(path, number, spec.name, raw, "is empty but the field is required")
                record[spec.name] = None
                continue
            try:
                value = mapping.python(raw)
            except (ValueError, OverflowError):
                raise cell_error(path, number, spec.name, raw, f"is not {mapping.expected}") from None
            if spec.name in enums and raw not in enums[spec.name]:
                raise cell_error(path, number, spec.name, raw, f"is not one of {sorted(enums[spec.name])}")
            record[spec.name] = value
        out.append(record)
    return out
