"""Benchmark the loader against baselines measured in the same run (issue 6).

Usage:
    uv run python bench/run.py                 # every size, writes docs/benchmarks.md
    uv run python bench/run.py --quick         # smallest size, fewer repetitions
    uv run python bench/run.py --sizes 1000,100000 --output /tmp/bench.md

Every figure is a ratio against a baseline timed in the same run, never an
absolute target; each is the median of several repetitions, and anything that
depends on start-up or on peak memory runs in a fresh process (bench/worker.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import json

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]  # bench/ for synth, the repository for tools.maintain

import synth  # noqa: E402  (bench/ is not a package)

from xborder_data.storage.locate import bundled_root  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)
FRICTIONLESS_MAX = 100_000  # to_pandas is row-by-row Python; larger sizes would take minutes
KINDS = ("load", "load_unverified", "pandas", "arrow", "polars", "frictionless")
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PIN: list[str] = []  # ["taskset", "-c", "0"] with --cpu 0: every measured process on one core


@dataclass
class Row:
    """One line of the start-up/bundled table."""

    measurement: str
    baseline: str
    value: float
    base: float
    unit: str
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return ratio_of(self.value, self.base)


def ratio_of(value: float | None, base: float | None) -> float | None:
    """value ÷ base, or None when either is missing or the base is not above zero (a figure too small to measure)."""
    if value is None or base is None or base <= 0:
        return None
    return value / base


@dataclass
class Scale:
    """Medians for one table size: seconds and peak MiB per kind."""

    rows: int
    file_mib: float
    seconds: dict[str, float] = field(default_factory=dict)
    peak: dict[str, float] = field(default_factory=dict)


def _tool(name: str) -> str:
    candidate = BIN / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


# A user's interpreter caches bytecode; with PYTHONDONTWRITEBYTECODE set (as in some shells and CI) a changed module
# would be compiled again in every timed start-up, and a first load() would compile the reader's modules (about 5 ms)
# while frictionless compiled its own, so every timed process runs without it (a warm-up writes the cache).
_STARTUP_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _run_once(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(PIN + command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=_STARTUP_ENV)
    return time.perf_counter() - start, done.returncode


def paired_medians(command: list[str], baseline: list[str], repeats: int, cwd: Path | None = None) -> tuple[float, float, int]:
    """Median wall time of two commands run alternately in fresh processes; and the command's exit code."""
    if repeats > 1:  # warm the file cache for both; a one-shot smoke run skips it
        _run_once(baseline, cwd), _run_once(command, cwd)
    ours: list[float] = []
    theirs: list[float] = []
    code = 0
    for _ in range(repeats):
        seconds, code = _run_once(command, cwd)
        ours.append(seconds)
        theirs.append(_run_once(baseline, cwd)[0])
    return statistics.median(ours), statistics.median(theirs), code


def worker(kind: str, root: Path, repeats: int | None = None) -> dict[str, float]:
    command = [PYTHON, str(HERE / "worker.py"), kind, str(root)] + ([str(repeats)] if repeats else [])
    # 5×10⁶ rows are about 1 GiB: the bench raises the loader's size limit for its own synthetic copies.
    env = dict(_STARTUP_ENV, XBORDER_DATA_MAX_BYTES=str(16 << 30))
    done = subprocess.run(PIN + command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"bench worker {kind} on {root} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def startup_rows(repeats: int) -> list[Row]:
    """Start-up of the import and the CLI, against an empty interpreter."""
    empty = [PYTHON, "-c", "pass"]
    rows = []
    ours, base, _ = paired_medians([PYTHON, "-c", "import xborder_data"], empty, repeats)
    rows.append(Row('`python -c "import xborder_data"`', "`python -c pass`", ours * 1e3, base * 1e3, "ms", 1.1))
    for args in ([], ["--help"], ["list"]):
        ours, base, code = paired_medians([_tool("xborder-data"), *args], empty, repeats)
        note = "" if code == 0 else f"exit status {code}"
        shown = " ".join(["xborder-data", *args])
        rows.append(Row(f"`{shown}`" + (" (the summary)" if not args else ""), "`python -c pass`", ours * 1e3, base * 1e3, "ms",
                        6.0 if not args else None, note=note))
    return rows


def bundled_rows(processes: int, repeats: int) -> list[Row]:
    """Every bundled resource through load() and records(), against pandas and csv."""
    runs = [worker("bundled", bundled_root(), repeats) for _ in range(processes)]
    med = {key: statistics.median(run[key] for run in runs) * 1e3 for key in runs[0]}
    return [
        Row("first `load()` of every bundled resource", "`pandas.read_csv`, same dtypes", med["first"], med["read_csv"], "ms", 1.2),
        Row("cached `load()` of every bundled resource", "first `load()`", med["cached"], med["first"], "ms", 0.05),
        Row("`records()` of every bundled resource", "`csv.DictReader`", med["records"], med["dictreader"], "ms"),
    ]


def validate_row(repeats: int) -> Row:
    """validate() in a fresh process against the frictionless CLI, also in a fresh process."""
    ours, base, code = paired_medians(
        [PYTHON, "-c", "import sys, xborder_data; sys.exit(0 if xborder_data.validate().valid else 1)"],
        [_tool("frictionless"), "validate", "datapackage.json"],
        repeats,
        cwd=bundled_root(),
    )
    note = "" if code == 0 else f"exit status {code}: the package did not validate"
    return Row("`xborder_data.validate()` (fresh process)", "`frictionless validate datapackage.json`", ours * 1e3, base * 1e3, "ms", note=note)


def scale(sizes: list[int], repeats: int, workdir: Path, log) -> list[Scale]:
    """Build the synthetic package at each size and time every reader on it."""
    results = []
    for rows in sizes:
        root = synth.build(bundled_root(), workdir / f"rows-{rows}", rows)
        csv_path = root / "data" / f"{synth.TABLE}.csv"
        result = Scale(rows, csv_path.stat().st_size / 2**20)
        kinds = [kind for kind in KINDS if kind != "frictionless" or rows <= FRICTIONLESS_MAX]
        samples: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
        if rows == sizes[0]:  # untimed: writes the bytecode every kind's first call imports
            for kind in kinds:
                worker(kind, root)
        for turn in range(repeats):
            for kind in kinds:
                if kind == "frictionless" and turn >= 3:
                    continue  # slow: three repetitions are enough to take a median
                samples[kind].append(worker(kind, root))
        for kind, runs in samples.items():
            result.seconds[kind] = statistics.median(run["seconds"] for run in runs)
            result.peak[kind] = statistics.median(run["peak_mib"] for run in runs)
        log(f"  {rows:>9} rows: " + ", ".join(f"{k} {v:.3f}s" for k, v in result.seconds.items()))
        results.append(result)
        shutil.rmtree(root)
    return results


# -- report -------------------------------------------------------------------
def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.3f}×"


def _holds(ratio: float | None, limit: float | None, at_least: bool = False) -> str:
    if ratio is None:
        return "not measured"
    if limit is None:
        return "report"
    ok = ratio >= limit if at_least else ratio <= limit
    return "yes" if ok else "**no**"


def environment() -> list[str]:
    libs = ", ".join(f"{name} {version(name)}" for name in ("pandas", "pyarrow", "frictionless", "xborder-data"))
    return [
        f"- Date: {dt.date.today().isoformat()}",
        f"- Machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Libraries: {libs}",
        f"- CPUs used: {'one core (`' + ' '.join(PIN) + '`)' if PIN else 'all'}",
    ]


def targets(scales: list[Scale]) -> list[tuple[str, str, float | None, float, bool]]:
    """The issue's targets at scale: (description, figure, ratio, limit, at_least)."""
    by_rows = {s.rows: s for s in scales}
    big, mid = by_rows.get(1_000_000), by_rows.get(100_000)
    out: list[tuple[str, str, float | None, float, bool]] = []

    def ratio(scale_: Scale | None, a: str, b: str, table: str = "seconds") -> float | None:
        if scale_ is None or a not in getattr(scale_, table) or b not in getattr(scale_, table):
            return None
        return ratio_of(getattr(scale_, table)[a], getattr(scale_, table)[b])

    # Issue 28's targets: at pandas' speed and memory.
    for rows, scale_ in ((1_000_000, big), (5_000_000, by_rows.get(5_000_000))):
        label = "10⁶" if rows == 1_000_000 else "5×10⁶"
        out.append((f"{label} rows: `load()` time, integrity on", "÷ `pandas.read_csv`", ratio(scale_, "load", "pandas"), 1.0, False))
        out.append((f"{label} rows: `load()` peak memory", "÷ `pandas.read_csv`", ratio(scale_, "load", "pandas", "peak"), 1.2, False))
    out.append(("10⁵ rows: `load()` time", "÷ `pandas.read_csv`", ratio(mid, "load", "pandas"), 1.2, False))
    growth = ratio_of(big.seconds["load"], mid.seconds["load"]) if big and mid else None
    out.append(("`load()` time growth, 10⁵ → 10⁶ rows", "10⁶ ÷ 10⁵", growth, 12.0, False))
    out.append(("10⁵ rows: frictionless `to_pandas()` time", "÷ `load()`", ratio(mid, "frictionless", "load"), 20.0, True))
    return out


def report(head: list[Row], scales: list[Scale], command: str, notes: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{command}`; re-run it rather than editing this file. "
        "The section “Findings” comes from `bench/findings.md`.",
        "",
        *environment(),
        "",
        "Every figure is a ratio against a baseline measured in the same run. Each time is the "
        "median of several repetitions; start-up and CLI times are wall time of fresh processes, "
        "run alternately with their baseline. Peak memory is measured in a fresh process per "
        "repetition as the worker's own peak (`VmHWM` in `/proc/self/status`, reset before the call "
        "through `/proc/self/clear_refs`) above its resident memory just before the one measured call, "
        "after the process has imported pandas, pyarrow and xborder_data. `ru_maxrss` is not used: a "
        "child inherits its parent's peak. tracemalloc is not used because it cannot see pyarrow's allocations.",
        "",
        "## Start-up and the bundled package",
        "",
        "| measurement | baseline | median | baseline median | ratio | target | holds |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in head:
        target = "report" if row.target is None else f"≤ {row.target:g}×"
        holds = _holds(row.ratio, row.target) + (f" ({row.note})" if row.note else "")
        lines.append(
            f"| {row.measurement} | {row.baseline} | {row.value:.1f} {row.unit} | {row.base:.1f} {row.unit} "
            f"| {fmt_ratio(row.ratio)} | {target} | {holds} |"
        )
    lines += [
        "",
        "## Scale: a synthetic `market_figures` table",
        "",
        "A copy of the package whose `market_figures.csv` holds the real rows plus schema-valid synthetic "
        "rows (enum values from the schema, existing `driver_id`s, unique `figure_id`s), with bytes and "
        "sha256 rewritten by `tools.maintain`, opened with `xborder_data.open(path)`. Baselines: "
        "`pandas.read_csv` with the loader's dtypes passed explicitly (categoricals for enums, `string`, "
        "`Int64`, `Float64`); `pyarrow.csv.read_csv` with an explicit schema (the practical floor); "
        f"frictionless `Package(...).get_resource(...).to_pandas()` up to {FRICTIONLESS_MAX:,} rows.",
        "",
        "### Time (seconds, median)",
        "",
        "| rows | CSV MiB | `load()` | `load()` unverified | pandas | pyarrow | polars | frictionless | `load()` ÷ pandas "
        "| unverified ÷ pandas | `load()` ÷ pyarrow | `load()` ÷ polars | frictionless ÷ `load()` |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scales:
        t = s.seconds
        fr = t.get("frictionless")
        lines.append(
            f"| {s.rows:,} | {s.file_mib:.1f} | {t['load']:.3f} | {t['load_unverified']:.3f} | {t['pandas']:.3f} "
            f"| {t['arrow']:.3f} | {_secs(t.get('polars'))} | {_secs(fr)} | {fmt_ratio(ratio_of(t['load'], t['pandas']))} "
            f"| {fmt_ratio(ratio_of(t['load_unverified'], t['pandas']))} | {fmt_ratio(ratio_of(t['load'], t['arrow']))} "
            f"| {fmt_ratio(ratio_of(t['load'], t.get('polars')))} | {fmt_ratio(ratio_of(fr, t['load']))} |"
        )
    lines += [
        "",
        "### Peak memory (MiB added by the call, median)",
        "",
        "| rows | `load()` | `load()` unverified | pandas | pyarrow | polars | `load()` ÷ pandas | unverified ÷ pandas "
        "| `load()` ÷ pyarrow | `load()` ÷ polars |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scales:
        p = s.peak
        lines.append(
            f"| {s.rows:,} | {p['load']:.1f} | {p['load_unverified']:.1f} | {p['pandas']:.1f} | {p['arrow']:.1f} "
            f"| {'—' if p.get('polars') is None else format(p['polars'], '.1f')} "
            f"| {fmt_ratio(ratio_of(p['load'], p['pandas']))} | {fmt_ratio(ratio_of(p['load_unverified'], p['pandas']))} "
            f"| {fmt_ratio(ratio_of(p['load'], p['arrow']))} | {fmt_ratio(ratio_of(p['load'], p.get('polars')))} |"
        )
    lines += ["", "## Targets at scale", "", "| target | figure | ratio | limit | holds |", "|---|---|---:|---|---|"]
    for description, figure, value, limit, at_least in targets(scales):
        shown = "—" if value is None else fmt_ratio(value)
        lines.append(f"| {description} | {figure} | {shown} | {'≥' if at_least else '≤'} {limit:g}× | {_holds(value, limit, at_least)} |")
    if notes.strip():
        lines += ["", "## Findings", "", notes.strip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated row counts (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="only the smallest size, one repetition (a smoke test, not a measurement)")
    parser.add_argument("--repeats", type=int, default=None, help="repetitions per figure (default 5, or 1 with --quick)")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md", help="Markdown file to write (default: %(default)s)")
    parser.add_argument("--cpu", default=None, help="pin every measured process to this core with taskset (e.g. --cpu 0)")
    parser.add_argument("--skip-head", action="store_true", help="skip start-up, bundled and validate (scale only)")
    args = parser.parse_args(argv)
    if args.cpu is not None:
        PIN[:] = ["taskset", "-c", str(args.cpu)]
    try:
        sizes = sorted({int(part) for part in args.sizes.split(",") if part.strip()})
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes needs at least one positive row count")
    if args.quick:
        sizes = sizes[:1]
    repeats = args.repeats or (1 if args.quick else 5)

    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    head: list[Row] = []
    if not args.skip_head:
        log("start-up ...")
        head = startup_rows(repeats * 12)  # start-ups take milliseconds: many pairs steady a median of noisy ones
        log("bundled resources ...")
        head += bundled_rows(processes=3 if not args.quick else 1, repeats=repeats)
        log("validate ...")
        head.append(validate_row(repeats))
    log("scale ...")
    with tempfile.TemporaryDirectory(prefix="xborder-bench-") as tmp:
        scales = scale(sizes, repeats, Path(tmp), log)
    command = "uv run python bench/run.py" + (" --quick" if args.quick else "") + (
        f" --sizes {','.join(map(str, sizes))}" if tuple(sizes) != SIZES and not args.quick else ""
    ) + (f" --repeats {repeats}" if args.repeats else "") + (f" --cpu {args.cpu}" if args.cpu is not None else "") + (
        " --skip-head" if args.skip_head else ""
    )
    findings = HERE / "findings.md"
    text = report(head, scales, command, findings.read_text(encoding="utf-8") if findings.exists() else "")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(text)
    log(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
