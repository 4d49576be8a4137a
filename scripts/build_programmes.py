"""Maintainer step: build the programme tables and their claims and evidence.

Hand-curated inputs, in scripts/programmes/:

* programmes.csv: one row per programme (written to data/programmes.csv as is);
* rounds.csv: one row per round, with the stated count (or the rule, for a
  rule-defined round), the source that states it and a short quote from it
  (``count_field`` names the field the quote supports; a round whose source
  states neither count nor rule leaves the quote empty);
* round_claims.csv: further values of a round (a date, a number, a second
  source for a count), one row per value, with its source and quote;
* members.csv: one row per member that a source read names, with that source
  and a short fragment naming the member.

This script adds what a code table knows (the six-digit division code, the
enclosing prefecture) and the round's dates and document number. It never adds
a member that members.csv does not list, with one exception that is marked:
rows whose membership follows from a round's rule over another table of this
package (``derived`` true). The only such rule here is round 3 of
retail_import_pilot, which extends the pilot to the 22 third-batch
comprehensive pilot zones; its members are read from data/pilot_zones.csv and
their names' quotes from scripts/pilot_zones/members.csv.

Customs districts (unit level ``customs_district``) are mapped to the
prefecture where they sit: by the seat city in the district's name
(``seat_name``, looked up in the code table) or, where the name is not a
prefecture's, by a source that places the seat (``seat_source``).

The code table is cpca's resources/adcodes.csv (see build_pilot_zones.py):

    uv venv /tmp/cpca && uv pip install --python /tmp/cpca --no-deps cpca==0.5.5
    uv run python scripts/build_programmes.py --site-packages /tmp/cpca/lib/python3.11/site-packages
    flock /work/staging/data.lock uv run python scripts/build_programmes.py --site-packages /tmp/cpca/lib/python3.11/site-packages
    flock /work/staging/data.lock uv run python -m tools.maintain

Run it before scripts/build_units.py, which adds the county-level members to
data/units.csv.

Rows of claims.csv and evidence.csv whose id starts with ``pm_`` belong to this
script and are rewritten on every run; no other row is touched.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_pilot_zones as pz  # noqa: E402  (same folder; shares the code-table helpers)

REPO = pz.REPO
FOLDER = REPO / "scripts" / "programmes"
OWNED_PREFIX = "pm_"

PROGRAMME_FIELDS = [
    "programme_id", "name_zh", "name_en", "issuer_zh", "issuer_en", "unit_kind", "member_table",
    "description", "source_id", "note",
]
ROUND_FIELDS = [
    "round_id", "programme_id", "round", "official_batch", "label", "document_number", "approved_date",
    "announced_date", "effective_date", "start_year", "start_month", "stated_count", "stated_total", "members_listed", "rule_text",
    "source_id", "note",
]
MEMBER_FIELDS = [
    "member_id", "programme_id", "round_id", "round", "unit_code", "prefecture_code", "name_zh", "name_en",
    "level", "approved_date", "announced_date", "effective_date", "document_number", "derived",
    "unit_code_basis", "unit_code_source_id", "source_id", "note",
]
# The rule-defined round whose members are the third batch of pilot zones.
DERIVED_ROUNDS = {("retail_import_pilot", "3"): "3"}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def slug(name_en: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "_", name_en.lower().replace("'", "")).strip("_")
    if not text or not text[0].isalpha():
        raise pz.BuildError(f"{name_en!r}: no usable slug")
    return text.removesuffix("_customs")


def claim_pair(claim_id: str, table: str, key: str, value_key: str, field: str, value: str,
               source_id: str, quote: str, note: str) -> tuple[dict, dict]:
    claim = {
        "claim_id": claim_id, "source_id": source_id, "section": "external", "as_printed": quote,
        "table": table, "field": field, "normalized_value": value, "status": "confirmed",
        "evidence_source_id": source_id, "note": note, key: value_key,
    }
    evidence = {
        "evidence_id": f"{claim_id}_1", "claim_id": claim_id, "source_id": source_id, "quote": quote,
        "stance": "supports", "note": "The claim's own source.",
    }
    return claim, evidence


def build(programmes, rounds, members, table, zones, zone_members, round_claims=()):
    known = {p["programme_id"] for p in programmes}
    claims, evidence, round_rows, member_rows = [], [], {}, []
    for r in rounds:
        if r["programme_id"] not in known:
            raise pz.BuildError(f"round of unknown programme {r['programme_id']}")
        round_id = f"{r['programme_id']}_r{r['round']}"
        row = {f: r.get(f, "") for f in ROUND_FIELDS}
        row["round_id"] = round_id
        round_rows[round_id] = row
        if r["quote"]:
            field = r["count_field"]
            pair = claim_pair(f"{OWNED_PREFIX}{round_id}_{field}", "programme_rounds", "round_id", round_id, field,
                              r[field], r["source_id"], r["quote"], "What the round's source states about its size or rule.")
            claims.append(pair[0])
            evidence.append(pair[1])

    taken = {c["claim_id"] for c in claims}
    for extra in round_claims:
        round_id = f"{extra['programme_id']}_r{extra['round']}"
        if round_id not in round_rows:
            raise pz.BuildError(f"round claim for unknown round {round_id}")
        field = extra["field"]
        value = round_rows[round_id][field]
        if not value:
            raise pz.BuildError(f"{round_id}: a claim on {field}, which is empty")
        claim_id, n = f"{OWNED_PREFIX}{round_id}_{field}", 2
        while claim_id in taken:  # a second source for the same field
            claim_id, n = f"{OWNED_PREFIX}{round_id}_{field}_{n}", n + 1
        taken.add(claim_id)
        pair = claim_pair(claim_id, "programme_rounds", "round_id", round_id, field, value, extra["source_id"],
                          extra["quote"], "A further value of the round, from a second quote.")
        claims.append(pair[0])
        evidence.append(pair[1])

    def add_member(programme_id, rnd, code, name_zh, name_en, level, derived, basis, basis_source,
                   source_id, quote, note, claim_note):
        round_id = f"{programme_id}_r{rnd}"
        if round_id not in round_rows:
            raise pz.BuildError(f"{name_en}: no round {round_id}")
        rr = round_rows[round_id]
        member_id = f"{programme_id}_r{rnd}_{slug(name_en)}"
        member_rows.append({
            "member_id": member_id, "programme_id": programme_id, "round_id": round_id, "round": rnd,
            "unit_code": code, "prefecture_code": pz.prefecture_of(table, code), "name_zh": name_zh,
            "name_en": name_en, "level": level, "approved_date": rr["approved_date"],
            "announced_date": rr["announced_date"], "effective_date": rr["effective_date"],
            "document_number": rr["document_number"], "derived": "true" if derived else "false",
            "unit_code_basis": basis, "unit_code_source_id": basis_source, "source_id": source_id, "note": note,
        })
        pair = claim_pair(f"{OWNED_PREFIX}{member_id}", "programme_members", "member_id", member_id, "round", rnd,
                          source_id, quote, claim_note)
        claims.append(pair[0])
        evidence.append(pair[1])
        return member_id

    for m in members:
        if m["level"] == "customs_district":
            code = pz.find_code(table, m["lookup_zh"], "")
            basis, basis_source = m["unit_code_basis"], m["map_source_id"]
            if basis == "seat_source" and not m["map_quote"]:
                raise pz.BuildError(f"{m['name_zh']}: a seat_source mapping needs its quote")
        else:
            code = m["adcode"] or pz.find_code(table, m["lookup_zh"] or m["name_zh"], "")
            basis, basis_source = "name_match", "cpca_adcodes"
        if code not in table:
            raise pz.BuildError(f"{m['name_zh']}: code {code} is not in the code table")
        level = m["level"] or pz.level_of(code, table[code].name)
        member_id = add_member(m["programme_id"], m["round"], code, m["name_zh"], m["name_en"], level, False,
                               basis, basis_source, m["source_id"], m["quote"], m["note"],
                               "Membership of the round: the part of the source that names this unit.")
        if m["map_quote"]:
            pair = claim_pair(f"{OWNED_PREFIX}{member_id}_unit_code", "programme_members", "member_id", member_id,
                              "unit_code", code, m["map_source_id"], m["map_quote"],
                              "Why the customs district is placed in this prefecture.")
            claims.append(pair[0])
            evidence.append(pair[1])

    quotes = {(z["batch"], z["name_en"]): z for z in zone_members}
    for (programme_id, rnd), batch in DERIVED_ROUNDS.items():
        named = {m["name_en"] for m in members if m["programme_id"] == programme_id and m["round"] == rnd}
        for zone in zones:
            if zone["batch"] != batch or zone["name_en"] in named:
                continue
            zm = quotes[(batch, zone["name_en"])]
            add_member(programme_id, rnd, zone["adcode"], zone["name_zh"], zone["name_en"], zone["level"], True,
                       "name_match", "cpca_adcodes", zone["source_id"], zm["quote"],
                       f"Derived from the round's rule: a batch-{batch} comprehensive pilot zone (pilot_zones {zone['zone_id']}).",
                       f"Membership follows from the round's rule; this source names the city as a batch-{batch} pilot zone.")

    counts: dict[str, int] = {}
    for m in member_rows:
        counts[m["round_id"]] = counts.get(m["round_id"], 0) + 1
    for round_id, row in round_rows.items():
        row["members_listed"] = str(counts.get(round_id, 0))
        stated = row["stated_count"]
        if stated and counts.get(round_id, 0) > int(stated):
            raise pz.BuildError(f"{round_id}: {counts[round_id]} members listed, more than the stated {stated}")
    ids = [m["member_id"] for m in member_rows]
    if len(set(ids)) != len(ids):
        raise pz.BuildError(f"duplicate member ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return list(round_rows.values()), member_rows, claims, evidence


def replace_owned_rows(path: Path, key: str, fresh: list[dict]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        kept = [row for row in reader if not row[key].startswith(OWNED_PREFIX)]
    path.write_text(pz.csv_text(fields, kept + fresh), encoding="utf-8", newline="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-packages", type=Path, help="a site-packages folder holding cpca")
    args = parser.parse_args(argv)
    try:
        table_path, version = pz.locate_code_table(args.site_packages)
        table = pz.read_code_table(table_path)
        programmes = read(FOLDER / "programmes.csv")
        rounds, members, claims, evidence = build(
            programmes, read(FOLDER / "rounds.csv"), read(FOLDER / "members.csv"), table,
            read(REPO / "data" / "pilot_zones.csv"), read(REPO / "scripts" / "pilot_zones" / "members.csv"),
            read(FOLDER / "round_claims.csv"))
    except pz.BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    data = REPO / "data"
    (data / "programmes.csv").write_text(pz.csv_text(PROGRAMME_FIELDS, programmes), encoding="utf-8", newline="")
    (data / "programme_rounds.csv").write_text(pz.csv_text(ROUND_FIELDS, rounds), encoding="utf-8", newline="")
    (data / "programme_members.csv").write_text(pz.csv_text(MEMBER_FIELDS, members), encoding="utf-8", newline="")
    replace_owned_rows(data / "claims.csv", "claim_id", claims)
    replace_owned_rows(data / "evidence.csv", "evidence_id", evidence)
    print(f"{len(programmes)} programmes, {len(rounds)} rounds, {len(members)} members from cpca {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
