#!/usr/bin/python3
"""Generate the SYNTHETIC benchmark points (not real data: random positions, fixed seed).

Points are drawn uniformly in lon/lat over the bounding box of the region's communes and kept
only when they fall inside the region outline (even-odd ray casting in numpy, in lon/lat degrees,
holes included), until N points are kept. Output CSV columns: id,lon,lat (ids 1..N, 6 decimals,
about 0.1 m). A second file holds the first M points (a subset of the same draw).

Usage: make_points.py --communes C.geojson --region R.geojson --out P.csv --n 1000000
                      [--subset-out S.csv --subset-n 100000] [--seed 20170]
"""
import argparse
import sys
import time

import numpy as np
from osgeo import ogr

ogr.UseExceptions()


def layer_extent(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    min_x, max_x, min_y, max_y = lyr.GetExtent()
    return min_x, max_x, min_y, max_y


def outline_edges(path):
    """All ring edges (outer rings and holes) of every polygon in the layer, as (x0, y0, x1, y1)."""
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    segs = []
    for feat in lyr:
        geom = feat.GetGeometryRef()
        if geom is None:
            continue
        stack = [geom]
        while stack:
            g = stack.pop()
            name = g.GetGeometryName()
            if name in ("POLYGON", "MULTIPOLYGON", "GEOMETRYCOLLECTION"):
                stack.extend(g.GetGeometryRef(i) for i in range(g.GetGeometryCount()))
            elif name in ("LINEARRING", "LINESTRING"):
                pts = np.array(g.GetPoints(), dtype=np.float64)[:, :2]
                if len(pts) < 3:
                    continue
                if not np.array_equal(pts[0], pts[-1]):
                    pts = np.vstack([pts, pts[:1]])
                segs.append(np.hstack([pts[:-1], pts[1:]]))
    if not segs:
        sys.exit(f"make_points.py: no polygon in {path}")
    e = np.vstack(segs)
    return e[e[:, 1] != e[:, 3]]  # horizontal edges never cross a horizontal ray


def inside(lon, lat, edges, strips=512):
    """Even-odd point in polygon; edges are bucketed in latitude strips so that each point is only
    tested against the edges spanning its strip."""
    y_lo = np.minimum(edges[:, 1], edges[:, 3])
    y_hi = np.maximum(edges[:, 1], edges[:, 3])
    y0, y1 = y_lo.min(), y_hi.max()
    h = (y1 - y0) / strips
    s_pt = np.clip(((lat - y0) / h).astype(np.int64), 0, strips - 1)
    s_lo = np.clip(((y_lo - y0) / h).astype(np.int64), 0, strips - 1)
    s_hi = np.clip(((y_hi - y0) / h).astype(np.int64), 0, strips - 1)
    result = np.zeros(lon.shape, dtype=bool)
    order = np.argsort(s_pt, kind="stable")
    bounds = np.searchsorted(s_pt[order], np.arange(strips + 1))
    for s in range(strips):
        idx = order[bounds[s] : bounds[s + 1]]
        if idx.size == 0:
            continue
        sel = edges[(s_lo <= s) & (s_hi >= s)]
        if sel.size == 0:
            continue
        x, y = lon[idx], lat[idx]
        odd = np.zeros(idx.size, dtype=bool)
        for x0, y0e, x1, y1e in sel:
            # Half-open rule: an edge counts when the ray at y crosses [y0, y1).
            crosses = (y0e > y) != (y1e > y)
            if not crosses.any():
                continue
            xc = x0 + (y - y0e) * (x1 - x0) / (y1e - y0e)
            odd ^= crosses & (x < xc)
        result[idx] = odd
    return result


def write_csv(path, lon, lat, n):
    ids = np.arange(1, n + 1, dtype=np.int64)
    with open(path, "w", encoding="utf-8") as f:
        # No comment line in the file (CSV readers would take it for a row): the file name says
        # SYNTHETIC, and this script is the record of how the points were made.
        f.write("id,lon,lat\n")
        np.savetxt(f, np.column_stack([ids, lon[:n], lat[:n]]), fmt="%d,%.6f,%.6f")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communes", required=True)
    ap.add_argument("--region", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--subset-out")
    ap.add_argument("--subset-n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20170)
    a = ap.parse_args()

    t0 = time.perf_counter()
    min_x, max_x, min_y, max_y = layer_extent(a.communes)
    edges = outline_edges(a.region)
    rng = np.random.default_rng(a.seed)
    kept_lon, kept_lat, kept, drawn = [], [], 0, 0
    while kept < a.n:
        batch = max(2 * (a.n - kept), 10_000)
        lon = rng.uniform(min_x, max_x, batch)
        lat = rng.uniform(min_y, max_y, batch)
        m = inside(lon, lat, edges)
        drawn += batch
        kept_lon.append(lon[m])
        kept_lat.append(lat[m])
        kept += int(m.sum())
    lon = np.concatenate(kept_lon)[: a.n]
    lat = np.concatenate(kept_lat)[: a.n]
    write_csv(a.out, lon, lat, a.n)
    if a.subset_out:
        write_csv(a.subset_out, lon, lat, min(a.subset_n, a.n))
    print(f"make_points.py: {a.n} SYNTHETIC points (seed {a.seed}) inside the region outline "
          f"({edges.shape[0]} edges), bbox of communes lon [{min_x:.4f}, {max_x:.4f}] "
          f"lat [{min_y:.4f}, {max_y:.4f}], {drawn} drawn; {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
