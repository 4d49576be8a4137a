"""One measurement in a fresh process: prints JSON with seconds and peak memory.

Usage: python bench/worker.py KIND ROOT [REPEATS]

Memory is the worker's own peak resident set, ``VmHWM`` in ``/proc/self/status``
(reset at exec, and again just before the measured call by writing 5 to
``/proc/self/clear_refs``), less ``VmRSS`` just before the call: what the call
added at its peak. ``ru_maxrss`` is not used because a child inherits its
parent's peak (the bench builds a 10⁶-row table in its own process first).
tracemalloc is not used because it cannot see pyarrow's memory pool.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

import xborder_data
from xborder_data.tableschema.types import TYPES

TABLE = "market_figures"


def _schema(root: Path, name: str) -> Any:
    return xborder_data.open(root).table_schema(name)


def pandas_kwargs(schema: Any) -> dict[str, Any]:
    """read_csv arguments giving the loader's dtypes explicitly (the fair pandas baseline)."""
    dtype: dict[str, Any] = {}
    dates: list[str] = []
    for spec in schema.fields:
        if spec.type == "date":
            dates.append(spec.name)
        elif spec.enum is not None:
            dtype[spec.name] = pd.CategoricalDtype(list(spec.enum))
        else:
            dtype[spec.name] = TYPES[spec.type].pandas
    return {
        "dtype": dtype,
        "parse_dates": dates,
        "date_format": "%Y-%m-%d",
        "keep_default_na": False,
        "na_values": list(schema.missing_values),
    }


def arrow_options(schema: Any) -> tuple[pacsv.ConvertOptions, pacsv.ReadOptions]:
    """pyarrow.csv options with one explicit column type per field."""
    types = {spec.name: getattr(pa, TYPES[spec.type].arrow)() for spec in schema.fields}
    convert = pacsv.ConvertOptions(
        column_types=types,
        null_values=list(schema.missing_values),
        strings_can_be_null=True,
        true_values=["true", "True", "TRUE", "1"],
        false_values=["false", "False", "FALSE", "0"],
    )
    return convert, pacsv.ReadOptions(use_threads=True)


def _status_kib(key: str) -> int | None:
    """A ``/proc/self/status`` figure in KiB (VmHWM, VmRSS), or None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")  # resets VmHWM to the current RSS (Linux 4.0+)
    except OSError:
        pass


def _peak_growth(action: Callable[[], object]) -> tuple[float, float]:
    """(seconds, MiB the call added to this process's peak above its resident memory before it)."""
    _reset_peak()
    before = _status_kib("VmRSS")
    if before is None:  # not Linux: ru_maxrss, which in a fresh process is its own
        start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds = _timed(action)
        return seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) / 1024
    seconds = _timed(action)
    return seconds, ((_status_kib("VmHWM") or before) - before) / 1024


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def one_table(kind: str, root: Path) -> dict[str, float]:
    """Time one call on the market_figures table of ``root``; report its peak memory."""
    path = root / "data" / f"{TABLE}.csv"
    schema = _schema(root, TABLE)
    actions: dict[str, Callable[[], object]] = {
        "load": lambda: xborder_data.open(root).load(TABLE),
        "load_unverified": lambda: xborder_data.open(root).load(TABLE, verify_integrity=False),
        "pandas": lambda: pd.read_csv(path, **pandas_kwargs(schema)),
        "arrow": lambda: pacsv.read_csv(path, convert_options=arrow_options(schema)[0], read_options=arrow_options(schema)[1]),
        "polars": lambda: _polars_frame(path, schema),
        "frictionless": lambda: _frictionless_frame(root),
    }
    if kind == "polars":
        import polars  # noqa: F401 - imported before the clock starts, as pandas and pyarrow are
    seconds, peak = _peak_growth(actions[kind])
    return {"seconds": seconds, "peak_mib": peak}


def _polars_frame(path: Path, schema: Any) -> object:
    """polars.read_csv with one explicit dtype per field (Categorical for enums, Date for dates)."""
    import polars as pl

    kinds = {"string": pl.String, "integer": pl.Int64, "year": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean, "date": pl.Date}
    overrides = {spec.name: pl.Enum(list(map(str, spec.enum))) if spec.enum is not None and spec.type == "string" else kinds[spec.type]
                 for spec in schema.fields}
    return pl.read_csv(path, schema_overrides=overrides, null_values=list(schema.missing_values))


def _frictionless_frame(root: Path) -> object:
    import frictionless

    return frictionless.Package(str(root / "datapackage.json")).get_resource(TABLE).to_pandas()


def bundled(root: Path, repeats: int) -> dict[str, float]:
    """Every bundled resource: first and cached load(), records(), and their baselines.

    pandas is imported and warmed up first, as the comparison asks; each
    repetition uses a new Package, so its first load() parses again.
    """
    pd.read_csv(io.StringIO("a\n1\n"))  # pandas' own lazy imports, paid by every caller alike
    names = xborder_data.open(root).resources()
    paths = {name: xborder_data.open(root).path(name) for name in names}
    kwargs = {name: pandas_kwargs(_schema(root, name)) for name in names}
    results: dict[str, list[float]] = {key: [] for key in ("first", "cached", "read_csv", "records", "dictreader")}
    for _ in range(repeats):
        package = xborder_data.open(root)
        results["first"].append(_timed(lambda: [package.load(name) for name in names]))
        results["cached"].append(_timed(lambda: [package.load(name) for name in names]))
        results["read_csv"].append(_timed(lambda: [pd.read_csv(paths[name], **kwargs[name]) for name in names]))
        package = xborder_data.open(root)
        results["records"].append(_timed(lambda: [package.records(name) for name in names]))
        results["dictreader"].append(_timed(lambda: [_dict_rows(paths[name]) for name in names]))
    return {key: statistics.median(values) for key, values in results.items()}


def _dict_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def main(argv: list[str]) -> int:
    kind, root = argv[0], Path(argv[1])
    repeats = int(argv[2]) if len(argv) > 2 else 1
    result = bundled(root, repeats) if kind == "bundled" else one_table(kind, root)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
