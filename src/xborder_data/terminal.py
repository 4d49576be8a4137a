"""Printing safely: control characters made visible, any console encoding, OS errors as one line."""

from __future__ import annotations

import errno
import io
import os
import re
import sys
from collections.abc import Sequence

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

__all__ = ["configure_streams", "json_text", "os_error_message", "printable", "silence_stdout", "terminal_room", "text_table"]


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
CELL_WIDTH = 40  # a longer cell is cut with "…" (--wide and -f csv give it whole)
MIN_COLUMN_WIDTH = 8  # narrower cells show too little to read: leave columns out instead
GAP = 2  # blanks between columns (tabulate's "simple" layout)
HEADER_PADDING = 2  # tabulate makes a column this much wider than its header (its MIN_PADDING)


def terminal_room(wide: bool) -> int | None:
    """The columns a table may fill: no limit with ``wide`` or when stdout is not a terminal
    (a pipe or file gets every cell whole), unless the COLUMNS variable sets one; else the terminal's width."""
    if wide or ("COLUMNS" not in os.environ and not sys.stdout.isatty()):
        return None
    import shutil  # only a table in a terminal needs it: not imported at start-up

    return shutil.get_terminal_size().columns


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal columns, ending in "…" when cut (wcwidth's widths)."""
    from wcwidth import wcswidth, wcwidth

    if wcswidth(text) <= width:
        return text
    kept, used = [], 1  # room for the ellipsis
    for char in text:
        used += max(wcwidth(char), 0)
        if used > width:
            break
        kept.append(char)
    return "".join(kept) + "…"


def text_table(rows: Sequence[Sequence[str]], columns: Sequence[str], room: int | None) -> tuple[str, int]:
    """Render text ``rows`` as a plain, aligned table that fits ``room`` terminal columns.

    tabulate draws it (its "simple" layout: a rule of dashes under the header, two
    blanks between columns), measuring wide and combining characters with wcwidth.
    Each value goes through printable() first. With ``room`` None nothing is cut or
    left out; otherwise cells are cut at CELL_WIDTH, the columns with most to spare give way
    first, and the columns on the right that cannot get MIN_COLUMN_WIDTH are left out.

    Returns the text and how many of the columns it shows.
    """
    from tabulate import tabulate
    from wcwidth import wcswidth

    lines = [[" ".join(printable(text).split()) for text in line] for line in [columns, *rows]]
    shown = len(columns)
    if room is not None:
        widths = [min(max([wcswidth(lines[0][i]) + HEADER_PADDING, *(wcswidth(line[i]) for line in lines[1:])]), CELL_WIDTH)
                  for i in range(shown)]
        needs = [min(width, MIN_COLUMN_WIDTH) for width in widths]
        while shown > 1 and sum(needs[:shown]) + (shown - 1) * GAP > room:
            shown -= 1
        widths = widths[:shown]
        while sum(widths) + (shown - 1) * GAP > room:  # the column with most to spare gives way first
            widest = max(range(shown), key=lambda i: widths[i] - needs[i])
            if widths[widest] <= needs[widest]:
                break
            widths[widest] -= 1
        header = [_cut(text, max(width - HEADER_PADDING, 1)) for text, width in zip(lines[0], widths)]
        lines = [header, *([_cut(text, width) for text, width in zip(line, widths)] for line in lines[1:])]
    table = tabulate([line[:shown] for line in lines[1:]], headers=lines[0][:shown], tablefmt="simple",
                     disable_numparse=True, stralign="left")
    return "\n".join(line.rstrip() for line in table.splitlines()), shown
