"""Foreign keys: every reference of a package resolves, compared as typed values."""

from __future__ import annotations

from typing import Any

from xborder_data.errors import BrokenReferenceError

# A Package, read through its methods; not imported, because package.py calls into this module.
PackageReader = Any



def check_references(package: "PackageReader", name: str | None = None, *, verify_integrity: bool = True) -> None:
    """Raise BrokenReferenceError on the first foreign key that does not resolve.

    Keys of one or several fields, in either Table Schema form, are
    compared as typed values; a key with any missing part is not checked.

    Args:
        name: one resource, or None for all of them.
    """
    names = [name] if name is not None else package.resources()
    for current in names:
        spec = package.resource(current)
        table = package.table(current, verify_integrity=verify_integrity)
        columns = dict(zip(table.names, table.columns))
        for fk in spec.schema.foreign_keys:
            target_name = fk.resource or current
            target = package.table(target_name, verify_integrity=verify_integrity)
            target_columns = dict(zip(target.names, target.columns))
            targets = set(zip(*(target_columns[field] for field in fk.targets)))
            for number, value in enumerate(zip(*(columns[field] for field in fk.fields)), start=2):
                if None in value or value in targets:
                    continue
                shown = value[0] if len(value) == 1 else value
                raise BrokenReferenceError(
                    f"{package.path(current)}, row {number}, field {', '.join(map(repr, fk.fields))}: value {shown!r} "
                    f"matches no {', '.join(map(repr, fk.targets))} in resource {target_name!r}; "
                    f"add the missing row to {target_name!r} or correct the value.",
                    resource=current, path=str(package.path(current)), row_number=number,
                    field_name=",".join(fk.fields), cell=str(shown),
                )
