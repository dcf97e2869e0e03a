"""maillage report: what its maps draw, checked against the run's layers read here with GDAL/OGR
and projected here with PROJ (osr): the department maps clipped to the department, the what-if
after-state, the suggested sites; the before/after key figures of a --previous comparison
against the two summaries; --previous auto among three run folders."""
import json
import math
import re
import shutil
import unittest

from osgeo import ogr, osr

import helpers as h

PIXEL_TOL = 1.0  # the maps are simplified to about half a pixel and rounded to 0.1 px


def projection_centre(zones_path):
    """The maps' equal-area centre as docs/cli.md describes it: the mean 3D direction of the
    corners (west-south and east-north) of every zone's extent, rounded to 1e-4 degree."""
    sx = sy = sz = 0.0
    ds = ogr.Open(str(zones_path))
    for f in ds.GetLayer():
        west, east, south, north = f.GetGeometryRef().GetEnvelope()
        for lon, lat in ((west, south), (east, north)):
            la, lo = math.radians(lat), math.radians(lon)
            sx += math.cos(la) * math.cos(lo)
            sy += math.cos(la) * math.sin(lo)
            sz += math.sin(la)
    n = math.sqrt(sx * sx + sy * sy + sz * sz)
    lat0 = math.degrees(math.asin(sz / n))
    lon0 = math.degrees(math.atan2(sy, sx))
    return round(lon0 * 1e4) / 1e4, round(lat0 * 1e4) / 1e4


def laea(zones_path):
    lon0, lat0 = projection_centre(zones_path)
    src = osr.SpatialReference()
    src.ImportFromEPSG(4326)
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    dst = osr.SpatialReference()
    dst.ImportFromProj4(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 +datum=WGS84 "
                        "+units=m +no_defs")
    return osr.CoordinateTransformation(src, dst)


def projected_zones(zones_path, transform):
    """zone_id -> (group, projected geometry)."""
    out = {}
    ds = ogr.Open(str(zones_path))
    for f in ds.GetLayer():
        g = f.GetGeometryRef().Clone()
        g.Transform(transform)
        out[f.GetField("zone_id")] = (f.GetField("group_code"), g)
    return out


def path_points(d):
    """The vertices of SVG path data made of M/L/Z commands with absolute coordinates."""
    nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(nums[0::2], nums[1::2]))


def polygons(g):
    """The polygons of a geometry (its lines and points, from a make-valid, left out)."""
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t == ogr.wkbPolygon:
        return [g]
    if t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        return [p for i in range(g.GetGeometryCount()) for p in polygons(g.GetGeometryRef(i))]
    return []


def svg_block(svg, start, end="</g>"):
    at = svg.index(start)
    return svg[at:svg.index(end, at)]


def main_frame(zones, with_border):
    """The frame of the main map: the projected zones' extent (with a margin of 3 % of its
    larger side when border sites are drawn), 900 px wide, y down."""
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for _, g in zones.values():
        a, b, c, d = g.GetEnvelope()  # minx, maxx, miny, maxy
        x0, x1, y0, y1 = min(x0, a), max(x1, b), min(y0, c), max(y1, d)
    if with_border:
        m = 0.03 * max(x1 - x0, y1 - y0)
        x0, x1, y0, y1 = x0 - m, x1 + m, y0 - m, y1 + m
    scale = 900.0 / (x1 - x0)
    return lambda x, y: ((x - x0) * scale, (y1 - y) * scale)


def legend_colours(svg):
    """The distance classes' colours, in the order of the legend."""
    legend = svg_block(svg, '<g id="legend"', "</g>\n</svg>") if 'id="legend"' in svg else ""
    return re.findall(r'<rect x="0" y="\d+" width="16" height="12" fill="(#[0-9a-f]{6})"', legend)


def zone_fills(svg, group_id="zones"):
    block = svg_block(svg, f'<g id="{group_id}"')
    return dict(re.findall(r'<path data-id="([^"]*)" fill="(#[0-9a-f]{6})"', block))


def class_of(km, threshold=20.0):
    breaks = [0, threshold / 8, threshold / 4, threshold / 2, 3 * threshold / 4, threshold]
    return max(i for i, b in enumerate(breaks) if km >= b)


class TestReportMaps(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.tmp = tmp
        cls.run_dir, cls.report = tmp / "run", tmp / "report"
        h_run = h.run("analyse", "--grid-m", 2000, "--out", cls.run_dir, "--no-progress")
        if h_run.returncode != 0:
            raise AssertionError(f"analyse failed\n{h_run}")
        cls.result = h.run("report", "--run", cls.run_dir, "--out", cls.report)
        cls.html = (cls.report / "index.html").read_text(encoding="utf-8")
        cls.transform = laea(cls.run_dir / "zones.geojson")
        cls.zones = projected_zones(cls.run_dir / "zones.geojson", cls.transform)

    def outlines(self):
        """Each department's outline: the union of its zones (made valid), projected."""
        if not hasattr(type(self), "_outlines"):
            parts = {}
            for group, geom in self.zones.values():
                g = geom if geom.IsValid() else geom.MakeValid()
                multi = parts.setdefault(group, ogr.Geometry(ogr.wkbMultiPolygon))
                for polygon in polygons(g):
                    multi.AddGeometry(polygon)
            type(self)._outlines = {g: m.UnionCascaded() for g, m in parts.items()}
        return type(self)._outlines

    def test_department_maps_clipped_to_the_department(self):
        self.assertEqual(self.result.returncode, 0, self.result)
        smalls = re.findall(r'<svg[^>]*class="small"[^>]*data-group="([^"]+)">(.*?)</svg>',
                            self.html, re.S)
        self.assertEqual(sorted(g for g, _ in smalls), h.AURA_DEPARTMENTS)
        checked = 0
        for group, svg in smalls:
            outline = self.outlines()[group]
            minx, maxx, miny, maxy = outline.GetEnvelope()
            scale = 280.0 / max(maxx - minx, maxy - miny)
            near = outline.Buffer(PIXEL_TOL / scale)
            hatched = svg_block(svg, '<g class="underserved"')
            for d in re.findall(r'<path d="([^"]+)"', hatched):
                for x, y in path_points(d):
                    p = ogr.Geometry(ogr.wkbPoint)
                    p.AddPoint_2D(minx + x / scale, maxy - y / scale)
                    self.assertTrue(near.Contains(p), f"{group}: hatched point {x}, {y} is "
                                    f"{outline.Distance(p) * scale:.1f} px outside")
                    checked += 1
        self.assertGreater(checked, 500)

    def test_the_unclipped_areas_did_cross_the_departments(self):
        # Without the clipping, hatching would float outside: some underserved area of the run
        # crosses a department's border (so the test above can fail).
        crossing = 0
        ds = ogr.Open(str(self.run_dir / "underserved.geojson"))
        for f in ds.GetLayer():
            part = f.GetGeometryRef().Clone()
            part.Transform(self.transform)
            inside = [g for g, o in self.outlines().items() if part.Intersects(o)]
            crossing += len(inside) == 1 and not part.Buffer(-1).Within(self.outlines()[inside[0]])
            crossing += len(inside) > 1
        self.assertGreater(crossing, 0)

    def test_sites_by_network_in_words(self):
        svg = (self.report / "map.svg").read_text(encoding="utf-8")
        legend = svg_block(svg, '<g id="legend"', "</svg>")
        # Labels in words (model::network_label), not codes; colours of the Okabe-Ito palette.
        self.assertIn("Mission locale", legend)
        self.assertNotIn(">pole_emploi<", legend)
        self.assertIn("#0072b2", legend.lower() + svg_block(svg, '<g id="sites"').lower())


class TestReportScenarioMaps(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.tmp = tmp
        # Three sites of the Cantal closed (docs/cli.md's example), and five sites suggested.
        cls.closed = ["pole_emploi-15014-01", "pole_emploi-15187-01", "pole_emploi-15120-01"]
        for args in (("whatif", "--close", ",".join(cls.closed), "--out", tmp / "wi"),
                     ("suggest", "--add", 5, "--out", tmp / "sg")):
            r = h.run(*args, "--grid-m", 2000, "--no-progress")
            if r.returncode != 0:
                raise AssertionError(f"{args[0]} failed\n{r}")
        cls.wi_result = h.run("report", "--run", tmp / "wi", "--out", tmp / "rep-wi")
        cls.sg_result = h.run("report", "--run", tmp / "sg", "--out", tmp / "rep-sg", "--lang",
                              "en")

    def test_whatif_maps_the_after_state(self):
        self.assertEqual(self.wi_result.returncode, 0, self.wi_result)
        html = (self.tmp / "rep-wi" / "index.html").read_text(encoding="utf-8")
        baseline_svg = (self.tmp / "rep-wi" / "map.svg").read_text(encoding="utf-8")
        after_svg = html[html.index('<figure id="whatif-map">'):]
        after_svg = after_svg[:after_svg.index("</svg>")]
        colours = legend_colours(baseline_svg)
        self.assertEqual(len(colours), 6)
        before_fill = zone_fills(baseline_svg)
        after_fill = zone_fills(after_svg, "whatif-zones")
        self.assertEqual(set(before_fill), set(after_fill))
        changed = {}
        for f in json.loads((self.tmp / "wi" / "whatif_zones.geojson").read_text())["features"]:
            p = f["properties"]
            changed[p["zone_id"]] = p
        self.assertGreater(len(changed), 0)
        class_changes = 0
        for zid, fill in after_fill.items():
            if zid in changed:
                p = changed[zid]
                self.assertEqual(fill, colours[class_of(p["mean_km_after"])], zid)
                self.assertEqual(before_fill[zid], colours[class_of(p["mean_km_before"])], zid)
                if class_of(p["mean_km_after"]) != class_of(p["mean_km_before"]):
                    self.assertNotEqual(fill, before_fill[zid], zid)
                    class_changes += 1
            else:
                self.assertEqual(fill, before_fill[zid], zid)
        self.assertGreater(class_changes, 0)
        # The closed sites are crossed out and no longer drawn as sites; no hatching of the
        # baseline's underserved areas.
        self.assertEqual(after_svg.count('class="closed-site"'), len(self.closed))
        base_sites = svg_block(baseline_svg, '<g id="sites"').count("<title>")
        after_sites = svg_block(after_svg, '<g id="whatif-sites"').count("<title>")
        self.assertEqual(base_sites - after_sites, len(self.closed))
        self.assertNotIn('id="whatif-underserved"', after_svg)
        self.assertIn("lieu fermé", after_svg)

    def test_suggested_sites_numbered_on_the_map(self):
        self.assertEqual(self.sg_result.returncode, 0, self.sg_result)
        svg = (self.tmp / "rep-sg" / "map.svg").read_text(encoding="utf-8")
        picks = json.loads((self.tmp / "sg" / "suggested.geojson").read_text())["features"]
        self.assertEqual(len(picks), 5)
        transform = laea(self.tmp / "sg" / "zones.geojson")
        zones = projected_zones(self.tmp / "sg" / "zones.geojson", transform)
        to_px = main_frame(zones, with_border='class="border-site"' in svg)
        markers = re.findall(r'<g class="suggested" data-rank="(\d+)"[^>]*><path d="M([-\d.]+) '
                             r'([-\d.]+)', svg)
        self.assertEqual(len(markers), len(picks))
        for (rank, x, y), f in zip(markers, picks):
            self.assertEqual(int(rank), f["properties"]["rank"])
            lon, lat = f["geometry"]["coordinates"]
            px, py = transform.TransformPoint(lon, lat)[:2]
            ex, ey = to_px(px, py)
            # The star's first point is its top: 8 px above its centre.
            self.assertAlmostEqual(float(x), ex, delta=0.15)
            self.assertAlmostEqual(float(y) + 8, ey, delta=0.15)
        self.assertIn('id="legend-suggested"', svg)
        self.assertIn("suggested site (no. = rank in table)", svg)
        # The numbers are those of the suggest table.
        html = (self.tmp / "rep-sg" / "index.html").read_text(encoding="utf-8")
        table = svg_block(html, '<table id="suggest"', "</table>")
        ranks = re.findall(r'<tr><td class="n">(\d+)</td>', table)
        self.assertEqual(ranks, [r for r, _, _ in markers])


class TestPreviousKeyFiguresAndAuto(h.CliTestCase):
    """Small runs (the fixtures' zones and sites): the before/after block against the two
    summaries, the sentence instead of an empty table, and --previous auto."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = h.make_tempdir(cls)
        cls.tmp = tmp
        cls.runs = tmp / "runs"
        # Folder names that do not sort as their start times: auto must go by run.json.
        cls.plan = {"2026-Q2": ("sites_one.csv", "2026-06-30T08:00:00Z"),
                    "2026-Q1": ("sites_small.csv", "2026-03-31T08:00:00Z"),
                    "a-latest": ("sites_small.csv", "2026-09-30T08:00:00Z")}
        for name, (sites, _) in cls.plan.items():
            r = h.run("analyse", "--zones", h.DATA / "zones_small.geojson", "--sites",
                      h.DATA / sites, "--grid-m", 500, "--out", cls.runs / name, "--no-progress")
            if r.returncode != 0:
                raise AssertionError(f"analyse failed\n{r}")
        for name, (_, started) in cls.plan.items():
            record = cls.runs / name / "run.json"
            data = json.loads(record.read_text())
            data["started_utc"] = started
            record.write_text(json.dumps(data))
        # A folder with a summary.json but no run.json, and a plain folder: not runs to order.
        shutil.copytree(cls.runs / "2026-Q1", cls.runs / "copy-without-record")
        (cls.runs / "copy-without-record" / "run.json").unlink()
        (cls.runs / "notes").mkdir()

    def summary(self, name):
        return json.loads((self.runs / name / "summary.json").read_text())

    def test_a_different_threshold_is_said_and_each_share_names_its_own(self):
        other = self.tmp / "t15"
        r = h.run("analyse", "--zones", h.DATA / "zones_small.geojson", "--sites",
                  h.DATA / "sites_small.csv", "--grid-m", 500, "--threshold-km", 15, "--out", other,
                  "--no-progress")
        self.assertEqual(r.returncode, 0, r)
        same = self.tmp / "rep-same"
        h.run_ok(self, "report", "--run", self.runs / "2026-Q1", "--previous", self.runs / "2026-Q2",
                 "--out", same, "--lang", "en")
        self.assertNotIn("threshold-differs", (same / "index.html").read_text(encoding="utf-8"))
        differ = self.tmp / "rep-differ"
        h.run_ok(self, "report", "--run", self.runs / "2026-Q1", "--previous", other, "--out",
                 differ, "--lang", "en")
        page = (differ / "index.html").read_text(encoding="utf-8")
        self.assertIn('id="threshold-differs"', page)
        self.assertIn("threshold of 15 km, this one 20 km", page)
        md = (differ / "report.md").read_text(encoding="utf-8")
        self.assertIn("Share beyond 15 km, before | Share beyond 20 km, after", md)

    def test_auto_picks_the_latest_run_before(self):
        r = h.run("report", "--run", self.runs / "a-latest", "--previous", "auto", "--out",
                  self.tmp / "rep-auto")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("--previous auto:", r.stderr)
        self.assertIn("2026-Q2", r.stderr)
        self.assertIn("2026-06-30T08:00:00Z", r.stderr)
        # The comparison is with 2026-Q2 (one site): its sites count is the "before".
        html = (self.tmp / "rep-auto" / "index.html").read_text(encoding="utf-8")
        row = re.search(r'<tr data-key="sites_in_study_area">(.*?)</tr>', html).group(1)
        before = float(re.findall(r'data-v="([^"]+)"', row)[0])
        was = self.summary("2026-Q2")
        self.assertEqual(before, was["sites_count"] - was.get("sites_outside_study_area", 0))
        # From 2026-Q2, the one before is 2026-Q1, not the later a-latest.
        r = h.run("report", "--run", self.runs / "2026-Q2", "--previous", "auto", "--out",
                  self.tmp / "rep-auto2")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("2026-Q1", r.stderr)

    def test_auto_without_an_earlier_run(self):
        r = h.run("report", "--run", self.runs / "2026-Q1", "--previous", "auto", "--out",
                  self.tmp / "rep-none")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no run started before", r.stderr)
        self.assertIn("--previous DIR", r.stderr)
        self.assertIn("2 other folder(s)", r.stderr)
        self.assertFalse((self.tmp / "rep-none").exists())

    def test_key_figures_before_after(self):
        r = h.run("report", "--run", self.runs / "2026-Q1", "--previous", self.runs / "2026-Q2",
                  "--out", self.tmp / "rep-ba", "--lang", "en")
        self.assertEqual(r.returncode, 0, r)
        html = (self.tmp / "rep-ba" / "index.html").read_text(encoding="utf-8")
        now, was = self.summary("2026-Q1"), self.summary("2026-Q2")
        expected = {
            "mean_km": (was["distance_km"]["mean"], now["distance_km"]["mean"]),
            "population_beyond": (was["population_beyond"], now["population_beyond"]),
            "underserved_area_km2": (was["underserved"]["area_km2"], now["underserved"]["area_km2"]),
            "underserved_population": (was["underserved"]["population"],
                                       now["underserved"]["population"]),
            "sites_in_study_area": tuple(s["sites_count"] - s.get("sites_outside_study_area", 0)
                                         for s in (was, now)),
        }
        block = svg_block(html, '<table id="compared-figures"', "</table>")
        # The block heads the comparison.
        self.assertLess(html.index('id="compared-figures"'), html.index('<ul id="changes"'))
        for key, (b, a) in expected.items():
            row = re.search(rf'<tr data-key="{key}">(.*?)</tr>', block).group(1)
            values = [float(v) for v in re.findall(r'data-v="([^"]+)"', row)]
            self.assertEqual(len(values), 3, key)
            self.assertAlmostEqual(values[0], b, places=6, msg=key)
            self.assertAlmostEqual(values[1], a, places=6, msg=key)
            self.assertAlmostEqual(values[2], a - b, places=6, msg=key)
        self.assertNotEqual(expected["sites_in_study_area"][0], expected["sites_in_study_area"][1])

    def test_no_empty_table_when_no_commune_changed(self):
        # A run compared with itself: nothing changed by more than 1 km.
        r = h.run("report", "--run", self.runs / "a-latest", "--previous", self.runs / "2026-Q1",
                  "--out", self.tmp / "rep-same", "--lang", "en")
        self.assertEqual(r.returncode, 0, r)
        html = (self.tmp / "rep-same" / "index.html").read_text(encoding="utf-8")
        self.assertNotIn('<table id="changed"', html)
        self.assertIn("No zone's mean distance changed by more than 1 km.", html)
        # And with changes, the table is there (the other case).
        r = h.run("report", "--run", self.runs / "2026-Q1", "--previous", self.runs / "2026-Q2",
                  "--out", self.tmp / "rep-diff", "--lang", "en")
        html = (self.tmp / "rep-diff" / "index.html").read_text(encoding="utf-8")
        self.assertIn('<table id="changed"', html)


if __name__ == "__main__":
    unittest.main()
