"""Where the bundled Data Package lives: inside a wheel, or at the repository root."""

from __future__ import annotations

from pathlib import Path

from xborder_data.errors import DescriptorError

DESCRIPTOR_NAME = "datapackage.json"


def bundled_root() -> Path:
    """Return the folder that holds the bundled datapackage.json.

    An installed wheel carries the package under ``xborder_data/_package``. An
    editable install (what ``uv run`` uses in a clone) has no copy: it reads the
    repository root, two levels above the package folder, so there is only ever
    one copy of the data.

    Raises:
        DescriptorError: when neither location holds a descriptor.
    """
    package = Path(__file__).resolve().parent.parent  # xborder_data/, on disk (a wheel is installed unzipped)
    for candidate in (package / "_package", package.parent.parent):
        if (candidate / DESCRIPTOR_NAME).is_file():
            return candidate.resolve()
    raise DescriptorError(
        f"{DESCRIPTOR_NAME}: not found inside the installed package or at the repository root; "
        "reinstall xborder-data, or call xborder_data.open(PATH) on a downloaded copy."
    )
