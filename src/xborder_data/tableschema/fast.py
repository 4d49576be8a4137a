"""A fast path for ``load()``: the strict reader's rules, checked vectorised over pyarrow.

``fast_frame`` answers only when it can prove it read exactly what
``table.read_table`` would, and returns the same DataFrame ``to_frame`` would
build. On any doubt (a failed check, an Arrow error, a quote structure it cannot
prove, a BOM, an exotic dialect, a blank or empty row, a long cell) it returns
None and the strict reader runs: the strict reader stays the one definition of
the rules and the only producer of errors (but one: a pattern out of its budget,
which the strict reader would raise the same way).

The checks are not a second copy of the rules: each column walks its field's
``rules.field_rules`` and proves each rule with ``PROOFS``, or hands the
column to the strict ``FieldReader``; patterns match through that reader's own
``PatternMatcher`` (same engine, same budget). It is given bytes that
``Package.read_bytes`` has already checked (size and sha256), so integrity
always comes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xborder_data.errors import DescriptorError
from xborder_data.tableschema import values
from xborder_data.tableschema.descriptor import FieldSpec, ResourceSpec
from xborder_data.tableschema.rules import (  # noqa: F401 - PY_SPACE and the RE_ names are read from here by tests and tools
    PY_SPACE, RE_DATE, RE_INTEGER, RE_NUMBER, RE_URI, RE_YEAR, RULES_MATCH, PatternBudget, Rule,
)
from xborder_data.tableschema.table import FIELD_LIMIT, FieldReader, _read_column

if TYPE_CHECKING:
    import pandas as pd

# Below this size the strict reader is as fast (Arrow's per-column fixed costs
# dominate on tables of a few hundred rows); measured, see docs/benchmarks.md.
MIN_BYTES = 256 * 1024
BLOCK_SIZE = 1 << 22  # Arrow reads in blocks of this size; a column is a chunk per block, never joined


class _Doubt(Exception):
    """Anything the fast path cannot prove: the strict reader decides."""


# ---- the quote-structure proof over the exact bytes ----------------------------------
def _quote_proof(data: bytes, delimiter: int, quote: int) -> tuple[bool, bool]:
    """Return (proved, quoted_newline).

    Quotes numbered by parity: an even one (opening) must follow a delimiter, CR,
    LF, quote or the start; an odd one (closing) must precede a delimiter, CR, LF,
    quote or the end; their count must be even. This refuses ``"abc"def`` (the csv
    module errs, Arrow joins) and is conservative for quotes inside unquoted cells.
    """
    import numpy as np

    a = np.frombuffer(data, dtype=np.uint8)
    ok = np.zeros(256, dtype=bool)
    ok[[delimiter, 10, 13, quote]] = True
    q = np.flatnonzero(a == quote)
    if len(q) % 2:
        return False, False
    if not len(q):
        return True, False
    opens, closes = q[0::2], q[1::2]
    inner = opens[opens > 0]
    if not ok[a[inner - 1]].all():
        return False, False
    body = closes[closes < len(a) - 1]
    if not ok[a[body + 1]].all():
        return False, False
    quoted_newline = False
    for byte in (10, 13) if b"\r" in data else (10,):  # no CR scan for a file without one
        nl = np.flatnonzero(a == byte)
        if len(nl) and (np.searchsorted(q, nl) & 1).any():
            quoted_newline = True
            break
    return True, quoted_newline


def _eligible(spec: ResourceSpec) -> bool:
    d = spec.dialect
    return (
        d.escape_char is None and not d.skip_initial_space and d.double_quote
        and len(d.delimiter) == 1 and len(d.quote_char) == 1
        and d.delimiter.isascii() and d.quote_char.isascii()
        and d.delimiter not in "\r\n" and d.quote_char not in "\r\n" and d.delimiter != d.quote_char
    )


# ---- per-column proofs of each rule ------------------------------------------------------
def _all(mask: Any) -> bool:
    import pyarrow.compute as pc

    return pc.all(mask, skip_nulls=True, min_count=0).as_py() is not False  # all-null answers null


def _doubt(condition: Any) -> None:
    if condition:
        raise _Doubt()


_HAND_OVER = object()  # a rule the fast path has no proof for here: the column is read the strict way


def _gate(texts: Any, regex: str) -> None:
    import pyarrow.compute as pc

    _doubt(not _all(pc.match_substring_regex(texts, regex)))


def _convert(kind: str, texts: Any) -> Any:
    """Texts already proved to be of ``kind``'s lexical form as typed Arrow values (nulls stay null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "integer":
        return pc.cast(pc.replace_substring_regex(texts, r"\A\+", ""), pa.int64())  # raises on overflow
    if kind == "year":
        return pc.cast(texts, pa.int64())
    if kind == "number":
        special = pc.is_in(texts, value_set=pa.array(["NaN", "INF", "-INF"]))
        if not pc.any(special).as_py():
            return pc.cast(texts, pa.float64())
        plain = pc.cast(pc.if_else(special, pa.scalar(None, pa.string()), texts), pa.float64())
        sv = pc.cast(pc.replace_substring(pc.if_else(special, texts, pa.scalar("0")), "INF", "inf"), pa.float64())
        return pc.if_else(special, sv, plain)
    if kind == "date":
        return pc.cast(texts, pa.date32())  # refuses impossible days
    return texts


def _prove_type(rule: Rule, reader: FieldReader, value: Any, texts: Any) -> Any:
    """The type's lexical rule over the distinct texts; returns their typed values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind, fmt = rule.argument
    if kind == "string":
        if fmt == "uri":
            _gate(texts, RE_URI)
        elif fmt != "default":
            return _HAND_OVER
        return texts
    if kind == "integer":
        _gate(texts, RE_INTEGER)
    elif kind == "year":
        _gate(texts, RE_YEAR)
    elif kind == "number":
        special = pc.is_in(texts, value_set=pa.array(["NaN", "INF", "-INF"]))
        _gate(pc.if_else(special, pa.scalar(None, pa.string()), texts), RE_NUMBER)  # refuses nan, inf, Infinity Arrow would cast
        typed = _convert(kind, texts)
        _doubt(pc.any(pc.and_(pc.is_inf(typed), pc.invert(special))).as_py())  # 1e400: too large, as strict
        return typed
    elif kind == "date":
        _gate(texts, RE_DATE)
        day = _convert(kind, texts)
        lo, hi = pa.scalar(values.DATE_MIN, pa.date32()), pa.scalar(values.DATE_MAX, pa.date32())
        _doubt(not _all(pc.and_(pc.greater_equal(day, lo), pc.less_equal(day, hi))))
        return day
    else:
        return _HAND_OVER  # boolean (custom true and false values): the strict rule, column-wise
    return _convert(kind, texts)


def _prove_enum(rule: Rule, reader: FieldReader, value: Any, texts: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if reader.spec.type != "string":
        return _HAND_OVER  # typed members compare as values: the strict rule, column-wise
    _doubt(not _all(pc.is_in(texts, value_set=pa.array([str(v) for v in rule.argument], pa.string()))))
    return None


def _prove_bound(rule: Rule, reader: FieldReader, value: Any, texts: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    op = {"ge": pc.greater_equal, "le": pc.less_equal, "gt": pc.greater, "lt": pc.less}[rule.kind]
    _doubt(not _all(op(value, pa.scalar(rule.argument))))  # NaN compares false: refused, as strict
    return None


def _prove_length(rule: Rule, reader: FieldReader, value: Any, texts: Any) -> Any:
    import pyarrow.compute as pc

    op = pc.greater_equal if rule.kind == "len_ge" else pc.less_equal
    _doubt(not _all(op(pc.utf8_length(value), rule.argument)))  # code points, as Python's len
    return None


def _prove_pattern(rule: Rule, reader: FieldReader, value: Any, texts: Any) -> Any:
    assert reader.matcher is not None  # a pattern rule always has its matcher
    _doubt(not reader.matcher.all_match(texts))  # the strict reader's matcher: same engine, same budget
    return None


# Rule kind -> its proof over a column's distinct texts (and their typed values). Every kind of
# rules.KINDS has an entry (a test checks it); a proof may hand the column over, never skip a rule.
PROOFS = {
    "type": _prove_type, "enum": _prove_enum, "ge": _prove_bound, "le": _prove_bound, "gt": _prove_bound, "lt": _prove_bound,
    "len_ge": _prove_length, "len_le": _prove_length, "pattern": _prove_pattern,
}


def _check_column(reader: FieldReader, raw: Any) -> tuple[str, Any]:
    """Return (kind, typed Arrow array with nulls where missing) for one column, or raise _Doubt.

    Each of the field's rules, in the strict reader's order, is proved over the
    column's distinct texts; a rule without a proof here hands the column to the
    strict rule ("py").
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    spec = reader.spec
    missing = spec.missing_values
    if missing == ("",):
        miss = pc.equal(pc.binary_length(raw), 0)
    elif missing:
        miss = pc.is_in(raw, value_set=pa.array(list(missing), pa.string()))
    else:
        miss = None
    nmiss = (pc.sum(miss).as_py() or 0) if miss is not None else 0
    if spec.required and nmiss:
        raise _Doubt()
    text = pc.if_else(miss, pa.scalar(None, pa.string()), raw) if nmiss else raw
    if reader.rules == (Rule("type", ("string", "default")),):
        return "val", text  # plain text: every text passes its only rule
    texts = pc.drop_null(pc.unique(text))  # each distinct text is proved once
    value = texts
    for rule in reader.rules:
        prove = PROOFS.get(rule.kind)
        result = _HAND_OVER if prove is None else prove(rule, reader, value, texts)
        if result is _HAND_OVER:
            return "py", None
        if rule.kind == "type":
            value = result
    if spec.enum is not None:  # a string enum: its category codes
        return "enum", pc.index_in(text, value_set=pa.array([str(v) for v in spec.enum], pa.string()))
    if spec.type == "string":
        return "val", text
    return "val", _convert(spec.type, text)  # the whole column, its distinct texts proved above


def _key_array(kind: str, data: Any, spec: FieldSpec) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "py":
        data = pa.array(data, pa.float64()) if spec.type == "number" else pa.array(data)
    if spec.type == "number":
        return pc.add(data, 0.0)  # -0.0 + 0.0 is 0.0: Python's set treats them as one value, Arrow's hash does not
    return data


def _check_keys(spec: ResourceSpec, cols: dict[str, tuple[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = spec.schema
    found: dict[tuple[str, ...], bool] = {(f.name,): False for f in schema.fields if f.unique}
    for key in schema.unique_keys:
        found.setdefault(tuple(key), False)
    if schema.primary_key:
        found[tuple(schema.primary_key)] = True  # a field both unique and the primary key is checked once
    by = {f.name: f for f in schema.fields}
    for names, primary in found.items():
        arrays = [_key_array(*cols[n], by[n]) for n in names]
        if any(by[n].type == "number" for n in names) and any(
            pc.any(pc.is_nan(a)).as_py() for a, n in zip(arrays, names) if by[n].type == "number"
        ):
            raise _Doubt()  # NaN != NaN in Python's set: leave it to the strict reader
        valid = None
        for array in arrays:
            v = pc.is_valid(array)
            valid = v if valid is None else pc.and_(valid, v)
        all_valid = _all(valid)
        if primary and not all_valid:
            raise _Doubt()
        table = pa.table({str(i): a for i, a in enumerate(arrays)})
        if not all_valid:
            table = table.filter(valid)
        if len(names) == 1:
            distinct = len(pc.unique(table.column(0)))
        else:
            distinct = table.group_by(list(table.column_names)).aggregate([]).num_rows
        if distinct != table.num_rows:
            raise _Doubt()


def _frame(spec: ResourceSpec, cols: dict[str, tuple[str, Any]], rows: int) -> "pd.DataFrame":
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    from xborder_data.tableschema.frames import _column
    from xborder_data.tableschema.typemap import mapping_for

    data: dict[str, Any] = {}
    for f in spec.schema.fields:
        kind, v = cols[f.name]
        if kind == "py":
            data[f.name] = _column(v, f)
        elif kind == "enum":
            codes = pc.fill_null(v, -1).to_numpy().astype(np.int64, copy=False)
            data[f.name] = pd.Categorical.from_codes(codes, categories=pd.Index(list(f.enum or ())))
        elif f.type == "string":
            if pd.StringDtype().storage == "pyarrow":
                data[f.name] = pd.arrays.ArrowStringArray(v)
            else:
                data[f.name] = pd.array(v.to_pylist(), dtype="string")
        elif f.type in ("integer", "year"):
            mask = pc.is_null(v).to_numpy(zero_copy_only=False)
            data[f.name] = pd.arrays.IntegerArray(pc.fill_null(v, 0).to_numpy().astype(np.int64, copy=False), mask)
        elif f.type == "number":
            mask = pc.is_null(v).to_numpy(zero_copy_only=False)
            data[f.name] = pd.arrays.FloatingArray(pc.fill_null(v, np.nan).to_numpy().astype(np.float64, copy=False), mask)
        elif f.type == "date":
            days = np.asarray(v.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
            data[f.name] = days.astype(mapping_for("date").pandas)
        else:  # pragma: no cover - every other type is read column-wise by the strict rule
            raise _Doubt()
    return pd.DataFrame(data, index=pd.RangeIndex(rows))


def fast_frame(data: "bytes | list[bytes]", spec: ResourceSpec, *, min_bytes: int | None = None,
               budget: PatternBudget | None = None) -> "pd.DataFrame | None":
    """Return the DataFrame ``to_frame(read_table(data, spec, path))`` would, or None when unproved.

    ``data`` must already have passed the integrity check. None means: run the strict reader.
    ``data`` may be a list holding the bytes as its one item, which nothing else holds: the fast
    path then empties it once Arrow holds its own copy of the text, so that the file's bytes and
    the table are not both held to the end (a caller whose list comes back empty reads the file
    again for the strict reader). ``budget`` is the pattern budget the strict reader would draw on.

    Raises:
        DescriptorError: a pattern out of its budget, as the strict reader would raise it.
    """
    box = data if isinstance(data, list) else [data]
    del data
    if not box:
        return None
    return _answer(box, spec, min_bytes, budget)


def _answer(box: list[bytes], spec: ResourceSpec, min_bytes: int | None, budget: PatternBudget | None) -> "pd.DataFrame | None":
    data = box[0]
    if len(data) < (MIN_BYTES if min_bytes is None else min_bytes) or not RULES_MATCH or not _eligible(spec):
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        return None  # strict refuses a BOM; Arrow strips it
    if b"\n\n" in data or b"\r\r" in data or b"\n\r" in data:
        # A blank line (or a quoted line break of that shape): the strict reader refuses the first at once,
        # where Arrow would build a row of empty strings for each of them (10⁸ of them: gigabytes).
        return None
    del data  # from here on only the box holds the bytes
    try:
        return _fast(box, spec, budget if budget is not None else PatternBudget())
    except _Doubt:
        return None
    except DescriptorError:
        raise  # a pattern over the table's budget: the strict reader would only spend a second budget to say so
    except Exception:  # noqa: BLE001 - any Arrow error, invalid UTF-8, an unforeseen case: the strict reader decides
        return None


def _fast(box: list[bytes], spec: ResourceSpec, budget: PatternBudget) -> "pd.DataFrame":
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    data = box[0]

    dialect = spec.dialect
    proved, quoted_newline = _quote_proof(data, ord(dialect.delimiter), ord(dialect.quote_char))
    if not proved:
        raise _Doubt()
    fields = spec.schema.fields
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise _Doubt()
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=True, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(
            delimiter=dialect.delimiter, quote_char=dialect.quote_char, double_quote=True, escape_char=False,
            newlines_in_values=quoted_newline, ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, null_values=[], strings_can_be_null=False,
            quoted_strings_can_be_null=False, check_utf8=True,
        ),
    )
    size = len(data)
    del data
    box.clear()  # Arrow holds its own copy of every text now; the bytes can go
    if table.schema.names != names or any(t != pa.string() for t in table.schema.types):
        raise _Doubt()
    rows = table.num_rows
    if rows == 0:
        raise _Doubt()
    columns = [table.column(i) for i in range(len(names))]  # chunked as read: never copied into one buffer
    del table
    # Empty lines: the csv module reads [] (a width error), Arrow a row of empty strings.
    empty = None
    for raw in columns:
        e = pc.equal(pc.binary_length(raw), 0)
        empty = e if empty is None else pc.and_(empty, e)
        if not pc.any(empty).as_py():
            break
    else:
        raise _Doubt()
    if size > FIELD_LIMIT:
        for raw in columns:
            if (pc.max(pc.binary_length(raw)).as_py() or 0) > FIELD_LIMIT:
                raise _Doubt()  # the strict reader's field limit (counted in characters; let it decide)
    cols: dict[str, tuple[str, Any]] = {}
    missing_all = None
    budget.start_table()  # the table's share of the package's pattern budget, as in the strict reader
    for number, f in enumerate(fields):
        raw, columns[number] = columns[number], None  # the text column is freed once its typed one is built
        reader = FieldReader(f, spec.name, budget)
        kind, value = _check_column(reader, raw)
        if kind == "py":
            read = _read_column(f, reader, raw.to_pylist())  # the strict rule, column-wise
            cols[f.name] = ("py", read)
            m = pa.array([v is None for v in read], pa.bool_())
        else:
            cols[f.name] = (kind, value)
            m = pc.is_null(value)
        missing_all = m if missing_all is None else pc.and_(missing_all, m)
    if pc.any(missing_all).as_py():
        raise _Doubt()  # a blank row
    _check_keys(spec, cols)
    return _frame(spec, cols, rows)
