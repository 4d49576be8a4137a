"""Printing safely: control characters made visible, any console encoding, OS errors as one line."""

from __future__ import annotations

import errno
import io
import os
import re
import sys

# C0 and C1 controls, DEL, and the bidirectional overrides that can reorder what a reader sees.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Inside JSON text these can only occur in strings, where \\uXXXX means the same character.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
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
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _CONTROL.sub(escape, text)


def json_text(text: str) -> str:
    """Escape DEL, C1 controls and bidi overrides in JSON text (json.dumps leaves them raw)."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


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
