"""Maintainer step: build data/units.csv, the prefecture-level units of China.

The code table is the National Bureau of Statistics' 2023 statistical division
codes (as of 2023-06-30, published 2023-09-11) as exported by the GitHub
repository modood/Administrative-divisions-of-China (WTFPL), files
dist/provinces.csv, dist/cities.csv and dist/areas.csv at commit
57a0aa9cef47169a2eb74cf057b0245052a34e8c. Neither that repository nor pypinyin
is a dependency of xborder-data: export the three files into a folder and run

    git -C <clone> show 57a0aa9c:dist/provinces.csv > /tmp/modood/provinces.csv   # and cities, areas
    uv run --with pypinyin==0.55.0 python scripts/build_units.py --table /tmp/modood
    uv run python scripts/build_unit_points.py --site-packages /tmp/cpca/lib/python3.11/site-packages  # seat points
    uv run python -m tools.maintain

Rows: every province-level unit, every prefecture-level unit (the table's
placeholder slots 市辖区, 县, 省直辖县级行政区划 and 自治区直辖县级行政区划 are not
units and are left out), the county-level units that are pilot zones in
data/pilot_zones.csv (so that every adcode and prefecture_adcode of that table is
a unit), and the county-level units that are programme members in
data/programme_members.csv (county-level cities, and counties such as Pingtan;
customs districts are mapped to prefectures and add no unit). The script stops
if a code of pilot_zones or of programme_members is not in the table. Run it
after scripts/build_programmes.py.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE_ID = "modood_divisions_2023"
VINTAGE = "2023-06-30"
EXPECTED_PREFECTURES = 333  # see the resource description: the table's own count, checked by hand

sys.path.insert(0, str(REPO / "scripts"))
from build_pilot_zones import MUNICIPALITIES, PROVINCE_EN  # noqa: E402

SLOTS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# Ethnic groups named in the autonomous prefectures, to split them off the place name.
ETHNIC = ["柯尔克孜", "哈萨克", "维吾尔", "傈僳", "景颇", "布依", "哈尼", "土家", "朝鲜", "蒙古", "藏", "回", "苗", "彝", "壮", "侗", "傣", "白", "羌"]
# Place names that pypinyin 0.55.0 reads wrongly (a polyphonic character), with the reading we use.
READINGS = {"长治": "Changzhi", "朝阳": "Chaoyang", "漯河": "Luohe", "昌都": "Changdu", "锡林郭勒": "Xilinguole", "阿勒泰": "Aletai", "克孜勒苏": "Kezilesu", "珲春": "Hunchun"}
FIELDS = [
    "unit_code", "name_zh", "name_en", "province_code", "province_zh", "province_en", "level",
    "parent_code", "longitude", "latitude", "point_source_id", "source_id", "vintage",
]


class BuildError(Exception):
    pass


def pinyin(text: str) -> str:
    """Hanyu Pinyin without tones, syllables joined, an apostrophe before a/o/e, first letter capital."""
    from pypinyin import lazy_pinyin  # a maintainer tool only

    if text in READINGS:
        return READINGS[text]
    out = ""
    for syllable in lazy_pinyin(text, errors="exception"):
        if out and syllable[0] in "aoe":
            out += "'"
        out += syllable.replace("v", "ü")
    return out[:1].upper() + out[1:]


def ethnic_pinyin(group: str) -> str:
    """The pinyin of an ethnic group's name, read as '<group>族' so that phrase readings apply (藏族 zang)."""
    word = pinyin(group + "族")
    if not word.endswith("zu"):
        raise BuildError(f"{group}族: unexpected reading {word}")
    return word[:-2].rstrip("'")


def english(name: str, level: str) -> str:
    if level == "autonomous_prefecture":
        rest, groups = name.removesuffix("自治州"), []
        while True:
            # Some names write the group without 族 (博尔塔拉蒙古, 伊犁哈萨克); one-character groups always carry 族.
            hit = next((g + "族" for g in ETHNIC if rest.endswith(g + "族")), None)
            hit = hit or next((g for g in ETHNIC if len(g) > 1 and rest.endswith(g) and not groups), None)
            if hit is None:
                break
            groups.insert(0, ethnic_pinyin(hit.removesuffix("族")))
            rest = rest[: -len(hit)]
        if not groups:
            raise BuildError(f"{name}: no ethnic group found")
        return f"{pinyin(rest)} {' '.join(groups)} Autonomous Prefecture"
    for suffix, word in (("地区", " Region"), ("盟", " League"), ("市", "")):
        if name.endswith(suffix):
            return pinyin(name.removesuffix(suffix)) + word
    raise BuildError(f"{name}: no known suffix")


def prefecture_level(name: str) -> str:
    for suffix, level in (("自治州", "autonomous_prefecture"), ("地区", "region"), ("盟", "league"), ("市", "prefecture_city")):
        if name.endswith(suffix):
            return level
    raise BuildError(f"{name}: not a prefecture-level name")


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build(folder: Path, zones: list[dict[str, str]], members: list[dict[str, str]] = ()) -> list[dict[str, str]]:
    provinces = {row["code"] + "0000": row["name"] for row in read(folder, "provinces")}
    rows: list[dict[str, str]] = []

    def add(code: str, name: str, level: str, name_en: str, parent: str) -> None:
        province = code[:2] + "0000"
        rows.append({
            "unit_code": code, "name_zh": name, "name_en": name_en, "province_code": province,
            "province_zh": provinces[province], "province_en": PROVINCE_EN[code[:2]], "level": level,
            "parent_code": parent, "longitude": "", "latitude": "", "point_source_id": "", "source_id": SOURCE_ID, "vintage": VINTAGE,
        })

    for code, name in provinces.items():
        level = "municipality" if code[:2] in MUNICIPALITIES else "autonomous_region" if name.endswith("自治区") else "province"
        add(code, name, level, PROVINCE_EN[code[:2]], "")
    prefectures = 0
    for row in read(folder, "cities"):
        if row["name"] in SLOTS:
            continue
        code, level = row["code"] + "00", prefecture_level(row["name"])
        add(code, row["name"], level, english(row["name"], level), code[:2] + "0000")
        prefectures += 1
    if prefectures != EXPECTED_PREFECTURES:
        raise BuildError(f"{prefectures} prefecture-level units, {EXPECTED_PREFECTURES} expected")
    areas = {row["code"]: row for row in read(folder, "areas")}
    known = {row["unit_code"] for row in rows}
    for zone in zones:
        code = zone["adcode"]
        if not code or code in known:
            continue
        if code not in areas:
            raise BuildError(f"pilot zone {zone['zone_id']}: code {code} is not in the table")
        area = areas[code]
        if zone["level"] != "county_city" or not area["name"].endswith("市"):
            raise BuildError(f"pilot zone {zone['zone_id']}: {area['name']} is not a county-level city")
        parent = area["cityCode"] + "00"
        add(code, area["name"], "county_city", pinyin(area["name"].removesuffix("市")), parent)
        known.add(code)
    missing = sorted({z["prefecture_adcode"] for z in zones} - known)
    if missing:
        raise BuildError(f"prefecture_adcode of pilot_zones not in the table: {missing}")
    for member in members:
        code = member["unit_code"]
        if code in known:
            continue
        if code not in areas:
            raise BuildError(f"programme member {member['member_id']}: code {code} is not in the table")
        area = areas[code]
        for suffix, level in (("市", "county_city"), ("县", "county")):
            if area["name"].endswith(suffix):
                break
        else:
            raise BuildError(f"programme member {member['member_id']}: {area['name']} is neither a county-level city nor a county")
        add(code, area["name"], level, pinyin(area["name"].removesuffix(suffix)), area["cityCode"] + "00")
        known.add(code)
    missing = sorted({m["prefecture_code"] for m in members} - known)
    if missing:
        raise BuildError(f"prefecture_code of programme_members not in the table: {missing}")
    rows.sort(key=lambda r: r["unit_code"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, required=True, help="a folder holding modood's provinces.csv, cities.csv and areas.csv")
    args = parser.parse_args(argv)
    with (REPO / "data" / "pilot_zones.csv").open(encoding="utf-8", newline="") as handle:
        zones = list(csv.DictReader(handle))
    with (REPO / "data" / "programme_members.csv").open(encoding="utf-8", newline="") as handle:
        members = list(csv.DictReader(handle))
    try:
        rows = build(args.table, zones, members)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (REPO / "data" / "units.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["level"]] = counts.get(row["level"], 0) + 1
    print(f"{len(rows)} units: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
