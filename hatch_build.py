"""Put the Data Package inside regular wheels, never inside editable ones."""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE_FILES = {
    "datapackage.json": "xborder_data/_package/datapackage.json",
    "data": "xborder_data/_package/data",
    "schemas": "xborder_data/_package/schemas",
    "DATASHEET.md": "xborder_data/_package/DATASHEET.md",
}


class DataPackageHook(BuildHookInterface):
    """Copies the root-level package into the wheel under xborder_data/_package."""

    def initialize(self, version: str, build_data: dict) -> None:
        # An editable install must read the repository's own files: one copy only.
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update(PACKAGE_FILES)
