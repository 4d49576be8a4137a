"""One trade-value series: one scope, one flow, one value per period.

``trade_values`` keeps every release of every figure: first releases, revised
and final figures, and values implied by a later release's growth rate. A
series picks one row per period from one scope, so nothing is counted twice
and no scope break is hidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from xborder_data.errors import ScopeSpliceError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package

Revision = Literal["latest", "first_release", "revised", "final"]
PeriodKind = Literal["year", "half_year", "all"]

REVISIONS = ("latest", "first_release", "revised", "final")
PERIODS = ("year", "half_year", "all")
# "latest" prefers the most worked-over figure: a final beats a revised, which
# beats a value implied by a later release, which beats the first release.
_LATEST_ORDER = {"final": 4, "revised": 3, "implied": 2, "first_release": 1, "unknown": 0}
COLUMNS = [
    "period_label", "period_start", "period_end", "period_year", "scope", "flow", "unit", "value",
    "value_qualifier", "growth_pct", "vintage", "released", "derived", "trade_value_id", "source_id",
]


def _enum(package: "Package", field: str) -> list[str]:
    spec = next(f for f in package.schema("trade_values")["fields"] if f["name"] == field)
    return list(spec["constraints"]["enum"])


def _period_kind(row: dict[str, Any]) -> str:
    start, end = row["period_start"], row["period_end"]
    if start.year == end.year and (start.month, start.day) == (1, 1):
        if (end.month, end.day) == (12, 31):
            return "year"
        if (end.month, end.day) == (6, 30):
            return "half_year"
    return "other"


def series_rows(
    package: "Package",
    scope: str,
    flow: str = "total",
    revision: Revision = "latest",
    *,
    period: PeriodKind = "year",
    include_implied: bool = False,
) -> list[dict[str, Any]]:
    """Return the chosen trade_values rows, one per period, oldest first (no pandas)."""
    scopes = _enum(package, "scope")
    if not isinstance(scope, str) or scope not in scopes:
        raise ScopeSpliceError(
            f"trade_series: scope must be exactly one of {', '.join(scopes)}, not {scope!r}; "
            "scopes count different things and are never spliced into one series, so ask for one at a time"
        )
    flows = _enum(package, "flow")
    if flow not in flows:
        raise UsageError(f"trade_series: flow must be one of {', '.join(flows)}, not {flow!r}")
    if revision not in REVISIONS:
        raise UsageError(f"trade_series: revision must be one of {', '.join(REVISIONS)}, not {revision!r}")
    if not isinstance(include_implied, bool):
        raise UsageError(f"trade_series: include_implied must be True or False, not {include_implied!r}")
    if period not in PERIODS:
        raise UsageError(f"trade_series: period must be one of {', '.join(PERIODS)}, not {period!r}")
    candidates = [
        row for row in package.records("trade_values")
        if row["scope"] == scope and row["flow"] == flow
        and (period == "all" or _period_kind(row) == period)
        and (include_implied or row["vintage"] != "implied")
        and (revision == "latest" or row["vintage"] == revision)
    ]
    if not candidates:
        available = sorted(
            {f"period={_period_kind(row)!r} revision={row['vintage']!r}"
             for row in package.records("trade_values") if row["scope"] == scope and row["flow"] == flow}
        )
        raise UsageError(
            f"trade_series: no {flow} figure of scope {scope!r} for period={period!r}, revision={revision!r}"
            f"{'' if include_implied else ' (implied values excluded)'}; "
            + (f"this scope and flow has: {'; '.join(available)}" if available else "this scope has no such flow")
        )
    chosen: dict[str, dict[str, Any]] = {}
    for row in candidates:
        best = chosen.get(row["period_label"])
        if best is None or supersedes_key(row) > supersedes_key(best):
            chosen[row["period_label"]] = row
    rows = sorted(chosen.values(), key=lambda r: (r["period_start"], r["period_end"]))
    return [{column: row[column] for column in COLUMNS} for row in rows]


def supersedes_key(row: dict[str, Any]) -> tuple[int, str]:
    """The one rule for which figure of a period supersedes another: the larger key wins.

    The site's trade chart draws its line with this key too, so the two never disagree.
    """
    # Within one revision stage, a later release wins (ISO prefixes sort by date).
    return _LATEST_ORDER.get(row.get("vintage") or "unknown", 0), row.get("released") or ""


def trade_series(
    scope: str,
    flow: str = "total",
    revision: Revision = "latest",
    *,
    period: PeriodKind = "year",
    include_implied: bool = False,
    package: "Package | None" = None,
) -> "pd.DataFrame":
    """Return one official trade-value series as a DataFrame, one row per period.

    Args:
        scope: exactly one scope of ``trade_values.scope`` (for example
            ``"survey_including_b2b"``). Scopes count different things, so a
            list, ``"all"`` or ``None`` raises ScopeSpliceError.
        flow: ``"total"``, ``"export"`` or ``"import"``.
        revision: ``"latest"`` keeps, per period, the most revised figure
            (final, then revised, then implied when asked for, then the first
            release); ``"first_release"``, ``"revised"`` or ``"final"`` keep only
            rows of that vintage, so a period without one is absent.
        period: ``"year"`` calendar years, ``"half_year"`` first halves, or
            ``"all"`` every period, including spans such as 2013-07/2014.
            Years and half-years overlap: never add them up.
        include_implied: also use values no source states but a later
            release implies (``derived`` rows, with their formula).
        package: another copy of the package; the bundled one by default.

    Returns:
        A DataFrame with columns period_label, period_start, period_end,
        period_year, scope, flow, unit, value, value_qualifier, growth_pct,
        revision, released, derived, trade_value_id and source_id. growth_pct
        is the one its own release states, against that release's previous
        year: do not chain it across rows of different revisions.

    Raises:
        ScopeSpliceError: when scope is not exactly one scope.
        UsageError: when flow, revision or period is not a valid choice.

    Example:
        >>> s = trade_series("survey_including_b2b", revision="first_release")
        >>> s[["period_label", "value"]].head(2).values.tolist()
        [['2020', 1690.0], ['2021', 1980.0]]
    """
    if package is None:
        from xborder_data.package import bundled

        package = bundled()
    ids = [row["trade_value_id"] for row in series_rows(package, scope, flow, revision, period=period, include_implied=include_implied)]
    # The typed frame from the loader, so dtypes match `load("trade_values")`.
    frame = package.load("trade_values").set_index("trade_value_id", drop=False)
    return frame.loc[ids, COLUMNS].reset_index(drop=True)
