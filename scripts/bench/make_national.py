#!/usr/bin/python3
"""Generate a SYNTHETIC national-size dataset for the scale benchmark (not real data).

Everything is drawn from a fixed seed (numpy's PCG64), so that two runs with the same options
write the same features (the GeoPackage's timestamp is pinned too: same bytes).

- Country: an irregular hexagon near 46.5N 2.5E, with the corners of mainland France's hexagon
  (Dunkerque, Lauterbourg, Menton, Cerbere, Hendaye, Pointe Saint-Mathieu), its edges roughened by
  midpoint displacement, then scaled to exactly --area-km2 in a Lambert azimuthal equal-area
  projection centred on 46.5N 2.5E (so areas are true areas).
- Zones: Voronoi cells (from GEOS's Delaunay triangulation, through OGR) of --zones random seeds,
  clipped to the country: they tile it without gaps or overlaps. 70 % of the seeds are uniform
  in the country, 30 % cluster around the "cities" (small zones in the suburbs, as communes
  are); each city centre is itself a seed.
- Population: integers summing exactly to --population. The zone holding each of the N cities'
  centres gets a Zipf share (rank k: 1/k) of 16 % of the total (a Paris-like 2.4 million for
  the default); every other zone gets a share of the rest proportional to
  area x density at its centroid x a log-normal factor (sigma 0.9), where the density is a
  rural floor plus a Gaussian suburb around each city. Rounding: largest remainders.
- Groups: ~365 zones per "department" (96 for the default), each zone in the department of the
  nearest of as many random department seeds; codes "01".."96".
- Sites: --sites points, each in a zone drawn with probability 0.85 x population share + 0.15 x
  area share (denser where people live, but some in the countryside), uniform inside that zone.

Outputs in OUT (default bench/national/, git-ignored):
  zones-synthetic.gpkg   layer zones_synthetic, EPSG:4326, fields code, nom, departement,
                         population (the field names `maillage analyse` uses by default)
  zones-synthetic.geojson  (with --geojson) the same zones
  sites-synthetic.csv    id,name,type,lon,lat (WGS84 degrees, 6 decimals)
  manifest.json          parameters, counts, population total and distribution
  README.txt             says that all of this is SYNTHETIC

Usage: make_national.py [OUT] [--zones 35000] [--sites 10000] [--population 68000000]
                        [--area-km2 550000] [--seed 2026] [--geojson]
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

LAEA = "+proj=laea +lat_0=46.5 +lon_0=2.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
# Mainland France's "hexagon" corners (lon, lat), clockwise from the north.
HEXAGON = [(2.37, 51.05), (8.23, 48.97), (7.53, 43.78), (3.17, 42.44), (-1.78, 43.36),
           (-4.77, 48.33)]
SITE_TYPES = ["mairie", "poste", "france_services"]
CITY_SHARE = 0.16  # of the population, in the city-centre zones (top 50 French communes: ~16 %)
UNIFORM_SEEDS = 0.70  # share of the zone seeds drawn uniformly; the rest around cities
# Pinned GeoPackage timestamp: two runs give the same bytes.
GPKG_DATE = "2026-01-01T00:00:00Z"


def log(msg):
    print(f"make_national.py: {msg}", file=sys.stderr, flush=True)


def srs_from(text):
    s = osr.SpatialReference()
    s.SetFromUserInput(text)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def rough_ring(rng, corners, levels=6, amplitude=0.08):
    """Closed ring through the corners, each edge roughened by midpoint displacement (the
    displacement is perpendicular to the edge, at most `amplitude` x its length)."""
    pts = [np.array(c, dtype=float) for c in corners]
    for _ in range(levels):
        out = []
        for i, a in enumerate(pts):
            b = pts[(i + 1) % len(pts)]
            d = b - a
            normal = np.array([-d[1], d[0]])
            mid = (a + b) / 2 + normal * rng.uniform(-amplitude, amplitude)
            out += [a, mid]
        pts = out
    return np.array(pts)


def ring_area(xy):
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def polygon_from(xy):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in xy:
        ring.AddPoint_2D(float(x), float(y))
    ring.AddPoint_2D(float(xy[0][0]), float(xy[0][1]))
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    return poly


def inside(x, y, ring):
    """Even-odd point-in-polygon test of points (x, y) against a closed ring (numpy)."""
    res = np.zeros(len(x), dtype=bool)
    x0, y0 = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    for a, b, c, d in zip(x0, y0, x1, y1):
        if b == d:
            continue
        crosses = (b > y) != (d > y)
        xi = a + (y - b) * (c - a) / (d - b)
        res ^= crosses & (x < xi)
    return res


def points_inside(rng, n, ring, sampler):
    """n points from sampler(k) -> (x, y) arrays, keeping those inside the ring."""
    xs, ys, have = [], [], 0
    while have < n:
        x, y = sampler(max(1024, 2 * (n - have)))
        keep = inside(x, y, ring)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def polygons_of(geom):
    """The polygons of a geometry (a clipped cell may be a multipolygon or a collection)."""
    t = ogr.GT_Flatten(geom.GetGeometryType())
    if t == ogr.wkbPolygon:
        return [geom.Clone()] if not geom.IsEmpty() else []
    if t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        out = []
        for i in range(geom.GetGeometryCount()):
            out += polygons_of(geom.GetGeometryRef(i))
        return out
    return []


def voronoi_cells(x, y):
    """Voronoi cell of every point, in input order, from GEOS's Delaunay triangulation (the GDAL
    3.6 bindings have no VoronoiDiagram): a cell is the polygon of the circumcentres of the
    triangles around its point, taken by angle. Four far corners are added so that every given
    point is inside the hull and its cell is bounded. Each circumcentre is computed once, so that
    neighbouring cells share their edges exactly."""
    n = len(x)
    span = max(x.max() - x.min(), y.max() - y.min())
    mx, my = (x.max() + x.min()) / 2, (y.max() + y.min()) / 2
    far = 10 * span
    px = np.concatenate([x, mx + np.array([-far, far, far, -far])])
    py = np.concatenate([y, my + np.array([-far, -far, far, far])])
    mp = ogr.Geometry(ogr.wkbMultiPoint)
    for u, v in zip(px, py):
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(float(u), float(v))
        mp.AddGeometry(p)
    tris = mp.DelaunayTriangulation(0.0, False)
    where = {(float(u), float(v)): i for i, (u, v) in enumerate(zip(px, py))}
    t = np.array([[where[q[:2]] for q in tris.GetGeometryRef(k).GetGeometryRef(0).GetPoints()[:3]]
                  for k in range(tris.GetGeometryCount())])
    # Circumcentres, relative to the first vertex for precision.
    ax, ay = px[t[:, 0]], py[t[:, 0]]
    bx, by = px[t[:, 1]] - ax, py[t[:, 1]] - ay
    cx, cy = px[t[:, 2]] - ax, py[t[:, 2]] - ay
    d = 2 * (bx * cy - by * cx)
    ux = ax + (cy * (bx * bx + by * by) - by * (cx * cx + cy * cy)) / d
    uy = ay + (bx * (cx * cx + cy * cy) - cx * (bx * bx + by * by)) / d
    # Triangles around each point.
    owner = t.ravel()
    tri_of = np.repeat(np.arange(len(t)), 3)
    order = np.argsort(owner, kind="stable")
    owner, tri_of = owner[order], tri_of[order]
    starts = np.searchsorted(owner, np.arange(n + 1))
    for i in range(n):
        around = tri_of[starts[i]:starts[i + 1]]
        ang = np.arctan2(uy[around] - y[i], ux[around] - x[i])
        around = around[np.argsort(ang, kind="stable")]
        yield polygon_from(np.c_[ux[around], uy[around]])


def largest_remainder(weights, total):
    """Integers proportional to weights, summing exactly to total."""
    exact = weights / weights.sum() * total
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    return base


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default="bench/national", help="output folder")
    ap.add_argument("--zones", type=int, default=35000)
    ap.add_argument("--sites", type=int, default=10000)
    ap.add_argument("--population", type=int, default=68_000_000)
    ap.add_argument("--area-km2", type=float, default=550_000.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--geojson", action="store_true", help="also write zones-synthetic.geojson")
    a = ap.parse_args()
    if a.zones < 10 or a.sites < 1 or a.population < a.zones or a.area_km2 <= 0:
        ap.error("need --zones >= 10, --sites >= 1, --population >= --zones, --area-km2 > 0")
    t0 = time.time()
    rng = np.random.Generator(np.random.PCG64(a.seed))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    laea, wgs84 = srs_from(LAEA), srs_from("EPSG:4326")
    to_laea = osr.CoordinateTransformation(wgs84, laea)
    to_wgs84 = osr.CoordinateTransformation(laea, wgs84)

    # --- Country -----------------------------------------------------------------------------
    corners = [to_laea.TransformPoint(lon, lat)[:2] for lon, lat in HEXAGON]
    ring = rough_ring(rng, corners)
    if ring_area(ring) < 0:
        ring = ring[::-1]
    ring -= ring.mean(axis=0)  # centred on the projection's origin, 46.5N 2.5E
    ring *= np.sqrt(a.area_km2 * 1e6 / ring_area(ring))
    country = polygon_from(ring)
    if not country.IsValid():
        sys.exit("make_national.py: the country outline is not a valid polygon; try another --seed")
    min_x, max_x, min_y, max_y = country.GetEnvelope()
    scale = np.sqrt(a.area_km2 / 550_000.0)  # lengths shrink with a smaller country

    def uniform(k):
        return rng.uniform(min_x, max_x, k), rng.uniform(min_y, max_y, k)

    # --- Cities, zone seeds ----------------------------------------------------------------------
    n_cities = max(1, a.zones // 700)
    cx, cy = points_inside(rng, n_cities, ring, uniform)
    rank = np.arange(1, n_cities + 1)
    city_w = 1.0 / rank  # Zipf
    city_sigma = (6_000.0 + 20_000.0 * np.sqrt(city_w)) * scale  # suburb radius, m

    n_clustered = int(round((a.zones - n_cities) * (1 - UNIFORM_SEEDS)))
    n_uniform = a.zones - n_cities - n_clustered
    ux, uy = points_inside(rng, n_uniform, ring, uniform)
    pick_p = np.sqrt(city_w) / np.sqrt(city_w).sum()

    def around_cities(k):
        c = rng.choice(n_cities, size=k, p=pick_p)
        r = rng.normal(0.0, 1.0, (k, 2)) * (0.6 * city_sigma[c])[:, None]
        return cx[c] + r[:, 0], cy[c] + r[:, 1]

    kx, ky = points_inside(rng, n_clustered, ring, around_cities)
    seeds_x = np.concatenate([cx, ux, kx])
    seeds_y = np.concatenate([cy, uy, ky])
    # Seeds must be distinct, one cell each (a repeat is vanishingly rare).
    _, first = np.unique(np.round(np.c_[seeds_x, seeds_y], 3), axis=0, return_index=True)
    if len(first) != len(seeds_x):
        sys.exit("make_national.py: duplicate seeds; try another --seed")
    log(f"country {a.area_km2:,.0f} km2, {n_cities} cities, {a.zones} seeds "
        f"({time.time() - t0:.1f} s)")

    # --- Voronoi cells, clipped --------------------------------------------------------------------
    cells = []
    for poly in voronoi_cells(seeds_x, seeds_y):
        parts = polygons_of(poly.Intersection(country))
        if not parts:  # cannot happen: every seed lies inside the country
            sys.exit("make_national.py: a Voronoi cell lies outside the country")
        if len(parts) == 1:
            g = parts[0]
        else:
            g = ogr.Geometry(ogr.wkbMultiPolygon)
            for p in parts:
                g.AddGeometry(p)
        cells.append(g)
    log(f"{len(cells)} Voronoi cells clipped ({time.time() - t0:.1f} s)")

    area_m2 = np.array([g.GetArea() for g in cells])
    cent = np.array([g.Centroid().GetPoint_2D() for g in cells])

    # --- Departments, order, ids ---------------------------------------------------------------------
    n_dep = max(1, int(round(a.zones / 365)))
    dx, dy = points_inside(rng, n_dep, ring, uniform)
    # Department numbers from north-west to south-east, as the seeds lie (deterministic).
    dep_order = np.lexsort((dx, -dy))
    dx, dy = dx[dep_order], dy[dep_order]
    dep = np.argmin((cent[:, 0, None] - dx[None, :]) ** 2 + (cent[:, 1, None] - dy[None, :]) ** 2,
                    axis=1)
    order = np.lexsort((cent[:, 0], -cent[:, 1], dep))  # by department, then north to south
    cells = [cells[i] for i in order]
    area_m2, cent, dep = area_m2[order], cent[order], dep[order]
    width = max(2, len(str(n_dep)))
    dep_code = [f"{d + 1:0{width}d}" for d in dep]
    codes, seen = [], {}
    for d in dep_code:
        seen[d] = seen.get(d, 0) + 1
        codes.append(f"{d}{seen[d]:04d}")

    # --- Population ----------------------------------------------------------------------------
    # The cities' seeds came first: cell k (before the reordering) is city k's.
    city_zone = np.argsort(order)[:n_cities]
    d2 = (cent[:, 0, None] - cx[None, :]) ** 2 + (cent[:, 1, None] - cy[None, :]) ** 2
    density = 1.0 + (40.0 * city_w[None, :] * np.exp(-d2 / (2 * city_sigma[None, :] ** 2))).sum(1)
    weight = area_m2 / 1e6 * density * rng.lognormal(0.0, 0.9, len(cells))
    city_pop = int(round(a.population * CITY_SHARE)) if n_cities < len(cells) else a.population
    rest = np.ones(len(cells), dtype=bool)
    rest[city_zone] = False
    population = np.zeros(len(cells), dtype=np.int64)
    population[city_zone] = largest_remainder(city_w, city_pop)
    population[rest] = largest_remainder(weight[rest], a.population - city_pop)
    assert population.sum() == a.population

    # --- Sites -----------------------------------------------------------------------------------------
    p_zone = 0.85 * population / population.sum() + 0.15 * area_m2 / area_m2.sum()
    site_zone = rng.choice(len(cells), size=a.sites, p=p_zone / p_zone.sum())
    site_xy = np.zeros((a.sites, 2))
    for s, z in enumerate(site_zone):
        x0, x1, y0, y1 = cells[z].GetEnvelope()
        while True:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            pt = ogr.Geometry(ogr.wkbPoint)
            pt.AddPoint_2D(float(x), float(y))
            if cells[z].Contains(pt):
                site_xy[s] = (x, y)
                break
    site_type = rng.choice(len(SITE_TYPES), size=a.sites)

    # --- Write -----------------------------------------------------------------------------------------
    gdal.SetConfigOption("OGR_CURRENT_DATE", GPKG_DATE)
    description = (f"SYNTHETIC zones (not real data): {a.zones} Voronoi cells, population "
                   f"{a.population}, seed {a.seed}; scripts/bench/make_national.py")
    targets = [("GPKG", out / "zones-synthetic.gpkg")]
    if a.geojson:
        targets.append(("GeoJSON", out / "zones-synthetic.geojson"))
    wgs_cells = []
    for g in cells:
        w = g.Clone()
        w.Transform(to_wgs84)
        wgs_cells.append(w)
    for driver, path in targets:
        if path.exists():
            path.unlink()
        ds = ogr.GetDriverByName(driver).CreateDataSource(str(path))
        opts = [f"DESCRIPTION={description}"]
        if driver == "GPKG":
            opts.append("IDENTIFIER=zones_synthetic (SYNTHETIC)")
        else:
            opts += ["RFC7946=YES", "COORDINATE_PRECISION=7"]
        lyr = ds.CreateLayer("zones_synthetic", wgs84, ogr.wkbMultiPolygon, options=opts)
        for name, kind in [("code", ogr.OFTString), ("nom", ogr.OFTString),
                           ("departement", ogr.OFTString), ("population", ogr.OFTInteger64)]:
            lyr.CreateField(ogr.FieldDefn(name, kind))
        city_rank = {int(z): k + 1 for k, z in enumerate(city_zone)}
        lyr.StartTransaction()
        for i, g in enumerate(wgs_cells):
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetField("code", codes[i])
            label = f"synthetic city {city_rank[i]}" if i in city_rank else "synthetic zone"
            f.SetField("nom", f"{label} {codes[i]}")
            f.SetField("departement", dep_code[i])
            f.SetField("population", int(population[i]))
            f.SetGeometry(ogr.ForceToMultiPolygon(g))
            lyr.CreateFeature(f)
        lyr.CommitTransaction()
        ds = None

    lonlat = [to_wgs84.TransformPoint(float(x), float(y))[:2] for x, y in site_xy]
    with open(out / "sites-synthetic.csv", "w", encoding="utf-8", newline="\n") as f:
        f.write("id,name,type,lon,lat\n")
        for s, (lon, lat) in enumerate(lonlat):
            t = SITE_TYPES[site_type[s]]
            f.write(f"s{s + 1:05d},synthetic site {s + 1} ({t}),{t},{lon:.6f},{lat:.6f}\n")

    pop_sorted = np.sort(population)[::-1]
    manifest = {
        "SYNTHETIC": "generated data, not real: see README.txt",
        "generator": "scripts/bench/make_national.py",
        "parameters": {"zones": a.zones, "sites": a.sites, "population": a.population,
                       "area_km2": a.area_km2, "seed": a.seed},
        "equal_area_crs": LAEA,
        "zones": len(cells),
        "departments": n_dep,
        "cities": n_cities,
        "sites": a.sites,
        "population_total": int(population.sum()),
        "area_km2": round(float(area_m2.sum()) / 1e6, 3),
        "zone_population": {
            "min": int(pop_sorted[-1]),
            "median": round(float(np.median(population)), 1),
            "mean": round(float(population.mean()), 1),
            "p90": round(float(np.percentile(population, 90)), 1),
            "p99": round(float(np.percentile(population, 99)), 1),
            "max": int(pop_sorted[0]),
            "share_of_top_10": round(float(pop_sorted[:10].sum() / population.sum()), 4),
            "share_of_smallest_half": round(
                float(pop_sorted[len(pop_sorted) // 2:].sum() / population.sum()), 4),
        },
        "files": {"zones": [p.name for _, p in targets], "sites": "sites-synthetic.csv"},
    }
    with open(out / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with open(out / "README.txt", "w", encoding="utf-8") as f:
        f.write(
            "SYNTHETIC DATA - NOT REAL. Generated by scripts/bench/make_national.py "
            f"(seed {a.seed}) for the scale benchmark (scripts/bench/scale.py).\n"
            f"{a.zones} zones (Voronoi cells) tiling an irregular hexagon of {a.area_km2:,.0f} km2 "
            f"near 46.5N 2.5E, population {a.population:,} in total; {a.sites} sites.\n"
            "Zones: zones-synthetic.gpkg (fields code, nom, departement, population). "
            "Sites: sites-synthetic.csv (id,name,type,lon,lat). Figures: manifest.json.\n"
            "Regenerate rather than commit: this folder is git-ignored.\n")
    log(f"wrote {out}/: {len(cells)} zones, population {population.sum():,}, {a.sites} sites, "
        f"largest zone {pop_sorted[0]:,}, median {np.median(population):,.0f} "
        f"({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
