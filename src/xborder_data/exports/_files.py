"""What every exporter shares: the plan of files, and names built from metadata.

Writing itself is ``xborder_data.storage.staging.write_staged``: all files are built in a
staging folder beside OUTDIR and moved in only when every one is complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from xborder_data.storage.names import check_component

if TYPE_CHECKING:
    from xborder_data.package import Package
    from xborder_data.tableschema.descriptor import FieldSpec

# Final path -> function that writes the complete file at the path it is given.
Writers = dict[Path, Callable[[Path], None]]


def resource_file(outdir: Path, name: str, suffix: str) -> Path:
    """``OUTDIR/NAME.suffix`` for a resource, refusing a name that is not one safe component."""
    return outdir / f"{check_component(name, what='resource name')}{suffix}"


def package_name(package: "Package") -> str:
    """The descriptor's ``name`` (default ``xborder-data``), checked to be one safe component."""
    return check_component(package.descriptor().get("name", "xborder-data"), what="package name")


def package_version(package: "Package") -> str:
    """The descriptor's ``version``, checked to be one safe component."""
    return check_component(package.version, what="package version")


def _zh(package: "Package", resource: str, field_name: str) -> dict[str, str]:
    """The field's ``zh`` object (``{"title", "description"}``) from its schema, or {} when absent or malformed."""
    for raw in package.table_schema(resource).raw.get("fields", []):
        if isinstance(raw, dict) and raw.get("name") == field_name:
            zh = raw.get("zh")
            if isinstance(zh, dict):
                return {key: value.strip() for key, value in zh.items() if isinstance(key, str) and isinstance(value, str) and value.strip()}
    return {}


def field_title(package: "Package", resource: str, spec: "FieldSpec", lang: str = "en", *, fallback: bool = True) -> str:
    """The field's title in ``lang`` ("en" or "zh"); a field without a Chinese title gives its English one (or "" without ``fallback``)."""
    if lang == "zh":
        title = str(getattr(spec, "title_zh", "") or "").strip() or _zh(package, resource, spec.name).get("title", "")
        if title or not fallback:
            return title
    return spec.title


def field_description(package: "Package", resource: str, spec: "FieldSpec", lang: str = "en") -> str:
    """The field's description in ``lang``, falling back to the English one."""
    if lang == "zh":
        text = str(getattr(spec, "description_zh", "") or "").strip() or _zh(package, resource, spec.name).get("description", "")
        if text:
            return text
    return spec.description


def resource_text(package: "Package", name: str, key: str, lang: str = "en") -> str:
    """The resource's ``title`` or ``description`` in ``lang`` (its ``zh`` object when asked and present), else English."""
    if lang == "zh":
        accessor = str(getattr(package.resource(name), f"{key}_zh", "") or "").strip()
        if accessor:
            return accessor
        entry = next((r for r in package.descriptor().get("resources", []) if isinstance(r, dict) and r.get("name") == name), {})
        zh = entry.get("zh")
        if isinstance(zh, dict) and isinstance(zh.get(key), str) and zh[key].strip():
            return str(zh[key]).strip()
    return str(getattr(package.resource(name), key, "") or "")
