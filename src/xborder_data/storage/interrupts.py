"""Ctrl-C and SIGTERM during an output, by design rather than by luck.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread happens
to be, and a third-party finalizer (``regex``'s, openpyxl's) can swallow it:
the export then ran on and exited 0. So while an output is staged, both
signals are recorded here as well as raised; the staging code checks the
record at its safe points and before anything is moved into place, so a
signal, swallowed or not, always ends the output with the target untouched.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_received: list[int] = []  # the signals recorded while a guard is active
_depth = [0]
_deferring = [0]  # inside ``deferred()``: record only, raise when the block ends


class Interrupted(KeyboardInterrupt):
    """The user (SIGINT) or the system (SIGTERM) stopped an output; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _record(signum: int, frame: object) -> None:
    _received.append(signum)
    if not _deferring[0]:
        raise Interrupted(signum)


def _quiet_unraisable(hook):  # type: ignore[no-untyped-def]
    """An unraisable hook that drops our own Interrupted (recorded already) and passes on the rest."""
    def quiet(unraisable):  # type: ignore[no-untyped-def]
        if not isinstance(unraisable.exc_value, Interrupted):
            hook(unraisable)
    return quiet


def check() -> None:
    """Raise ``Interrupted`` when a signal arrived under the guard, even if the exception it raised was swallowed."""
    if _received:
        raise Interrupted(_received[0])


@contextmanager
def guard() -> Iterator[None]:
    """Record SIGINT and SIGTERM (and raise at once) until the block ends; nests, main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _depth[0] == 0:
        _received.clear()
        previous = {signum: signal.getsignal(signum) for signum in _SIGNALS}
        previous_hook = sys.unraisablehook
        # A finalizer that swallows the exception would print "Exception ignored in …" with a traceback.
        sys.unraisablehook = _quiet_unraisable(previous_hook)
        for signum in _SIGNALS:
            signal.signal(signum, _record)
    _depth[0] += 1
    try:
        yield
        if _depth[0] == 1:
            check()  # a signal whose exception a finalizer swallowed still ends the output in failure
    finally:
        _depth[0] -= 1
        if _depth[0] == 0:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            sys.unraisablehook = previous_hook


@contextmanager
def deferred() -> Iterator[None]:
    """Hold a signal back until the block ends (the final moves), then raise it.

    Recording in Python, not ``pthread_sigmask``: a process-directed signal goes to any thread
    that does not block it, and pyarrow's pools are such threads.
    """
    _deferring[0] += 1
    try:
        yield
    finally:
        _deferring[0] -= 1
    if not _deferring[0]:
        check()

