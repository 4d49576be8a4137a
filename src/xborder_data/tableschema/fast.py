"""A fast path for ``load()``: the strict reader's rules, checked batch by batch over pyarrow, as the file streams.

``stream_frame`` answers only when it can prove it read exactly what
``table.read_table`` would, and returns the same DataFrame ``to_frame`` would
build. On any doubt (a failed check, an Arrow error, a quote structure it cannot
prove, a BOM, an exotic dialect, a blank or empty row, a long cell) it returns
None and the strict reader runs: the strict reader stays the one definition of
the rules and the only producer of errors, a pattern out of its budget included
(the strict reader may meet a bad cell or row first, and says so).

It reads the file once, in blocks: each block is hashed and counted by the
``CheckedFile`` it comes from, cut after its last row (the rest waits for the
next block), its quote structure is proved, and only then does Arrow parse it.
Each block's rows are checked and typed at once, and their text dropped: neither
the whole file nor the whole text table is ever held, and nothing is read ahead.
Nothing is answered before the file's size and sha256 have matched
(``CheckedFile.finish``).

The checks are not a second copy of the rules: each column walks its field's
``rules.field_rules`` and proves each rule with ``PROOFS``, or hands the
column to the strict ``FieldReader``; patterns match through that reader's own
``PatternMatcher`` (same budget; either engine gives the same verdicts).
"""

from __future__ import annotations

import contextvars
import csv
from typing import TYPE_CHECKING, Any, Protocol

from xborder_data.errors import IntegrityError
from xborder_data.tableschema.descriptor import FieldSpec, ResourceSpec
from xborder_data.tableschema.rules import (  # noqa: F401 - PY_SPACE is read from here by a test
    PY_SPACE, RE_DATE, RE_INTEGER, RE_NUMBER, RE_URI, RE_YEAR, RULES_MATCH, PatternBudget, Rule,
)
from xborder_data.tableschema.table import FIELD_LIMIT, FieldReader, _read_column, row_limit
from xborder_data.tableschema.types import DATE_MAX, DATE_MIN, NUMBER, TYPES

if TYPE_CHECKING:
    import pandas as pd

# Below this size the strict reader is as fast (Arrow's per-column fixed costs
# dominate on tables of a few hundred rows); measured, see docs/benchmarks.md.
MIN_BYTES = 256 * 1024
BLOCK_SIZE = 1 << 22  # bytes read, proved and parsed at a time: a batch of rows, a chunk of each column


class _Doubt(Exception):
    """Anything the fast path cannot prove: the strict reader decides."""


class Source(Protocol):
    """What the fast path reads: ``storage.reading.CheckedFile``, or bytes already checked (``fast_frame``)."""

    size: int

    def readinto(self, view: memoryview) -> int: ...

    def finish(self) -> None: ...


class _Bytes:
    """Bytes whose integrity the caller has already checked, read as a ``Source``."""

    def __init__(self, data: bytes) -> None:
        self.data, self.size, self.done = data, len(data), 0

    def readinto(self, view: memoryview) -> int:
        chunk = self.data[self.done:self.done + len(view)]
        view[:len(chunk)] = chunk
        self.done += len(chunk)
        return len(chunk)

    def finish(self) -> None:
        pass


# ---- the file in blocks of whole rows, each block's quote structure proved ----------------
def _quotes_proved(a: Any, q: Any, edge: Any) -> bool:
    """Whether the quotes ``q`` (positions in the bytes ``a``, which start and end at a row boundary) are proved.

    Quotes are numbered by parity: an even one (opening) must follow a delimiter,
    CR, LF, quote or the start; an odd one (closing) must precede a delimiter, CR,
    LF, quote or the end; their count must be even. This refuses ``"abc"def`` (the
    csv module errs, Arrow joins) and is conservative for quotes inside unquoted cells.
    """
    if len(q) % 2:
        return False
    opens, closes = q[0::2], q[1::2]
    inner = opens[opens > 0]
    body = closes[closes < len(a) - 1]
    return bool(edge[a[inner - 1]].all() and edge[a[body + 1]].all())


def _row_end(pending: bytearray, a: Any, q: Any) -> int:
    """The end of the last whole row in ``pending[:len(a)]`` (after a line break outside quotes), or 0 when none ends in it."""
    import numpy as np

    last = pending.rfind(b"\n", 0, len(a))
    if last >= 0 and np.searchsorted(q, last) % 2 == 0:
        return last + 1  # the usual case: the last line break is outside quotes
    for byte in (10, 13):  # a quoted line break last, or a file of CR line endings
        breaks = np.flatnonzero(a == byte)
        if byte == 13:  # a CR ends a row only where no LF follows it (CRLF ends at the LF)
            breaks = breaks[breaks < len(a) - 1]
            breaks = breaks[a[breaks + 1] != 10]
        outside = breaks[np.searchsorted(q, breaks) % 2 == 0]
        if len(outside):
            return int(outside[-1]) + 1
    return 0


def _row_blocks(source: Source, spec: ResourceSpec, block_size: int) -> Any:
    """Yield the file as blocks of whole rows (the header in the first), each with its quote structure proved.

    A block ends at a line break outside quotes, so each block is proved on its own and
    Arrow parses it alone; the bytes of an unfinished row wait for the next read. No
    block is read ahead: memory holds one block and the rows typed so far. Raises _Doubt.

    Every block is read into one buffer, reused (the unfinished row moved to its front), not
    into a new one joined to the last row's bytes. So a block yielded is valid until the next
    one is asked for: Arrow copies what it parses (the many-block differential tests would
    see a kept text chunk change otherwise).
    """
    import numpy as np

    edge = np.zeros(256, dtype=bool)  # bytes that may stand next to a quote on its outer side
    edge[[ord(spec.dialect.delimiter), 10, 13, ord(spec.dialect.quote_char)]] = True
    quote = ord(spec.dialect.quote_char)
    # A row longer than this holds a cell over the strict reader's field limit (4 bytes a character at most):
    # the strict reader names it; waiting for its end could hold the whole file.
    longest = 4 * row_limit(len(spec.schema.fields))
    buffer = bytearray(block_size)
    held = 0  # bytes of an unfinished row at the front of the buffer
    while True:
        # A row longer than a block: read as much again as waits, so that a long row is scanned a few times, not once a block.
        wanted = max(block_size, held)
        if len(buffer) < held + wanted:
            buffer = buffer[:held] + bytearray(wanted)
        got = source.readinto(memoryview(buffer)[held:held + wanted])
        total = held + got
        a = np.frombuffer(buffer, dtype=np.uint8, count=total)
        q = np.flatnonzero(a == quote)
        end = total if not got else _row_end(buffer, a, q)
        if not end and total > longest + block_size:
            raise _Doubt()
        if end:
            if not _quotes_proved(a[:end], q[q < end] if end < total else q, edge):
                raise _Doubt()
            # Arrow strips a byte-order mark from the start of every buffer it parses: at the start of the file the
            # strict reader refuses it, at the start of a later block it is the first character of a cell.
            if buffer.startswith(b"\xef\xbb\xbf", 0, end):
                raise _Doubt()
            yield memoryview(buffer)[:end]
            np.frombuffer(buffer, dtype=np.uint8)[:total - end] = a[end:total]  # numpy copies overlapping ranges correctly
        held = total - end
        if not got:
            return


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


def _any(mask: Any) -> bool:
    import pyarrow.compute as pc

    return pc.any(mask, skip_nulls=True, min_count=0).as_py() is True


def _doubt(condition: Any) -> None:
    if condition:
        raise _Doubt()


_HAND_OVER = object()  # a rule the fast path has no proof for here: the column is read the strict way
_SPECIAL = tuple(NUMBER.SPECIAL)  # the number texts the strict reader reads as NaN and infinities


# Files from this size on take jemalloc, smaller ones mimalloc. Measured at one core (bench/findings.md):
# jemalloc hands the memory of each freed batch back at once, which keeps large files fast and low (10⁶ rows:
# 1.46 s and 320 MiB against mimalloc's 1.61-1.86 s and 323-335 MiB) but makes the next batch map fresh
# pages; mimalloc reuses them, 13% faster at 10⁵ rows (20 MB) and 10% at 3×10⁵.
JEMALLOC_FROM = 64 << 20
_POOL: contextvars.ContextVar[Any] = contextvars.ContextVar("xborder_fast_pool", default=None)


def _pool_for(size: int) -> Any:
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool() if size >= JEMALLOC_FROM else pa.mimalloc_memory_pool()
    except (NotImplementedError, AttributeError):  # a pyarrow built without it
        return pa.default_memory_pool()


def _pool() -> Any:
    """The Arrow memory pool of the table being read (``_pool_for`` its size), for its batches and typed columns."""
    import pyarrow as pa

    return _POOL.get() or pa.default_memory_pool()


def _gate(texts: Any, regex: str) -> None:
    import pyarrow.compute as pc

    _doubt(not _all(pc.match_substring_regex(texts, regex)))


def _convert(kind: str, texts: Any, distinct: Any) -> Any:
    """Texts already proved (through their ``distinct`` texts) to be of ``kind``'s form, as typed Arrow values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "integer":
        if _any(pc.starts_with(distinct, "+")):  # Arrow's cast refuses a plus sign; the rule allows it
            texts = pc.replace_substring_regex(texts, r"\A\+", "", memory_pool=_pool())
        return pc.cast(texts, pa.int64(), memory_pool=_pool())  # raises on overflow
    if kind == "year":
        return pc.cast(texts, pa.int64(), memory_pool=_pool())
    if kind == "number":
        if not _any(pc.is_in(distinct, value_set=pa.array(_SPECIAL))):
            return pc.cast(texts, pa.float64(), memory_pool=_pool())
        special = pc.is_in(texts, value_set=pa.array(_SPECIAL))
        plain = pc.cast(pc.if_else(special, pa.scalar(None, pa.large_string()), texts), pa.float64())
        sv = pc.cast(pc.replace_substring(pc.if_else(special, texts, pa.scalar("0")), "INF", "inf"), pa.float64())
        return pc.if_else(special, sv, plain)
    if kind == "date":
        return pc.cast(texts, pa.date32(), memory_pool=_pool())  # refuses impossible days
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
        special = pc.is_in(texts, value_set=pa.array(_SPECIAL))
        _gate(pc.if_else(special, pa.scalar(None, pa.large_string()), texts), RE_NUMBER)  # refuses nan, inf, Infinity Arrow would cast
        typed = _convert(kind, texts, texts)
        _doubt(_any(pc.and_(pc.is_inf(typed), pc.invert(special))))  # 1e400: too large, as strict
        return typed
    elif kind == "date":
        _gate(texts, RE_DATE)
        day = _convert(kind, texts, texts)
        lo, hi = pa.scalar(DATE_MIN, pa.date32()), pa.scalar(DATE_MAX, pa.date32())
        _doubt(not _all(pc.and_(pc.greater_equal(day, lo), pc.less_equal(day, hi))))
        return day
    else:
        return _HAND_OVER  # boolean (custom true and false values): the strict rule, column-wise
    return _convert(kind, texts, texts)


def _members(enum: tuple[Any, ...]) -> Any:
    """A text enum's members as an Arrow array, in the schema's order (their index is the category code)."""
    import pyarrow as pa

    return pa.array([str(v) for v in enum], pa.string())


def _prove_enum(rule: Rule, reader: FieldReader, value: Any, texts: Any) -> Any:
    import pyarrow.compute as pc

    if reader.spec.type != "string":
        return _HAND_OVER  # typed members compare as values: the strict rule, column-wise
    _doubt(not _all(pc.is_in(pc.drop_null(texts), value_set=_members(rule.argument))))  # a missing value is no member, nor out
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


def _check_column(reader: FieldReader, raw: Any, whole: bool = False) -> tuple[str, Any, bool]:
    """Return (kind, typed Arrow array with nulls where missing, ``whole`` for the next batch) for one batch of a
    column, or raise _Doubt.

    Each of the field's rules, in the strict reader's order, is proved over the
    batch's distinct texts, or with ``whole`` over every text (nulls where missing) and
    the typed values kept: where most texts differ, finding the distinct ones costs more
    than it saves. A pattern is always matched over distinct texts (its budget counts
    them). A rule without a proof here hands the column to the strict rule ("py").
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
    text = pc.if_else(miss, pa.scalar(None, pa.large_string()), raw, memory_pool=_pool()) if nmiss else raw
    if reader.rules == (Rule("type", ("string", "default")),):
        return "val", text, whole  # plain text: every text passes its only rule
    if reader.rules == (Rule("type", ("string", "default")), Rule("enum", spec.enum)):
        # A text enum and no other rule: its codes are the proof (a text outside the enum has none).
        codes = pc.index_in(text, value_set=_members(spec.enum or ()), memory_pool=_pool())
        _doubt(codes.null_count != text.null_count)
        return "enum", codes, whole
    # A unique field's texts are distinct already (else the key check hands the table over).
    whole = reader.matcher is None and (whole or spec.unique)
    if whole:
        texts = text
    else:
        texts = pc.drop_null(text) if spec.unique else pc.drop_null(pc.unique(text, memory_pool=_pool()))
        whole = reader.matcher is None and 2 * len(texts) > len(text) - text.null_count
    value = texts
    for rule in reader.rules:
        prove = PROOFS.get(rule.kind)
        result = _HAND_OVER if prove is None else prove(rule, reader, value, texts)
        if result is _HAND_OVER:
            return "py", _read_column(spec, reader, raw.to_pylist()), whole  # the strict rule, column-wise
        if rule.kind == "type":
            value = result
    if spec.enum is not None:  # a string enum: its category codes
        return "enum", pc.index_in(text, value_set=_members(spec.enum), memory_pool=_pool()), whole
    if spec.type == "string":
        return "val", text, whole
    if texts is text:
        return "val", value, whole  # typed by the proof, row for row
    return "val", _convert(spec.type, text, texts), whole  # the whole batch, its distinct texts proved above


# ---- the table, batch by batch ----------------------------------------------------------
class _Columns:
    """The typed chunks of every column, checked batch by batch; the text of a batch is dropped once read."""

    def __init__(self, spec: ResourceSpec, budget: PatternBudget) -> None:
        self.fields = spec.schema.fields
        self.readers = [FieldReader(f, spec.name, budget) for f in self.fields]
        self.kinds: list[str | None] = [None] * len(self.fields)
        self.whole = [False] * len(self.fields)  # prove every text of a batch, not its distinct ones (_check_column)
        self.chunks: list[list[Any]] = [[] for _ in self.fields]
        self.rows = 0
        # A required field is never missing here (_check_column doubts first), so no row can be blank.
        self.may_be_blank = not any(f.required for f in self.fields)

    def add(self, batch: Any) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not batch.num_rows:
            return
        raw, batch_rows = batch.columns, batch.num_rows
        del batch
        empty = None  # a row of empty strings: the csv module reads [] (a width error), Arrow a row
        for column in raw:
            e = pc.equal(pc.binary_length(column), 0)
            empty = e if empty is None else pc.and_(empty, e)
            if not _any(empty):
                break
        else:
            raise _Doubt()
        missing_all = None
        for number, reader in enumerate(self.readers):
            column, raw[number] = raw[number], None  # the batch's text goes as its typed column is built
            text_bytes = column.buffers()[2]
            if text_bytes is not None and text_bytes.size > FIELD_LIMIT and (pc.max(pc.binary_length(column)).as_py() or 0) > FIELD_LIMIT:
                raise _Doubt()  # the strict reader's field limit (counted in characters; let it decide)
            kind, value, self.whole[number] = _check_column(reader, column, self.whole[number])
            if self.kinds[number] not in (None, kind):
                raise _Doubt()  # pragma: no cover - the kind follows from the schema, never from the data
            self.kinds[number] = kind
            self.chunks[number].append(value)
            if self.may_be_blank:
                m = pa.array([v is None for v in value], pa.bool_()) if kind == "py" else pc.is_null(value)
                missing_all = m if missing_all is None else pc.and_(missing_all, m)
        if missing_all is not None and _any(missing_all):
            raise _Doubt()  # a blank row
        self.rows += batch_rows

    def column(self, number: int) -> tuple[str, Any]:
        """(kind, the whole column): a chunked Arrow array, or a list of Python values for "py"."""
        import pyarrow as pa

        kind, chunks = self.kinds[number], self.chunks[number]
        assert kind is not None
        if kind == "py":
            return kind, [v for chunk in chunks for v in chunk]
        return kind, pa.chunked_array(chunks)


def _key_array(kind: str, data: Any, spec: FieldSpec) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "py":
        data = pa.array(data, pa.float64()) if spec.type == "number" else pa.array(data)
    if spec.type == "number":
        return pc.add(data, 0.0)  # -0.0 + 0.0 is 0.0: Python's set treats them as one value, Arrow's hash does not
    return data


_P = 0x100000001B3  # odd, so invertible modulo 2**64
_P_INVERSE = pow(_P, -1, 1 << 64)


def _all_differ(texts: Any) -> bool:
    """Whether every text of ``texts`` (large_string, no nulls) is proved different from the others; False: not proved.

    Each text gets a 64-bit polynomial hash of its bytes (numpy, a block at a time) and the hashes are
    sorted: texts with different hashes differ, whatever the hash. 8 bytes a row, where Arrow's hash
    table holds a copy of every text (about a fifth of the frame for a key like figure_id).
    """
    import numpy as np

    hashes = []
    spans = [(chunk, np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1])
             for chunk in texts.chunks]
    longest = max((int(offsets[-1] - offsets[0]) for _, offsets in spans), default=0)
    with np.errstate(over="ignore"):
        powers = np.full(longest + 1, _P, dtype=np.uint64)  # P**i and P**-i, wrapping modulo 2**64: once for every chunk
        powers[0] = 1
        np.cumprod(powers, out=powers)
        inverse = np.full(longest + 1, _P_INVERSE, dtype=np.uint64)
        inverse[0] = 1
        np.cumprod(inverse, out=inverse)
        for chunk, offsets in spans:
            data = chunk.buffers()[2]
            first, last = int(offsets[0]), int(offsets[-1])
            body = np.frombuffer(data, dtype=np.uint8)[first:last].astype(np.uint64) + np.uint64(1) if data else np.zeros(0, np.uint64)
            sums = np.zeros(len(body) + 1, dtype=np.uint64)
            np.cumsum(np.multiply(body, powers[:len(body)], out=body), out=sums[1:])
            starts, stops = offsets[:-1] - first, offsets[1:] - first
            hashes.append((sums[stops] - sums[starts]) * inverse[starts] + (stops - starts).astype(np.uint64))
    joined = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
    joined.sort()
    return not bool((joined[1:] == joined[:-1]).any())


def _check_keys(spec: ResourceSpec, columns: _Columns) -> None:
    """Unique fields, the primary key and unique keys over every batch; each key once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = spec.schema
    found: dict[tuple[str, ...], bool] = {(f.name,): False for f in schema.fields if f.unique}
    for key in schema.unique_keys:
        found.setdefault(tuple(key), False)
    if schema.primary_key:
        found[tuple(schema.primary_key)] = True  # a field both unique and the primary key is checked once
    where = {f.name: number for number, f in enumerate(schema.fields)}
    for names, primary in found.items():
        arrays = [_key_array(*columns.column(where[n]), schema.fields[where[n]]) for n in names]
        if any(schema.fields[where[n]].type == "number" and _any(pc.is_nan(a)) for a, n in zip(arrays, names)):
            raise _Doubt()  # NaN != NaN in Python's set: leave it to the strict reader
        nulls = sum(a.null_count for a in arrays)
        if primary and nulls:
            raise _Doubt()
        if len(names) == 1:
            if not nulls and arrays[0].type == pa.large_string() and _all_differ(arrays[0]):
                continue
            distinct = pc.count_distinct(arrays[0], mode="only_valid", memory_pool=_pool()).as_py()  # no array of the values
            _doubt(distinct != len(arrays[0]) - arrays[0].null_count)
            continue
        table = pa.table({str(i): a for i, a in enumerate(arrays)})
        if nulls:
            valid = None
            for array in arrays:
                v = pc.is_valid(array)
                valid = v if valid is None else pc.and_(valid, v)
            table = table.filter(valid)
        _doubt(table.group_by(list(table.column_names)).aggregate([]).num_rows != table.num_rows)


def _frame(columns: _Columns) -> "pd.DataFrame":
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    from xborder_data.tableschema.frames import _column, from_codes, strings

    data: dict[str, Any] = {}
    for number, f in enumerate(columns.fields):
        kind, v = columns.column(number)
        columns.chunks[number] = []  # each column's chunks go as its pandas column is built
        if kind == "py":
            data[f.name] = _column(v, f)
        elif kind == "enum":
            data[f.name] = from_codes(pc.fill_null(v, -1).to_numpy().astype(np.int64, copy=False), f.enum or ())
        elif f.type == "string":
            data[f.name] = strings(v)
        elif f.type in ("integer", "year"):
            mask = pc.is_null(v, memory_pool=_pool()).to_numpy()
            data[f.name] = pd.arrays.IntegerArray(pc.fill_null(v, 0).to_numpy().astype(np.int64, copy=False), mask)
        elif f.type == "number":
            mask = pc.is_null(v, memory_pool=_pool()).to_numpy()
            data[f.name] = pd.arrays.FloatingArray(pc.fill_null(v, np.nan).to_numpy().astype(np.float64, copy=False), mask)
        elif f.type == "date":
            days = np.asarray(v.to_numpy(), dtype="datetime64[D]")
            data[f.name] = days.astype(TYPES["date"].pandas)
        else:  # pragma: no cover - every other type is read column-wise by the strict rule
            raise _Doubt()
        del v
    return pd.DataFrame(data, index=pd.RangeIndex(columns.rows), copy=False)  # the columns are new: no copy of them


# ---- the entry points -------------------------------------------------------------------
def stream_frame(source: Source, spec: ResourceSpec, *, min_bytes: int | None = None, budget: PatternBudget | None = None,
                 block_size: int | None = None) -> "pd.DataFrame | None":
    """Return the DataFrame ``to_frame(read_table(data, spec, path))`` would, reading ``source`` once; or None.

    None means: run the strict reader. It comes at once, before a byte is read, for a file under
    ``min_bytes`` (``MIN_BYTES``), a dialect the fast path does not read or a csv field limit another
    library lowered (the strict reader then names it); later, on any doubt,
    with the source read partly (a caller reads the file again for the strict reader).
    ``budget`` is the pattern budget the strict reader would draw on.

    Raises:
        IntegrityError: the source's size or sha256 is not the expected one (``source.finish``).
    """
    if source.size < (MIN_BYTES if min_bytes is None else min_bytes) or not RULES_MATCH or not _eligible(spec):
        return None
    if csv.field_size_limit() < FIELD_LIMIT:  # the strict reader refuses a longer cell then, and says why
        return None
    token = None
    try:
        token = _POOL.set(_pool_for(source.size))
        return _read(source, spec, budget if budget is not None else PatternBudget(), block_size or BLOCK_SIZE)
    except _Doubt:
        return None
    except IntegrityError:
        raise  # the file's size or sha256, or a file that grew: its own error, as the strict reader's
    except Exception:  # noqa: BLE001 - any Arrow error, invalid UTF-8, a pattern over its budget (the strict reader
        return None  # may meet a bad cell or row before the budget ends), an unforeseen case: the strict reader decides
    finally:
        if token is not None:
            _POOL.reset(token)


def _read(source: Source, spec: ResourceSpec, budget: PatternBudget, block_size: int) -> "pd.DataFrame":
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = spec.schema.field_names
    dialect = spec.dialect
    parse = pacsv.ParseOptions(
        delimiter=dialect.delimiter, quote_char=dialect.quote_char, double_quote=True, escape_char=False,
        newlines_in_values=True, ignore_empty_lines=False,
    )
    convert = pacsv.ConvertOptions(
        # large_string is what pandas' ArrowStringArray holds: a text column becomes a pandas one without a cast.
        column_types={n: pa.large_string() for n in names}, null_values=[], strings_can_be_null=False,
        quoted_strings_can_be_null=False, check_utf8=True,
    )
    budget.start_table()  # the table's share of the package's pattern budget, as in the strict reader
    columns = _Columns(spec, budget)
    header = True
    for block in _row_blocks(source, spec, block_size):
        # One block, one batch: the first reads the header, the others are given the names.
        read = pacsv.ReadOptions(use_threads=False, block_size=len(block) + 1, column_names=None if header else names)
        table = pacsv.read_csv(pa.py_buffer(block), read_options=read, parse_options=parse, convert_options=convert,
                               memory_pool=_pool())
        del block
        header = False
        if table.column_names != names or any(t != pa.large_string() for t in table.schema.types):
            raise _Doubt()  # a header unlike the schema's (even with no row under it): the strict reader names it
        for batch in table.to_batches():
            columns.add(batch)
        del table
    source.finish()  # integrity first: nothing is answered before the size and sha256 match
    if columns.rows == 0:
        raise _Doubt()
    _check_keys(spec, columns)
    return _frame(columns)


def fast_frame(data: bytes, spec: ResourceSpec, *, min_bytes: int | None = None, budget: PatternBudget | None = None,
               block_size: int | None = None) -> "pd.DataFrame | None":
    """``stream_frame`` over bytes that have already passed the integrity check."""
    return stream_frame(_Bytes(data), spec, min_bytes=min_bytes, budget=budget, block_size=block_size)
