"""The offline base map: China as Chinese publications draw it, its neighbours, and the South China Sea.

The site never fetches tiles: it ships ``vendor/basemap-china.geojson``, cut from
Natural Earth (public domain) by the maintainer step below. Natural Earth draws
de facto boundaries by default; this step redraws them from China's point of view
with Natural Earth's own point-of-view attributes:

- China is one shape: Natural Earth's China with Taiwan, Hong Kong and Macao, and
  the claim areas whose ``ADM0_A3_CN`` is ``CHN`` in the 1:50m breakaway and
  disputed areas (Arunachal Pradesh and four small valleys on the India border).
  Neighbours lose those areas.
- The South China Sea islands (the Paracel and Spratly islands, Scarborough Reef,
  and Pratas) come from the 1:10m countries, drawn in an inset with the dashed line
  of Natural Earth's China point-of-view maritime indicator (nine segments).

Inputs (a maintainer step, never run by the site build; shapely in a throwaway venv)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz   # countries-50m/10m.json
    # Natural Earth 5.1 GeoJSON, from the natural-earth-vector repository:
    #   ne_50m_admin_0_breakaway_disputed_areas.geojson
    #   ne_10m_admin_0_boundary_lines_maritime_indicator_chn.geojson
    uv venv /tmp/geo && uv pip install --python /tmp/geo shapely
    /tmp/geo/bin/python -m xborder_data.site.basemap package/ DISPUTED.geojson DASHES.geojson
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

VENDORED = "basemap-china.geojson"
SOURCE = (
    "Natural Earth 1:50m and 1:10m Admin 0 countries, version 4.1.0 (public domain), from the npm package world-atlas 2.0.2 "
    "(ISC licence), redrawn from China's point of view with Natural Earth 5.1's own point-of-view attributes "
    "(1:50m breakaway and disputed areas; the China maritime indicator), simplified."
)
SOURCE_ZH = (
    "Natural Earth 1:50m 与 1:10m 国家边界 4.1.0 版（公有领域），取自 npm 包 world-atlas 2.0.2（ISC 许可），"
    "按 Natural Earth 5.1 自带的中国视角属性（1:50m 争议地区、中国海上界线）重绘并简化。"
)
# The frame kept (lon_min, lat_min, lon_max, lat_max); outside it, coordinates are clamped to its edge.
FRAME = (55.0, 0.0, 150.0, 62.0)
TOLERANCE = 0.04  # degrees; Douglas-Peucker tolerance of the simplification
CHINA_ID = "156"
ISLANDS_ID = "SCS"  # the South China Sea islands, part of China, drawn in the inset
DASHES_ID = "DASH"  # the dashed line in the South China Sea
PART_OF_CHINA = ("156", "158", "344", "446")  # China, Taiwan, Hong Kong, Macao (ISO 3166 numeric)
SCS_BOX = (105.0, 2.0, 123.0, 21.0)  # where the islands are looked for in the 1:10m countries
MAINLAND_SOUTH = 18.0  # degrees north: China's polygons wholly south of this are South China Sea islands


def load() -> dict[str, Any]:
    """The vendored base map as a GeoJSON FeatureCollection (properties: ``name``, ``id``)."""
    text = resources.files("xborder_data.site").joinpath("vendor", VENDORED).read_text(encoding="utf-8")
    return json.loads(text)


# -- the maintainer step ---------------------------------------------------------
def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Decode the quantised, delta-encoded arcs of a TopoJSON topology into degrees."""
    (kx, ky), (dx, dy) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for qx, qy in arc:
            x, y = x + qx, y + qy
            points.append((x * kx + dx, y * ky + dy))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _clamp(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    west, south, east, north = FRAME
    out: list[tuple[float, float]] = []
    for x, y in ring:
        point = (min(max(x, west), east), min(max(y, south), north))
        if not out or out[-1] != point:
            out.append(point)
    return out


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative so long rings do not hit the recursion limit."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            if length == 0:
                distance = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            else:
                distance = abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / length
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep) if kept]


def _inside(ring: list[tuple[float, float]]) -> bool:
    west, south, east, north = FRAME
    return any(west < x < east and south < y < north for x, y in ring)


def _polygon(rings: list[list[int]], arcs: list[list[tuple[float, float]]]) -> list[list[list[float]]] | None:
    shell = _ring(rings[0], arcs)
    if not _inside(shell):
        return None
    kept = []
    for indexes in rings:
        ring = _simplify(_clamp(_ring(indexes, arcs)), TOLERANCE)
        if len(ring) >= 4:
            kept.append([[round(x, 3), round(y, 3)] for x, y in ring])
    return kept or None


def _parts(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def cut(topology: dict[str, Any]) -> dict[str, Any]:
    """The countries of ``topology`` that reach into FRAME, clamped to it and simplified (as Natural Earth draws them)."""
    arcs = _arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = [p for p in (_polygon(rings, arcs) for rings in _parts(geometry)) if p]
        if polygons:
            features.append(
                {
                    "type": "Feature",
                    "id": geometry.get("id"),
                    "properties": {"name": geometry.get("properties", {}).get("name"), "id": geometry.get("id")},
                    "geometry": {"type": "MultiPolygon", "coordinates": polygons},
                }
            )
    return {"type": "FeatureCollection", "source": SOURCE, "features": features}


def _shapes(topology: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Every country of a topology as a shapely geometry, keyed by id (or name where Natural Earth gives no id)."""
    from shapely.geometry import Polygon  # type: ignore[import-untyped]  # a maintainer step's throwaway venv
    from shapely.ops import unary_union  # type: ignore[import-untyped]

    arcs = _arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = []
        for rings in _parts(geometry):
            shell, *holes = [_ring(indexes, arcs) for indexes in rings]
            if len(shell) >= 4:
                polygons.append(Polygon(shell, [h for h in holes if len(h) >= 4]).buffer(0))
        if polygons:
            name = geometry.get("properties", {}).get("name")
            shapes[geometry.get("id") or name] = (name, unary_union(polygons))
    return shapes


def _coordinates(shape: Any) -> list[list[list[list[float]]]]:
    polygons = []
    for polygon in getattr(shape, "geoms", [shape]):
        rings: list[list[list[float]]] = []
        for ring in [polygon.exterior, *polygon.interiors]:
            points = _simplify(_clamp(list(ring.coords)), TOLERANCE)
            if len(points) >= 4 and (rings or _inside(points)):
                rings.append([[round(x, 3), round(y, 3)] for x, y in points])
        if rings:
            polygons.append(rings)
    return polygons


def china_view(countries_50m: dict[str, Any], countries_10m: dict[str, Any], disputed: dict[str, Any], dashes: dict[str, Any]) -> dict[str, Any]:
    """The base map from China's point of view (see the module docstring)."""
    from shapely.geometry import box, shape  # type: ignore[import-untyped]
    from shapely.ops import unary_union  # type: ignore[import-untyped]

    mid = _shapes(countries_50m)
    claims = [shape(f["geometry"]).buffer(0) for f in disputed["features"] if f["properties"].get("ADM0_A3_CN") == "CHN"]
    # A hair of buffer closes the slivers where two sources' edges do not meet exactly.
    china = unary_union([mid[i][1] for i in PART_OF_CHINA if i in mid] + claims).buffer(0.01).buffer(-0.01)
    mainland = unary_union([p for p in getattr(china, "geoms", [china]) if p.bounds[3] > MAINLAND_SOUTH])
    fine = _shapes(countries_10m)
    scs = box(*SCS_BOX)
    islands = []
    for key in ("156", "158", "Spratly Is.", "Scarborough Reef"):
        for polygon in getattr(fine[key][1], "geoms", [fine[key][1]]) if key in fine else []:
            if polygon.within(scs) and polygon.bounds[3] < 21.0 and not polygon.intersects(mainland.buffer(0.2)):
                islands.append(polygon)
    features = [
        {
            "type": "Feature",
            "id": CHINA_ID,
            "properties": {"name": "China", "name_zh": "中国", "id": CHINA_ID},
            "geometry": {"type": "MultiPolygon", "coordinates": _coordinates(mainland)},
        },
        {
            "type": "Feature",
            "id": ISLANDS_ID,
            "properties": {"name": "South China Sea Islands", "name_zh": "南海诸岛", "id": ISLANDS_ID, "part_of": CHINA_ID},
            # Too small to simplify: kept as Natural Earth's 1:10m draws them, to three decimals.
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[[round(x, 3), round(y, 3)] for x, y in p.exterior.coords]] for p in islands],
            },
        },
        {
            "type": "Feature",
            "id": DASHES_ID,
            "properties": {"name": "Dashed line (China's point of view)", "name_zh": "南海断续线", "id": DASHES_ID},
            "geometry": {
                "type": "MultiLineString",
                "coordinates": [[[round(x, 3), round(y, 3)] for x, y in f["geometry"]["coordinates"]] for f in dashes["features"]],
            },
        },
    ]
    for key, (name, geometry) in sorted(mid.items(), key=lambda item: str(item[0])):
        if key in PART_OF_CHINA:
            continue
        polygons = _coordinates(geometry.difference(china))
        if polygons:
            features.append(
                {"type": "Feature", "id": key, "properties": {"name": name, "id": key}, "geometry": {"type": "MultiPolygon", "coordinates": polygons}}
            )
    return {"type": "FeatureCollection", "source": SOURCE, "features": features}


def main(argv: list[str] | None = None) -> int:
    """Write ``vendor/basemap-china.geojson`` from world-atlas and two Natural Earth GeoJSON files."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(
            "usage: python -m xborder_data.site.basemap WORLD_ATLAS_DIR NE_50M_BREAKAWAY_DISPUTED.geojson NE_10M_MARITIME_INDICATOR_CHN.geojson",
            file=sys.stderr,
        )
        return 2
    atlas, disputed, dashes = (Path(a) for a in args)
    read = lambda path: json.loads(path.read_text(encoding="utf-8"))  # noqa: E731
    collection = china_view(read(atlas / "countries-50m.json"), read(atlas / "countries-10m.json"), read(disputed), read(dashes))
    target = Path(__file__).with_name("vendor") / VENDORED  # a maintainer step on a source checkout
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
