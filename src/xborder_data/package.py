"""One copy of the Data Package on disk, with typed, verified, cached access."""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.metadata import ResourceSpec, TableSchema, load_resources, read_json
from xborder_data.errors import BrokenReferenceError, DescriptorError, UnknownResourceError
from xborder_data.integrity import verify
from xborder_data.paths import resolve_inside

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.cite import CitationStyle
    from xborder_data.provenance import Citations
    from xborder_data.validation import ValidationReport

DESCRIPTOR_NAME = "datapackage.json"


class Package:
    """A Data Package folder: its descriptor, schemas and typed tables.

    Tables are parsed once per instance and cached; every call returns a fresh
    copy, so callers may mutate what they get. All methods are thread-safe.

    Example:
        >>> pkg = Package("path/to/xborder-data")
        >>> pkg.load("stages")["stage_id"].tolist()
        ['1.0', '2.0', '3.0']
    """

    def __init__(self, root: str | Path) -> None:
        root = Path(root)
        if root.name == DESCRIPTOR_NAME:
            root = root.parent
        self.root = root.resolve()
        self._descriptor = read_json(self.root / DESCRIPTOR_NAME)
        self._resources: dict[str, ResourceSpec] = load_resources(self.root, self._descriptor)
        self._lock = threading.RLock()
        self._frames: dict[tuple[str, bool], "pd.DataFrame"] = {}
        self._records: dict[tuple[str, bool], list[dict[str, Any]]] = {}

    def __repr__(self) -> str:
        return f"Package({str(self.root)!r}, version={self.version!r})"

    # -- metadata ---------------------------------------------------------
    @property
    def version(self) -> str:
        """The descriptor's ``version``."""
        version = self._descriptor.get("version")
        if not isinstance(version, str):
            raise DescriptorError(f"{self.root / DESCRIPTOR_NAME}: no string 'version'; restore the file from the release.")
        return version

    def resources(self) -> list[str]:
        """Return the resource names in descriptor order."""
        return list(self._resources)

    def descriptor(self) -> dict[str, Any]:
        """Return a deep copy of the descriptor; mutating it changes nothing."""
        return copy.deepcopy(self._descriptor)

    def resource(self, name: str) -> ResourceSpec:
        """Return the parsed resource ``name``.

        Raises:
            UnknownResourceError: listing the valid names.
        """
        try:
            return self._resources[name]
        except KeyError:
            raise UnknownResourceError(
                f"unknown resource {name!r}; valid names are: {', '.join(self._resources)}"
            ) from None

    def schema(self, name: str) -> dict[str, Any]:
        """Return a deep copy of the Table Schema of ``name``."""
        return copy.deepcopy(self.resource(name).schema.raw)

    def table_schema(self, name: str) -> TableSchema:
        """Return the parsed (frozen) Table Schema of ``name``."""
        return self.resource(name).schema

    def path(self, name: str) -> Path:
        """Return the real path of the CSV file of ``name``, refusing unsafe paths."""
        spec = self.resource(name)
        return resolve_inside(self.root, spec.path, resource=name)

    def package_path(self) -> Path:
        """Return the path of datapackage.json."""
        return self.root / DESCRIPTOR_NAME

    # -- data -------------------------------------------------------------
    def read_bytes(self, name: str, *, verify_integrity: bool = True) -> bytes:
        """Return the raw bytes of ``name``, checked against bytes and hash first."""
        spec = self.resource(name)
        path = self.path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DescriptorError(
                f"{path}: data file of resource {name!r} not found; download the complete release."
            ) from None
        if verify_integrity:
            verify(data, path, spec.bytes, spec.hash)
        return data

    def files(self) -> dict[str, bytes]:
        """Return relative path -> bytes of the package as downloaded.

        That is datapackage.json, every data file (read through the integrity
        check, so a copy never passes on a corrupted file) and every schema file.
        """
        files = {DESCRIPTOR_NAME: self.package_path().read_bytes()}
        for entry in self._descriptor["resources"]:
            name = entry["name"]
            files[entry["path"]] = self.read_bytes(name)
            if isinstance(entry.get("schema"), str):
                files[entry["schema"]] = resolve_inside(self.root, entry["schema"], resource=name).read_bytes()
        return files

    def load(self, name: str, *, verify_integrity: bool = True, check_references: bool = False) -> "pd.DataFrame":
        """Return resource ``name`` as a DataFrame typed from its Table Schema.

        Args:
            name: a name from ``resources()``.
            verify_integrity: check the file's size and sha256 before parsing.
            check_references: also check that its foreign keys resolve.

        Raises:
            UnknownResourceError, UnsafePathError, IntegrityError,
            HeaderMismatchError, BadCellError, BrokenReferenceError.
        """
        from xborder_data.frames import parse_frame

        key = (name, verify_integrity)
        with self._lock:
            frame = self._frames.get(key)
            if frame is None:
                data = self.read_bytes(name, verify_integrity=verify_integrity)
                frame = parse_frame(data, self.resource(name).schema, self.path(name))
                self._frames[key] = frame
        if check_references:
            self.check_references(name, verify_integrity=verify_integrity)
        return frame.copy(deep=True)

    def load_all(self, *, verify_integrity: bool = True) -> dict[str, "pd.DataFrame"]:
        """Return every resource as a dict of name to DataFrame."""
        return {name: self.load(name, verify_integrity=verify_integrity) for name in self._resources}

    def records(self, name: str, *, verify_integrity: bool = True) -> list[dict[str, Any]]:
        """Return resource ``name`` as a list of dicts of Python values, without pandas."""
        from xborder_data.typed_rows import parse_records

        key = (name, verify_integrity)
        with self._lock:
            rows = self._records.get(key)
            if rows is None:
                data = self.read_bytes(name, verify_integrity=verify_integrity)
                rows = parse_records(data, self.resource(name).schema, self.path(name))
                self._records[key] = rows
        return [dict(row) for row in rows]

    def check_references(self, name: str | None = None, *, verify_integrity: bool = True) -> None:
        """Raise BrokenReferenceError on the first foreign key that does not resolve.

        Args:
            name: one resource, or None for all of them.
        """
        names = [name] if name is not None else self.resources()
        for current in names:
            spec = self.resource(current)
            rows = self.records(current, verify_integrity=verify_integrity)
            for fk in spec.schema.foreign_keys:
                targets = {row[fk.target] for row in self.records(fk.resource, verify_integrity=verify_integrity)}
                for number, row in enumerate(rows, start=2):
                    value = row[fk.field]
                    if value is not None and value not in targets:
                        raise BrokenReferenceError(
                            f"{self.path(current)}, row {number}, field {fk.field!r}: value {value!r} "
                            f"matches no {fk.target!r} in resource {fk.resource!r}; "
                            f"add the missing row to {fk.resource!r} or correct the value."
                        )

    # -- provenance, citation, validation ---------------------------------
    def sources_for(self, name: str, row_id: str) -> "Citations":
        """Return the claims, evidence and sources behind one row."""
        from xborder_data.provenance import citations_for

        return citations_for(self, name, row_id)

    def citation(self, style: "CitationStyle" = "text") -> str:
        """Return how to cite this package in ``style``: "text", "bibtex" or "apa"."""
        from xborder_data.cite import format_citation

        return format_citation(self._descriptor, style)

    def validate(self) -> "ValidationReport":
        """Validate with frictionless plus the integrity checks; return a report."""
        from xborder_data.validation import validate_package

        return validate_package(self)

    def clear_cache(self) -> None:
        """Forget parsed tables (for tests and for files edited in place)."""
        with self._lock:
            self._frames.clear()
            self._records.clear()
