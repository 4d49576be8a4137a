"""sqlite: one table per resource, typed, with primary and foreign keys enforced."""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.errors import BrokenReferenceError, DescriptorError
from xborder_data.exports._files import Writers, package_name
from xborder_data.urls import safe_descriptor
from xborder_data.tableschema.types import TYPES

if TYPE_CHECKING:
    from xborder_data.tableschema.descriptor import TableSchema
    from xborder_data.package import Package

METADATA_TABLE = "_metadata"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(name: str, schema: "TableSchema") -> str:
    """Return the CREATE TABLE statement of one resource.

    Foreign keys are DEFERRABLE INITIALLY DEFERRED because the references form
    a cycle (stages <-> platforms): no creation order satisfies them row by
    row, but every one of them holds when the transaction commits.
    """
    lines = []
    for spec in schema.fields:
        kind = TYPES[spec.type]
        column = f"  {_quote(spec.name)} {kind.sqlite}"
        if spec.required:
            column += " NOT NULL"
        if spec.enum is not None:
            allowed = ", ".join(
                "'" + value.replace("'", "''") + "'" if isinstance(value, str) else repr(kind.sql(value)) for value in spec.enum
            )
            column += f" CHECK ({_quote(spec.name)} IN ({allowed}))"
        lines.append(column)
    if schema.primary_key:
        lines.append(f"  PRIMARY KEY ({', '.join(_quote(key) for key in schema.primary_key)})")
    for fk in schema.foreign_keys:
        lines.append(
            f"  FOREIGN KEY ({', '.join(map(_quote, fk.fields))}) REFERENCES {_quote(fk.resource or name)} ({', '.join(map(_quote, fk.targets))})"
            " DEFERRABLE INITIALLY DEFERRED"
        )
    return f"CREATE TABLE {_quote(name)} (\n" + ",\n".join(lines) + "\n)"


def _fill(connection: sqlite3.Connection, package: "Package") -> None:
    connection.execute("PRAGMA foreign_keys = ON")
    with connection:  # one transaction: deferred keys are checked at its commit
        # Every table first: SQLite refuses rows whose parent table does not exist yet.
        for name in package.resources():
            connection.execute(create_table_sql(name, package.table_schema(name)))
        for name in package.resources():
            schema = package.table_schema(name)
            kinds = [(spec.name, TYPES[spec.type]) for spec in schema.fields]
            placeholders = ", ".join("?" for _ in schema.fields)
            columns = ", ".join(_quote(spec.name) for spec in schema.fields)
            connection.executemany(
                f"INSERT INTO {_quote(name)} ({columns}) VALUES ({placeholders})",
                ([kind.sql(row[field]) for field, kind in kinds] for row in package.records(name)),
            )
        connection.execute(f"CREATE TABLE {_quote(METADATA_TABLE)} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.executemany(
            f"INSERT INTO {_quote(METADATA_TABLE)} VALUES (?, ?)",
            [
                ("datapackage.json", json.dumps(safe_descriptor(package.descriptor()), ensure_ascii=False, indent=2)),
                ("version", package.version),
                ("types", json.dumps({name: kind.sqlite for name, kind in TYPES.items()})),
            ],
        )
    problems = connection.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        table, rowid, parent, _ = problems[0]
        raise BrokenReferenceError(
            f"sqlite export: row {rowid} of {table!r} refers to a missing row of {parent!r}; "
            "run `xborder-data validate` on the package."
        )


def check_names(package: "Package") -> None:
    """Refuse table and column names that SQLite would reject or merge, before any file is planned.

    Raises:
        DescriptorError: naming the resource or field and why.
    """
    for name in package.resources():
        if name == METADATA_TABLE or name.lower().startswith("sqlite_"):
            raise DescriptorError(f"sqlite export: resource {name!r} clashes with a name SQLite or this export reserves; rename it.")
        seen: dict[str, str] = {}
        for field in package.table_schema(name).field_names:
            if "\x00" in field:
                raise DescriptorError(f"sqlite export: resource {name!r} has a field name with a NUL character; rename it.")
            other = seen.setdefault(field.lower(), field)
            if other != field:
                raise DescriptorError(
                    f"sqlite export: resource {name!r} has the fields {other!r} and {field!r}, one column to SQLite "
                    "(names are case-insensitive there); rename one."
                )


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME.sqlite``: a table per resource plus a ``_metadata`` table with the descriptor."""
    check_names(package)

    def write(path: Path) -> None:
        connection = sqlite3.connect(path)
        try:
            _fill(connection, package)
        except sqlite3.IntegrityError as error:  # a deferred key failing at commit
            raise BrokenReferenceError(
                f"sqlite export: {error}; run `xborder-data validate` on the package to find the row."
            ) from None
        except sqlite3.OperationalError as error:  # disk full, read-only: an OS error in sqlite's words
            code = errno.ENOSPC if "full" in str(error) else errno.EIO
            raise OSError(code, f"sqlite export: {error}") from None
        finally:
            connection.close()

    return {outdir / f"{package_name(package)}.sqlite": write}
