"""What a SQL user must know about the schemas: names to quote and key cycles.

Both are computed from the Table Schemas, so the data dictionary that lists
them never drifts. SQLite itself decides which names need quoting.
"""

from __future__ import annotations

import sqlite3
from typing import Any


def needs_quoting(name: str) -> bool:
    """Return True when SQLite refuses ``name`` as a bare column name (a keyword such as ``table``).

    Example:
        >>> needs_quoting("table"), needs_quoting("stage_id")
        (True, False)
    """
    quoted = '"' + name.replace('"', '""') + '"'
    with sqlite3.connect(":memory:") as connection:
        try:
            connection.execute(f"SELECT {name} FROM (SELECT 1 AS {quoted})").fetchall()
        except sqlite3.Error:
            return True
    return False


def foreign_key_cycles(schemas: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    """Return each cycle of foreign keys between distinct tables, as the tables in order.

    A cycle means no table order satisfies the keys row by row: a SQL loader
    must defer the constraints to the end of the transaction.

    Args:
        schemas: resource name -> Table Schema (as in ``datapackage.json``).

    Example:
        >>> foreign_key_cycles({
        ...     "a": {"foreignKeys": [{"fields": ["b_id"], "reference": {"resource": "b", "fields": ["id"]}}]},
        ...     "b": {"foreignKeys": [{"fields": ["a_id"], "reference": {"resource": "a", "fields": ["id"]}}]},
        ... })
        [('a', 'b')]
    """
    # A self-reference ("resource": "" or the table's own name) orders itself.
    edges = {
        name: sorted({fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])} - {name, ""})
        for name, schema in schemas.items()
    }
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        for target in edges.get(path[-1], []):
            if target == path[0]:
                found.add(tuple(path))
            elif target not in path and target > path[0]:  # each cycle once, from its smallest table
                walk(path + [target])

    for start in sorted(edges):
        walk([start])
    return sorted(found)
