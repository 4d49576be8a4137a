"""zip: the Data Package as one archive that ``frictionless validate`` accepts as is.

Folders get their own entries (``data/``, ``schemas/``), which some readers need
to find the files; every entry has a fixed timestamp, so the bytes are reproducible.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from xborder_data.exports._files import Writers, package_name, package_version
from xborder_data.storage.names import check_relative

if TYPE_CHECKING:
    from xborder_data.package import Package

_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16
_DIR_MODE = (0o040755 << 16) | 0x10  # Unix mode plus the MS-DOS directory bit


def entries(files: dict[str, bytes]) -> list[tuple[str, bytes | None]]:
    """Archive entries in writing order: each folder (data None) just before its first file."""
    out: list[tuple[str, bytes | None]] = []
    seen: set[str] = set()
    for relative, data in files.items():
        parents = list(PurePosixPath(check_relative(relative, what="resource path").as_posix()).parents)[:-1]
        for folder in reversed(parents):
            name = folder.as_posix() + "/"
            if name not in seen:
                seen.add(name)
                out.append((name, None))
        out.append((relative, data))
    return out


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME-VERSION.zip`` holding datapackage.json, data/ and schemas/ at its root."""
    planned = entries(package.files())
    target = outdir / f"{package_name(package)}-{package_version(package)}.zip"

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in planned:
                info = zipfile.ZipInfo(name, date_time=_EPOCH)
                if data is None:
                    info.external_attr = _DIR_MODE
                    archive.writestr(info, b"")
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = _FILE_MODE
                    archive.writestr(info, data)

    return {target: write}
