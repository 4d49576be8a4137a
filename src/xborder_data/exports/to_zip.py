"""zip: the Data Package as one archive that ``frictionless validate`` accepts as is."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from xborder_data.exports._files import Writers

if TYPE_CHECKING:
    from xborder_data.package import Package

# A fixed timestamp makes the archive byte-for-byte reproducible.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME-VERSION.zip`` holding datapackage.json, data/ and schemas/ at its root."""
    files = package.files()

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for relative, data in files.items():
                info = zipfile.ZipInfo(relative, date_time=_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)

    name = package.descriptor().get("name", "xborder-data")
    return {outdir / f"{name}-{package.version}.zip": write}
