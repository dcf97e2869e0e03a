"""Shared helpers of the maillage CLI tests.

Expected values in the tests come from independent computations: pyproj's Geod (GeographicLib)
by brute force over every site, hand-worked fixtures, or figures published with the data
(geodata/SOURCES.md). Nothing here reuses maillage's own output as a reference.
"""

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr
from pyproj import Geod

gdal.UseExceptions()
ogr.UseExceptions()
# GEOS warnings about the invalid input communes are expected: keep them out of the test log.
gdal.PushErrorHandler("CPLQuietErrorHandler")

REPO = Path(os.environ.get("MAILLAGE_REPO") or Path(__file__).resolve().parents[2])
BIN = os.environ.get("MAILLAGE_BIN") or str(REPO / "build" / "maillage")
GEODATA = REPO / "geodata"
DATA = REPO / "tests" / "data" / "cli"

COMMUNES = GEODATA / "communes-aura-cog2026.geojson"
STRUCTURES_CSV = GEODATA / "structures-aura-dila-2017.csv"
BORDER_CSV = GEODATA / "structures-voisines-dila-2017.csv"
BORDER_COMMUNES = GEODATA / "communes-voisines-cog2026.geojson"

GEOD = Geod(ellps="WGS84")

# Published figures (geodata/SOURCES.md), used as expected values.
AURA_POPULATION = 8205557
AURA_COMMUNES = 4025
AURA_SPRO_SITES = 470
# The SPRO-type sites of the neighbouring departments within 60 km, all outside the region
# (geodata/SOURCES.md: border sites), and the neighbouring communes within 60 km.
AURA_BORDER_SITES = 287
AURA_BORDER_COMMUNES = 3587
AURA_BORDER_POPULATION = 4175484
AURA_INVALID_COMMUNES = 47
AURA_DEPARTMENTS = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]

# Outputs round km to 4 decimals (0.1 m); 1 m is the agreed tolerance on distances.
DIST_TOL_M = 1.0
# Two sites closer than this to the same distance are a tie: either id is right.
TIE_TOL_M = 0.001


@dataclass
class Result:
    args: list
    returncode: int
    stdout: str
    stderr: str

    def __str__(self):
        return (f"command: {' '.join(str(a) for a in self.args)}\nexit code: {self.returncode}\n"
                f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}")


def run(*args, cwd=None, timeout=300):
    """Runs maillage with ARGS; returns its exit code, stdout and stderr."""
    cmd = [BIN] + [str(a) for a in args]
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return Result(cmd, p.returncode, p.stdout, p.stderr)


def run_ok(tc, *args, **kw):
    """Runs maillage and fails the test unless it exits 0."""
    r = run(*args, **kw)
    tc.assertEqual(r.returncode, 0, f"maillage failed\n{r}")
    return r


def make_tempdir(owner):
    """A temporary folder removed at the end of the test (or of the class, from setUpClass)."""
    path = Path(tempfile.mkdtemp(prefix="maillage-cli-"))
    if isinstance(owner, type):
        owner.addClassCleanup(shutil.rmtree, path, True)
    else:
        owner.addCleanup(shutil.rmtree, path, True)
    return path


def snapshot(folder):
    """Every file (hidden ones too) under FOLDER with the sha256 of its content."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_dir():
            out[rel + "/"] = "dir"
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- Sites read independently of maillage -----------------------------------------------------

@dataclass
class Sites:
    ids: list
    lon: np.ndarray
    lat: np.ndarray

    def index(self):
        return {sid: i for i, sid in enumerate(self.ids)}


def read_sites_csv(path, keep=lambda row: True, lon="lon", lat="lat", id_field="id"):
    with open(path, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if keep(r)]
    return Sites([r[id_field] for r in rows], np.array([float(r[lon]) for r in rows]),
                 np.array([float(r[lat]) for r in rows]))


def spro_sites():
    """The regional sites: geodata CSV rows with spro_core == 1."""
    return read_sites_csv(STRUCTURES_CSV, keep=lambda r: r["spro_core"].strip() == "1")


def border_sites():
    """The shipped border sites (every row of the neighbouring departments' file)."""
    return read_sites_csv(BORDER_CSV)


def default_sites():
    """The sites of a run with no site option: the regional SPRO sites, then the border sites."""
    a, b = spro_sites(), border_sites()
    return Sites(a.ids + b.ids, np.concatenate([a.lon, b.lon]), np.concatenate([a.lat, b.lat]))


# --- Geodesic brute force ---------------------------------------------------------------------

def distance_matrix(plon, plat, sites, chunk=300):
    """Geodesic distances (m) from every point to every site: shape (points, sites)."""
    plon = np.asarray(plon, dtype=float)
    plat = np.asarray(plat, dtype=float)
    n, m = len(plon), len(sites.lon)
    out = np.empty((n, m))
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        k = b - a
        _, _, d = GEOD.inv(np.repeat(plon[a:b], m), np.repeat(plat[a:b], m),
                           np.tile(sites.lon, k), np.tile(sites.lat, k))
        out[a:b] = np.asarray(d).reshape(k, m)
    return out


def nearest_distance(plon, plat, sites):
    return distance_matrix(plon, plat, sites).min(axis=1)


def nearest_errors(label, row, site_index, reported_id, reported_km, rank=0):
    """Problems of one reported rank-th nearest site against the distances ROW (m) to all sites.

    The distance must equal the rank-th smallest within DIST_TOL_M; the id must be a site at that
    distance (within TIE_TOL_M, so ties between sites at the same distance are accepted).
    """
    errors = []
    expected = np.partition(row, rank)[rank]
    if reported_km is None or reported_km == "":
        return [f"{label}: rank {rank + 1}: empty result, expected {expected / 1000:.4f} km"]
    got = float(reported_km) * 1000.0
    if abs(got - expected) > DIST_TOL_M:
        errors.append(f"{label}: rank {rank + 1}: distance {got:.2f} m, brute force {expected:.2f} m")
    j = site_index.get(reported_id)
    if j is None:
        errors.append(f"{label}: rank {rank + 1}: site id {reported_id!r} is not a site")
    elif abs(row[j] - expected) > TIE_TOL_M:
        errors.append(f"{label}: rank {rank + 1}: site {reported_id} is at {row[j]:.4f} m, "
                      f"brute force rank {rank + 1} is at {expected:.4f} m")
    return errors


def assert_no_errors(tc, errors, what):
    tc.assertEqual(errors, [], f"{len(errors)} {what}; first ones:\n" + "\n".join(errors[:15]))


# --- GeoJSON / RFC 7946 -------------------------------------------------------------------------

_COORDS = re.compile(r'"coordinates"\s*:\s*([\[\]0-9eE.,+\-\s]+)')
_NUMBER = re.compile(r"[-+]?\d+(?:\.(\d+))?(?:[eE][-+]?\d+)?")


def ring_area(ring):
    """Shoelace area in lon/lat: > 0 for a counter-clockwise ring."""
    a = np.asarray(ring, dtype=float)
    x, y = a[:, 0], a[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def polygons_of(geometry):
    if geometry is None:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def rfc7946_errors(path):
    """Checks of a GeoJSON file against RFC 7946; returns a list of problems (empty if none)."""
    errors = []
    text = Path(path).read_text(encoding="utf-8")
    doc = json.loads(text)
    if "crs" in doc:
        errors.append(f"{path}: has a 'crs' member")
    numbers = 0
    for m in _COORDS.finditer(text):
        for n in _NUMBER.finditer(m.group(1)):
            numbers += 1
            token = n.group(0)
            if "e" in token.lower():
                errors.append(f"{path}: coordinate in exponent notation: {token}")
            elif n.group(1) is not None and len(n.group(1)) > 7:
                errors.append(f"{path}: coordinate with more than 7 decimals: {token}")
    features = doc.get("features", [])
    if features and numbers == 0 and any(f.get("geometry") for f in features):
        errors.append(f"{path}: no coordinates found by the scan")
    for i, f in enumerate(features):
        g = f.get("geometry")
        if g is None:
            continue
        for poly in polygons_of(g):
            for k, ring in enumerate(poly):
                where = f"{path}: feature {i} ring {k}"
                if len(ring) < 4 or ring[0] != ring[-1]:
                    errors.append(f"{where}: not a closed ring of 4 positions or more")
                    continue
                lons = [p[0] for p in ring]
                lats = [p[1] for p in ring]
                if min(lons) < -180 or max(lons) > 180 or min(lats) < -90 or max(lats) > 90:
                    errors.append(f"{where}: position out of lon/lat range")
                if max(lons) - min(lons) >= 180:
                    errors.append(f"{where}: spans {max(lons) - min(lons):.1f} degrees of longitude "
                                  "(crosses the antimeridian without being split)")
                a = ring_area(ring)
                if k == 0 and not a > 0:
                    errors.append(f"{where}: exterior ring is not counter-clockwise (area {a:.3g})")
                if k > 0 and not a < 0:
                    errors.append(f"{where}: hole is not clockwise (area {a:.3g})")
    return errors


def geodesic_area_km2(geometry):
    """Area of a (Multi)Polygon GeoJSON geometry on the WGS84 ellipsoid, in km2."""
    total = 0.0
    for poly in polygons_of(geometry):
        for k, ring in enumerate(poly):
            lons = [p[0] for p in ring]
            lats = [p[1] for p in ring]
            area, _ = GEOD.polygon_area_perimeter(lons, lats)
            total += abs(area) if k == 0 else -abs(area)
    return total / 1e6


# --- Point sampling with OGR ----------------------------------------------------------------

class PolygonSet:
    """Polygons (OGR geometries in lon/lat) with their envelopes, for fast point-in-polygon tests."""

    def __init__(self, geometries):
        # Invalid polygons (the 47 merged communes) are made valid so that Contains is reliable.
        self.geoms = [g if g.IsValid() else g.MakeValid()
                      for g in geometries if g is not None and not g.IsEmpty()]
        env = np.array([g.GetEnvelope() for g in self.geoms]) if self.geoms else np.zeros((0, 4))
        self.minx, self.maxx, self.miny, self.maxy = (env[:, 0], env[:, 1], env[:, 2], env[:, 3])

    @classmethod
    def from_geojson(cls, path):
        doc = load_json(path)
        geoms = []
        for f in doc["features"]:
            if f.get("geometry"):
                geoms.append(ogr.CreateGeometryFromJson(json.dumps(f["geometry"])))
        return cls(geoms)

    def envelope(self):
        return (float(self.minx.min()), float(self.maxx.max()), float(self.miny.min()),
                float(self.maxy.max()))

    def contains(self, lon, lat):
        cand = np.nonzero((self.minx <= lon) & (lon <= self.maxx) & (self.miny <= lat) & (lat <= self.maxy))[0]
        if len(cand) == 0:
            return False
        pt = ogr.Geometry(ogr.wkbPoint)
        pt.AddPoint_2D(float(lon), float(lat))
        return any(self.geoms[int(i)].Contains(pt) for i in cand)


def sample_points(rng, n, envelope, accept, max_tries=200000):
    """N random points uniform in ENVELOPE (minx, maxx, miny, maxy) for which ACCEPT(lon, lat)."""
    minx, maxx, miny, maxy = envelope
    lons, lats = [], []
    tries = 0
    while len(lons) < n and tries < max_tries:
        batch = 512
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        for x, y in zip(xs, ys):
            tries += 1
            if accept(x, y):
                lons.append(x)
                lats.append(y)
                if len(lons) == n:
                    break
    return np.array(lons), np.array(lats)


class CliTestCase(unittest.TestCase):
    """Base class: checks that the executable exists before anything else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.access(BIN, os.X_OK):
            raise RuntimeError(f"maillage executable not found at {BIN} (set MAILLAGE_BIN)")

    maxDiff = 4000


# --- analyse runs on small inputs --------------------------------------------------------------

@dataclass
class Outputs:
    result: Result
    out: Path
    summary: dict
    zones: dict        # zone_id -> feature
    sites: dict        # site_id -> feature
    underserved: list  # features


def analyse(owner, *args, cwd=None):
    """Runs `maillage analyse ARGS --out TMP --no-progress`; fails unless exit 0; loads the outputs."""
    out = make_tempdir(owner) / "out"
    r = run("analyse", *args, "--out", out, "--no-progress", cwd=cwd or DATA)
    if r.returncode != 0:
        raise AssertionError(f"maillage analyse failed\n{r}")
    return load_outputs(r, out)


def load_outputs(r, out):
    zones = load_json(out / "zones.geojson")["features"]
    sites = load_json(out / "sites.geojson")["features"]
    return Outputs(r, out, load_json(out / "summary.json"),
                   {f["properties"]["zone_id"]: f for f in zones},
                   {f["properties"]["site_id"]: f for f in sites},
                   load_json(out / "underserved.geojson")["features"])


def zone_nearest_errors(outputs, sites):
    """Every zone's nearest site and distance against a brute force from its reference point."""
    feats = list(outputs.zones.values())
    lon = [f["properties"]["ref_lon"] for f in feats]
    lat = [f["properties"]["ref_lat"] for f in feats]
    d = distance_matrix(lon, lat, sites)
    index = sites.index()
    errors = []
    for i, f in enumerate(feats):
        p = f["properties"]
        errors += nearest_errors(p["zone_id"], d[i], index, p["nearest_site_id"], p["nearest_km"])
    return errors


def qgis_available():
    """True where QGIS's Python bindings import (under /usr/bin/python3, offscreen)."""
    try:
        r = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True,
                           timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
