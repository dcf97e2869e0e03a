"""--out PG:... writes the layers into PostGIS tables with a history of runs, against a real
PostgreSQL + PostGIS server that this test starts on a local port and stops afterwards.

Skipped, with the reason, where PostgreSQL or PostGIS is not installed (scripts/test.sh installs
them, so CI runs this test).
"""
import csv
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import unittest
from pathlib import Path

import helpers as h

PGBIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
              if (p / "initdb").exists()), None) if Path("/usr/lib/postgresql").exists() else None
POSTGIS = bool(list(Path("/usr/share/postgresql").glob("*/extension/postgis.control"))) \
    if Path("/usr/share/postgresql").exists() else False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@unittest.skipUnless(PGBIN and POSTGIS and shutil.which("psql"),
                     "PostgreSQL/PostGIS is not installed (apt-get install postgresql postgis, "
                     "or run scripts/test.sh)")
class TestPostgis(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = Path(tempfile.mkdtemp(prefix="maillage-pg-"))
        cls.port = free_port()
        # PostgreSQL refuses to run as root: the server runs as the postgres user when we are root.
        cls.as_user = "postgres" if os.geteuid() == 0 else None
        if cls.as_user:
            shutil.chown(cls.dir, user=cls.as_user)
        cls.pg(str(PGBIN / "initdb"), "-D", str(cls.dir / "data"), "-A", "trust", "-U", "postgres")
        cls.pg(str(PGBIN / "pg_ctl"), "-D", str(cls.dir / "data"), "-w", "-l", str(cls.dir / "log"),
               "-o", f"-p {cls.port} -k {cls.dir} -c listen_addresses=127.0.0.1", "start")
        cls.addClassCleanup(cls.stop)
        cls.psql("postgres", "CREATE DATABASE maillage")
        cls.psql("maillage", "CREATE EXTENSION postgis")
        cls.conn = cls.conn_to("maillage")

    @classmethod
    def conn_to(cls, db, user="postgres"):
        return f"PG:dbname={db} host=127.0.0.1 port={cls.port} user={user} password=s3cret"

    @classmethod
    def pg(cls, *cmd):
        if cls.as_user:
            cmd = ["runuser", "-u", cls.as_user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    @classmethod
    def stop(cls):
        try:
            cls.pg(str(PGBIN / "pg_ctl"), "-D", str(cls.dir / "data"), "-w", "-m", "fast", "stop")
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def psql(cls, db, sql):
        p = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(cls.port), "-U", "postgres", "-d", db,
                            "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(p.stderr)
        return p.stdout.strip()

    def analyse(self, schema, run_id, *extra, conn=None):
        return h.run("analyse", "--grid-m", 1000, "--out", conn or self.conn, "--pg-schema", schema,
                     "--run-id", run_id, "--no-progress", *extra)

    def test_tables_runs_and_replacement(self):
        r = self.analyse("maillage", "q1")
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("s3cret", r.stderr, "the password must not reach the log")
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.zones WHERE run_id='q1'"),
                         str(h.AURA_COMMUNES))
        # The sites layer holds the region's sites and, by default, the border sites (issue 11).
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.sites WHERE run_id='q1'"),
                         str(h.AURA_SPRO_SITES + h.AURA_BORDER_SITES))
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.sites "
                                               "WHERE run_id='q1' AND in_study_area"),
                         str(h.AURA_SPRO_SITES))
        self.assertEqual(self.psql("maillage", "SELECT sum(population) FROM maillage.zones WHERE run_id='q1'"),
                         str(h.AURA_POPULATION))
        self.assertEqual(self.psql("maillage", "SELECT DISTINCT ST_SRID(geom) FROM maillage.zones"), "4326")
        # The same values as a GeoJSON run: a few zones compared.
        out = h.make_tempdir(self) / "out"
        h.run_ok(self, "analyse", "--grid-m", 1000, "--out", out, "--no-progress")
        import json
        zones = json.loads((out / "zones.geojson").read_text(encoding="utf-8"))["features"]
        for f in zones[::500]:
            p = f["properties"]
            got = self.psql("maillage", "SELECT nearest_site_id || '|' || mean_km FROM maillage.zones "
                                        f"WHERE run_id='q1' AND zone_id='{p['zone_id']}'")
            self.assertEqual(got.split("|")[0], p["nearest_site_id"])
            self.assertAlmostEqual(float(got.split("|")[1]), p["mean_km"], places=4)
        # Rerun with the same id: replaced, not added; another id: one more row in the history.
        self.assertEqual(self.analyse("maillage", "q1").returncode, 0)
        self.assertEqual(self.analyse("maillage", "q2", "--threshold-km", 15).returncode, 0)
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.zones WHERE run_id='q1'"),
                         str(h.AURA_COMMUNES))
        self.assertEqual(self.psql("maillage", "SELECT string_agg(run_id, ',' ORDER BY run_id) FROM maillage.runs"),
                         "q1,q2")
        history = self.psql("maillage", "SELECT run_id || ':' || population_total FROM maillage.runs ORDER BY run_id")
        self.assertEqual(history.splitlines(), [f"q1:{h.AURA_POPULATION}", f"q2:{h.AURA_POPULATION}"])
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.runs WHERE "
                                               "parameters::text LIKE '%s3cret%' OR inputs::text LIKE '%s3cret%'"), "0")

    def test_failed_run_leaves_the_tables_untouched(self):
        self.assertEqual(self.analyse("trap", "base").returncode, 0)
        before = self.psql("maillage", "SELECT count(*) || '/' || sum(population) FROM trap.zones")
        # A trigger makes the insertion of the sites fail, after the zones were written in the
        # same transaction.
        self.psql("maillage", "CREATE OR REPLACE FUNCTION trap.refuse() RETURNS trigger AS "
                              "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql")
        self.psql("maillage", "CREATE TRIGGER refuse BEFORE INSERT ON trap.sites FOR EACH ROW "
                              "EXECUTE FUNCTION trap.refuse()")
        r = self.analyse("trap", "base", "--threshold-km", 10)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("refused by the test", r.stderr)
        self.assertNotIn("s3cret", r.stderr)
        self.assertEqual(self.psql("maillage", "SELECT count(*) || '/' || sum(population) FROM trap.zones"),
                         before)
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM trap.runs"), "1")
        # The run that failed changed nothing: its threshold is not recorded.
        self.assertIn('"threshold_km":20', self.psql("maillage", "SELECT parameters FROM trap.runs"))

    # --- issue 13 ---------------------------------------------------------------------------

    def test_database_without_postgis(self):
        # A role that may not create the extension (PostGIS is not a trusted extension): exit 1,
        # a message naming the database and the SQL to run, and nothing written.
        self.psql("postgres", "CREATE ROLE plain LOGIN")
        self.psql("postgres", "CREATE DATABASE nopostgis OWNER plain")
        r = self.analyse("maillage", "q1", conn=self.conn_to("nopostgis", user="plain"))
        self.assertEqual(r.returncode, 1, r)
        for text in ("'nopostgis'", "no PostGIS extension", "CREATE EXTENSION postgis",
                     "nothing was written"):
            self.assertIn(text, r.stderr)
        self.assertNotIn("s3cret", r.stderr)
        self.assertEqual(self.psql("nopostgis", "SELECT count(*) FROM pg_namespace WHERE nspname = 'maillage'"), "0")
        self.assertEqual(self.psql("nopostgis", "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"), "0")
        self.assertEqual(self.psql("nopostgis", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0")
        # A superuser: the extension is created, said on stderr, and the columns are geometries.
        self.psql("postgres", "CREATE DATABASE fresh")
        r = self.analyse("maillage", "q1", conn=self.conn_to("fresh"))
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("created it (CREATE EXTENSION postgis)", r.stderr)
        self.assertEqual(self.psql("fresh", "SELECT udt_name FROM information_schema.columns WHERE "
                                            "table_schema = 'maillage' AND table_name = 'zones' "
                                            "AND column_name = 'geom'"), "geometry")
        self.assertEqual(self.psql("fresh", "SELECT count(*) FROM maillage.zones"), str(h.AURA_COMMUNES))

    def test_out_crs_lambert93(self):
        """--out-crs EPSG:2154: the tables are in Lambert-93, valid, and a site transformed back
        by PostGIS lands on its longitude/latitude of the shipped CSV (1 cm grid: < 1e-6 deg)."""
        r = self.analyse("l93", "c1", "--out-crs", "EPSG:2154")
        self.assertEqual(r.returncode, 0, r)
        for layer in ("zones", "sites", "underserved", "groups"):
            with self.subTest(layer=layer):
                self.assertEqual(self.psql("maillage", "SELECT srid FROM geometry_columns WHERE "
                                                       f"f_table_schema = 'l93' AND f_table_name = '{layer}'"),
                                 "2154")
                self.assertEqual(self.psql("maillage", f"SELECT count(*) FROM l93.{layer} WHERE NOT ST_IsValid(geom)"),
                                 "0")
        with open(h.REPO / "geodata" / "structures-aura-dila-2017.csv", encoding="utf-8") as f:
            row = next(r for r in csv.DictReader(f) if r["id"] == "cio-01053-01")
        got = self.psql("maillage", "SELECT ST_X(ST_Transform(geom, 4326)) || ' ' || ST_Y(ST_Transform(geom, 4326)) "
                                    "FROM l93.sites WHERE site_id = 'cio-01053-01'")
        lon, lat = map(float, got.split())
        self.assertAlmostEqual(lon, float(row["lon"]), delta=1e-6)
        self.assertAlmostEqual(lat, float(row["lat"]), delta=1e-6)

    def test_no_reserved_word_column(self):
        # The reserved key words of PostgreSQL (docs, appendix "SQL Key Words": "reserved" and
        # "reserved (can be function or type)"), checked against the server's own list too.
        reserved = set("""ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK
            COLLATE COLUMN CONSTRAINT CREATE CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE CURRENT_TIME
            CURRENT_TIMESTAMP CURRENT_USER DEFAULT DEFERRABLE DESC DISTINCT DO ELSE END EXCEPT FALSE
            FETCH FOR FOREIGN FROM GRANT GROUP HAVING IN INITIALLY INTERSECT INTO LATERAL LEADING
            LIMIT LOCALTIME LOCALTIMESTAMP NOT NULL OFFSET ON ONLY OR ORDER PLACING PRIMARY
            REFERENCES RETURNING SELECT SESSION_USER SOME SYMMETRIC TABLE THEN TO TRAILING TRUE
            UNION UNIQUE USER USING VARIADIC WHEN WHERE WINDOW WITH AUTHORIZATION BINARY COLLATION
            CONCURRENTLY CROSS CURRENT_SCHEMA FREEZE FULL ILIKE INNER IS ISNULL JOIN LEFT LIKE
            NATURAL NOTNULL OUTER OVERLAPS RIGHT SIMILAR TABLESAMPLE VERBOSE""".lower().split())
        server = set(self.psql("maillage", "SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')").split())
        self.assertLessEqual(reserved - server, {"analyse"} & (reserved - server))
        reserved |= server
        self.assertEqual(self.analyse("words", "w", "--catchments", "--by-type").returncode, 0)
        columns = self.psql("maillage", "SELECT table_name || '.' || column_name FROM information_schema.columns "
                                        "WHERE table_schema = 'words'").split()
        self.assertIn("zones.group_code", columns)
        self.assertEqual([c for c in columns if c.split(".")[1] in reserved], [])
        # The files too: the zones layer of a GeoJSON run.
        out = h.make_tempdir(self) / "out"
        h.run_ok(self, "analyse", "--grid-m", 4000, "--out", out, "--no-progress")
        props = json.loads((out / "zones.geojson").read_text(encoding="utf-8"))["features"][0]["properties"]
        self.assertIn("group_code", props)
        self.assertEqual([k for k in props if k.lower() in reserved], [])

    def test_index_latest_views_and_styles(self):
        self.assertEqual(self.analyse("hist", "a").returncode, 0)
        self.assertEqual(self.analyse("hist", "b", "--threshold-km", 15).returncode, 0)
        # Rerunning "a" later makes it the latest (by start time).
        for layer in ("zones", "sites", "underserved"):
            with self.subTest(layer=layer):
                self.assertIn("(run_id)", self.psql("maillage", "SELECT indexdef FROM pg_indexes WHERE "
                                                                f"schemaname = 'hist' AND indexname = '{layer}_run_id_idx'"))
                self.assertEqual(self.psql("maillage", f"SELECT string_agg(DISTINCT run_id, ',') FROM hist.{layer}_latest"), "b")
                self.assertEqual(self.psql("maillage", f"SELECT count(*) FROM hist.{layer}_latest"),
                                 self.psql("maillage", f"SELECT count(*) FROM hist.{layer} WHERE run_id = 'b'"))
                # Registered: QGIS lists the view with its geometry.
                self.assertEqual(self.psql("maillage", "SELECT type || ':' || srid FROM geometry_columns WHERE "
                                                       f"f_table_schema = 'hist' AND f_table_name = '{layer}_latest'"),
                                 self.psql("maillage", "SELECT type || ':' || srid FROM geometry_columns WHERE "
                                                       f"f_table_schema = 'hist' AND f_table_name = '{layer}'"))
        # One default style per table and view, the QML of the files of the same run.
        defaults = self.psql("maillage", "SELECT f_table_name || ':' || count(*) FILTER (WHERE useasdefault) "
                                         "FROM layer_styles WHERE f_table_schema = 'hist' GROUP BY f_table_name ORDER BY f_table_name")
        self.assertEqual(defaults.split(), sorted(f"{t}:1" for l in ("zones", "sites", "underserved", "groups")
                                                  for t in (l, l + "_latest")))
        out = h.make_tempdir(self) / "out"
        h.run_ok(self, "analyse", "--grid-m", 1000, "--threshold-km", 15, "--out", out, "--no-progress")
        for layer in ("zones", "sites", "underserved"):
            stored = self.psql("maillage", "SELECT styleqml FROM layer_styles WHERE f_table_schema = 'hist' "
                                           f"AND f_table_name = '{layer}' AND useasdefault")
            self.assertEqual(stored.strip(), (out / f"{layer}.qml").read_text(encoding="utf-8").strip(), layer)
        self.assertEqual(self.analyse("hist", "a").returncode, 0)
        self.assertEqual(self.psql("maillage", "SELECT string_agg(DISTINCT run_id, ',') FROM hist.zones_latest"), "a")
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM layer_styles WHERE f_table_schema = 'hist' "
                                               "AND f_table_name = 'zones'"), "1")
        # QGIS itself opens the view styled from layer_styles (graduated on mean_km).
        got = self.pyqgis(f"""
v = QgsVectorLayer(\"\"\"{self.qgis_uri('hist', 'zones_latest')}\"\"\", 'z', 'postgres')
print(v.isValid(), v.featureCount(), v.renderer().type(), v.renderer().classAttribute())
""")
        self.assertEqual(got.split(), ["True", str(h.AURA_COMMUNES), "graduatedSymbol", "mean_km"])

    def qgis_uri(self, schema, table):
        return (f"dbname='maillage' host=127.0.0.1 port={self.port} user='postgres' key='fid' "
                f"table=\"{schema}\".\"{table}\" (geom)")

    def pyqgis(self, body):
        script = ("import os, sys\nos.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
                  "from qgis.core import QgsApplication, QgsDataSourceUri, QgsProject, QgsVectorLayer\n"
                  "app = QgsApplication([], False)\napp.initQgis()\n" + body)
        p = subprocess.run(["/usr/bin/python3", "-c", script], capture_output=True, text=True, timeout=300)
        if p.returncode != 0 and "No module named 'qgis'" in p.stderr:
            self.skipTest("PyQGIS is not installed")
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_qgis_project_over_the_tables(self):
        r = self.analyse("proj", "p1", "--qgis-project")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--project-dir", r.stderr)
        folder = h.make_tempdir(self) / "qgis"
        r = self.analyse("proj", "p1", "--qgis-project", "--project-dir", folder)
        self.assertEqual(r.returncode, 0, r)
        text = (folder / "maillage.qgs").read_text(encoding="utf-8")
        self.assertNotIn("s3cret", text)
        self.assertNotIn("password", text)
        self.assertNotIn("maillage.gpkg", text)
        self.assertTrue((folder / "distance.tif").exists())
        # A second run in the same tables: the project shows its own run only.
        self.assertEqual(self.analyse("proj", "p2", "--threshold-km", 15).returncode, 0)
        got = self.pyqgis(f"""
p = QgsProject.instance()
print('read', p.read('{folder / "maillage.qgs"}'))
for l in sorted(p.mapLayers().values(), key=lambda l: l.name()):
    n = l.featureCount() if l.type() == 0 else -1
    # A table layer by its table (the project names layers in the report's language).
    key = QgsDataSourceUri(l.source()).table() if l.providerType() == 'postgres' else l.name()
    print(key, l.isValid(), l.providerType(), n, l.renderer().type() if l.type() == 0 else '-', sep='|')
""")
        lines = dict((l.split("|")[0], l.split("|")[1:]) for l in got.splitlines() if "|" in l)
        self.assertIn("read True", got)
        tables = (("zones", "graduatedSymbol"), ("sites", "categorizedSymbol"),
                  ("underserved", "categorizedSymbol"), ("groups", "singleSymbol"))
        for name, renderer in tables:
            with self.subTest(layer=name):
                count = self.psql("maillage", f"SELECT count(*) FROM proj.{name} WHERE run_id = 'p1'")
                self.assertEqual(lines[name], ["True", "postgres", count, renderer])  # noqa
        # The rest are the rasters, copied beside the project.
        self.assertEqual([v[:2] for k, v in lines.items() if k not in dict(tables)],
                         [["True", "gdal"]] * (len(lines) - len(tables)))

    def figures(self, folder):
        with open(folder / "figures.csv", encoding="utf-8") as f:
            return list(csv.reader(f))

    def test_report_from_postgis(self):
        self.assertEqual(self.analyse("rep", "r1").returncode, 0)
        self.assertEqual(self.analyse("rep", "r2", "--threshold-km", 15).returncode, 0)
        tmp = h.make_tempdir(self)
        h.run_ok(self, "analyse", "--grid-m", 1000, "--format", "gpkg", "--out", tmp / "run", "--no-progress")
        h.run_ok(self, "report", "--run", tmp / "run", "--out", tmp / "from-folder")
        r = h.run("report", "--run", self.conn, "--pg-schema", "rep", "--run-id", "r1", "--out", tmp / "from-pg")
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("s3cret", r.stderr)
        self.assertEqual(self.figures(tmp / "from-pg"), self.figures(tmp / "from-folder"))
        self.assertEqual((tmp / "from-pg" / "report.md").read_text(encoding="utf-8"),
                         (tmp / "from-folder" / "report.md").read_text(encoding="utf-8"))
        # Default: the latest run, r2 (threshold 15 km): its population beyond as psql reads it.
        h.run_ok(self, "report", "--run", self.conn, "--pg-schema", "rep", "--out", tmp / "latest")
        beyond = [row for row in self.figures(tmp / "latest") if row[0] == "population_beyond"]
        self.assertEqual(float(beyond[0][2]),
                         float(self.psql("maillage", "SELECT population_beyond FROM rep.runs WHERE run_id = 'r2'")))
        r = h.run("report", "--run", self.conn, "--pg-schema", "rep", "--run-id", "nope", "--out", tmp / "x")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no run 'nope'", r.stderr)
        self.assertIn("r2, r1", r.stderr)
        r = h.run("report", "--run", self.conn, "--pg-schema", "nothere", "--out", tmp / "x")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("no table nothere.runs", r.stderr)

    def test_report_reads_runs_with_the_old_group_field(self):
        # Runs written before the rename have a zones field "group": the report is the same.
        tmp = h.make_tempdir(self)
        h.run_ok(self, "analyse", "--grid-m", 4000, "--out", tmp / "run", "--no-progress")
        h.run_ok(self, "report", "--run", tmp / "run", "--out", tmp / "new")
        zones = tmp / "run" / "zones.geojson"
        data = json.loads(zones.read_text(encoding="utf-8"))
        for f in data["features"]:
            f["properties"]["group"] = f["properties"].pop("group_code")
        zones.write_text(json.dumps(data), encoding="utf-8")
        h.run_ok(self, "report", "--run", tmp / "run", "--out", tmp / "old")
        names = sorted(p.name for p in (tmp / "new").iterdir())
        self.assertIn("map.svg", names)
        self.assertEqual(sorted(p.name for p in (tmp / "old").iterdir()), names)
        for name in names:
            self.assertEqual((tmp / "old" / name).read_bytes(), (tmp / "new" / name).read_bytes(), name)


if __name__ == "__main__":
    unittest.main()

    unittest.main()
