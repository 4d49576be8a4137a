"""Ctrl-C and SIGTERM during an export hold wherever they land (storage/interrupts.py).

No timer: a driver runs the real CLI in a child process and sends the signal to itself at a
chosen call inside the export (a library frame, openpyxl's cell writer, a zip close, a finalizer
that swallows the exception), so every point is reached on a loaded machine as on a quiet one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

DRIVER = r'''
import os, signal, sys, zipfile
import openpyxl.worksheet._writer as sheet_writer
import xborder_data.storage.staging as staging
from xborder_data.cli import main

point, signum = sys.argv[1], int(sys.argv[2])
# As at a terminal: a job started in the background of a script (`cmd &`, nohup, some CI runners) inherits
# SIGINT ignored, and Python then installs no handler, so a Ctrl-C before the output's guard would be lost.
signal.signal(signal.SIGINT, signal.default_int_handler)
count = int(point.split(":")[1]) if ":" in point else 1
calls = [0]

def hit():
    calls[0] += 1
    if calls[0] == count:
        os.kill(os.getpid(), signum)

class Swallower:  # a finalizer that swallows what the signal raises, as regex's Group.__del__ did
    def __del__(self):
        os.kill(os.getpid(), signum)
        for _ in range(1000):  # the handler runs here; its exception stops at __del__
            pass

def wrap(owner, name, before=True):
    original = getattr(owner, name)
    def wrapped(*args, **kwargs):
        if before:
            hit()
        result = original(*args, **kwargs)
        if not before:
            hit()
        return result
    setattr(owner, name, wrapped)

kind = point.split(":")[0]
if kind == "staging":
    wrap(staging, "_new_staging", before=False)
elif kind == "cell":
    wrap(sheet_writer, "write_cell")
elif kind == "sheet":
    import xborder_data.exports.to_xlsx as to_xlsx
    wrap(to_xlsx._SheetWriter, "finish")
elif kind == "zip":
    wrap(zipfile.ZipFile, "close")
elif kind == "finalizer":
    original = sheet_writer.write_cell
    seen = [0]
    def swallowing(*args, **kwargs):
        seen[0] += 1
        if seen[0] == count:
            Swallower()  # created and dropped at once: __del__ runs now
        return original(*args, **kwargs)
    sheet_writer.write_cell = swallowing
elif kind == "read":
    import xborder_data.package as package
    wrap(package.Package, "records")
elif kind == "render":
    import jinja2
    wrap(jinja2.Template, "render")
command = ["site", sys.argv[4] + "/site"] if kind == "render" else ["export", "xlsx", sys.argv[4]]
sys.argv = ["xborder-data", "--package", sys.argv[3], *command]
main()
'''

# Ten points, each in another phase of the export. A swallowed signal and the zip close each cost a whole
# export (the record is checked when the workbook is done), so each is reached once; SIGINT and SIGTERM
# take one code path (interrupts._record), so each phase needs one of them.
POINTS = [
    ("read", signal.SIGINT),  # before any output exists
    ("staging", signal.SIGTERM),  # the staging folder was just made
    ("sheet:1", signal.SIGTERM),  # the workbook open, its first sheet about to stream
    ("cell:1", signal.SIGINT),
    ("cell:2000", signal.SIGTERM),
    ("sheet:7", signal.SIGINT),  # between sheets: market_figures' 40,000 rows read and measured, none streamed
    ("cell:30000", signal.SIGINT),
    ("cell:150000", signal.SIGTERM),  # deep in the 40,000-row sheet
    ("finalizer:500", signal.SIGINT),  # the exception is swallowed: the record still stops the export
    ("zip:1", signal.SIGTERM),  # inside the xlsx's final zip close
]
SITE_POINTS = [("render:1", signal.SIGTERM), ("render:3", signal.SIGINT)]


@pytest.fixture(scope="module")
def big_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid copy with 40,000 market figures (bench/synth.py)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import synth
    finally:
        sys.path.remove(str(REPO / "bench"))
    return synth.build(REPO, tmp_path_factory.mktemp("big") / "pkg", 40_000)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"") for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize(("point", "signum"), POINTS, ids=[f"{p}-{signal.Signals(s).name}" for p, s in POINTS])
def test_a_signal_anywhere_in_an_export_leaves_the_target_as_it_was(tmp_path: Path, big_package: Path, point: str, signum: int) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "keep.txt").write_text("mine", encoding="utf-8")
    before = _tree(tmp_path)
    result = subprocess.run([sys.executable, "-c", DRIVER, point, str(int(signum)), str(big_package), str(outdir)],
                            capture_output=True, timeout=600, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 128 + signum, (result.returncode, stderr)
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1 and signal.Signals(signum).name in stderr, stderr
    assert _tree(tmp_path) == before  # no file placed, no staging folder left behind


@pytest.mark.parametrize(("point", "signum"), SITE_POINTS, ids=[f"{p}-{signal.Signals(s).name}" for p, s in SITE_POINTS])
def test_a_signal_in_a_site_build_leaves_nothing(tmp_path: Path, point: str, signum: int) -> None:
    result = subprocess.run([sys.executable, "-c", DRIVER, point, str(int(signum)), str(REPO), str(tmp_path)],
                            capture_output=True, timeout=600)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 128 + signum, (result.returncode, stderr)
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert list(tmp_path.iterdir()) == []
