"""A fast path for ``load()``: the strict reader's rules, checked vectorised over pyarrow.

``fast_frame`` answers only when it can prove it read exactly what
``table.read_table`` would, and returns the same DataFrame ``to_frame`` would
build. On any doubt (a failed check, an Arrow error, a quote structure it cannot
prove, a BOM, an exotic dialect, a blank or empty row, a long cell, a pattern
outside a safe subset) it returns None and the strict reader runs: the strict
reader stays the one definition of the rules and the only producer of errors.
It is given bytes that ``Package.read_bytes`` has already checked (size and
sha256), so integrity always comes first.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from xborder_data.errors import DescriptorError
from xborder_data.tableschema import values
from xborder_data.tableschema.descriptor import FieldSpec, ResourceSpec
from xborder_data.tableschema.table import FIELD_LIMIT, _cell_reader, _read_column

if TYPE_CHECKING:
    import pandas as pd

# Below this size the strict reader is as fast (Arrow's per-column fixed costs
# dominate on tables of a few hundred rows); measured, see docs/benchmarks.md.
MIN_BYTES = 256 * 1024


class _Doubt(Exception):
    """Anything the fast path cannot prove: the strict reader decides."""


# ---- RE2 translations of values.py's lexical rules, anchored \A...\z -----------------
# Python's str \s is Unicode (29 code points); RE2's is ASCII without \v: spell it out.
# (Spelled as a literal: computing it at import took about 0.9 s; a test checks it against re.)
PY_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_CLASS = "".join("\\x{%x}" % ord(c) for c in PY_SPACE)
RE_INTEGER = r"\A[+-]?[0-9]+\z"
RE_NUMBER = r"\A[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\z"
RE_YEAR = r"\A[0-9]{4}\z"
RE_DATE = r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\z"
RE_URI = r"\A[A-Za-z][A-Za-z0-9+.-]*:[^" + _SPACE_CLASS + r"\x00-\x1f\x7f]+\z"
# Guard: the translations above must be of exactly these rules; a change in values.py stops the fast path.
_TRANSLATED = {
    values._INTEGER.pattern: RE_INTEGER, values._NUMBER.pattern: RE_NUMBER, values._YEAR.pattern: RE_YEAR,
    values._DATE.pattern: RE_DATE, values._URI.pattern: RE_URI,
}
_KNOWN_RULES = {
    r"[+-]?[0-9]+", r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", r"[0-9]{4}",
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}", r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+",
}
RULES_MATCH = set(_TRANSLATED) == _KNOWN_RULES

# Schema patterns: only a subset whose meaning is the same in `regex` (fullmatch) and RE2
# (ASCII literals and classes, quantifiers, groups with no repeated group, ^/$ only at the ends).
_SAFE_PATTERN = re.compile(r"\^?(?:\[[A-Za-z0-9_\-]+\]|[A-Za-z0-9_\-]|\\[.\-_/]|\{[0-9]+(?:,[0-9]+)?\}|[?*+|()])*\$?")


def _safe_pattern(pattern: str) -> str | None:
    if not _SAFE_PATTERN.fullmatch(pattern):
        return None
    body = pattern[1:] if pattern.startswith("^") else pattern
    # A final $ may match before a final newline in `regex`, but fullmatch must still
    # consume that newline, which the subset cannot: at the end, $ means \z in both.
    body = body[:-1] if body.endswith("$") else body
    if "^" in body or "$" in body or re.search(r"\)[*+?{]", body):
        return None
    return r"\A(?:" + body + r")\z"


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
    for byte in (10, 13):
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


# ---- per-column vectorised rules -----------------------------------------------------
def _all(mask: Any) -> bool:
    import pyarrow.compute as pc

    return pc.all(mask, skip_nulls=True, min_count=0).as_py() is not False  # all-null answers null


def _doubt(condition: Any) -> None:
    if condition:
        raise _Doubt()


def _check_column(spec: FieldSpec, raw: Any) -> tuple[str, Any]:
    """Return (kind, typed Arrow array with nulls where missing) for one column, or raise _Doubt."""
    import pyarrow as pa
    import pyarrow.compute as pc

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
    kind = spec.type
    if kind == "string" and spec.format == "default" and spec.enum is None and spec.pattern is None \
            and spec.min_length is None and spec.max_length is None:
        return "val", text
    if kind == "boolean" or (spec.enum is not None and kind != "string"):
        return "py", None  # custom true/false values, typed enums: the strict cell reader, column-wise
    rx = None
    if spec.pattern is not None:
        rx = _safe_pattern(spec.pattern)
        if rx is None:
            return "py", None
    if spec.enum is not None:  # a string enum
        if spec.min_length is not None or spec.max_length is not None:
            return "py", None
        codes = pc.index_in(text, value_set=pa.array([str(v) for v in spec.enum], pa.string()))
        _doubt(pc.sum(pc.and_(pc.is_valid(text), pc.is_null(codes))).as_py())
        if rx is not None:
            _doubt(not _all(pc.match_substring_regex(text, rx)))
        return "enum", codes
    enc = pc.dictionary_encode(text)  # each distinct text is checked once
    idx, vals = enc.indices, enc.dictionary

    def gate(regex: str, v: Any = None) -> None:
        _doubt(not _all(pc.match_substring_regex(vals if v is None else v, regex)))

    if kind == "string":
        if spec.format == "uri":
            gate(RE_URI)
        elif spec.format != "default":
            return "py", None
        value = vals
    elif kind == "integer":
        gate(RE_INTEGER)
        value = pc.cast(pc.replace_substring_regex(vals, r"\A\+", ""), pa.int64())  # raises on overflow
    elif kind == "year":
        gate(RE_YEAR)
        value = pc.cast(vals, pa.int64())
    elif kind == "number":
        special = pc.is_in(vals, value_set=pa.array(["NaN", "INF", "-INF"]))
        anyspecial = bool(pc.any(special).as_py())
        plain = pc.if_else(special, pa.scalar(None, pa.string()), vals) if anyspecial else vals
        gate(RE_NUMBER, plain)  # refuses nan, inf, Infinity that Arrow's cast would accept
        value = pc.cast(plain, pa.float64())
        _doubt(pc.any(pc.is_inf(value)).as_py())  # 1e400: too large, as strict
        if anyspecial:
            sv = pc.cast(pc.replace_substring(pc.if_else(special, vals, pa.scalar("0")), "INF", "inf"), pa.float64())
            value = pc.if_else(special, sv, value)
    elif kind == "date":
        gate(RE_DATE)
        value = pc.cast(vals, pa.date32())  # refuses impossible days
        lo, hi = pa.scalar(values.DATE_MIN, pa.date32()), pa.scalar(values.DATE_MAX, pa.date32())
        _doubt(not _all(pc.and_(pc.greater_equal(value, lo), pc.less_equal(value, hi))))
    else:
        return "py", None
    for bound, op in ((spec.minimum, pc.greater_equal), (spec.maximum, pc.less_equal),
                      (spec.exclusive_minimum, pc.greater), (spec.exclusive_maximum, pc.less)):
        if bound is not None:
            _doubt(not _all(op(value, pa.scalar(bound))))  # NaN compares false: refused, as strict
    for bound, op in ((spec.min_length, pc.greater_equal), (spec.max_length, pc.less_equal)):
        if bound is not None:
            _doubt(not _all(op(pc.utf8_length(value), bound)))
    if rx is not None:
        gate(rx)
    if kind == "string":
        return "val", text
    return "val", pc.take(value, idx)


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
    keys: list[tuple[tuple[str, ...], bool]] = [((f.name,), False) for f in schema.fields if f.unique]
    if schema.primary_key:
        keys.append((tuple(schema.primary_key), True))
    keys += [(tuple(k), False) for k in schema.unique_keys]
    by = {f.name: f for f in schema.fields}
    for names, primary in keys:
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


def fast_frame(data: bytes, spec: ResourceSpec, *, min_bytes: int | None = None) -> "pd.DataFrame | None":
    """Return the DataFrame ``to_frame(read_table(data, spec, path))`` would, or None when unproved.

    ``data`` must already have passed the integrity check. None means: run the strict reader.
    """
    if len(data) < (MIN_BYTES if min_bytes is None else min_bytes) or not RULES_MATCH or not _eligible(spec):
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        return None  # strict refuses a BOM; Arrow strips it
    try:
        return _fast(data, spec)
    except _Doubt:
        return None
    except DescriptorError:
        raise  # a pattern over the table's budget: the strict reader would only spend a second budget to say so
    except Exception:  # noqa: BLE001 - any Arrow error, invalid UTF-8, an unforeseen case: the strict reader decides
        return None


def _fast(data: bytes, spec: ResourceSpec) -> "pd.DataFrame":
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

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
        read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(
            delimiter=dialect.delimiter, quote_char=dialect.quote_char, double_quote=True, escape_char=False,
            newlines_in_values=quoted_newline, ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, null_values=[], strings_can_be_null=False,
            quoted_strings_can_be_null=False, check_utf8=True,
        ),
    )
    if table.schema.names != names or any(t != pa.string() for t in table.schema.types):
        raise _Doubt()
    rows = table.num_rows
    if rows == 0:
        raise _Doubt()
    columns = [table.column(i).combine_chunks() for i in range(len(names))]
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
    if len(data) > FIELD_LIMIT:
        for raw in columns:
            if (pc.max(pc.binary_length(raw)).as_py() or 0) > FIELD_LIMIT:
                raise _Doubt()  # the strict reader's field limit (counted in characters; let it decide)
    cols: dict[str, tuple[str, Any]] = {}
    missing_all = None
    spent = [0.0]  # one pattern budget for the table, as in the strict reader
    for f, raw in zip(fields, columns):
        kind, value = _check_column(f, raw)
        if kind == "py":
            read = _read_column(f, _cell_reader(f, spec.name, spent), tuple(raw.to_pylist()))  # the strict rule, column-wise
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
