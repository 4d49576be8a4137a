"""dta: one Stata 118 file per table, plus the balanced DID panel.

Variable labels are the schema's field titles; enum fields become labelled
integers (value labels are the enum's values), and ``batch`` carries a value
label per batch. Text stays Unicode (Stata 14 and later read it as UTF-8).
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, cast

from xborder_data.exports._files import Writers, resource_file
from xborder_data.research.did import has_panel

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package

STATA_LABEL = 80  # Stata's limit on a variable or data label
STATA_STR = 2045  # longer text needs strL
# A fixed time stamp keeps every export byte-reproducible, as the other formats are.
FIXED_TIME = datetime(2000, 1, 1)


def stata_frame(frame: "pd.DataFrame") -> tuple["pd.DataFrame", list[str], dict[str, str]]:
    """Return ``frame`` in types Stata stores, the columns that need strL, and each date column's Stata format."""
    import pandas as pd

    out = frame.copy()
    long_text: list[str] = []
    dates: dict[str, str] = {}
    for column in out.columns:
        dtype = str(out[column].dtype)
        if dtype in ("Int64", "Int32", "int64"):
            # Stata's long holds 32 bits and its own missing value '.': wider values go to double.
            values = out[column]
            fits = values.dropna().abs().max() < 2**31 - 27 if values.notna().any() else True  # the top 27 codes are Stata's missing values
            out[column] = values.astype("Int32") if fits else values.astype("float64")
        elif dtype == "boolean" or dtype == "bool":
            out[column] = out[column].astype("float64") if out[column].isna().any() else out[column].astype("int8")
        elif isinstance(out[column].dtype, pd.CategoricalDtype):
            continue
        elif dtype.startswith("datetime"):
            # A Table Schema date (always midnight) is a Stata daily date (%td), so no dofc() is needed.
            values = out[column].dropna()
            dates[column] = "td" if (values == values.dt.normalize()).all() else "tc"
        elif out[column].dtype == object or dtype.startswith("string"):
            text = out[column].astype(object).where(out[column].notna(), "")
            out[column] = text.map(lambda v: v if isinstance(v, str) else str(v))
            if max((len(v.encode("utf-8")) for v in out[column]), default=0) > STATA_STR:
                long_text.append(column)
    return out, long_text, dates


def write_stata(frame: "pd.DataFrame", path: Path, labels: dict[str, str], title: str, value_labels: dict[str, dict[int, str]] | None = None) -> None:
    """Write ``frame`` as Stata 118 with variable labels, value labels and a data label."""
    out, long_text, dates = stata_frame(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns that strL columns are not labelled; they are
        out.to_stata(
            path,
            write_index=False,
            version=118,
            variable_labels={c: labels.get(c, c)[:STATA_LABEL] for c in out.columns},
            data_label=title[:STATA_LABEL],
            convert_strl=long_text,
            convert_dates=cast("Any", dates),  # pandas-stubs types the keys too narrowly
            value_labels=cast("Any", value_labels or None),  # pandas-stubs types the keys too narrowly
            time_stamp=FIXED_TIME,
        )


def _batch_labels(package: "Package") -> dict[int, str]:
    def year(row: dict[str, Any]) -> str:
        announced = row.get("announced_date")
        return str(row.get("approval_year") or (announced.year if isinstance(announced, date) else "undated"))

    return {row["batch"]: f"batch {row['batch']} ({year(row)})" for row in package.records("pilot_zone_batches")}


def resource_frame(package: "Package", name: str) -> tuple["pd.DataFrame", dict[str, dict[int, str]]]:
    """A resource as a DataFrame for Stata: enum fields as categoricals (labelled integers)."""
    import pandas as pd

    frame = package.load(name)
    values: dict[str, dict[int, str]] = {}
    shared = shared_categories(package)
    for spec in package.table_schema(name).fields:
        if spec.enum is not None and spec.type == "string":
            frame[spec.name] = pd.Categorical(frame[spec.name].astype(object), categories=shared[spec.name])
        elif spec.name == "batch" and spec.type == "integer" and "pilot_zone_batches" in package.resources():
            values[spec.name] = _batch_labels(package)
    return frame, values


def writers(package: "Package", outdir: Path, *, excel: bool = False) -> Writers:
    """Plan ``NAME.dta`` per table, and ``did_panel.dta`` when the package has units."""

    def writer(name: str) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            frame, values = resource_frame(package, name)
            labels = {spec.name: spec.title or spec.name for spec in package.table_schema(name).fields}
            write_stata(frame, path, labels, package.resource(name).title or name, values)

        return write

    plan: dict[Path, Callable[[Path], None]] = {resource_file(outdir, name, ".dta"): writer(name) for name in package.resources()}
    if has_panel(package):
        from xborder_data.research.did import PANEL_TABLE, TITLES, did_panel, export_span

        def panel(path: Path) -> None:
            start, end = export_span(package)
            write_panel(did_panel(start, end, package=package), path, package, f"balanced panel {start}-{end}, approval_year, absorbing")

        plan[outdir / f"{PANEL_TABLE}.dta"] = panel
    return plan


# Text columns of the panels with few values, stored as labelled integers.
PANEL_CATEGORIES = ("level", "dated_by")
DATED_BY = ("approval", "announcement")


def shared_categories(package: "Package") -> dict[str, list[str]]:
    """One value label per field name across every file: the union of that name's enums, in
    resource order, so that ``append`` in Stata never relabels (``level`` is 0 for the same value everywhere)."""
    out: dict[str, list[str]] = {"dated_by": list(DATED_BY)}
    for name in package.resources():
        for spec in package.table_schema(name).fields:
            if spec.enum is not None and spec.type == "string":
                known = out.setdefault(spec.name, [])
                known += [str(value) for value in spec.enum if str(value) not in known]
    return out


def write_panel(frame: "pd.DataFrame", path: Path, package: "Package", title: str) -> None:
    """Write a treatment panel (zone, prefecture or balanced) as Stata 118: variable
    labels from the panel titles, ``batch`` labelled per batch, level and dated_by as
    labelled integers, dates as %td."""
    import pandas as pd

    from xborder_data.research.did import TITLES
    from xborder_data.research.panel import TITLES as ZONE_TITLES

    out = frame.copy()
    shared = shared_categories(package)
    for column in PANEL_CATEGORIES:
        if column in out.columns:
            out[column] = pd.Categorical(out[column].astype(object), categories=shared[column])
    yearly = {c: f"Treated in {c.removeprefix('treated_')} (0/1)" for c in out.columns if c.startswith("treated_")}  # the wide form
    write_stata(out, path, {**ZONE_TITLES, **TITLES, **yearly}, title, {"batch": _batch_labels(package)})
