"""The files that make up the Data Package as downloaded, by relative path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xborder_data.package import DESCRIPTOR_NAME
from xborder_data.paths import resolve_inside

if TYPE_CHECKING:
    from xborder_data.package import Package


def package_files(package: "Package") -> dict[str, bytes]:
    """Return relative path -> bytes for datapackage.json, every data file and schema.

    Data files are read through the integrity check, so an export never
    passes on a corrupted file.
    """
    files = {DESCRIPTOR_NAME: package.package_path().read_bytes()}
    descriptor = package.descriptor()
    for entry in descriptor["resources"]:
        name = entry["name"]
        files[entry["path"]] = package.read_bytes(name)
        if isinstance(entry.get("schema"), str):
            files[entry["schema"]] = resolve_inside(package.root, entry["schema"], resource=name).read_bytes()
    return files
