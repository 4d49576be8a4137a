"""Maintainer step: build data/pilot_zones.csv and its claims and evidence.

The membership of each batch is curated by hand, from the research notes, in
scripts/pilot_zones/members.csv: one row per city or area, with the source that
lists it, a short fragment of that list naming it, and ``identified_by``:
``named`` when a source names this very division, ``list_order`` when the name
fits more than one division and the member is inferred from its position in
the reply's province-ordered list. This script adds what a code table knows:
the six-digit division code, the enclosing prefecture, the province and the
seat point. It never adds a member.

The code table is cpca's resources/adcodes.csv. cpca is not a dependency of
xborder-data; install it, without its dependencies, in a throwaway venv:

    uv venv /tmp/cpca && uv pip install --python /tmp/cpca --no-deps cpca==0.5.5
    uv run python scripts/build_pilot_zones.py --site-packages /tmp/cpca/lib/python3.11/site-packages
    uv run python -m tools.maintain

Rows of claims.csv and evidence.csv whose id starts with ``pz_`` belong to this
script and are rewritten on every run; no other row is touched.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import importlib.util
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MEMBERS = REPO / "scripts" / "pilot_zones" / "members.csv"
EXPECTED_CPCA = "0.5.5"
OWNED_PREFIX = "pz_"

# English names of the province-level units, by the first two digits of the code.
PROVINCE_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong",
    "41": "Henan", "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi",
    "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou", "53": "Yunnan",
    "54": "Tibet", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang",
}
MUNICIPALITIES = {"11", "12", "31", "50"}
# Prefecture-level slots that hold a province's directly administered counties.
DIRECT_COUNTY_SLOTS = ("省直辖县级行政区划", "自治区直辖县级行政区划")

ZONE_FIELDS = [
    "zone_id", "batch", "name_zh", "name_en", "province_zh", "province_en", "adcode", "level",
    "prefecture_adcode", "longitude", "latitude", "revoked_batch", "source_id", "identified_by", "note",
]
# How a source identifies the member: it names this division, or the member is
# inferred from its place in the reply's province-ordered list.
IDENTIFIED_BY = ("named", "list_order")
# The reply that revokes zones, as a source quotes it: the claim behind revoked_batch.
REVOCATION = {"8": ("newsworldstream_zones_2025", "pilot zones in Haikou, Sanya and Alashankou will be revoked")}


class BuildError(Exception):
    """A member that the code table cannot place; the message says which and why."""


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    longitude: str
    latitude: str


def locate_code_table(site_packages: Path | None) -> tuple[Path, str]:
    """Return cpca's adcodes.csv and cpca's version, without importing cpca."""
    if site_packages is not None:
        sys.path.insert(0, str(site_packages))
    spec = importlib.util.find_spec("cpca")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(f"cpca is not installed; install cpca=={EXPECTED_CPCA} (see this script's docstring)")
    version = importlib.metadata.version("cpca")
    if version != EXPECTED_CPCA:
        raise BuildError(f"cpca {version} found, {EXPECTED_CPCA} expected: the schema names that version")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv", version


def read_code_table(path: Path) -> dict[str, Division]:
    """Return the county-level-and-above divisions by six-digit code."""
    table: dict[str, Division] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"]
            if len(code) != 12 or not code.endswith("000000"):
                raise BuildError(f"{path}: unexpected adcode {code!r}")
            table[code[:6]] = Division(code[:6], row["name"], row["longitude"], row["latitude"])
    return table


def find_code(table: dict[str, Division], name: str, province: str) -> str:
    """Return the one code whose table name is ``name`` (inside ``province`` if given)."""
    hits = [d.adcode for d in table.values() if d.name == name]
    if province:
        hits = [code for code in hits if table[code[:2] + "0000"].name == province]
    if len(hits) != 1:
        raise BuildError(f"{name!r} in {province or 'any province'!r}: {len(hits)} matches {hits}; set lookup_zh/province_zh")
    return hits[0]


def prefecture_of(table: dict[str, Division], code: str) -> str:
    """Return the enclosing prefecture-level code (the code itself at that level or above)."""
    if code.endswith("00"):
        return code
    slot = code[:4] + "00"
    if slot in table and table[slot].name in DIRECT_COUNTY_SLOTS:
        return code  # a directly administered county-level unit stands at prefecture level
    if code[:2] in MUNICIPALITIES:
        return code[:2] + "0000"  # a municipality's districts and counties
    if slot not in table:
        raise BuildError(f"{code}: no prefecture {slot} in the code table")
    return slot


def level_of(code: str, name: str) -> str:
    """Return the level implied by the code's position and the name's suffix."""
    if code.endswith("0000"):
        return "municipality" if code[:2] in MUNICIPALITIES else "other"
    if code.endswith("00"):
        for suffix, level in (("自治州", "autonomous_prefecture"), ("地区", "region"), ("盟", "league"), ("市", "prefecture_city")):
            if name.endswith(suffix):
                return level
        return "other"
    for suffix, level in (("新区", "new_area"), ("市", "county_city"), ("区", "district")):
        if name.endswith(suffix):
            return level
    return "other"


def _claim(claim_id: str, zone_id: str, field: str, value: str, source_id: str, quote: str, note: str) -> tuple[dict, dict]:
    claim = {
        "claim_id": claim_id, "source_id": source_id, "section": "external", "as_printed": quote,
        "table": "pilot_zones", "field": field, "normalized_value": value, "status": "confirmed",
        "evidence_source_id": source_id, "note": note, "zone_id": zone_id,
    }
    evidence = {
        "evidence_id": f"{claim_id}_1", "claim_id": claim_id, "source_id": source_id, "quote": quote,
        "stance": "supports", "note": "The claim's own source.",
    }
    return claim, evidence


def build(members: list[dict[str, str]], table: dict[str, Division]) -> tuple[list[dict], list[dict], list[dict]]:
    """Return the zone rows, their claims and their evidence.

    ``adcode`` in members.csv is empty (look the name up), a six-digit code, or
    ``none`` for an area with no code of its own in the table; such an area
    gives its ``prefecture_adcode`` (with ``extra_*`` evidence for it) and a
    ``zone_key`` (lowercase pinyin, e.g. ``xiongan``) that its zone_id and
    claim ids use, so that no zone_id reuses another division's code.
    """
    zones, claims, evidence = [], [], []
    for member in members:
        batch = member["batch"]
        if member.get("identified_by") not in IDENTIFIED_BY:
            name = member["name_zh"] or member["name_en"]
            raise BuildError(f"{name}: identified_by must be one of {IDENTIFIED_BY}, not {member.get('identified_by')!r}")
        if member["adcode"] == "none":
            code, prefecture = "", member["prefecture_adcode"]
            if prefecture not in table or not member["extra_quote"]:
                raise BuildError(f"{member['name_zh']}: no code of its own needs a prefecture_adcode in the table and a quote for it")
            if not re.fullmatch(r"[a-z]+", member.get("zone_key") or ""):
                raise BuildError(f"{member['name_zh']}: no code of its own needs a zone_key of lowercase letters for its zone_id")
            point = Division("", "", "", "")
        else:
            code = member["adcode"] or find_code(table, member["lookup_zh"] or member["name_zh"], member["province_zh"])
            if code not in table:
                raise BuildError(f"{member['name_zh']}: code {code} is not in the code table")
            prefecture, point = prefecture_of(table, code), table[code]
        key = code or member["zone_key"]
        zone_id = f"b{batch}-{key}"
        zones.append({
            "zone_id": zone_id,
            "batch": batch,
            "name_zh": member["name_zh"] or point.name,
            "name_en": member["name_en"],
            "province_zh": table[(code or prefecture)[:2] + "0000"].name,
            "province_en": PROVINCE_EN[(code or prefecture)[:2]],
            "adcode": code,
            "level": member["level"] or level_of(code, point.name),
            "prefecture_adcode": prefecture,
            "longitude": point.longitude,
            "latitude": point.latitude,
            "revoked_batch": member.get("revoked_batch", ""),
            "source_id": member["source_id"],
            "identified_by": member["identified_by"],
            "note": member["note"],
        })
        claim_id = f"{OWNED_PREFIX}b{batch}_{key}"
        if member["identified_by"] == "named":
            claim_note = "Membership of the batch: the part of the source's list that names this city or area."
        else:
            claim_note = ("Membership of the batch: the part of the source's list that gives this name. The name fits more "
                          "than one division; which one is inferred from its place in the reply's province-ordered list "
                          "(identified_by list_order), not read in a source.")
        pair = _claim(claim_id, zone_id, "batch", batch, member["source_id"], member["quote"], claim_note)
        claims.append(pair[0])
        evidence.append(pair[1])
        if member.get("second_quote"):  # a second text that names the member (or says which division it is)
            evidence.append({**pair[1], "evidence_id": f"{claim_id}_2", "source_id": member["second_source_id"],
                             "quote": member["second_quote"], "note": "A second source naming the member or settling which division it is."})
        if member.get("revoked_batch"):
            if member["revoked_batch"] not in REVOCATION:
                raise BuildError(f"{member['name_zh']}: revoked by batch {member['revoked_batch']}, but no quote for that revocation")
            source, quote = REVOCATION[member["revoked_batch"]]
            pair_r = _claim(f"{claim_id}_revoked", zone_id, "revoked_batch", member["revoked_batch"], source, quote,
                            "The reply on a later batch revokes this zone.")
            claims.append(pair_r[0])
            evidence.append(pair_r[1])
        if member["extra_quote"]:
            pair = _claim(f"{claim_id}_{member['extra_field']}", zone_id, member["extra_field"], prefecture,
                          member["extra_source_id"], member["extra_quote"], "Why the area is placed in this prefecture.")
            claims.append(pair[0])
            evidence.append(pair[1])
    ids = [z["zone_id"] for z in zones]
    if len(set(ids)) != len(ids):
        raise BuildError(f"duplicate zone ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return zones, claims, evidence


def csv_text(fields: list[str], rows: list[dict]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def replace_owned_rows(path: Path, key: str, fresh: list[dict]) -> None:
    """Rewrite ``path`` keeping every row this script does not own, then ``fresh``."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        kept = [row for row in reader if not row[key].startswith(OWNED_PREFIX)]
    path.write_text(csv_text(fields, kept + fresh), encoding="utf-8", newline="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-packages", type=Path, help="a site-packages folder holding cpca")
    args = parser.parse_args(argv)
    try:
        table_path, version = locate_code_table(args.site_packages)
        table = read_code_table(table_path)
        with MEMBERS.open(encoding="utf-8", newline="") as handle:
            members = list(csv.DictReader(handle))
        zones, claims, evidence = build(members, table)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    (REPO / "data" / "pilot_zones.csv").write_text(csv_text(ZONE_FIELDS, zones), encoding="utf-8", newline="")
    replace_owned_rows(REPO / "data" / "claims.csv", "claim_id", claims)
    replace_owned_rows(REPO / "data" / "evidence.csv", "evidence_id", evidence)
    print(f"{len(zones)} zones from cpca {version} ({table_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
