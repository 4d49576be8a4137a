"""The offline base map of China and its neighbours, and the maintainer step that makes it.

The site never fetches tiles: it ships ``vendor/basemap-china.geojson``, a small
GeoJSON of the country boundaries around China, cut from Natural Earth's public-domain
1:50m Admin 0 countries as redistributed by the npm package ``world-atlas`` (ISC).

Rebuild it (a maintainer step, never run by the site build)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m xborder_data.site.basemap package/countries-50m.json
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

VENDORED = "basemap-china.geojson"
SOURCE = (
    "Country boundaries: Natural Earth 1:50m Admin 0 countries, version 4.1.0 (public domain), "
    "from the npm package world-atlas 2.0.2 (ISC licence), simplified; drawn as Natural Earth draws them."
)
# The frame kept around China (lon_min, lat_min, lon_max, lat_max); outside it,
# coordinates are clamped to the frame's edge, where the view crops them anyway.
FRAME = (55.0, 5.0, 150.0, 62.0)
TOLERANCE = 0.04  # degrees; Douglas-Peucker tolerance of the simplification
CHINA_ID = "156"


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


def cut(topology: dict[str, Any]) -> dict[str, Any]:
    """The countries of ``topology`` that reach into FRAME, clamped to it and simplified."""
    arcs = _arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") == "Polygon":
            parts = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            parts = geometry["arcs"]
        else:
            continue
        polygons = [p for p in (_polygon(rings, arcs) for rings in parts) if p]
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


def main(argv: list[str] | None = None) -> int:
    """Write ``vendor/basemap-china.geojson`` from world-atlas' countries-50m.json."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m xborder_data.site.basemap PATH/TO/world-atlas/countries-50m.json", file=sys.stderr)
        return 2
    topology = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    target = Path(__file__).with_name("vendor") / VENDORED  # a maintainer step on a source checkout
    text = json.dumps(cut(topology), ensure_ascii=False, separators=(",", ":"))
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
