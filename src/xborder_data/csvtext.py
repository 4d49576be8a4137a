"""Checks shared by both readers: decoding, the header and the row shape."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterator

from xborder_data.metadata import TableSchema
from xborder_data.errors import BadCellError, HeaderMismatchError

_QUOTED = re.compile(rb'"(?:[^"]|"")*"')
_NOT_STRUCTURAL = bytes(byte for byte in range(256) if byte not in b'",\n')


def decode(data: bytes, path: Path) -> str:
    """Decode UTF-8 strictly, naming the offending byte offset on failure."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise BadCellError(f"{path}: starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadCellError(
            f"{path}: byte {error.start} is not valid UTF-8 ({data[error.start:error.start + 4]!r}); "
            "re-save the file as UTF-8 or download it again."
        ) from None


def rows(text: str, path: Path) -> Iterator[list[str]]:
    """Yield the CSV rows of ``text`` (RFC 4180), header first."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as error:
        raise BadCellError(f"{path}, row {reader.line_num}: malformed CSV ({error}); fix the quoting.") from None


def check_header(header: list[str], schema: TableSchema, path: Path) -> None:
    """Raise HeaderMismatchError unless ``header`` equals the schema's field names in order."""
    expected = schema.field_names
    if header == expected:
        return
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if missing or extra:
        detail = f"missing {missing}" if missing else ""
        detail += ("; " if missing and extra else "") + (f"unexpected {extra}" if extra else "")
    else:
        detail = f"columns out of order: found {header}"
    raise HeaderMismatchError(
        f"{path}, row 1 (header): {detail}; expected {expected}. "
        "Restore the header from the schema, or download the release again."
    )


def cell_error(path: Path, row: int, field: str, value: object, problem: str) -> BadCellError:
    """Build the BadCellError for one cell; ``row`` counts the header as row 1."""
    return BadCellError(
        f"{path}, row {row}, field {field!r}: value {value!r} {problem}; "
        "correct the cell or download the release again."
    )


def first_bad_row(text: str, width: int, path: Path) -> BadCellError | None:
    """Return an error for the first row whose cell count differs from ``width``."""
    for number, row in enumerate(rows(text, path), start=1):
        if len(row) != width:
            return BadCellError(
                f"{path}, row {number}: has {len(row)} cells but the schema has {width} fields; "
                "fix the row or download the release again."
            )
    return None


def shape_is_regular(data: bytes, width: int, data_rows: int) -> bool:
    """Tell, at C speed, whether every line has ``width`` cells.

    Quoted cells are removed first, so the remaining commas and line feeds are
    exactly the delimiters: a short row shows as a missing comma.
    """
    # Only quotes, commas and line feeds decide the answer, and the skeleton of
    # just those bytes is about a tenth of the file. With an even number of
    # quotes, _QUOTED removes from each opening quote to the end of the next odd
    # run of quotes: a byte is quoted exactly when an odd number of quotes
    # precede it, which numpy counts fast. An odd number (a malformed file)
    # keeps the regular expression on the full text.
    skeleton = data.translate(None, _NOT_STRUCTURAL)
    if skeleton.count(b'"') % 2:
        bare = _QUOTED.sub(b"", data)
        commas, line_feeds, ends_with_newline = bare.count(b","), bare.count(b"\n"), bare.endswith(b"\n")
    else:
        commas, line_feeds = _unquoted_counts(skeleton)
        ends_with_newline = _last_bare_byte_is_newline(data)
    lines = line_feeds + (0 if ends_with_newline else 1)
    return lines == data_rows + 1 and commas == (width - 1) * (data_rows + 1)


def _unquoted_counts(skeleton: bytes, chunk: int = 1 << 22) -> tuple[int, int]:
    """Count the commas and line feeds outside quotes, by the parity of the quotes before each byte."""
    import numpy as np

    codes = np.frombuffer(skeleton, dtype=np.uint8)
    commas = line_feeds = 0
    carry = 0
    for start in range(0, len(codes), chunk):  # chunks bound the temporary arrays
        part = codes[start : start + chunk]
        parity = np.cumsum(part == 0x22, dtype=np.uint8)  # wraps at 256; only the low bit is used
        parity += carry
        parity &= 1
        carry = int(parity[-1])
        outside = parity == 0
        commas += int(np.count_nonzero((part == 0x2C) & outside))
        line_feeds += int(np.count_nonzero((part == 0x0A) & outside))
    return commas, line_feeds


def _last_bare_byte_is_newline(data: bytes) -> bool:
    """Whether ``data`` without its quoted cells ends with a line feed (needs an even quote count)."""
    if not data.endswith(b'"'):
        return data.endswith(b"\n")
    # The last quoted cell runs to the end. It opens at the last quote that starts
    # a run of quotes and has an even number of quotes from itself to the end.
    end, seen = len(data), 0
    while True:
        quote = data.rfind(b'"', 0, end)
        seen += 1
        if seen % 2 == 0 and (quote == 0 or data[quote - 1] != 0x22):
            return quote > 0 and data[quote - 1] == 0x0A
        end = quote
