"""shape_is_regular must answer exactly as the plain full-text rule it speeds up."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from xborder_data.csvtext import _unquoted_counts, shape_is_regular

_QUOTED = re.compile(rb'"(?:[^"]|"")*"')


def reference(data: bytes, width: int, data_rows: int) -> bool:
    """The rule as first written: strip quoted cells from the whole text, then count."""
    bare = _QUOTED.sub(b"", data)
    lines = bare.count(b"\n") + (0 if bare.endswith(b"\n") else 1)
    return lines == data_rows + 1 and bare.count(b",") == (width - 1) * (data_rows + 1)


def _counts_that_match(data: bytes) -> list[tuple[int, int]]:
    """(width, rows) pairs that make the reference say True, plus near misses."""
    bare = _QUOTED.sub(b"", data)
    lines = bare.count(b"\n") + (0 if bare.endswith(b"\n") else 1)
    rows = max(lines - 1, 0)
    width = bare.count(b",") // max(lines, 1) + 1
    return [(width, rows), (width + 1, rows), (width, rows + 1), (max(width - 1, 1), rows)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"xy", b",", b"\n", b'"', b'""', b'","', b"\xe4\xb8\x87"]), max_size=40))
def test_shape_matches_reference(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    for width, rows in _counts_that_match(data):
        assert shape_is_regular(data, width, rows) == reference(data, width, rows), (data, width, rows)


def test_regular_file_with_quoted_cells() -> None:
    data = b'a,b\n"x, ""y""",z\n"multi\nline",w\n'
    assert shape_is_regular(data, 2, 2)
    assert not shape_is_regular(data + b"short\n", 2, 3)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=60).map(lambda raw: bytes(b'",\nx'[byte % 4] for byte in raw)), st.integers(1, 7))
def test_counts_do_not_depend_on_the_chunk_size(skeleton: bytes, chunk: int) -> None:
    assert _unquoted_counts(skeleton, chunk=chunk) == _unquoted_counts(skeleton)
