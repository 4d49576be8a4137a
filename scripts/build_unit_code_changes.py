"""Maintainer step: build data/unit_code_changes.csv, prefecture-level code changes since 2010.

Each change is curated by hand in scripts/unit_code_changes/changes.csv from a
source that was read (its source_id). This script adds what the code tables
know: the names under the old and new codes, and the pair of consecutive code
tables between which the change shows. It stops if a curated change does not
show in the tables, and lists any prefecture-level difference between
consecutive tables that no curated change explains.

The tables are the Ministry of Civil Affairs' code tables as copied in the
GitHub repository cn/GB2260 (mca/<revision>.tsv; most at commit 1173e8b, the
revisions 201212, 201812, 201912 and 202012 only at commit ef5db41 of an
unmerged pull request), and, last, the NBS 2023 table that units uses. Neither
is a dependency of xborder-data:

    for r in 200912 201012 ...; do git -C <GB2260 clone> show <commit>:mca/$r.tsv > /tmp/mca/$r.tsv; done
    uv run python scripts/build_unit_code_changes.py --mca /tmp/mca --nbs /tmp/modood
    uv run python -m xborder_data.maintain
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CURATED = REPO / "scripts" / "unit_code_changes" / "changes.csv"
MCA_REVISIONS = ["200912", "201012", "201112", "201212", "201312", "201412"] + [
    f"{y}{m:02d}" for y in (2015, 2016, 2017) for m in range(1, 13)
] + ["201801", "201812", "201904", "201912", "202012"]
MCA_SOURCE, NBS_SOURCE = "gb2260_mca_tables", "modood_divisions_2023"
SLOTS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
FIELDS = [
    "change_id", "old_code", "old_name_zh", "new_code", "new_name_zh", "change", "year", "approved_on",
    "document", "table_before", "table_after", "table_source_id", "source_id", "note",
]


class BuildError(Exception):
    pass


def load_tables(mca: Path, nbs: Path) -> list[tuple[str, str, dict[str, str]]]:
    """Return (revision label, source_id, code -> name) in order, every division of county level and above."""
    tables = []
    for revision in MCA_REVISIONS:
        with (mca / f"{revision}.tsv").open(encoding="utf-8", newline="") as handle:
            tables.append((f"mca-{revision}", MCA_SOURCE, {r["Code"]: r["Name"] for r in csv.DictReader(handle, delimiter="\t")}))
    names: dict[str, str] = {}
    for file, width in (("provinces", 2), ("cities", 4), ("areas", 6)):
        with (nbs / f"{file}.csv").open(encoding="utf-8", newline="") as handle:
            names.update({r["code"] + "0" * (6 - width): r["name"] for r in csv.DictReader(handle)})
    tables.append(("nbs-2023", NBS_SOURCE, names))
    return tables


def prefectures(table: dict[str, str]) -> dict[str, str]:
    return {c: n for c, n in table.items() if c.endswith("00") and not c.endswith("0000") and n not in SLOTS}


def after_state(row: dict[str, str], old_name: str, table: dict[str, str]) -> bool:
    old, new, change = row["old_code"], row["new_code"], row["change"]
    if change == "renamed":
        return table.get(new, old_name) != old_name
    if change in ("split", "merged"):
        return old not in table and new in table
    if change == "created":
        return new in table
    return old not in table and new in table  # recoded, upgraded


def build(curated: list[dict[str, str]], tables: list[tuple[str, str, dict[str, str]]]) -> list[dict[str, str]]:
    rows, explained = [], set()
    for row in curated:
        old, new = row["old_code"], row["new_code"]
        first = tables[0][2]
        if old and old not in first:
            raise BuildError(f"{old}: not in the first table {tables[0][0]}")
        old_name = first.get(old, "")
        hit = next((i for i, (_, _, t) in enumerate(tables) if after_state(row, old_name, t)), None)
        if hit in (None, 0):
            raise BuildError(f"{old}->{new} {row['change']}: the tables do not show it after {tables[0][0]}")
        before, after = tables[hit - 1], tables[hit]
        if old and before[2].get(old) != old_name:
            raise BuildError(f"{old}: name changes before {before[0]}")
        if new not in after[2]:
            raise BuildError(f"{new}: not in {after[0]}")
        explained.add((after[0], old))
        explained.add((after[0], new))
        rows.append({
            **{k: row[k] for k in ("old_code", "new_code", "change", "year", "approved_on", "document", "source_id", "note")},
            "change_id": f"{old or 'none'}-{new}-{row['change']}",
            "old_name_zh": old_name, "new_name_zh": tables[-1][2][new],
            "table_before": before[0], "table_after": after[0], "table_source_id": after[1],
        })
    unexplained = []
    for (label_a, _, a), (label_b, _, b) in zip(tables, tables[1:]):
        pa, pb = prefectures(a), prefectures(b)
        for code in sorted(set(pa) | set(pb)):
            if pa.get(code) != pb.get(code) and (label_b, code) not in explained:
                unexplained.append(f"{label_a}->{label_b} {code} {pa.get(code)}->{pb.get(code)}")
    # Known and left to the notes: 林芝's new code under its old name (2015-03 to 2015-05), and
    # 莱芜 listed again in the table for 2019-04 after the one for 2018 had dropped it.
    for line in unexplained:
        print(f"not a curated change (see the notes): {line}", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mca", type=Path, required=True, help="a folder of MCA tables <revision>.tsv from cn/GB2260")
    parser.add_argument("--nbs", type=Path, required=True, help="the folder of modood's provinces.csv, cities.csv, areas.csv")
    args = parser.parse_args(argv)
    with CURATED.open(encoding="utf-8", newline="") as handle:
        curated = list(csv.DictReader(handle))
    try:
        rows = build(curated, load_tables(args.mca, args.nbs))
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (REPO / "data" / "unit_code_changes.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    print(f"{len(rows)} changes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
