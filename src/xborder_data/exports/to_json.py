"""json: one file of records per table, plus the descriptor."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from xborder_data.exports._files import Writers

if TYPE_CHECKING:
    from xborder_data.package import Package


def _default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _writer(content: Any) -> Callable[[Path], None]:
    # Bind the content now: the plan is built before anything is written.
    text = json.dumps(content, ensure_ascii=False, indent=2, default=_default) + "\n"

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME.json`` (a list of objects; dates as YYYY-MM-DD) per table and ``descriptor.json``."""
    plan: Writers = {outdir / f"{name}.json": _writer(package.records(name)) for name in package.resources()}
    # Not named datapackage.json: its resource paths point at CSVs this folder lacks.
    plan[outdir / "descriptor.json"] = _writer(package.descriptor())
    return plan
