"""One idea, one home: the site's trade line runs through the figures trade_series() picks."""

from __future__ import annotations

import pytest

import xborder_data
from xborder_data.research.trade import series_rows as library_rows

pytest.importorskip("altair")
from xborder_data.site.trade_chart import line_rows, series_rows  # noqa: E402

PACKAGE = xborder_data.bundled()
SPANS = {"year": "year", "half year": "half_year"}
SERIES = [s for s in series_rows(PACKAGE) if s.span in SPANS]


@pytest.mark.parametrize("series", SERIES, ids=lambda s: s.label)
def test_the_chart_line_equals_trade_series(series) -> None:
    chart = [row["trade_value_id"] for row in line_rows(series_rows(PACKAGE)[series])]
    library = [
        row["trade_value_id"]
        for row in library_rows(PACKAGE, series.scope, series.flow, "latest", period=SPANS[series.span], include_implied=True)
    ]
    assert chart == library


def test_every_vintage_is_a_choice_of_trade_series() -> None:
    # Each vintage the data holds can be asked for by name, or is the implied kind.
    vintages = {row["vintage"] for row in PACKAGE.records("trade_values")}
    from xborder_data.research.trade import REVISIONS

    assert vintages <= set(REVISIONS) | {"implied", "unknown"}
