"""The `xborder-data` entry point when its standard streams are not what a command expects."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.skipif(os.name != "posix", reason="closing a child's stdout needs POSIX")
@pytest.mark.parametrize("args", [(), ("list",), ("show", "stages")])
def test_a_closed_stdout_is_one_error_line(args: tuple[str, ...]) -> None:
    done = subprocess.run([sys.executable, "-m", "xborder_data", *args], stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: os.close(1), timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["Error: standard output is closed; redirect it to a file or to /dev/null instead."]
