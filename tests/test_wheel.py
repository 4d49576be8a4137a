"""The built wheel carries its data and loads it outside the repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import xborder_data

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH: it builds the wheel")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(out), str(REPO)], check=True, capture_output=True)
    return next(out.glob("xborder_data-*.whl"))


def test_the_wheel_contains_the_package_data_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "xborder_data/_package/datapackage.json" in names
    assert "xborder_data/py.typed" in names
    assert "xborder_data/releases.json" in names
    for name in xborder_data.resources():
        resource = next(r for r in xborder_data.descriptor()["resources"] if r["name"] == name)
        assert f"xborder_data/_package/{resource['path']}" in names
        assert f"xborder_data/_package/{resource['schema']}" in names


def test_the_installed_wheel_loads_every_resource_like_the_repository(wheel: Path, tmp_path: Path) -> None:
    uv = shutil.which("uv")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    # A truly clean environment: the wheel and only the dependencies it declares.
    install = subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], capture_output=True, text=True)
    if install.returncode != 0 and "network" in install.stderr.lower():
        pytest.skip(f"the wheel's dependencies cannot be downloaded here: {install.stderr.strip()[:200]}")
    assert install.returncode == 0, install.stderr
    script = (
        "import json, sys, xborder_data\n"
        "from pathlib import Path\n"
        "root = xborder_data.package_path().parent\n"
        "assert 'site-packages' in str(root), root\n"
        "frames = {n: xborder_data.load(n) for n in xborder_data.resources()}\n"
        "out = {n: [f.to_json(orient='split', date_format='iso'), f.dtypes.astype(str).tolist()] for n, f in frames.items()}\n"
        "out['__version__'] = xborder_data.__version__\n"
        "out['__root__'] = str(root)\n"
        "out['__release__'] = xborder_data.compare_with_release().summary()\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [str(python), "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded.pop("__version__") == xborder_data.__version__
    assert not Path(loaded.pop("__root__")).is_relative_to(REPO)
    assert loaded.pop("__release__").startswith(f"identical to release {xborder_data.__version__}")
    for name in xborder_data.resources():
        frame = xborder_data.load(name)
        assert loaded[name] == [frame.to_json(orient="split", date_format="iso"), frame.dtypes.astype(str).tolist()], name
