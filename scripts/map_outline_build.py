"""Build reporting/data/vietnam_outline.json, the statistics map's outline of Vietnam's mainland.

Run once by hand when the outline should change; the platform only reads the JSON it writes:

    npm install --prefix /tmp/geo world-atlas@2
    .venv/bin/python scripts/map_outline_build.py /tmp/geo/node_modules/world-atlas/countries-50m.json

The source is Natural Earth 1:50m admin-0 countries (public domain), as TopoJSON in the npm package
world-atlas 2.0.2 (ISC licence). Vietnam's polygons (ISO 3166 numeric 704) are decoded, islands
too small to see at the map's size are dropped, and each ring is simplified with
Ramer–Douglas–Peucker to a few hundred points: a few KB, drawn as one SVG path. The Hoàng Sa and
Trường Sa archipelagos are not part of this polygon in Natural Earth; the map draws them from
reporting/pure/geo.py.
"""

import json
import math
import sys
from pathlib import Path

VIETNAM = "704"
TOLERANCE_DEGREES = 0.03  # about 3 km: under half a map unit at the map's scale (24 units a degree)
MIN_AREA_SQUARE_DEGREES = 0.005  # smaller islands would be a dot under a province's circle
OUTPUT = Path(__file__).resolve().parent.parent / "reporting" / "data" / "vietnam_outline.json"


def arcs_decode(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs as (longitude, latitude) points: delta-decoded, then unquantized."""
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_build(arc_indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points[1:] if ring else points)  # consecutive arcs share their end point
    return ring


def area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Ramer–Douglas–Peucker, iterative so long coastlines do not hit the recursion limit."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        length = math.hypot(x1 - x0, y1 - y0)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            x, y = points[index]
            if length:
                d = abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
            else:
                d = math.hypot(x - x0, y - y0)
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep.add(farthest)
            stack += [(first, farthest), (farthest, last)]
    return [points[index] for index in sorted(keep)]


def main(topojson_path: str) -> None:
    topology = json.loads(Path(topojson_path).read_text())
    arcs = arcs_decode(topology)
    country = next(g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == VIETNAM)
    polygons = country["arcs"] if country["type"] == "MultiPolygon" else [country["arcs"]]
    rings = []
    for polygon in polygons:
        outer = ring_build(polygon[0], arcs)  # Vietnam's polygons have no holes worth drawing
        if area(outer) < MIN_AREA_SQUARE_DEGREES:
            continue
        simplified = simplify(outer, TOLERANCE_DEGREES)
        if len(simplified) >= 4:
            rings.append([[round(lat, 3), round(lon, 3)] for lon, lat in simplified])
    rings.sort(key=len, reverse=True)
    data = {
        "source": "Natural Earth 1:50m admin-0 countries v4.1.0, via the npm package world-atlas 2.0.2",
        "licence": "Natural Earth: public domain; world-atlas: ISC",
        "built_by": "scripts/map_outline_build.py (Ramer-Douglas-Peucker, tolerance 0.03 degree)",
        "rings": rings,  # each a closed ring of [latitude, longitude], the mainland first
    }
    OUTPUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"{OUTPUT}: {len(rings)} rings, {sum(map(len, rings))} points, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
