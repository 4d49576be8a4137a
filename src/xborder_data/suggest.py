"""'Did you mean' for names a user mistypes, such as a resource name."""

from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return "did you mean 'x'? " for the closest of ``choices``, or "" when none is close.

    Example:
        >>> did_you_mean("platform", ["stages", "platforms"])
        "did you mean 'platforms'? "
        >>> did_you_mean("zzz", ["stages", "platforms"])
        ''
    """
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(name.lower(), list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def unknown_name_message(kind: str, name: str, choices: Iterable[str]) -> str:
    """Return the one-line message for an unknown ``kind`` called ``name``, with a suggestion.

    Example:
        >>> unknown_name_message("resource", "platform", ["stages", "platforms"])
        "unknown resource 'platform'; did you mean 'platforms'? valid names are: stages, platforms"
    """
    names = list(choices)
    return f"unknown {kind} {name!r}; {did_you_mean(name, names)}valid names are: {', '.join(names)}"
