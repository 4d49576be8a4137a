"""The pilot_zones resource: members only as sources list them, codes that resolve."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import Counter

import pytest

import xborder_data

from conftest import REPO

# GB/T 2260 province-level codes (first two digits), from the standard itself.
GB2260_PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
# Mainland China's extent (Zengmu Ansha and the South China Sea islands are not zones).
LONGITUDE = (73.4, 135.1)
LATITUDE = (18.1, 53.6)
# What the sources read list, batch by batch (research notes of 1.2.0), and the
# counts the batches table states: a shortfall must be explained in its note.
LISTED = {1: 1, 2: 12, 3: 22, 4: 24, 5: 46, 6: 27, 7: 27, 8: 16}
STATED = {1: 1, 2: 12, 3: 22, 4: 24, 5: 46, 6: 27, 7: 33, 8: 16}

ZONES = xborder_data.records("pilot_zones")


def test_rows_per_batch_match_the_batches_table_or_the_gap_is_stated() -> None:
    batches = {b["batch"]: b for b in xborder_data.records("pilot_zone_batches")}
    counts = Counter(z["batch"] for z in ZONES)
    assert dict(counts) == LISTED
    for number, batch in batches.items():
        assert batch["zones_listed"] == counts[number], number
        assert batch["zones_added"] == STATED[number], number
        if counts[number] < batch["zones_added"]:
            assert "left out" in batch["note"].lower(), number
        names = batch["cities"].split(" | ")
        assert names == [z["name_en"] for z in ZONES if z["batch"] == number], number


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z["zone_id"])
def test_codes_are_six_digits_and_resolve_to_the_enclosing_prefecture(zone: dict) -> None:
    code, prefecture = zone["adcode"], zone["prefecture_adcode"]
    assert re.fullmatch(r"[0-9]{6}", prefecture)
    assert GB2260_PROVINCES[prefecture[:2]] == zone["province_zh"]
    assert prefecture.endswith("00")
    if code is None:  # an area with no code of its own: its note says so
        assert zone["level"] == "new_area" and "no code of its own" in zone["note"]
        assert re.fullmatch(rf"b{zone['batch']}-[a-z]+", zone["zone_id"])  # a key, not another division's code
        return
    assert re.fullmatch(r"[0-9]{6}", code)
    assert zone["zone_id"] == f"b{zone['batch']}-{code}"
    if code.endswith("00"):
        assert prefecture == code  # prefecture level or above encloses itself
    else:
        assert prefecture == code[:4] + "00"  # the GB/T 2260 prefix rule
        assert zone["level"] in {"county_city", "district", "new_area"}


def test_levels_follow_the_code_positions() -> None:
    for zone in ZONES:
        code = zone["adcode"] or ""
        if zone["level"] in {"municipality", "whole_island"}:
            assert code.endswith("0000"), zone["zone_id"]
        if zone["level"] in {"prefecture_city", "autonomous_prefecture", "region", "league"}:
            assert code.endswith("00") and not code.endswith("0000"), zone["zone_id"]
    assert {z["name_en"] for z in ZONES if z["level"] == "county_city"} == {"Yiwu", "Manzhouli", "Yanji", "Tongjiang", "Erenhot", "Alashankou", "Hunchun", "Suifenhe"}


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z["zone_id"])
def test_coordinates_lie_inside_china(zone: dict) -> None:
    if zone["adcode"] is None:
        assert zone["longitude"] is None and zone["latitude"] is None
        return
    assert LONGITUDE[0] <= zone["longitude"] <= LONGITUDE[1]
    assert LATITUDE[0] <= zone["latitude"] <= LATITUDE[1]


def test_every_zone_has_evidence_that_names_it() -> None:
    import opencc  # an independent traditional-to-simplified converter

    to_simplified = opencc.OpenCC("t2s")
    claims = [c for c in xborder_data.records("claims") if c["table"] == "pilot_zones" and c["field"] == "batch"]
    evidence = {(e["claim_id"], e["source_id"]): e for e in xborder_data.records("evidence")}
    by_zone = {c["zone_id"]: c for c in claims}
    assert len(by_zone) == len(claims) == len(ZONES)
    for zone in ZONES:
        claim = by_zone[zone["zone_id"]]
        assert claim["status"] == "confirmed" and claim["normalized_value"] == str(zone["batch"])
        quote = evidence[(claim["claim_id"], zone["source_id"])]["quote"]
        assert quote == claim["as_printed"]
        if re.search("[A-Za-z]", quote):  # an English list (some sources are bilingual)
            stem = zone["name_en"].split(" Autonomous")[0].removeprefix("Bortala ")
            assert stem in quote, (zone["zone_id"], quote)
        else:
            simplified = to_simplified.convert(quote)
            assert zone["name_zh"] in simplified or zone["name_zh"].removesuffix("市") in simplified, (zone["zone_id"], quote)


def test_members_inferred_from_list_order_are_flagged() -> None:
    import csv

    # Read with the csv module, not the loader: every row says how its member was identified.
    with (REPO / "data" / "pilot_zones.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["identified_by"] for row in rows} == {"named", "list_order"}
    inferred = {row["name_en"]: row for row in rows if row["identified_by"] == "list_order"}
    # Batch 7's three English names that fit two divisions each (萍乡/凭祥, 宜春/伊春, 吉安/集安),
    # read as the Jiangxi cities (GB/T 2260 360300, 360900, 360800).
    assert set(inferred) == {"Pingxiang", "Yichun", "Ji'an"}
    assert {row["adcode"] for row in inferred.values()} == {"360300", "360900", "360800"}
    for row in inferred.values():
        assert row["batch"] == "7" and row["province_zh"] == "江西省" and "list order" in row["note"]
    # The order argument: in the source's list they sit beside Xinyu, between Fujian's Ningde and Shandong's Zaozhuang.
    order = [row["name_en"] for row in rows if row["batch"] == "7"]
    positions = [order.index(name) for name in ("Ningde", "Pingxiang", "Xinyu", "Yichun", "Ji'an", "Zaozhuang")]
    assert positions == sorted(positions)


def test_an_ambiguous_english_name_is_settled_by_a_second_source() -> None:
    # Batch 6's 'Taizhou' is 泰州 (Jiangsu, GB/T 2260 321200): 台州 (331000) is batch 5.
    taizhou = {z["adcode"]: z for z in ZONES if z["name_en"] == "Taizhou"}
    assert taizhou["321200"]["batch"] == 6 and taizhou["331000"]["batch"] == 5
    evidence = [e for e in xborder_data.records("evidence") if e["claim_id"] == "pz_b6_321200"]
    assert {e["source_id"] for e in evidence} == {"laitimes_zones_2022", "huoliyu_mofcom_2022"}
    assert any("江苏" in e["quote"] and "全覆盖" in e["quote"] for e in evidence)


def test_the_code_table_is_named_with_its_version_and_vintage() -> None:
    fields = {f["name"]: f for f in xborder_data.schema("pilot_zones")["fields"]}
    for name in ("adcode", "longitude"):
        assert "cpca 0.5.5" in fields[name]["description"]
    assert "2016" in fields["adcode"]["description"] and "GCJ-02" in fields["longitude"]["description"]
    source = next(s for s in xborder_data.records("sources") if s["source_id"] == "cpca_adcodes")
    assert source["role"] == "reference" and "0.5.5" in source["title"] and "2016" in source["note"]
    resource = next(r for r in xborder_data.descriptor()["resources"] if r["name"] == "pilot_zones")
    assert "cpca 0.5.5" in resource["sources"][0]["title"]


def _cpca_site() -> str:
    spec = importlib.util.find_spec("cpca")
    if spec is None:
        pytest.skip("cpca is not installed: the maintainer step runs in a throwaway venv (see scripts/build_pilot_zones.py)")
    return str(next(iter(spec.submodule_search_locations)))


def test_codes_are_present_in_the_code_table_used() -> None:
    import csv
    from pathlib import Path

    table = Path(_cpca_site()) / "resources" / "adcodes.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        codes = {row["adcode"][:6]: row for row in csv.DictReader(handle)}
    for zone in ZONES:
        assert zone["prefecture_adcode"] in codes, zone["zone_id"]
        if zone["adcode"] is not None:
            row = codes[zone["adcode"]]
            assert (float(row["longitude"]), float(row["latitude"])) == (zone["longitude"], zone["latitude"])


def test_maintainer_script_refuses_without_cpca(tmp_path) -> None:
    # An empty site-packages folder and no cpca: one clear line, exit 1, nothing written.
    code = (
        "import sys; sys.path[:] = [p for p in sys.path if 'site-packages' not in p]; "
        f"sys.argv = ['x']; sys.path.insert(0, {str(REPO / 'scripts')!r}); "
        "import build_pilot_zones as b; sys.exit(b.main(['--site-packages', " + repr(str(tmp_path)) + "]))"
    )
    before = (REPO / "data" / "pilot_zones.csv").read_bytes()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if "cpca" in sys.modules or importlib.util.find_spec("cpca") is not None:
        pytest.skip("cpca is installed here")
    assert result.returncode == 1 and result.stderr.startswith("error: cpca is not installed")
    assert (REPO / "data" / "pilot_zones.csv").read_bytes() == before
