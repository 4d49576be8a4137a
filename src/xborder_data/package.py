"""One copy of the Data Package on disk, with typed, verified, cached access."""

from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.errors import DescriptorError, IntegrityError, UnknownResourceError, UsageError
from xborder_data.tableschema.descriptor import ResourceSpec, TableSchema, load_resources, read_json
from xborder_data.storage.paths import resolve_inside
from xborder_data.storage.reading import REMEDY, CheckedFile, read_regular_file

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.citing.cite import CitationStyle
    from xborder_data.checks.integrity import ReleaseComparison
    from xborder_data.citing.provenance import Citations
    from xborder_data.tableschema.table import Table
    from xborder_data.checks.report import ValidationReport

DESCRIPTOR_NAME = "datapackage.json"
# A data file larger than this is refused before it is read: the reader holds a
# file in memory, and 1 GiB is ten times the 10⁶-row tables it is measured on.
# A user raises it for a large package of their own: Package(path, max_bytes=...)
# or the environment variable below.
DATA_LIMIT = 1 << 30
MAX_BYTES_VARIABLE = "XBORDER_DATA_MAX_BYTES"


def data_limit(max_bytes: int | None = None) -> int:
    """The largest data file a Package reads: ``max_bytes``, else $XBORDER_DATA_MAX_BYTES, else 1 GiB.

    Raises:
        UsageError: a limit that is not a whole number of bytes above 0.
    """
    import os

    given: object = max_bytes
    if given is None:
        text = os.environ.get(MAX_BYTES_VARIABLE, "").strip().replace("_", "")
        if not text:
            return DATA_LIMIT
        given = int(text) if text.isascii() and text.isdigit() else text
    if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
        source = "max_bytes" if max_bytes is not None else f"${MAX_BYTES_VARIABLE}"
        raise UsageError(f"{source} must be a whole number of bytes above 0, such as 4294967296 (4 GiB), not {given!r}")
    return given


class Package:
    """A Data Package folder: its descriptor, schemas and typed tables.

    Tables are parsed once per instance and cached; every call returns a fresh
    copy, so callers may mutate what they get. All methods are thread-safe.

    Example:
        >>> pkg = Package("path/to/xborder-data")
        >>> pkg.load("stages")["stage_id"].tolist()
        ['1.0', '2.0', '3.0']
    """

    def __init__(self, root: str | Path, *, max_bytes: int | None = None) -> None:
        """Open the package folder ``root`` (or its datapackage.json).

        Args:
            max_bytes: the largest data file to read (default 1 GiB, or
                $XBORDER_DATA_MAX_BYTES); raise it for a large package of your own.
        """
        self.max_bytes = data_limit(max_bytes)
        root = Path(root)
        if root.name == DESCRIPTOR_NAME:
            root = root.parent
        self.root = root.resolve()
        resolve_inside(self.root, DESCRIPTOR_NAME, resource=DESCRIPTOR_NAME)  # not a link out of the folder
        self._descriptor = read_json(self.root / DESCRIPTOR_NAME)
        self._resources: dict[str, ResourceSpec] = load_resources(self.root, self._descriptor)
        self._lock = threading.RLock()
        from xborder_data.tableschema.rules import PatternBudget

        self._pattern_budget = PatternBudget()  # one for all its tables: many resources cannot multiply the time
        self._tables: dict[tuple[str, bool], "Table"] = {}
        self._frames: dict[tuple[str, bool], "pd.DataFrame"] = {}

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
            UnknownResourceError: listing the valid names, and the closest one.
        """
        try:
            return self._resources[name]
        except (KeyError, TypeError):
            from xborder_data.suggest import unknown_name_message

            raise UnknownResourceError(unknown_name_message("resource", str(name), self._resources)) from None

    def schema(self, name: str) -> dict[str, Any]:
        """Return a deep copy of the Table Schema of ``name``."""
        return copy.deepcopy(self.resource(name).schema.raw)

    def table_schema(self, name: str) -> TableSchema:
        """Return the parsed (frozen) Table Schema of ``name``."""
        return self.resource(name).schema

    def require_provenance(self) -> None:
        """Refuse a package whose claims, evidence or sources lack what citations read (``citing.provenance``)."""
        from xborder_data.citing.provenance import require_provenance

        require_provenance(self)

    def require(self, name: str, fields: dict[str, str], purpose: str, *, required: tuple[str, ...] = ()) -> None:
        """Refuse, before any row is read, a resource that lacks what ``purpose`` reads from it.

        Args:
            fields: field name -> Table Schema type the code relies on.
            required: those of ``fields`` that must be declared required (or be the primary key),
                so the reader guarantees a value in every row.

        Raises:
            UnknownResourceError, DescriptorError: naming the resource, field and what it should be.
        """
        schema = self.table_schema(name)
        have = {spec.name: spec for spec in schema.fields}
        for field, kind in fields.items():
            spec = have.get(field)
            if spec is None or spec.type != kind:
                found = "has none" if spec is None else f"has it as {spec.type}"
                raise DescriptorError(
                    f"resource {name!r}: {purpose} needs field {field!r} of type {kind}, and the schema {found}; "
                    "restore the package from the release.",
                    resource=name, field_name=field,
                )
            if field in required and not (spec.required or field in schema.primary_key):
                raise DescriptorError(
                    f"resource {name!r}: {purpose} needs a value in every row of {field!r}, and the schema does not "
                    "require one; restore the package from the release.",
                    resource=name, field_name=field,
                )

    def path(self, name: str) -> Path:
        """Return the real path of the CSV file of ``name``, refusing unsafe paths."""
        spec = self.resource(name)
        return resolve_inside(self.root, spec.path, resource=name)

    def package_path(self) -> Path:
        """Return the path of datapackage.json."""
        return self.root / DESCRIPTOR_NAME

    # -- data -------------------------------------------------------------
    def read_bytes(self, name: str, *, verify_integrity: bool = True) -> bytes:
        """Return the raw bytes of ``name``; with ``verify_integrity``, checked against bytes and sha256.

        The file's type and size are checked before it is read and its sha256
        while it streams, so a FIFO, a device or a grown file never hangs the reader.

        Raises:
            IntegrityError: the resource has no sha256 ``hash`` (md5 alone is
                not enough), or the file's size or digest differs.
        """
        return self._read_at(name, self.path(name), verify_integrity)

    def _read_at(self, name: str, path: Path, verify_integrity: bool) -> bytes:
        """``read_bytes`` of ``name`` at its resolved ``path`` (resolved once by the caller)."""
        with self._open_at(name, path, verify_integrity) as file:
            return file.read_all()

    def _open_at(self, name: str, path: Path, verify_integrity: bool) -> CheckedFile:
        """``name``'s file at ``path``, opened to be read once with its size and (with ``verify_integrity``) sha256 checked."""
        spec = self.resource(name)
        limit_remedy = (f"the limit is Package's max_bytes, {self.max_bytes:,} bytes ({self.max_bytes / (1 << 30):.3g} GiB); "
                        f"for a package of your own, raise it with xborder_data.open(path, max_bytes=...) "
                        f"or the environment variable {MAX_BYTES_VARIABLE}")
        if not verify_integrity:
            return CheckedFile(path, limit=self.max_bytes, resource=name, limit_remedy=limit_remedy)
        if spec.sha256 is None:
            found = f"has the hash {spec.hash!r}" if spec.hash else "has no hash"
            raise IntegrityError(
                f"{path}: resource {name!r} {found}, and the loader verifies sha256 only; "
                f"{REMEDY}, or pass verify_integrity=False to read it unchecked.",
                resource=name, path=str(path),
            )
        return CheckedFile(path, limit=self.max_bytes, expected_bytes=spec.bytes, expected_sha256=spec.sha256, resource=name,
                           limit_remedy=limit_remedy)

    def file_paths(self) -> list[str]:
        """The package's own files, relative to its folder: the descriptor, every data file and schema."""
        paths = [DESCRIPTOR_NAME]
        for spec in self._resources.values():
            paths += [spec.path] + ([spec.schema_path] if spec.schema_path is not None else [])
        return paths

    def files(self, *, verify_integrity: bool = True) -> dict[str, bytes]:
        """Return relative path -> bytes of the package as downloaded.

        That is datapackage.json, every data file (with ``verify_integrity``,
        read through the integrity check, so a copy never passes on a corrupted
        file) and every schema file.
        """
        found = {DESCRIPTOR_NAME: read_regular_file(self.package_path())}
        for name, spec in self._resources.items():
            found[spec.path] = self.read_bytes(name, verify_integrity=verify_integrity)
            if spec.schema_path is not None:
                found[spec.schema_path] = read_regular_file(resolve_inside(self.root, spec.schema_path, resource=name))
        return found

    def compare_with_release(self) -> "ReleaseComparison":
        """Compare every file (descriptor, schemas, data, and the datasheet when present) with the release this copy claims to be.

        Unlike the descriptor's own hashes, the release manifest ships inside
        the library, so an edited copy cannot vouch for itself.
        """
        from xborder_data.checks.integrity import EMBEDDED, compare_with_release, sha256_hex
        from xborder_data.storage.reading import TEXT_LIMIT

        digests = {path: sha256_hex(data) for path, data in self.files(verify_integrity=False).items()}
        for relative in EMBEDDED:  # through the same path rules as every file the site embeds
            if os.path.lexists(self.root / relative):
                digests[relative] = sha256_hex(read_regular_file(resolve_inside(self.root, relative, resource=relative), limit=TEXT_LIMIT))
        return compare_with_release(self.version, digests)

    def table(self, name: str, *, verify_integrity: bool = True, cache: bool = True) -> "Table":
        """Return the checked, typed columns of ``name`` (parsed once, then cached).

        Args:
            cache: keep the columns for the next call; ``load()`` passes False,
                since it keeps its DataFrame instead of a second copy as Python objects.
        """
        from xborder_data.tableschema.table import read_table

        key = (name, verify_integrity)
        with self._lock:
            table = self._tables.get(key)
            if table is None:
                path = self.path(name)
                data = self._read_at(name, path, verify_integrity)
                try:
                    table = read_table(data, self.resource(name), path, budget=self._pattern_budget)
                finally:
                    self._pattern_budget.forget()
                if cache:
                    self._tables[key] = table
        return table

    def load(self, name: str, *, verify_integrity: bool = True, check_references: bool = False,
             dtypes: str = "nullable") -> "pd.DataFrame":
        """Return resource ``name`` as a DataFrame typed from its Table Schema.

        Args:
            name: a name from ``resources()``.
            verify_integrity: check the file's size and sha256 before parsing.
            check_references: also check that its foreign keys resolve.
            dtypes: ``"nullable"`` (pandas' Int64, Float64, boolean, string) or
                ``"numpy"``: int64 where no value is missing, float64 with NaN where
                one is, for statsmodels and other NumPy tools (``xborder_data.dtypes.numpy_dtypes``).

        Raises:
            UnknownResourceError, UnsafePathError, IntegrityError, DescriptorError,
            HeaderMismatchError, BadCellError, BrokenReferenceError.
        """
        key = (name, verify_integrity)
        with self._lock:
            frame = self._frames.get(key)
            if frame is None:
                frame = self._frame(name, verify_integrity)
                self._frames[key] = frame
        if check_references:
            self.check_references(name, verify_integrity=verify_integrity)
        if dtypes != "nullable":
            from xborder_data.dtypes import DTYPES, numpy_dtypes

            if dtypes not in DTYPES:
                raise UsageError(f"load: dtypes must be one of {', '.join(DTYPES)}, not {dtypes!r}")
            return numpy_dtypes(frame)
        return frame.copy(deep=True)

    def _frame(self, name: str, verify_integrity: bool) -> "pd.DataFrame":
        """Parse ``name`` into a DataFrame: the fast path when it can prove its answer, else the strict reader."""
        from xborder_data.tableschema.fast import stream_frame
        from xborder_data.tableschema.frames import to_frame
        from xborder_data.tableschema.table import read_table

        spec = self.resource(name)
        cached = self._tables.get((name, verify_integrity))
        if cached is not None:  # records() read it already: no cell is read or matched twice
            return to_frame(cached, spec.schema)
        path = self.path(name)
        try:
            with self._open_at(name, path, verify_integrity) as file:
                # The fast path hashes as it reads and answers only once the size and sha256 match.
                frame = stream_frame(file, spec, budget=self._pattern_budget)
                data = file.read_all() if frame is None and not file.done else None  # a small file: not read yet
            if frame is None:  # the strict reader reuses the fast path's pattern verdicts
                if data is None:
                    data = self._read_at(name, path, verify_integrity)  # read (and verified) again
                frame = to_frame(read_table(data, spec, path, budget=self._pattern_budget), spec.schema)
        finally:
            self._pattern_budget.forget()
        return frame

    def load_all(self, *, verify_integrity: bool = True) -> dict[str, "pd.DataFrame"]:
        """Return every resource as a dict of name to DataFrame."""
        return {name: self.load(name, verify_integrity=verify_integrity) for name in self._resources}

    def records(self, name: str, *, verify_integrity: bool = True) -> list[dict[str, Any]]:
        """Return resource ``name`` as a list of dicts of Python values, without pandas.

        The values are exactly those of ``load()``: both come from one reader.
        """
        return list(self.table(name, verify_integrity=verify_integrity).rows())

    def check_references(self, name: str | None = None, *, verify_integrity: bool = True) -> None:
        """Raise BrokenReferenceError on the first foreign key that does not resolve (``checks.references``).

        Args:
            name: one resource, or None for all of them.
        """
        from xborder_data.checks.references import check_references

        check_references(self, name, verify_integrity=verify_integrity)

    # -- provenance, citation, validation ---------------------------------
    def sources_for(self, name: str, row_id: object) -> "Citations":
        """Return the claims, evidence and sources behind one row.

        ``row_id`` is the row's primary-key value, typed or as its CSV text
        (``3`` and ``"3"`` find the same batch).
        """
        from xborder_data.citing.provenance import sources_for

        return sources_for(self, name, row_id)

    def citation(self, style: "CitationStyle" = "text") -> str:
        """Return how to cite this package in ``style``: "text", "bibtex" or "apa"."""
        from xborder_data.citing.cite import format_citation

        return format_citation(self._descriptor, style)

    def validate(self) -> "ValidationReport":
        """Validate with frictionless plus the integrity and fact checks; return a report (``checks.validation``)."""
        from xborder_data.registry import validator  # plugged in by the public API: validation reads packages

        return validator()(self)

    def clear_cache(self) -> None:
        """Forget parsed tables (for tests and for files edited in place)."""
        with self._lock:
            self._tables.clear()
            self._frames.clear()


_bundled: Package | None = None
_bundled_lock = threading.Lock()


def bundled() -> Package:
    """Return the package bundled with this installation (created once, lazily)."""
    global _bundled
    with _bundled_lock:
        if _bundled is None:
            from xborder_data.storage.locate import bundled_root

            _bundled = Package(bundled_root())
        return _bundled
