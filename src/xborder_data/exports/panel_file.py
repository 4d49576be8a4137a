"""One panel (or any table the user asked for) written to the user's own file, all or nothing.

``xborder-data panel -o FILE`` writes here: the output path is checked by
``storage.outputs.output_file`` (a file, not a folder, a link or one of the
package's files), the file is built in a staging folder and moved in only when
complete, and the name is the user's own, so metadata's naming rules do not apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.storage.outputs import output_file
from xborder_data.storage.staging import write_staged

if TYPE_CHECKING:
    from xborder_data.package import Package


def write_bytes_file(package: "Package", target: str, data: bytes, *, force: bool) -> Path:
    """Write ``data`` to ``target`` all or nothing (never over a file without ``force``)."""
    path = output_file(package, target)

    def write(staged: Path) -> None:
        staged.write_bytes(data)

    write_staged({path: write}, path.parent, force=force, user_named=True)
    return path


def _calendar_dates(frame: Any) -> Any:
    """``frame`` with its date columns as ``datetime.date`` objects: Parquet stores date32, xlsx a date, never a midnight timestamp."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column].dtype):
            out[column] = out[column].dt.date.astype(object).where(out[column].notna(), None)
    return out


def write_frame_file(package: "Package", target: str, frame: Any, fmt: str, *, force: bool, title: str,
                     labels: dict[str, str]) -> Path:
    """Write a panel DataFrame as ``fmt`` (dta, parquet or xlsx) to ``target``, all or nothing (``labels``: Stata's variable labels)."""
    path = output_file(package, target)

    def write(staged: Path) -> None:
        if fmt == "dta":
            from xborder_data.exports.to_dta import write_panel

            write_panel(frame, staged, package, title, labels)
            return
        dated = _calendar_dates(frame)  # calendar dates, not timestamps at midnight
        if fmt == "parquet":
            dated.to_parquet(staged, index=False)
        else:
            from xborder_data.exports.to_xlsx import write_frame

            write_frame(dated, staged, "panel")  # the export's sheet writer: a cell is never a formula

    write_staged({path: write}, path.parent, force=force, user_named=True)  # the user's own name, not metadata's
    return path
