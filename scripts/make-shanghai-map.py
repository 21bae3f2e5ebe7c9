#!/usr/bin/env python3
"""Writes crates/greenbook-publish/src/shanghai-districts.json: the outlines of Shanghai's 16 districts for the overview's
schematic map, decoded from the npm package echarts@4.9.0 (map/json/province/shanghai.json, ECharts'
compressed GeoJSON; Apache-2.0, see crates/greenbook-publish/src/shanghai-districts.LICENSE) and simplified
(Douglas-Peucker, 0.002° ≈ 200 m) to keep the binary small. A developer tool: `npm pack
echarts@4.9.0` fetches the package; the product embeds the committed JSON.
Usage: scripts/make-shanghai-map.py PATH/TO/shanghai.json"""
import json
import os
import sys


def decode_ring(s, offset, scale=1024):
    """ECharts' UTF-8 encoding: pairs of characters, zigzag-encoded deltas from the offset."""
    out, px, py = [], offset[0], offset[1]
    for i in range(0, len(s), 2):
        x, y = ord(s[i]) - 64, ord(s[i + 1]) - 64
        x, y = (x >> 1) ^ (-(x & 1)), (y >> 1) ^ (-(y & 1))
        px, py = px + x, py + y
        out.append((px / scale, py / scale))
    return out


def simplify(points, tol):
    if len(points) < 4:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    best, at = 0.0, 0
    for i in range(1, len(points) - 1):
        x0, y0 = points[i]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        d = abs(dy * x0 - dx * y0 + x2 * y1 - y2 * x1) / norm if norm else ((x0 - x1) ** 2 + (y0 - y1) ** 2) ** 0.5
        if d > best:
            best, at = d, i
    if best <= tol:
        return [points[0], points[-1]]
    return simplify(points[: at + 1], tol)[:-1] + simplify(points[at:], tol)


src = json.load(open(sys.argv[1], encoding="utf-8"))
assert src.get("UTF8Encoding"), "expected ECharts' compressed GeoJSON"
districts = []
for f in src["features"]:
    g = f["geometry"]
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    offs = [g["encodeOffsets"]] if g["type"] == "Polygon" else g["encodeOffsets"]
    rings = []
    for poly, off in zip(polys, offs):
        ring = decode_ring(poly[0], off[0])
        ring = simplify(ring, 0.002)
        if len(ring) >= 4:
            rings.append([[round(x, 4), round(y, 4)] for x, y in ring])
    districts.append({"name": f["properties"]["name"], "rings": rings})
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "greenbook-publish", "src", "shanghai-districts.json")
with open(out, "w", encoding="utf-8") as fh:
    json.dump({"source": "echarts@4.9.0 map/json/province/shanghai.json (Apache-2.0), decoded and simplified by scripts/make-shanghai-map.py",
               "districts": districts}, fh, ensure_ascii=False, separators=(",", ":"))
print(out, sum(len(r) for d in districts for r in d["rings"]), "points", file=sys.stderr)
