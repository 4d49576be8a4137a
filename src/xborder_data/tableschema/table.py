"""The one CSV reader: bytes in, typed and checked columns out.

``records()`` and ``load()`` both start from ``read_table``, so they see the
same rows, the same values and the same first error. It applies, in order: the
file's encoding (UTF-8, no BOM), the resource's dialect, the header, each
row's width, each cell's missing values, type and constraints, then the
schema's unique, primary and unique keys. Foreign keys are checked on request
by ``Package.check_references``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from xborder_data.tableschema.types import CellProblem
from xborder_data.errors import BadCellError, HeaderMismatchError
from xborder_data.tableschema.descriptor import FieldSpec, ResourceSpec
from xborder_data.tableschema.rules import PATTERN_BUDGET_SECONDS, PatternBudget, PatternMatcher, Rule, field_rules

_REMEDY = "correct the cell or download the release again"
# Python's csv default. Held here so that a limit another library raised (frictionless does) changes
# no answer; one it lowered cannot be undone without touching the process-wide setting, so the error names it.
FIELD_LIMIT = 131_072
__all__ = ["FIELD_LIMIT", "PATTERN_BUDGET_SECONDS", "FieldReader", "Table", "read_table"]


def row_limit(width: int) -> int:
    """A bound on one physical line of a ``width``-field row: every cell at the field limit, each character
    written twice (a doubled quote, or escaped), quoted, and one cell more. A longer line has a cell over the
    limit or too many cells either way; a shorter one with a cell over the limit is left to the csv module,
    which names it."""
    return (width + 1) * (2 * FIELD_LIMIT + 3) + 2


@dataclass(frozen=True)
class Table:
    """A resource's typed cells, column by column (None where a value is missing)."""

    names: tuple[str, ...]
    columns: tuple[list[Any], ...]
    row_count: int

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each row as a dict of field name to value, in file order."""
        for values in zip(*self.columns):
            yield dict(zip(self.names, values))


class _Where:
    """Builds errors that name the resource, file, row, field and value."""

    def __init__(self, resource: str, path: Path) -> None:
        self.resource, self.path = resource, path

    def cell(self, row: int, field: str, value: str, problem: str) -> BadCellError:
        shown = value if len(value) <= 80 else value[:77] + "..."
        return BadCellError(
            f"{self.path}, row {row}, field {field!r}: value {shown!r} {problem}; {_REMEDY}.",
            resource=self.resource, path=str(self.path), row_number=row, field_name=field, cell=value,
        )

    def row(self, row: int, problem: str, remedy: str = "fix the row or download the release again") -> BadCellError:
        return BadCellError(
            f"{self.path}, row {row}: {problem}; {remedy}.", resource=self.resource, path=str(self.path), row_number=row
        )


def _decode(data: bytes, where: _Where) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise BadCellError(
            f"{where.path}: starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM.",
            resource=where.resource, path=str(where.path),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadCellError(
            f"{where.path}: byte {error.start} is not valid UTF-8 ({data[error.start:error.start + 4]!r}); "
            "re-save the file as UTF-8 or download it again.",
            resource=where.resource, path=str(where.path),
        ) from None


def _check_header(header: list[str], spec: ResourceSpec, where: _Where) -> None:
    expected = spec.schema.field_names
    if header == expected:
        return
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if missing or extra:
        detail = f"missing {missing}" if missing else ""
        detail += ("; " if missing and extra else "") + (f"unexpected {extra}" if extra else "")
    else:
        detail = f"columns out of order or repeated: found {header}"
    raise HeaderMismatchError(
        f"{where.path}, row 1 (header): {detail}; expected {expected}. "
        "Restore the header from the schema, or download the release again.",
        resource=where.resource, path=str(where.path), row_number=1,
    )


_RELATIONS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "ge": (lambda value, bound: value >= bound, "is below the minimum {}"),
    "le": (lambda value, bound: value <= bound, "is above the maximum {}"),
    "gt": (lambda value, bound: value > bound, "is not above the exclusive minimum {}"),
    "lt": (lambda value, bound: value < bound, "is not below the exclusive maximum {}"),
    "len_ge": (lambda value, bound: len(value) >= bound, "is shorter than {} characters"),
    "len_le": (lambda value, bound: len(value) <= bound, "is longer than {} characters"),
}


def _bound_check(bound: Any, relation: str) -> Callable[[Any], str | None]:
    holds, words = _RELATIONS[relation]

    def check(value: Any) -> str | None:
        if value != value:  # NaN: no bound admits it
            return f"is NaN, which no minimum or maximum admits ({words.format(bound).removeprefix('is ')})"
        return None if holds(value, bound) else words.format(bound)

    return check


# How the strict reader checks each kind of rule but the type and the pattern (see rules.py).
def _enum_check(members: tuple[Any, ...]) -> Callable[[Any], str | None]:
    allowed = set(members)
    shown = sorted(map(str, members))
    return lambda value: None if value in allowed else f"is not one of {shown}"


_STRICT: dict[str, Callable[[Any], Callable[[Any], str | None]]] = {
    "enum": _enum_check,
    **{relation: (lambda relation: lambda bound: _bound_check(bound, relation))(relation) for relation in _RELATIONS},
}


class FieldReader:
    """Raw text -> typed value (None when missing) for one field, raising CellProblem.

    Applies the field's rules (``rules.field_rules``) in order: the type's lexical
    rule, then each constraint; the pattern through a ``PatternMatcher`` that
    draws on ``budget``, the package's (or the table's) pattern budget.
    """

    def __init__(self, spec: FieldSpec, resource: str = "", budget: PatternBudget | None = None) -> None:
        self.spec = spec
        self.rules: tuple[Rule, ...] = field_rules(spec)
        self.missing = frozenset(spec.missing_values)
        self.matcher: PatternMatcher | None = None
        checks: list[Callable[[Any], str | None]] = []
        for rule in self.rules:
            if rule.kind == "type":
                continue  # spec.read, applied first
            if rule.kind == "pattern":
                self.matcher = PatternMatcher(rule.argument, resource, spec.name, budget if budget is not None else PatternBudget(),
                                              spec.compiled_pattern)
                checks.append(self.matcher.problem)
            else:
                checks.append(_STRICT[rule.kind](rule.argument))
        self.checks = tuple(checks)

    def prepare(self, distinct: set[str]) -> None:
        """Before a column is read: ``distinct`` is its set of texts (the pattern's engine depends on their count)."""
        if self.matcher is not None:
            self.matcher.prepare(distinct - self.missing)

    def __call__(self, text: str) -> Any:
        if text in self.missing:
            if self.spec.required:
                raise CellProblem("is empty but the field is required")
            return None
        value = self.spec.read(text)
        for check in self.checks:
            problem = check(value)
            if problem:
                raise CellProblem(problem)
        return value


def _read_column(spec: FieldSpec, cell: FieldReader, raw: Sequence[str]) -> list[Any]:
    """Read one column; plain text without constraints skips the per-cell call."""
    plain = spec.type == "string" and spec.format == "default" and spec.enum is None and spec.pattern is None
    if plain and spec.min_length is None and spec.max_length is None:
        missing = frozenset(spec.missing_values)
        if spec.required:
            if missing.intersection(raw):
                raise CellProblem("is empty but the field is required")  # located by the slow pass
            return list(raw)
        return [None if text in missing else text for text in raw]
    distinct = set(raw)
    cell.prepare(distinct)
    if len(distinct) * 2 <= len(raw):  # enums, years, flags: read each distinct text once
        value_of = {text: cell(text) for text in distinct}
        return list(map(value_of.__getitem__, raw))
    return list(map(cell, raw))


def _check_blank_rows(columns: list[list[Any]], where: _Where) -> None:
    """A row with no value in any cell is refused, as frictionless does (blank-row)."""
    if not columns:
        return
    candidates = [index for index, value in enumerate(columns[0]) if value is None]  # usually none: a key comes first
    for index in candidates:
        if all(column[index] is None for column in columns):
            raise where.row(index + 2, "has no value in any cell (a blank row)", "remove the row or fill it in")


def _check_keys(spec: ResourceSpec, columns: dict[str, list[Any]], where: _Where) -> None:
    """Unique fields, the primary key and unique keys: no two rows share a value."""
    schema = spec.schema
    keys: list[tuple[tuple[str, ...], str]] = [((f.name,), "unique field") for f in schema.fields if f.unique]
    if schema.primary_key:
        keys.append((schema.primary_key, "primary key"))
    keys += [(key, "unique key") for key in schema.unique_keys]
    for fields, kind in keys:
        parts = [columns[name] for name in fields]
        values_list = parts[0] if len(parts) == 1 else list(zip(*parts))
        has_missing = any(None in part for part in parts)
        if not has_missing and len(set(values_list)) == len(values_list):
            continue  # the common case, decided at C speed
        seen: dict[Any, int] = {}
        values = zip(*parts)
        for number, value in enumerate(values, start=2):
            if kind == "primary key" and None in value:
                name = fields[value.index(None)]
                raise where.cell(number, name, "", "is empty but it is part of the primary key")
            if None in value:
                continue  # missing values never collide
            first = seen.setdefault(value, number)
            if first != number:
                shown = value[0] if len(value) == 1 else value
                raise BadCellError(
                    f"{where.path}, row {number}, field {', '.join(fields)!s}: value {shown!r} repeats row {first} "
                    f"but the {kind} must be unique; {_REMEDY}.",
                    resource=where.resource, path=str(where.path), row_number=number,
                    field_name=fields[0] if len(fields) == 1 else ",".join(fields), cell=str(shown),
                )


def _lines(data: bytes, width: int, where: _Where, row_number: Callable[[], int]) -> Iterator[str]:
    """The physical lines of ``data`` (decoded as they are read, never copied whole), each at most ``row_limit(width)``."""
    limit = row_limit(width)
    for line in io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""):
        if len(line) > limit:
            raise where.row(row_number(), f"has a cell longer than {FIELD_LIMIT} characters or more cells than the schema's "
                            f"{width} fields (a line of {len(line):,} characters)", "shorten the row")
        yield line


def _csv_error(error: csv.Error, where: _Where, row: int) -> BadCellError:
    """The csv module's complaint about row ``row`` (1: the header), in the loader's words."""
    if "field limit" not in str(error):
        return where.row(row, f"malformed CSV{' header' if row == 1 else ''} ({error})", "fix the quoting")
    if csv.field_size_limit() < FIELD_LIMIT:
        return where.row(row, f"has a cell longer than {csv.field_size_limit()} characters, the limit another library in "
                         f"this process set for Python's csv module (its default is {FIELD_LIMIT})",
                         f"call csv.field_size_limit({FIELD_LIMIT}) before reading")
    return where.row(row, f"has a cell longer than {FIELD_LIMIT} characters", "shorten the cell")


def read_table(data: bytes, spec: ResourceSpec, path: Path, *, budget: PatternBudget | None = None) -> Table:
    """Parse and check CSV bytes against ``spec``'s dialect and Table Schema.

    Rows are parsed as the bytes are decoded, and each row's width is checked as
    it arrives, so a file of blank lines or one endless row stops at its first
    bad row: memory stays a small multiple of the file.

    Args:
        budget: the pattern budget to draw on (a package shares one across its
            tables); a fresh one by default.

    Raises:
        HeaderMismatchError: when the header differs from the schema's fields.
        BadCellError: on malformed CSV, a row of the wrong width, a blank row, a
            cell that breaks its type or a constraint, or a repeated key; the
            error carries resource, path, row_number, field_name and cell.
        DescriptorError: a pattern that runs out of the budget.
    """
    where = _Where(spec.name, path)
    _decode(data, where)  # the encoding is checked first, whole; the text is then read line by line
    budget = budget if budget is not None else PatternBudget()
    budget.start_table()
    dialect = spec.dialect
    width = len(spec.schema.fields)
    raw_rows: list[list[str]] = []
    header_read: list[bool] = []
    reader = csv.reader(
        _lines(data, width, where, lambda: len(raw_rows) + 2 if header_read else 1),
        delimiter=dialect.delimiter,
        quotechar=dialect.quote_char,
        doublequote=dialect.double_quote,
        escapechar=dialect.escape_char,
        skipinitialspace=dialect.skip_initial_space,
        strict=True,
    )
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise _csv_error(error, where, 1) from None
    header_read.append(True)
    _check_header(header, spec, where)
    # Another library may have raised the process-wide csv.field_size_limit: then cells are measured here.
    measure = len(data) > FIELD_LIMIT and csv.field_size_limit() > FIELD_LIMIT
    append = raw_rows.append
    try:
        for row in reader:
            if len(row) != width or (measure and any(len(cell) > FIELD_LIMIT for cell in row)):
                number = len(raw_rows) + 2
                if any(len(cell) > FIELD_LIMIT for cell in row):
                    raise where.row(number, f"has a cell longer than {FIELD_LIMIT} characters", "shorten the cell")
                if not row:
                    raise where.row(number, "is blank", "remove the blank line")
                raise where.row(number, f"has {len(row)} cells but the schema has {width} fields")
            append(row)
    except csv.Error as error:
        raise _csv_error(error, where, len(raw_rows) + 2) from None  # the rows so far are well formed: the next is bad
    # Checks over the whole table first; the slow row loop runs only to name a failure.
    raw_columns = list(zip(*raw_rows)) if raw_rows else [() for _ in range(width)]
    row_count = len(raw_rows)
    del raw_rows[:]  # the columns share its strings; the lists of rows would double the overhead
    fields = spec.schema.fields
    readers = [FieldReader(field, spec.name, budget) for field in fields]
    columns: dict[str, list[Any]] = {}
    try:
        for field, cell, raw in zip(fields, readers, raw_columns):
            columns[field.name] = _read_column(field, cell, raw)
    except CellProblem:
        raise _first_bad_cell(zip(*raw_columns), fields, readers, where) from None
    _check_blank_rows(list(columns.values()), where)
    _check_keys(spec, columns, where)
    return Table(tuple(columns), tuple(columns.values()), row_count)


def _first_bad_cell(raw_rows: Iterable[Sequence[str]], fields: tuple[FieldSpec, ...], readers: list[FieldReader], where: _Where) -> BadCellError:
    """Find the first bad cell in file order (row, then field), as a reader of rows would."""
    for number, row in enumerate(raw_rows, start=2):
        for field, cell, text in zip(fields, readers, row):
            try:
                cell(text)
            except CellProblem as problem:
                return where.cell(number, field.name, text, str(problem))
    raise AssertionError("a cell failed once but not on the second pass")  # pragma: no cover
