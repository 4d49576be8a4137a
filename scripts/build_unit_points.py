"""Maintainer step: fill the seat points of data/units.csv from cpca's code table.

The code table of units (NBS 2023) carries no points. cpca 0.5.5
(resources/adcodes.csv, MIT licence, source cpca_adcodes) gives a point for each
county-level and higher division, the same table pilot_zones takes its points
from. A unit gets cpca's point only where cpca has the same six-digit code with
the same name; any other unit keeps empty longitude and latitude (unknown), and
the script lists them. Run it after scripts/build_units.py:

    uv venv /tmp/cpca && uv pip install --python /tmp/cpca --no-deps cpca==0.5.5
    uv run python scripts/build_unit_points.py --site-packages /tmp/cpca/lib/python3.11/site-packages
    uv run python -m tools.maintain
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from build_pilot_zones import BuildError, locate_code_table  # noqa: E402

POINT_SOURCE = "cpca_adcodes"


def add_points(units: list[dict[str, str]], table: Path) -> list[dict[str, str]]:
    """Set longitude, latitude and point_source_id where cpca has the unit's code and name; return the units left without."""
    with table.open(encoding="utf-8", newline="") as handle:
        cpca = {row["adcode"][:6]: row for row in csv.DictReader(handle) if row["adcode"].endswith("000000")}
    missing = []
    for unit in units:
        hit = cpca.get(unit["unit_code"])
        if hit is None or hit["name"] != unit["name_zh"]:
            unit.update(longitude="", latitude="", point_source_id="")
            missing.append(unit)
            continue
        unit.update(longitude=hit["longitude"], latitude=hit["latitude"], point_source_id=POINT_SOURCE)
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-packages", type=Path, help="a site-packages folder holding cpca")
    args = parser.parse_args(argv)
    path = REPO / "data" / "units.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, units = list(reader.fieldnames or []), list(reader)
    if "point_source_id" not in fields:
        fields.insert(fields.index("latitude") + 1, "point_source_id")
    try:
        table, version = locate_code_table(args.site_packages)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    missing = add_points(units, table)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(units)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    print(f"{len(units) - len(missing)} of {len(units)} units have cpca {version}'s point; none for: "
          + ", ".join(f"{u['unit_code']} {u['name_zh']}" for u in missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
