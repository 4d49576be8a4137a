"""Printing safely: control characters made visible, any console encoding, OS errors as one line."""

from __future__ import annotations

import errno
import io
import os
import re
import sys
from typing import Any

# Unicode's format characters (category Cf: bidi marks and overrides, zero-width
# spaces and joiners, the BOM, tag characters…), line and paragraph separators
# (Zl, Zp) and lone surrogates: invisible, yet they reorder, hide or break text.
# The list is Unicode 15's; a test checks it against unicodedata.
INVISIBLE = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\ud800-\udfff"
)
# C0 and C1 controls, DEL, and every invisible character above.
CONTROL_CLASS = "\x00-\x1f\x7f-\x9f" + INVISIBLE
_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Inside JSON text these can only occur in strings, where \\uXXXX means the same character
# (json.dumps escapes C0 itself).
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{INVISIBLE}]")
_REMEDIES = {
    errno.ENOSPC: "free some space or choose another folder",
    errno.EDQUOT: "free some space or choose another folder",
    errno.EROFS: "the file system is read-only; choose another folder",
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EISDIR: "a folder is in the way; choose another path",
    errno.ENOENT: "check the path",
    errno.EPIPE: "the output was closed early",
}

__all__ = ["configure_streams", "json_text", "os_error_message", "printable", "silence_stdout"]


def printable(text: str) -> str:
    """Return ``text`` with control characters shown as escapes, so a terminal runs none of them.

    Example:
        >>> printable("red\\x1b[31m")
        'red\\\\x1b[31m'
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    return _CONTROL.sub(escape, text)


def json_text(text: str) -> str:
    """Escape DEL, C1 controls and bidi overrides in JSON text (json.dumps leaves them raw)."""
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code < 0x10000:
            return f"\\u{code:04x}"
        code -= 0x10000  # JSON writes an astral character as its UTF-16 surrogate pair
        return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"

    return _JSON_UNSAFE.sub(escape, text)


def configure_streams() -> None:
    """Never fail on a character the console cannot show; keep redirected output UTF-8.

    A console gets replacement characters; a file or pipe gets UTF-8 whatever
    the locale, so a redirected CSV is the same on every system.
    """
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            if stream is sys.stdout and not stream.isatty():
                stream.reconfigure(encoding="utf-8", errors="strict")
            else:
                stream.reconfigure(errors="replace")
        except (OSError, ValueError):
            continue


def os_error_message(error: OSError) -> str:
    """One line for an operating-system error: the path, what went wrong and what to do."""
    where = f"{error.filename}: " if error.filename else ""
    if error.filename2:
        where = f"{error.filename} -> {error.filename2}: "
    reason = error.strerror or str(error) or type(error).__name__
    remedy = _REMEDIES.get(error.errno or 0)
    return " ".join(f"{where}{reason}{'; ' + remedy if remedy else ''}".split())


def silence_stdout() -> None:
    """Point stdout at /dev/null, so Python's final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


# -- aligned tables (show, lookup) ----------------------------------------------------------
CELL_WIDTH = 40
MIN_COLUMN_WIDTH = 8  # narrower cells show too little to read: leave columns out instead


def _width(text: str) -> int:
    """Terminal columns of ``text``, as rich measures them: Chinese characters take two, combining marks none."""
    from rich.cells import cell_len

    return cell_len(text)


def _cut(text: str, width: int | None) -> str:
    """``text`` on one line, cut to ``width`` terminal columns with an ellipsis (None: never cut)."""
    text = " ".join(text.split())
    if width is None or _width(text) <= width:
        return text
    kept, used = "", 0
    for char in text:
        used += _width(char)
        if used > width - 1:
            break
        kept += char
    return kept + "…"


def _fit(widths: list[int], room: int, gap: int) -> list[int]:
    """Narrow ``widths`` to fit ``room`` terminal columns, dropping columns on the right when even the narrowest do not fit.

    Every column is capped at the largest width that fits, so the widest give way first.
    """
    shown = len(widths)
    while shown > 1 and shown * MIN_COLUMN_WIDTH + (shown - 1) * gap > room:
        shown -= 1
    kept = widths[:shown]
    budget = room - (shown - 1) * gap
    cap = max(kept)
    while cap > MIN_COLUMN_WIDTH and sum(min(w, cap) for w in kept) > budget:
        cap -= 1
    return [min(w, cap) for w in kept]


def text_table(rows: list[dict[str, Any]], columns: list[str], room: int | None) -> tuple[str, int]:
    """Render ``rows`` as aligned text within ``room`` terminal columns (None: no limit, no cut).

    Returns the text and how many of the columns it shows.
    """
    gap = 2

    def pad(text: str, width: int) -> str:
        return text + " " * (width - _width(text))

    limit = None if room is None else CELL_WIDTH
    from xborder_data.tableschema.writing import csv_text

    cells = [[_cut(printable(csv_text(row[column])), limit) for column in columns] for row in rows]
    columns = [printable(column) for column in columns]
    widths = [max([_width(column)] + [_width(line[i]) for line in cells]) for i, column in enumerate(columns)]
    if room is not None:
        widths = _fit(widths, room, gap)
    shown = len(widths)
    header = [_cut(column, width) for column, width in zip(columns, widths)]
    body = [[_cut(cell, width) for cell, width in zip(line, widths)] for line in cells]
    lines = [(" " * gap).join(pad(text, w) for text, w in zip(header, widths)).rstrip()]
    lines.append((" " * gap).join("-" * w for w in widths))
    lines += [(" " * gap).join(pad(text, w) for text, w in zip(line, widths)).rstrip() for line in body]
    return "\n".join(lines), shown
