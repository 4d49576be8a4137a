"""A synthetic copy of the package whose market_figures table has N valid rows."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

from tools.maintain import descriptor_text, refreshed_descriptor

TABLE = "market_figures"
_GEOGRAPHIES = ("US", "CN", "GB", "DE", "JP", "001", "")
_DETAILS = ("", "", "", "holiday season (Christmas)", "Q4, \"peak\" weeks", "growth over the four years to 2017")
_PEOPLE = ("", "", "199IT Internet Data Center", "PriceGrabber", "Forrester, Inc.")
_NOTES = (
    "",
    "Forecast made in 2014.",
    "Not found in any source. For scale, Forrester put US B2B e-commerce at $780 billion for 2015.",
    'A faithful conversion of 50万美元, but "implausible" as printed.',
)


def _enums(schema: dict) -> dict[str, list[str]]:
    return {f["name"]: f["constraints"]["enum"] for f in schema["fields"] if "enum" in f.get("constraints", {})}


def _driver_ids(root: Path) -> list[str]:
    with (root / "data" / "drivers.csv").open(encoding="utf-8", newline="") as handle:
        return [row["driver_id"] for row in csv.DictReader(handle)]


def write_rows(path: Path, schema: dict, drivers: list[str], rows: int, seed: int = 6) -> None:
    """Grow the CSV at ``path`` to ``rows`` data rows with schema-valid synthetic rows.

    The real rows stay first (claims refer to their figure_ids); the added rows
    have unique ids, enum values from the schema and driver_ids that exist.
    """
    rng = random.Random(seed)
    enums = _enums(schema)
    names = [f["name"] for f in schema["fields"]]
    with path.open(encoding="utf-8", newline="") as handle:
        existing = sum(1 for _ in csv.reader(handle)) - 1
    count = max(rows - existing, 0)
    columns = {
        "figure_id": [f"fig_{number:08d}" for number in range(count)],
        "geography": rng.choices(_GEOGRAPHIES, k=count),
        "period_year": [str(year) for year in rng.choices(range(1995, 2036), k=count)],
        "period_detail": rng.choices(_DETAILS, k=count),
        "value": [repr(round(rng.random() * 1000, digits)) for digits in rng.choices(range(4), k=count)],
        "attributed_to": rng.choices(_PEOPLE, k=count),
        "producer": rng.choices(_PEOPLE, k=count),
        "driver_id": rng.choices(drivers, k=count),
        "source_id": ["article"] * count,
        "note": rng.choices(_NOTES, k=count),
    }
    for name, choices in enums.items():
        columns[name] = rng.choices(choices, k=count)
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(zip(*(columns[name] for name in names)))


def build(source: Path, target: Path, rows: int) -> Path:
    """Copy the package at ``source`` to ``target`` with ``rows`` market figures; return ``target``.

    The descriptor is rewritten with the maintainer's own functions, so bytes
    and hashes are correct and ``load()`` verifies the file as it would a release.
    """
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(source / "datapackage.json", target / "datapackage.json")
    shutil.copytree(source / "schemas", target / "schemas")
    shutil.copytree(source / "data", target / "data")
    schema = json.loads((target / "schemas" / f"{TABLE}.json").read_text(encoding="utf-8"))
    write_rows(target / "data" / f"{TABLE}.csv", schema, _driver_ids(target), rows)
    (target / "datapackage.json").write_text(descriptor_text(refreshed_descriptor(target)), encoding="utf-8", newline="\n")
    return target
