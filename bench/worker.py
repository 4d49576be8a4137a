"""One measurement in a fresh process: prints JSON with seconds and peak memory.

Usage: python bench/worker.py KIND ROOT [REPEATS]

Memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (the process's peak
resident set) read after the imports and again after the measurement; the
delta is what the measured call added to the peak. tracemalloc is not used
because it cannot see pyarrow's memory pool.
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
from xborder_data.tableschema.typemap import mapping_for

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
            dtype[spec.name] = mapping_for(spec.type).pandas
    return {
        "dtype": dtype,
        "parse_dates": dates,
        "date_format": "%Y-%m-%d",
        "keep_default_na": False,
        "na_values": list(schema.missing_values),
    }


def arrow_options(schema: Any) -> tuple[pacsv.ConvertOptions, pacsv.ReadOptions]:
    """pyarrow.csv options with one explicit column type per field."""
    types = {spec.name: getattr(pa, mapping_for(spec.type).arrow)() for spec in schema.fields}
    convert = pacsv.ConvertOptions(
        column_types=types,
        null_values=list(schema.missing_values),
        strings_can_be_null=True,
        true_values=["true", "True", "TRUE", "1"],
        false_values=["false", "False", "FALSE", "0"],
    )
    return convert, pacsv.ReadOptions(use_threads=True)


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


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
        "frictionless": lambda: _frictionless_frame(root),
    }
    before = _peak_kib()
    seconds = _timed(actions[kind])
    return {"seconds": seconds, "peak_mib": (_peak_kib() - before) / 1024}


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
