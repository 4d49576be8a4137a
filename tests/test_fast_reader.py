"""The fast path (pyarrow) against the strict reader: the same frame, or the strict reader's error.

``fast_frame`` may answer only when it read exactly what ``read_table`` would;
otherwise it returns None and the strict reader runs. Every case here is read
both ways with the size threshold forced to 0. Longer run for maintainers:
``XBORDER_DIFF_EXAMPLES=5000 uv run pytest tests/test_fast_reader.py``.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xborder_data
from xborder_data.tableschema import fast
from xborder_data.tableschema.frames import to_frame
from xborder_data.tableschema.table import read_table

from conftest import write_package

EXAMPLES = int(os.environ.get("XBORDER_DIFF_EXAMPLES", "200"))

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "pattern": "[a-z]{2}-[0-9]+"}},
        {"name": "n", "type": "integer", "constraints": {"minimum": -5}},
        {"name": "x", "type": "number"},
        {"name": "y", "type": "year", "constraints": {"minimum": 1900, "maximum": 2100}},
        {"name": "d", "type": "date"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b", "c"]}},
        {"name": "u", "type": "string", "format": "uri"},
        {"name": "t", "type": "string", "constraints": {"maxLength": 12}},
        {"name": "b", "type": "boolean"},
        {"name": "s", "type": "string"},
        {"name": "z", "type": "number"},
        {"name": "g", "type": "string", "constraints": {"pattern": "^([A-Z]{2}|001)$"}},
    ],
    "primaryKey": ["id"],
    "uniqueKeys": [["n", "x"]],
}


def outcome(fn: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn())
    except Exception as error:  # noqa: BLE001 - the outcome is the thing compared
        return ("err", type(error).__name__, str(error), getattr(error, "row_number", None), getattr(error, "field_name", None))


def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes)
    for column in a.columns:
        assert type(a[column].array) is type(b[column].array), column
        if a[column].dtype == "Float64":  # 0.0 and -0.0 compare equal; their signs must agree too
            import numpy as np

            assert np.array_equal(np.signbit(a[column].array._data), np.signbit(b[column].array._data))


def both_ways(tmp_path: Path, data: bytes, schema: dict[str, Any] = SCHEMA, block_size: int | None = None) -> tuple[str, Any]:
    """Read ``data`` with the strict reader and with the fast path (threshold 0, blocks of ``block_size``
    bytes) through load(); compare."""
    root = write_package(tmp_path, {"t": (data, schema)})
    package = xborder_data.open(root)
    spec = package.resource("t")
    strict = outcome(lambda: to_frame(read_table(package.read_bytes("t"), spec, package.path("t")), spec.schema))
    quick = fast.fast_frame(package.read_bytes("t"), spec, min_bytes=0, block_size=block_size)
    if quick is not None:
        assert strict[0] == "ok", ("fast path accepted what the strict reader refuses", strict)
        assert_same_frame(quick, strict[1])
    # and load() itself, forced onto the fast path, answers as the strict reader
    old = fast.MIN_BYTES, fast.BLOCK_SIZE
    fast.MIN_BYTES, fast.BLOCK_SIZE = 0, block_size or fast.BLOCK_SIZE
    try:
        through = outcome(lambda: xborder_data.open(root).load("t"))
    finally:
        fast.MIN_BYTES, fast.BLOCK_SIZE = old
    assert through[0] == strict[0], (through, strict)
    if strict[0] == "ok":
        assert_same_frame(through[1], strict[1])
    else:
        assert through == strict
    return ("fast" if quick is not None else "strict"), strict


def table(rows: list[list[str]], header: list[str] | None = None, ending: str = "\n", quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=ending, quoting=quoting)
    writer.writerow(header or [f["name"] for f in SCHEMA["fields"]])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def row(i: int, **cells: str) -> list[str]:
    base = {"id": f"ab-{i}", "n": str(i), "x": f"{i}.5", "y": "2013", "d": "2014-07-03", "kind": "abc"[i % 3],
            "u": "https://example.org/", "t": "short", "b": "true", "s": f"text {i}", "z": "1", "g": "CN"}
    base.update(cells)
    return [base[f["name"]] for f in SCHEMA["fields"]]


GOOD = [row(i) for i in range(20)]


def test_the_spelled_out_whitespace_is_pythons() -> None:
    import re

    assert fast.PY_SPACE == "".join(chr(c) for c in range(0x110000) if re.match(r"\s", chr(c)))


def test_valid_table_takes_the_fast_path(tmp_path: Path) -> None:
    route, result = both_ways(tmp_path, table(GOOD))
    assert result[0] == "ok" and route == "fast"


def test_small_files_keep_the_strict_path(tmp_path: Path) -> None:
    root = write_package(tmp_path, {"t": (table(GOOD), SCHEMA)})
    package = xborder_data.open(root)
    assert fast.fast_frame(package.read_bytes("t"), package.resource("t")) is None


def with_cell(field: str, text: str) -> list[list[str]]:
    return GOOD[:5] + [row(5, **{field: text})] + GOOD[6:]


REGRESSIONS: dict[str, bytes] = {
    "silent column shift": table(GOOD[:3]) + b"ab-99,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,s,1\n",
    "extra cell": table(GOOD[:3]) + b"ab-99,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,s,1,CN,extra\n",
    "1.0 in an integer field": table(with_cell("n", "1.0")),
    "+5 in an integer field": table(with_cell("n", "+5")),
    "int64 overflow": table(with_cell("n", "9223372036854775808")),
    "NaN": table(with_cell("z", "NaN")),
    "INF": table(with_cell("z", "INF")),
    "-INF": table(with_cell("z", "-INF")),
    "nan": table(with_cell("z", "nan")),
    "inf": table(with_cell("z", "inf")),
    "Infinity": table(with_cell("z", "Infinity")),
    "+1.5": table(with_cell("z", "+1.5")),
    "1e400": table(with_cell("z", "1e400")),
    "-0.0": table(with_cell("z", "-0.0")),
    "-0.0 in a key": table(with_cell("x", "-0.0")),
    "NaN in a key": table(with_cell("x", "NaN")),
    "-0.0 and 0.0 in a unique key": table(GOOD[:3] + [row(3, n="7", x="0.0"), row(4, n="7", x="-0.0")]),
    "text after closing quote": table(GOOD[:3]) + b'"ab-1"def,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,s,1,CN\n',
    "quote inside unquoted cell": table(GOOD[:3]) + b'ab-9,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,a"b,1,CN\n',
    "CR-only line endings": table(GOOD, ending="\r"),
    "CRLF line endings": table(GOOD, ending="\r\n"),
    "BOM": b"\xef\xbb\xbf" + table(GOOD),
    "blank line in the middle": table(GOOD[:3]) + b"\n" + table(GOOD[3:]).split(b"\n", 1)[1],
    "trailing blank line": table(GOOD) + b"\n",
    "blank row of empty cells": table(GOOD[:3]) + b"," * 11 + b"\n",
    "long cell": table(with_cell("s", "x" * 131_073)),
    "long cell at the limit": table(with_cell("s", "é" * 70_000)),
    "pattern broken": table(with_cell("id", "AB-1")),
    "pattern with a final newline": table(with_cell("id", "ab-1\n")),
    "anchored pattern with a final newline": table(with_cell("g", "CN\n")),
    "anchored alternation": table(with_cell("g", "001")),
    "anchored alternation broken": table(with_cell("g", "0011")),
    "anchored pattern lower case": table(with_cell("g", "cn")),
    "enum broken": table(with_cell("kind", "d")),
    "enum missing": table(with_cell("kind", "")),
    "repeated primary key": table(GOOD + [row(3)]),
    "missing primary key": table(with_cell("id", "")),
    "repeated unique key": table(GOOD[:3] + [row(3, n="1", x="1.5")]),
    "quoted newline": table(with_cell("s", "two\nlines\r\nand\rmore")),
    "quoted newline everywhere": table(GOOD, quoting=csv.QUOTE_ALL).replace(b"text", b"te\nxt"),
    "quote all": table(GOOD, quoting=csv.QUOTE_ALL),
    "no final newline": table(GOOD).rstrip(b"\n"),
    "unterminated quote": table(GOOD) + b'"ab-77,1',
    "invalid utf-8": table(GOOD[:3]) + b"ab-9,1,2.5,2013,2014-07-03,a,https://x.org/,t,true,\xff,1,CN\n",
    "impossible day": table(with_cell("d", "2014-02-30")),
    "date out of range": table(with_cell("d", "1600-01-01")),
    "NaN below a minimum": table(with_cell("n", "NaN")),
    "year below minimum": table(with_cell("y", "1899")),
    "uri with unicode space": table(with_cell("u", "https://x.org/\u3000a")),
    "uri with \\x1c": table(with_cell("u", "https://x.org/\x1ca")),
    "maxLength in code points": table(with_cell("t", "é" * 12)),
    "maxLength exceeded": table(with_cell("t", "é" * 13)),
    "boolean broken": table(with_cell("b", "yes")),
    "header reordered": table(GOOD, header=["n", "id"] + [f["name"] for f in SCHEMA["fields"]][2:]),
    "header only": table([]),
    "spaces in a number": table(with_cell("n", " 42")),
    "non-ASCII digits": table(with_cell("n", "٤٢")),
    "NUL byte": table(with_cell("s", "a\x00b")),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regression_cases_agree(tmp_path: Path, name: str) -> None:
    both_ways(tmp_path, REGRESSIONS[name])


def test_a_blank_row_where_a_field_is_required_goes_to_the_strict_reader(tmp_path: Path) -> None:
    """With a required field the blank-row scan is skipped: the required field's missing value hands the file over."""
    schema = {"fields": [{"name": "a", "type": "string", "constraints": {"required": True}}, {"name": "n", "type": "integer"},
                         {"name": "k", "type": "string", "constraints": {"enum": ["x", "y"]}}], "missingValues": ["", "NA"]}
    good = b"".join(b"t%d,%d,x\n" % (i, i) for i in range(200))
    for blank in (b"NA,NA,NA\n", b",,\n", b"NA,,\n"):
        route, result = both_ways(tmp_path / str(len(blank)), b"a,n,k\n" + good + blank + good, schema, block_size=BLOCK)
        assert route == "strict" and result[:2] == ("err", "BadCellError") and result[3] == 202


@pytest.mark.parametrize("blank", [b",,\n", b"NA,NA,NA\n", b"NA,,\n"], ids=["empty", "missing values", "both"])
def test_a_blank_row_where_no_field_is_required_agrees(tmp_path: Path, blank: bytes) -> None:
    """With no required field, only a whole-row check finds a blank row (a required one never lets it through)."""
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "k", "type": "string",
              "constraints": {"enum": ["x", "y"]}}], "missingValues": ["", "NA"]}
    good = b"".join(b"t%d,%d,x\n" % (i, i) for i in range(200))
    route, result = both_ways(tmp_path, b"a,n,k\n" + good + blank + good, schema)
    assert result[0] != "ok" and route == "strict"
    route, result = both_ways(tmp_path / "valid", b"a,n,k\n" + good + b"t,,y\n" + good, schema)
    assert result[0] == "ok" and route == "fast"


def test_fast_path_answers_the_ordinary_odd_cases(tmp_path: Path) -> None:
    """NaN, INF, -0.0, +5, CR-only and quoted newlines are read by the fast path itself, not only routed away."""
    for name in ("NaN", "-INF", "-0.0", "+5 in an integer field", "CR-only line endings", "quoted newline", "quote all", "anchored alternation"):
        route, result = both_ways(tmp_path / name.replace(" ", "_"), REGRESSIONS[name])
        assert result[0] == "ok" and route == "fast", name


NASTY = st.sampled_from([
    "", " ", "0", "-0", "+5", "1.0", "1e3", ".5", "5.", "NaN", "nan", "INF", "-INF", "inf", "1e400", "-0.0", "0.0",
    "2013", "0999", "2014-07-03", "2014-02-30", "2262-04-12", "a", "b", "d", "true", "0", "yes", "ab-1", "AB-1",
    "https://x.org/", "x:y", "x: y", '"', '""', "a,b", "a\nb", "\r", "é" * 13, "\u3000", "\x00", "٤",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809",
])
MUTATIONS = st.sampled_from([b'"', b'""', b"\r", b"\n", b"\n\n", b",", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xed\xa0\x80", b""])


@st.composite
def tables(draw: st.DrawFn) -> bytes:
    count = draw(st.integers(1, 12))
    rows = [row(i) for i in range(count)]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, count - 1))
        c = draw(st.integers(0, len(SCHEMA["fields"]) - 1))
        rows[r][c] = draw(NASTY | st.text(max_size=6))
    data = table(rows, ending=draw(st.sampled_from(["\n", "\r\n", "\r"])),
                 quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 2))
        data = data[:at] + draw(MUTATIONS) + data[at + cut:]
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=tables())
def test_fast_and_strict_agree_on_generated_tables(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    both_ways(tmp_path_factory.mktemp("diff"), data)


# ---- the streaming fast path: blocks, integrity first, keys across blocks ----------------
BLOCK = 512  # bytes: a table of a few hundred rows spans dozens of blocks, as 10⁶ rows span 4 MiB ones


def many_rows(count: int = 300, **late: str) -> list[list[str]]:
    """``count`` valid rows; ``late`` sets cells of the last row (far past the first block)."""
    rows = [row(i, s=f"text {i}" if i % 7 else f"two\nlines {i}") for i in range(count)]  # quoted line breaks too
    rows[-1] = row(count - 1, **late)
    return rows


class Counting:
    """A ``CheckedFile`` that counts its reads (so a test knows the file was read in blocks)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.reads = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def done(self) -> int:
        return self.inner.done

    def readinto(self, view: memoryview) -> int:
        self.reads += 1
        return self.inner.readinto(view)


def test_a_table_of_many_blocks_takes_the_fast_path_and_equals_the_strict_reader(tmp_path: Path) -> None:
    data = table(many_rows())
    assert len(data) > 20 * BLOCK
    route, result = both_ways(tmp_path, data, block_size=BLOCK)
    assert result[0] == "ok" and route == "fast"


TWO_TEXTS = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]}


def test_a_row_of_doubled_quotes_under_the_field_limit_is_read_by_both(tmp_path: Path) -> None:
    """A cell of 100,000 quote characters is written in 200,002: its line is longer than one byte a character
    allows, but the csv module (the oracle) reads each cell under the field limit (found by a hostile review)."""
    cell = '"' + '""' * 100_000 + '"'
    data = f"a,b\n{cell},{cell}\n".encode()
    oracle = list(csv.reader(io.StringIO(data.decode())))
    assert [len(c) for c in oracle[1]] == [100_000, 100_000]
    route, result = both_ways(tmp_path, data, TWO_TEXTS)
    assert result[0] == "ok" and list(result[1]["a"].str.len()) == [100_000]


@pytest.mark.parametrize(("text", "value"), [
    ("0" * 4300 + "1", 1), ("-" + "0" * 4300 + "1", -1), ("+" + "0" * 5000 + "42", 42),
    ("0" * 4300 + "9223372036854775807", 9223372036854775807), ("0" * 4300 + "9223372036854775808", None),
])
def test_an_integer_with_thousands_of_leading_zeros_is_read_as_python_reads_its_digits(tmp_path: Path, text: str, value: Any) -> None:
    """int() counts leading zeros towards its 4,300-digit limit: the strict reader raised a bare ValueError
    (found by a hostile review). The oracle is int() of the text without its zeros; out of int64 is refused."""
    schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": -5}}]}
    data = b"n\n" + b"".join(f"{i}\n".encode() for i in range(3)) + text.encode() + b"\n"
    route, result = both_ways(tmp_path, data, schema)
    if value is None:
        assert result[:2] == ("err", "BadCellError") and "64-bit integer range" in result[2]
    else:
        assert result[0] == "ok" and result[1]["n"].iloc[-1] == value


def test_a_field_limit_another_library_lowered_gives_one_answer_naming_it(tmp_path: Path) -> None:
    data = b"a,b\n" + b"x" * 50 + b",y\n"
    old = csv.field_size_limit(10)
    try:
        route, result = both_ways(tmp_path, data, TWO_TEXTS)
    finally:
        csv.field_size_limit(old)
    assert route == "strict" and result[:2] == ("err", "BadCellError")
    assert "longer than 10 characters" in result[2] and "csv.field_size_limit(131072)" in result[2]
    assert both_ways(tmp_path / "default", data, TWO_TEXTS)[1][0] == "ok"  # with the default limit, the same bytes read
    long_names = {"fields": [{"name": "a" * 17, "type": "string"}]}
    old = csv.field_size_limit(10)
    try:
        route, result = both_ways(tmp_path / "header", b"a" * 17 + b"\nx\n", long_names)  # a header cell over it
    finally:
        csv.field_size_limit(old)
    assert result[:2] == ("err", "BadCellError") and "longer than 10 characters" in result[2] and result[3] == 1


ENUM_AND_TEXT = {"fields": [{"name": "k", "type": "string", "constraints": {"enum": ["a", "b"]}}, {"name": "s", "type": "string"}]}


@pytest.mark.parametrize("block_size", [1, 2, 3, 8, 9, 4096])
@pytest.mark.parametrize(("data", "valid"), [
    (b"k,s\na,x\n\xef\xbb\xbfb,y\n", False),  # U+FEFF opening a later row, in an enum cell: refused
    (b"k,s\na,x\nb,\xef\xbb\xbfy\n", True),  # inside a cell: text
    (b"k,s\na,x\nb,y\na,\xef\xbb\xbf\n", True),  # a cell of U+FEFF alone
    (b"k,s\na,\"x\n\xef\xbb\xbfy\"\n", True),  # after a quoted line break
    (b"\xef\xbb\xbfk,s\na,x\n", False),  # opening the file: refused
], ids=["row-start-enum", "in-a-cell", "cell-of-it-alone", "after-quoted-newline", "file-start"])
def test_a_byte_order_mark_at_the_start_of_any_block_is_read_as_the_strict_reader_reads_it(
        tmp_path: Path, data: bytes, valid: bool, block_size: int) -> None:
    """Arrow drops EF BB BF from the start of each buffer it parses; wherever a block starts with one, the
    strict reader answers (found by a hostile review: a cell lost its U+FEFF, an enum cell passed with it).
    ``both_ways`` compares the fast path and load() with the strict reader."""
    route, result = both_ways(tmp_path, data, ENUM_AND_TEXT, block_size=block_size)
    assert (result[0] == "ok") is valid


def test_a_byte_order_mark_read_a_byte_at_a_time_is_refused(tmp_path: Path) -> None:
    """A short first read (the Source protocol allows one) must not hide the mark from the check."""
    from xborder_data.storage.reading import CheckedFile

    class Trickle(Counting):
        def readinto(self, view: memoryview) -> int:
            return super().readinto(view[:1] if self.reads == 0 else view)

    data = b"\xef\xbb\xbfk,s\n" + b"a,x\n" * 100
    root = write_package(tmp_path, {"t": (data, ENUM_AND_TEXT)})
    spec = xborder_data.open(root).resource("t")
    source = Trickle(CheckedFile(root / "data" / "t.csv", expected_bytes=spec.bytes, expected_sha256=spec.sha256, resource="t"))
    assert fast.stream_frame(source, spec, min_bytes=0) is None
    with pytest.raises(xborder_data.BadCellError, match="byte-order mark"):
        xborder_data.open(root).records("t")


@pytest.mark.parametrize("late", [
    {"n": "-6"}, {"n": "1.0"}, {"n": "+7"}, {"n": ""}, {"n": "9223372036854775808"},
    {"x": "NaN"}, {"x": "-INF"}, {"x": "1e400"}, {"x": "nan"}, {"x": ""}, {"x": "-0.0"}, {"x": " 1"},
], ids=lambda late: "-".join(f"{k}={v!r}" for k, v in late.items()))
def test_columns_proved_whole_after_their_first_batch_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late: dict[str, str]) -> None:
    """Columns whose texts mostly differ (n, x) are proved over every text from the second batch on, the typed
    values kept; a cell of each kind in the last block is read as the strict reader reads it."""
    seen: list[tuple[str, bool]] = []
    check = fast._check_column

    def spy(reader: Any, raw: Any, whole: bool = False) -> Any:
        seen.append((reader.spec.name, whole))
        return check(reader, raw, whole)

    monkeypatch.setattr(fast, "_check_column", spy)
    both_ways(tmp_path, table(many_rows(**late)), block_size=BLOCK)
    assert ("x", True) in seen and ("n", True) in seen and ("y", True) not in seen  # y repeats one year: distinct texts


@pytest.mark.parametrize("jemalloc_from", [0, 1 << 62], ids=["jemalloc", "mimalloc"])
def test_the_pool_chosen_by_size_holds_the_columns_and_gives_the_strict_readers_frame(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jemalloc_from: int) -> None:
    """The typed columns are allocated from the pool the file's size chooses (Arrow's own allocation counts
    say which), the frame is the strict reader's, and the choice ends with the read."""
    import pyarrow as pa

    try:
        pools = {"jemalloc": pa.jemalloc_memory_pool(), "mimalloc": pa.mimalloc_memory_pool()}
    except NotImplementedError:
        pytest.skip("this pyarrow is built without jemalloc or mimalloc: the default pool serves every file")
    monkeypatch.setattr(fast, "JEMALLOC_FROM", jemalloc_from)
    data = table(many_rows())
    root = write_package(tmp_path, {"t": (data, SCHEMA)})
    package = xborder_data.open(root)
    spec = package.resource("t")
    before = {name: pool.num_allocations() for name, pool in pools.items()}
    frame = fast.fast_frame(data, spec, min_bytes=0, block_size=BLOCK)
    assert frame is not None
    if jemalloc_from == 0:
        assert pools["jemalloc"].num_allocations() > before["jemalloc"]
    else:  # mimalloc is also Arrow's default pool, which the small compute temporaries take: jemalloc tells
        assert pools["mimalloc"].num_allocations() > before["mimalloc"] and pools["jemalloc"].num_allocations() == before["jemalloc"]
    assert fast._POOL.get() is None
    assert_same_frame(frame, to_frame(read_table(data, spec, package.path("t")), spec.schema))


def test_a_tampered_byte_in_the_last_block_gives_the_integrity_error_and_no_frame(tmp_path: Path) -> None:
    from xborder_data.storage.reading import CheckedFile

    data = table(many_rows())
    root = write_package(tmp_path, {"t": (data, SCHEMA)})
    path = root / "data" / "t.csv"
    at = data.rindex(b"text ") + 5  # a digit in the last row: the table stays valid, only the hash tells
    tampered = data[:at] + (b"9" if data[at:at + 1] != b"9" else b"8") + data[at + 1:]
    assert len(tampered) == len(data) and tampered != data
    path.write_bytes(tampered)
    package = xborder_data.open(root)
    spec = package.resource("t")
    with pytest.raises(xborder_data.IntegrityError) as expected:  # the oracle: the whole-file check
        package.read_bytes("t")
    assert fast.fast_frame(tampered, spec, min_bytes=0, block_size=BLOCK) is not None  # a valid table but for its hash
    source = Counting(CheckedFile(path, expected_bytes=spec.bytes, expected_sha256=spec.sha256, resource="t"))
    with pytest.raises(xborder_data.IntegrityError) as streamed:
        fast.stream_frame(source, spec, min_bytes=0, block_size=BLOCK)
    assert source.reads > 20 and str(streamed.value) == str(expected.value)
    old = fast.MIN_BYTES, fast.BLOCK_SIZE
    fast.MIN_BYTES, fast.BLOCK_SIZE = 0, BLOCK
    try:
        with pytest.raises(xborder_data.IntegrityError) as loaded:
            xborder_data.open(root).load("t")
    finally:
        fast.MIN_BYTES, fast.BLOCK_SIZE = old
    assert str(loaded.value) == str(expected.value)


@pytest.mark.parametrize("splice", [
    b'x"y',  # a quote inside an unquoted cell: not proved (the proof is conservative); the strict reader reads it
    b'"ok"x',  # text after a closing quote: the csv module errs where Arrow would join
])
def test_a_quote_structure_that_breaks_in_a_later_block_falls_back(tmp_path: Path, splice: bytes) -> None:
    data = table(many_rows(s="ok")).replace(b",ok,", b"," + splice + b",")  # in the last row, many blocks in
    root = write_package(tmp_path, {"t": (data, SCHEMA)})
    package = xborder_data.open(root)
    assert fast.fast_frame(data, package.resource("t"), min_bytes=0, block_size=BLOCK) is None
    route, strict = both_ways(tmp_path / "both", data, block_size=BLOCK)
    assert route == "strict"
    assert strict[0] == "ok" if splice == b'x"y' else strict[:2] == ("err", "BadCellError") and strict[3] == 301, strict


def test_keys_repeated_across_blocks_are_refused_with_the_strict_readers_error(tmp_path: Path) -> None:
    for name, late in (("primary", {"id": "ab-1"}), ("unique", {"n": "1", "x": "1.5"})):
        data = table(many_rows(**late))
        root = write_package(tmp_path / name, {"t": (data, SCHEMA)})
        package = xborder_data.open(root)
        assert data.index(b"ab-1,") < BLOCK < data.rindex(b"\n", 0, len(data) - 1)  # first and last row in other blocks
        assert fast.fast_frame(data, package.resource("t"), min_bytes=0, block_size=BLOCK) is None
        route, strict = both_ways(tmp_path / f"{name}-both", data, block_size=BLOCK)
        assert route == "strict" and strict[:2] == ("err", "BadCellError") and strict[3] == 301, strict


@st.composite
def long_tables(draw: st.DrawFn) -> bytes:
    """Tables of up to 60 rows, some cells nasty, line breaks of any kind, sometimes one byte mutated."""
    count = draw(st.integers(1, 60))
    rows = [row(i, s=draw(st.sampled_from([f"text {i}", f"a\nb {i}", f'say "{i}"', f"x,{i}"]))) for i in range(count)]
    for _ in range(draw(st.integers(0, 3))):
        rows[draw(st.integers(0, count - 1))][draw(st.integers(0, len(SCHEMA["fields"]) - 1))] = draw(NASTY)
    data = table(rows, ending=draw(st.sampled_from(["\n", "\r\n", "\r"])),
                 quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(MUTATIONS) + data[at + draw(st.integers(0, 2)):]
    return data


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=long_tables(), block_size=st.sampled_from([1, 7, 64, 200, 1000]))
def test_fast_and_strict_agree_on_tables_of_many_blocks(tmp_path_factory: pytest.TempPathFactory, data: bytes, block_size: int) -> None:
    both_ways(tmp_path_factory.mktemp("blocks"), data, block_size=block_size)


@settings(max_examples=EXAMPLES, deadline=None)
@given(texts=st.lists(st.text(alphabet="ab\x00é\n", max_size=4), max_size=40), cuts=st.lists(st.integers(0, 40), max_size=3))
def test_the_key_hash_never_calls_repeated_texts_different(texts: list[str], cuts: list[int]) -> None:
    """``_all_differ`` against Python's set: a repeat always answers False (then the exact check runs)."""
    import pyarrow as pa

    bounds = sorted({0, len(texts), *(min(c, len(texts)) for c in cuts)})
    chunks = [pa.array(["pad"] + texts[a:b], pa.large_string()).slice(1) for a, b in zip(bounds, bounds[1:])]  # offsets not at 0
    answer = fast._all_differ(pa.chunked_array(chunks, type=pa.large_string()))
    if len(set(texts)) < len(texts):
        assert answer is False
    else:
        assert answer is True  # a 64-bit collision among 40 short texts would be news


# -- a hostile review's cases (issue 28): both readers give one answer ---------------------------------------------
def test_a_pattern_re2_cannot_compile_is_matched_by_regex_in_both_readers(tmp_path: Path) -> None:
    """RE2 allows a repeat of at most 1,000: past it both readers match with `regex`, and agree."""
    schema = {"fields": [{"name": "id", "type": "string", "constraints": {"pattern": "[a-z][a-z0-9_]{0,1001}"}}, {"name": "pad"}],
              "primaryKey": ["id"]}
    ids = [f"k{n:06d}" for n in range(12_000)]  # past RE2_FROM distinct values, and past the fast path's MIN_BYTES
    text = "id,pad\n" + "".join(f"{i},{'x' * 30}\n" for i in ids)
    assert len(text) > fast.MIN_BYTES
    package = xborder_data.open(write_package(tmp_path, {"t": (text.encode(), schema)}))
    assert [row["id"] for row in package.records("t")] == ids
    assert package.load("t")["id"].tolist() == ids
    bad = write_package(tmp_path / "bad", {"t": ((text + "Bad,x\n").encode(), schema)})
    errors = []
    for read in (lambda p: p.records("t"), lambda p: p.load("t")):
        with pytest.raises(xborder_data.BadCellError) as caught:
            read(xborder_data.open(bad))
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "'Bad'" in errors[0]


def test_a_pattern_out_of_budget_in_the_fast_path_leaves_the_verdict_to_the_strict_reader(tmp_path: Path,
                                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path's matcher running out of time is a doubt: the strict reader meets the short row first."""
    from xborder_data.tableschema import rules

    schema = {"fields": [{"name": "id", "type": "string", "constraints": {"pattern": "[a-z0-9]+"}}, {"name": "v"}]}
    rows = [f"k{n},{'x' * 300}" for n in range(20_000)] + ["short"]  # two of the fast path's blocks; the short row in the second
    data = ("id,v\n" + "\n".join(rows) + "\n").encode()
    assert len(data) > fast.BLOCK_SIZE
    root = write_package(tmp_path, {"t": (data, schema)})
    with pytest.raises(xborder_data.BadCellError) as strict:
        xborder_data.open(root).records("t")

    def out_of_time(self: Any, texts: Any) -> bool:
        raise self.too_slow()

    monkeypatch.setattr(rules.PatternMatcher, "all_match", out_of_time)
    with pytest.raises(xborder_data.BadCellError) as loaded:
        xborder_data.open(root).load("t")
    assert str(loaded.value) == str(strict.value) and "row 20002" in str(strict.value)  # the header is row 1
